/**
 * The intune plugin as users get it: installed from its release tarball with `pulumi plugin
 * install`, and `pulumi import` adopting a connector that exists, with the real CLI against the
 * emulator. The YAML code the import prints is then the program: it previews with no change, a
 * rename through it is one PATCH, and destroy releases the connector (it stays in Intune).
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Emulator } from "intune-graph-emulator";
import {
  ProgramCopy,
  REPO_ROOT,
  connectionEnv,
  copyProgram,
  writes,
  runLogged,
} from "intune-test-support/e2e";
import { startTestEmulator } from "intune-test-support/emulator";
import { intunePluginDir, yamlHostDir } from "intune-test-support/plugin";

const HQ = "8c39f54e-6512-4a2f-bd3a-2cb66d02f722";
const TYPE = "intune:index:DomainJoinConnector";

interface StateResource {
  type: string;
  id?: string;
  protect?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

describe("the intune plugin, installed from its tarball: pulumi import (real Pulumi CLI, e2e)", function () {
  this.timeout(300_000);
  let emulator: Emulator;
  let copy: ProgramCopy;
  let tarballDir: string;
  const stack = "dev";

  const resources = async () =>
    (JSON.parse(await copy.project.exportState(stack)) as { deployment: { resources?: StateResource[] } })
      .deployment.resources ?? [];

  before(async () => {
    // The release tarball, built as `npm run plugin-tarball` builds it.
    tarballDir = mkdtempSync(path.join(tmpdir(), "intune-plugin-tarball-"));
    const built = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, "scripts/plugin-tarball.mjs"), "--out", tarballDir],
      {
        encoding: "utf8",
      },
    );
    expect(built.status, built.stderr).to.equal(0);
    const tarball = built.stdout.trim().split("\n").pop() as string;

    emulator = await startTestEmulator({
      seed: [{ id: HQ, displayName: "ODJ-HQ-SRV01", version: "6.2504.2001.8" }],
    });
    // Only the YAML host on PATH: the engine must find the plugin where `pulumi plugin install` put it.
    copy = copyProgram(path.join(REPO_ROOT, "tests/e2e/fixtures/yaml-import"), connectionEnv(emulator), {
      pathDirs: [yamlHostDir()],
    });
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, "provider/package.json"), "utf8")) as {
      version: string;
    };
    await copy.project.run(["plugin", "install", "resource", "intune", version, "--file", tarball]);
    await copy.project.initStack(stack, {}, { "intune:clientSecret": emulator.app("writer").secret });
  });
  after(async () => {
    copy?.cleanup();
    rmSync(tarballDir, { recursive: true, force: true });
    await emulator?.close();
  });

  const run = (args: string[]) => runLogged(copy, emulator, stack, args);

  it("serves its schema from the plugin cache", async () => {
    const result = await copy.project.run(["package", "get-schema", "intune"]);
    const schema = JSON.parse(result.stdout) as { name: string; resources: Record<string, unknown> };
    expect(schema.name).to.equal("intune");
    expect(Object.keys(schema.resources)).to.deep.equal([TYPE]);
  });

  it("says an id the tenant does not hold does not exist there, naming the tenant, and leaves the stack as it was", async () => {
    const missing = "0b5b7d0e-3c1e-4b52-9a7f-6f7f3d2c1a99";
    emulator.clearLog();
    const result = await copy.project.run(["import", TYPE, "ghost", missing, "--yes"], {
      stack,
      allowFailure: true,
    });
    expect(result.code).to.not.equal(0);
    expect(result.output).to.contain(
      `import connector ${missing}: no connector with this id exists in tenant ${emulator.tenantId}`,
    );
    expect(result.output).to.not.contain("does not support importing");
    expect(writes(emulator)).to.equal(0);
    expect((await resources()).filter((r) => r.type === TYPE)).to.deep.equal([]);
  });

  let printed = "";
  it("adopts a connector without a write, and prints the YAML that keeps it", async () => {
    const result = await run(["import", TYPE, "hq", HQ, "--yes"]);
    expect(writes(emulator)).to.equal(0);
    const [hq] = (await resources()).filter((r) => r.type === TYPE);
    expect(hq.id).to.equal(HQ);
    expect(hq.protect).to.equal(true);
    expect(hq.outputs).to.include({ connectorId: HQ, adopted: true, deleteOnDestroy: false });
    printed = result.stdout.slice(result.stdout.indexOf("resources:"));
    expect(printed).to.match(/type: intune:DomainJoinConnector/);
    expect(printed).to.contain(`connectorId: ${HQ}`);
    expect(printed).to.contain("displayName: ODJ-HQ-SRV01");
  });

  it("the printed code is the program: a preview finds nothing to change and asks Graph nothing", async () => {
    appendFileSync(path.join(copy.dir, "Pulumi.yaml"), printed);
    await run(["preview", "--expect-no-changes"]);
    expect(emulator.summaryLine()).to.equal("Graph: no requests");
  });

  it("a rename through it is one PATCH", async () => {
    const yaml = path.join(copy.dir, "Pulumi.yaml");
    const text = spawnSync("sed", ["-i", "s/displayName: ODJ-HQ-SRV01/displayName: ODJ HQ (managed)/", yaml]);
    expect(text.status).to.equal(0);
    await run(["up", "--yes", "--skip-preview"]);
    expect(emulator.summary()).to.include({ PATCH: 1, POST: 0, DELETE: 0 });
    expect(emulator.connectors().find((c) => c.id === HQ)?.displayName).to.equal("ODJ HQ (managed)");
  });

  it("destroy releases the imported connector: it stays in Intune", async () => {
    await run(["state", "unprotect", `urn:pulumi:${stack}::intune-yaml-import::${TYPE}::hq`, "--yes"]);
    const result = await run(["destroy", "--yes", "--skip-preview"]);
    expect(result.output, result.output).to.contain("was released, not deleted: it was adopted");
    expect(emulator.summary().DELETE).to.equal(0);
    expect(emulator.connectors().map((c) => c.id)).to.deep.equal([HQ]);
    expect((await resources()).filter((r) => r.type === TYPE)).to.deep.equal([]);
  });
});

describe("state per connector in the plugin form (YAML program, real Pulumi CLI, e2e)", function () {
  this.timeout(180_000);
  /** The dynamic form's bound (tests/e2e/consumer-state.test.ts): the plugin form must not cost more. */
  const MAX_BYTES_PER_CONNECTOR = 2500;
  let emulator: Emulator;
  let copy: ProgramCopy;
  let source: string;

  before(async () => {
    emulator = await startTestEmulator({ seed: 0 });
    source = mkdtempSync(path.join(tmpdir(), "intune-yaml-state-"));
    const resources = ["paris", "lyon", "nantes"]
      .map(
        (name) =>
          `  ${name}:\n    type: intune:DomainJoinConnector\n    properties:\n      displayName: SRV-${name.toUpperCase()}\n`,
      )
      .join("");
    writeFileSync(
      path.join(source, "Pulumi.yaml"),
      `name: intune-yaml-state\nruntime: yaml\nresources:\n${resources}`,
    );
    copy = copyProgram(source, connectionEnv(emulator), { pathDirs: [intunePluginDir(), yamlHostDir()] });
    await copy.project.initStack("dev", {}, { "intune:clientSecret": emulator.app("writer").secret });
  });
  after(async () => {
    copy?.cleanup();
    rmSync(source, { recursive: true, force: true });
    await emulator?.close();
  });

  it("stores each connector in less than the dynamic form's bound, with no token or secret in state", async () => {
    await copy.project.run(["up", "--yes", "--skip-preview"], { stack: "dev" });
    const exported = await copy.project.exportState("dev");
    const resources = (JSON.parse(exported) as { deployment: { resources: StateResource[] } }).deployment
      .resources;
    const stored = resources.filter((r) => r.type === TYPE);
    expect(stored).to.have.length(3);
    for (const r of stored) {
      const bytes = JSON.stringify(r).length;
      // The YAML host records where in its own Go code each resource was registered (about 1.4 KB).
      const {
        stackTrace: _trace,
        sourcePosition: _position,
        ...own
      } = r as StateResource & Record<string, unknown>;
      const ownBytes = JSON.stringify(own).length;
      console.log(
        `      state bytes for one connector (plugin form): ${bytes}, ${ownBytes} without the host's source positions`,
      );
      expect(ownBytes).to.be.below(bytes);
      expect(bytes).to.be.at.most(MAX_BYTES_PER_CONNECTOR);
    }
    expect(exported).to.not.contain(emulator.app("writer").secret);
    expect(exported).not.to.match(/eyJ[\w-]+\.[\w-]+\./);
    await copy.project.run(["destroy", "--yes", "--skip-preview"], { stack: "dev" });
    expect(emulator.connectors()).to.deep.equal([]);
  });
});

describe("two tenants in one YAML program: explicit intune providers (real Pulumi CLI, e2e)", function () {
  this.timeout(180_000);
  let contoso: Emulator;
  let fabrikam: Emulator;
  let copy: ProgramCopy;
  let source: string;

  /** An explicit provider's properties: one tenant, its app and its secret (from secret config). */
  const provider = (name: string, emulator: Emulator) =>
    [
      `  ${name}:`,
      "    type: pulumi:providers:intune",
      "    properties:",
      `      tenantId: ${emulator.tenantId}`,
      `      clientId: ${emulator.app("writer").clientId}`,
      `      clientSecret: \${${name}Secret}`,
      `      authorityHost: ${emulator.authorityHost}`,
      `      graphEndpoint: ${emulator.graphEndpoint}`,
    ].join("\n");
  const connector = (name: string, via: string) =>
    [
      `  ${name}:`,
      "    type: intune:DomainJoinConnector",
      "    properties:",
      `      displayName: ODJ ${name}`,
      "    options:",
      `      provider: \${${via}}`,
    ].join("\n");

  before(async () => {
    contoso = await startTestEmulator({ seed: 0 });
    fabrikam = await startTestEmulator({ seed: 0 });
    source = mkdtempSync(path.join(tmpdir(), "intune-yaml-tenants-"));
    const program = [
      "name: intune-two-tenants",
      "runtime: yaml",
      "config:",
      "  contosoSecret: { type: string, secret: true }",
      "  fabrikamSecret: { type: string, secret: true }",
      "resources:",
      provider("contoso", contoso),
      provider("fabrikam", fabrikam),
      connector("paris", "contoso"),
      connector("lyon", "fabrikam"),
      "",
    ].join("\n");
    writeFileSync(path.join(source, "Pulumi.yaml"), program);
    // No default provider settings at all: each connector must go through its own provider.
    copy = copyProgram(source, { AZURE_CLIENT_SECRET: "" }, { pathDirs: [intunePluginDir(), yamlHostDir()] });
    await copy.project.initStack(
      "dev",
      {},
      {
        "intune-two-tenants:contosoSecret": contoso.app("writer").secret,
        "intune-two-tenants:fabrikamSecret": fabrikam.app("writer").secret,
      },
    );
  });
  after(async () => {
    copy?.cleanup();
    rmSync(source, { recursive: true, force: true });
    await contoso?.close();
    await fabrikam?.close();
  });

  it("creates each connector in its own tenant, keeps the secrets secret, and destroys both", async () => {
    await copy.project.run(["up", "--yes", "--skip-preview"], { stack: "dev" });
    expect(contoso.connectors().map((c) => c.displayName)).to.deep.equal(["ODJ paris"]);
    expect(fabrikam.connectors().map((c) => c.displayName)).to.deep.equal(["ODJ lyon"]);
    const exported = await copy.project.exportState("dev");
    expect(exported).to.not.contain(contoso.app("writer").secret);
    expect(exported).to.not.contain(fabrikam.app("writer").secret);
    contoso.clearLog();
    fabrikam.clearLog();
    await copy.project.run(["preview", "--expect-no-changes"], { stack: "dev" });
    expect([contoso.summaryLine(), fabrikam.summaryLine()]).to.deep.equal([
      "Graph: no requests",
      "Graph: no requests",
    ]);
    await copy.project.run(["destroy", "--yes", "--skip-preview"], { stack: "dev" });
    expect([contoso.connectors(), fabrikam.connectors()]).to.deep.equal([[], []]);
  });
});
