/**
 * Every example under examples/ run by the real Pulumi CLI against the emulator, from a copy,
 * the way a user would run it after `npm install`.
 */
import { expect } from "chai";
import * as path from "node:path";
import { ProgramCopy, REPO_ROOT, connectionEnv, copyProgram, writes } from "intune-test-support/e2e";
import { useEmulator } from "intune-test-support/emulator";

const HQ = "8c39f54e-6512-4a2f-bd3a-2cb66d02f722";
const example = (name: string) => path.join(REPO_ROOT, "examples", name);

describe("examples with the real Pulumi CLI (e2e)", function () {
  this.timeout(180_000);

  describe("global cloud", () => {
    const emulator = useEmulator({
      seed: [{ id: HQ, displayName: "ODJ-HQ-SRV01", state: "active", version: "6.2504.2001.8" }],
      reset: false,
    });
    let copy: ProgramCopy | undefined;

    afterEach(() => copy?.cleanup());

    const env = () => ({ ...connectionEnv(emulator), AZURE_CLIENT_SECRET: emulator.app("writer").secret });

    it("basic: up creates one connector with one POST, destroy deletes it", async () => {
      copy = copyProgram(example("basic"), env());
      await copy.project.initStack("dev", { "intune-basic:displayName": "ODJ Connector – Paris" });
      emulator.clearLog();
      await copy.project.run(["up", "--yes", "--skip-preview"], { stack: "dev" });
      expect(emulator.summary()).to.include({ token: 1, POST: 1, PATCH: 0, DELETE: 0 });
      const { connectorId } = (await copy.project.outputs("dev")) as { connectorId: string };
      expect(emulator.connectors().find((c) => c.id === connectorId)?.displayName).to.equal(
        "ODJ Connector – Paris",
      );

      emulator.clearLog();
      await copy.project.run(["destroy", "--yes", "--skip-preview"], { stack: "dev" });
      expect(emulator.summary()).to.include({ DELETE: 1 });
      expect(emulator.connectors().map((c) => c.id)).not.to.include(connectorId);
    });

    it("adopt-existing: up renames the registered connector, destroy releases it", async () => {
      copy = copyProgram(example("adopt-existing"), env());
      await copy.project.initStack("dev", {
        "intune-adopt-existing:connectorId": HQ,
        "intune-adopt-existing:displayName": "ODJ Connector – Headquarters",
      });
      emulator.clearLog();
      await copy.project.run(["up", "--yes", "--skip-preview"], { stack: "dev" });
      // The adoption's read, and its PATCH answered with the object (no read-back).
      expect(emulator.summary()).to.include({ GET: 1, PATCH: 1, POST: 0 });
      expect(await copy.project.outputs("dev")).to.include({
        connectorId: HQ,
        state: "active",
        version: "6.2504.2001.8",
      });

      emulator.clearLog();
      const destroy = await copy.project.run(["destroy", "--yes", "--skip-preview"], { stack: "dev" });
      expect(writes(emulator)).to.equal(0);
      expect(destroy.output).to.contain("was released, not deleted");
      expect(emulator.connectors().find((c) => c.id === HQ)?.displayName).to.equal(
        "ODJ Connector – Headquarters",
      );
    });

    it("adopt-existing by registered name: preview asks Graph nothing, up lists the tenant once and adopts the one so named", async () => {
      // The connector as its software registered it (the test above renamed it).
      emulator.editOutOfBand(HQ, { displayName: "ODJ-HQ-SRV01" });
      copy = copyProgram(example("adopt-existing"), env());
      await copy.project.initStack("byname", {
        "intune-adopt-existing:registeredName": "ODJ-HQ-SRV01",
        "intune-adopt-existing:displayName": "ODJ Connector – Headquarters",
      });
      emulator.clearLog();
      await copy.project.run(["preview"], { stack: "byname" });
      // The name is looked up by the provider when the resource is created, not in the program.
      expect(emulator.summaryLine()).to.equal("Graph: no requests");
      emulator.clearLog();
      await copy.project.run(["up", "--yes", "--skip-preview"], { stack: "byname" });
      expect(await copy.project.outputs("byname")).to.include({ connectorId: HQ });
      // One list page to find the name, the adoption's read, the rename.
      expect(emulator.summary()).to.include({ token: 1, GET: 2, POST: 0, PATCH: 1 });
      expect(emulator.connectors().find((c) => c.id === HQ)?.displayName).to.equal(
        "ODJ Connector – Headquarters",
      );
      await copy.project.run(["destroy", "--yes", "--skip-preview"], { stack: "byname" });
      expect(emulator.connectors().map((c) => c.id)).to.include(HQ);
    });
  });

  describe("multi-cloud (emulator as a US Government cloud)", () => {
    const emulator = useEmulator({ cloud: "usgov", seed: 0, reset: false });
    let copy: ProgramCopy | undefined;

    // Each test sets the stack's cloud itself: neither depends on the other having run.
    before(async () => {
      copy = copyProgram(example("multi-cloud"), connectionEnv(emulator));
      await copy.project.initStack(
        "gcc-high",
        { "intune:cloud": "usgov" },
        {
          "intune:clientSecret": emulator.app("writer").secret,
        },
      );
    });
    after(() => copy?.cleanup());

    it("usgov: the token is issued for graph.microsoft.us and accepted", async () => {
      copy!.project.writeConfig("gcc-high", { "intune:cloud": "usgov" });
      emulator.clearLog();
      await copy!.project.run(["up", "--yes", "--skip-preview"], { stack: "gcc-high" });
      expect(emulator.summary()).to.include({ token: 1, POST: 1 });
      const token = emulator.requestLog({ kind: "token" }).find((e) => e.method === "POST");
      expect((token?.body as { scope?: string }).scope).to.equal("https://graph.microsoft.us/.default");
      expect(await copy!.project.outputs("gcc-high")).to.include({
        graphEndpoint: "https://graph.microsoft.us",
      });
    });

    it("global against a US Government Graph: refused (401), tokens do not cross clouds", async () => {
      // A stack of its own: the gcc-high stack's connector lives in usgov, and is refused below.
      await copy!.project.initStack(
        "wrong-cloud",
        { "intune:cloud": "global", "intune-multi-cloud:displayName": "wrong cloud" },
        { "intune:clientSecret": emulator.app("writer").secret },
      );
      emulator.clearLog();
      const result = await copy!.project.run(["up", "--yes", "--skip-preview"], {
        stack: "wrong-cloud",
        allowFailure: true,
      });
      expect(result.code).not.to.equal(0);
      expect(result.output).to.contain("failed with 401 InvalidAuthenticationToken");
      const graph = emulator.requestLog({ kind: "graph" });
      expect(graph.length).to.be.greaterThan(0);
      expect(graph.every((e) => e.status === 401)).to.equal(true);
      expect(emulator.connectors().map((c) => c.displayName)).not.to.include("wrong cloud");
    });

    it("a stack whose connector lives in usgov, pointed at global: refused before any request, naming both clouds", async () => {
      copy!.project.writeConfig("gcc-high", { "intune:cloud": "usgov" });
      await copy!.project.run(["up", "--yes", "--skip-preview"], { stack: "gcc-high" }); // its connector, in usgov
      copy!.project.writeConfig("gcc-high", { "intune:cloud": "global" });
      emulator.clearLog();
      const result = await copy!.project.run(["preview"], { stack: "gcc-high", allowFailure: true });
      expect(result.code).not.to.equal(0);
      expect(result.output).to.match(
        /the connector lives in tenant [0-9a-f-]+ \(cloud usgov\), but the provider now points at tenant [0-9a-f-]+ \(cloud global\)/,
      );
      expect(emulator.requestLog()).to.deep.equal([]);
    });
  });
});
