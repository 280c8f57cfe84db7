/**
 * Which connectors a stack owns, with the real Pulumi CLI against the emulator: a failed create or
 * adoption must leave state that refresh and destroy can load; a lost create must never capture
 * (and later delete) a connector the stack did not make; two resources must never claim one
 * connector. Each test runs its own stack; the tenant is reset between tests.
 */
import { expect } from "chai";
import { existsSync, rmSync } from "node:fs";
import * as path from "node:path";
import { ConnectorRecord, Emulator, RequestLogEntry, RequestSummary } from "intune-graph-emulator";
import { PulumiProject, PulumiResult } from "intune-test-support/pulumi-cli";
import { ProgramCopy, REPO_ROOT, connectionEnv, copyProgram, tempBackend } from "intune-test-support/e2e";
import { useEmulator } from "intune-test-support/emulator";

const HQ = "8c39f54e-6512-4a2f-bd3a-2cb66d02f722";
const LYON = "3f2a9c1e-7b4d-4e8a-9c61-0d5e8f7a2b14";
const HQ_SEED = { id: HQ, displayName: "ODJ-HQ-SRV01", state: "active" as const, version: "6.2504.2001.8" };
const LYON_SEED = {
  id: LYON,
  displayName: "ODJ Connector – Lyon",
  state: "active" as const,
  version: "6.2504.2001.8",
};
const UP = ["up", "--yes", "--skip-preview"];
const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

interface Step extends PulumiResult {
  summary: RequestSummary;
  graph: RequestLogEntry[];
}

/** Runs one CLI command with a clean request log, and keeps what Graph saw during it. */
async function step(
  emulator: Emulator,
  project: PulumiProject,
  stack: string,
  args: string[],
): Promise<Step> {
  emulator.clearLog();
  const result = await project.run(args, { stack, allowFailure: true });
  return { ...result, summary: emulator.summary(), graph: emulator.requestLog({ kind: "graph" }) };
}

/** The DomainJoinConnector resources of the stack's state: urn, id and outputs. */
async function connectorsInState(project: PulumiProject, stack: string): Promise<Record<string, unknown>[]> {
  const state = JSON.parse(await project.exportState(stack)) as {
    deployment: {
      resources?: { type: string; urn: string; id?: string; outputs?: Record<string, unknown> }[];
    };
  };
  return (state.deployment.resources ?? [])
    .filter((r) => r.type.endsWith(":DomainJoinConnector"))
    .map(({ urn, id, outputs }) => ({ urn, id, outputs }));
}

/** Graph writes (PATCH, DELETE) aimed at one connector. */
function writesTo(id: string, ...steps: Step[]): string[] {
  return steps
    .flatMap((s) => s.graph)
    .filter((e) => (e.method === "PATCH" || e.method === "DELETE") && e.path.endsWith(`/${id}`))
    .map((e) => `${e.method} ${e.path} → ${e.status}`);
}

/** The CLI's diagnostics (errors and warnings), or the whole output when it has none. */
function diagnostics(result: PulumiResult): string {
  const at = result.output.indexOf("Diagnostics:");
  return at < 0 ? result.output : result.output.slice(at);
}

const byId = (id: string) => (c: ConnectorRecord) => c.id === id;

describe("connector ownership with the real Pulumi CLI (e2e)", function () {
  this.timeout(60_000);
  // Each test resets it with the tenant it needs.
  const emulator = useEmulator({ seed: 0, reset: false });
  let secret: string;

  before(() => {
    secret = emulator.app("writer").secret;
  });

  describe("failed and lost creates", () => {
    let copy: ProgramCopy;
    const KEY = "intune-ownership:connectors";

    before(() => {
      copy = copyProgram(path.join(REPO_ROOT, "tests/e2e/fixtures/ownership-connectors"), {
        ...connectionEnv(emulator),
        AZURE_CLIENT_SECRET: secret,
      });
    });
    after(() => copy?.cleanup());

    it("an adoption the service does not apply fails naming the property; refresh and destroy still work", async () => {
      emulator.reset({ seed: [HQ_SEED] });
      const stack = "adopt-not-applied";
      await copy.project.initStack(stack, {
        [KEY]: [{ name: "hq", connectorId: HQ, displayName: "ODJ Connector – Headquarters" }],
      });
      // The PATCH is answered 204 No Content but never applied.
      emulator.addFault({ method: "PATCH", path: HQ, status: 204 });
      const up = await step(emulator, copy.project, stack, UP);
      expect(up.code, up.output).not.to.equal(0);
      expect(up.summary).to.include({ PATCH: 1, POST: 0, DELETE: 0 });
      expect(emulator.connectors().find(byId(HQ))?.displayName).to.equal("ODJ-HQ-SRV01");
      // The error names the property the service did not take.
      expect(diagnostics(up)).to.match(/(error:|\*) .*\bdisplayName\b/);

      const refresh = await step(emulator, copy.project, stack, ["refresh", "--yes", "--skip-preview"]);
      expect(refresh.code, diagnostics(refresh)).to.equal(0);
      const destroy = await step(emulator, copy.project, stack, ["destroy", "--yes", "--skip-preview"]);
      expect(destroy.code, diagnostics(destroy)).to.equal(0);
      for (const s of [refresh, destroy]) {
        expect(s.output).not.to.contain("code must be a string");
        expect(s.summary).to.include({ POST: 0, PATCH: 0, DELETE: 0 });
      }
      expect(await connectorsInState(copy.project, stack)).to.deep.equal([]);
      // Adopted, so released by destroy: it is still there.
      expect(emulator.connectors().find(byId(HQ))?.displayName).to.equal("ODJ-HQ-SRV01");

      // The fault is gone: the next up converges.
      const again = await step(emulator, copy.project, stack, UP);
      expect(again.code, diagnostics(again)).to.equal(0);
      expect(emulator.connectors().find(byId(HQ))?.displayName).to.equal("ODJ Connector – Headquarters");
    });

    it("a create whose display name is taken is refused before any POST; the unmanaged connector survives up, refresh and destroy", async () => {
      emulator.reset({ seed: [LYON_SEED] });
      const stack = "name-taken";
      await copy.project.initStack(stack, { [KEY]: [{ name: "lyon", displayName: "ODJ Connector – Lyon" }] });
      // Were a POST sent, it would be lost without being applied.
      emulator.addFault({ method: "POST", path: "domainJoinConnectors", status: 503 });
      const up = await step(emulator, copy.project, stack, UP);
      const inState = await connectorsInState(copy.project, stack);
      const refresh = await step(emulator, copy.project, stack, ["refresh", "--yes", "--skip-preview"]);
      const destroy = await step(emulator, copy.project, stack, ["destroy", "--yes", "--skip-preview"]);

      // The connector the stack never made is neither renamed nor deleted, nor held in state.
      expect(writesTo(LYON, up, refresh, destroy)).to.deep.equal([]);
      expect(emulator.connectors().find(byId(LYON))?.displayName, "the unmanaged connector").to.equal(
        "ODJ Connector – Lyon",
      );
      expect(inState.map((r) => r.id)).not.to.include(LYON);

      expect(up.code, up.output).not.to.equal(0);
      expect(up.summary).to.include({ POST: 0, PATCH: 0, DELETE: 0 });
      const message = diagnostics(up);
      expect(message).to.contain(LYON);
      expect(message).to.contain("connectorId");
      expect(message).to.contain("allowDuplicateDisplayName");
      expect(message).not.to.match(STACK_TRACE);
      expect(refresh.code, diagnostics(refresh)).to.equal(0);
      expect(destroy.code, diagnostics(destroy)).to.equal(0);
      expect(emulator.connectors().map((c) => c.id)).to.deep.equal([LYON]);
    });

    it("the display-name check ignores letter case", async () => {
      emulator.reset({ seed: [LYON_SEED] });
      const stack = "name-taken-case";
      await copy.project.initStack(stack, { [KEY]: [{ name: "lyon", displayName: "odj connector – LYON" }] });
      const up = await step(emulator, copy.project, stack, UP);
      expect(up.summary, diagnostics(up)).to.include({ POST: 0, PATCH: 0, DELETE: 0 });
      expect(up.code).not.to.equal(0);
      expect(diagnostics(up)).to.contain(LYON);
      expect(emulator.connectors().map((c) => c.id)).to.deep.equal([LYON]);
    });

    it("allowDuplicateDisplayName, POST answered 503 and not applied: the existing connector is not taken", async () => {
      emulator.reset({ seed: [LYON_SEED] });
      const stack = "duplicate-lost";
      await copy.project.initStack(stack, {
        [KEY]: [{ name: "lyon", displayName: "ODJ Connector – Lyon", allowDuplicateDisplayName: true }],
      });
      emulator.addFault({ method: "POST", path: "domainJoinConnectors", status: 503 });
      const up = await step(emulator, copy.project, stack, UP);
      const inState = await connectorsInState(copy.project, stack);
      const destroy = await step(emulator, copy.project, stack, ["destroy", "--yes", "--skip-preview"]);

      expect(writesTo(LYON, up, destroy)).to.deep.equal([]);
      expect(inState.map((r) => r.id)).not.to.include(LYON);
      expect(up.summary.POST, diagnostics(up)).to.be.at.least(1);
      if (up.code !== 0) {
        // Nothing new appeared after the POST: it says so, and keeps nothing.
        expect(diagnostics(up)).to.match(/nothing was created/i);
        expect(inState).to.deep.equal([]);
      } else {
        // A clean retry created a second connector: that one is in state, and destroy deletes it.
        expect(inState).to.have.length(1);
        expect(destroy.summary.DELETE).to.equal(1);
      }
      expect(destroy.code, diagnostics(destroy)).to.equal(0);
      expect(emulator.connectors().map((c) => [c.id, c.displayName])).to.deep.equal([
        [LYON, "ODJ Connector – Lyon"],
      ]);
    });

    it("allowDuplicateDisplayName, POST applied then answered 504: the new connector is taken, and only it is deleted", async () => {
      emulator.reset({ seed: [LYON_SEED] });
      const stack = "duplicate-applied";
      await copy.project.initStack(stack, {
        [KEY]: [{ name: "lyon", displayName: "ODJ Connector – Lyon", allowDuplicateDisplayName: true }],
      });
      emulator.addFault({ method: "POST", path: "domainJoinConnectors", applyThen: 504 });
      const up = await step(emulator, copy.project, stack, UP);
      expect(up.code, diagnostics(up)).to.equal(0);
      expect(up.summary).to.include({ POST: 1, PATCH: 0, DELETE: 0 });
      const created = emulator.connectors().filter((c) => c.id !== LYON);
      expect(created.map((c) => c.displayName)).to.deep.equal(["ODJ Connector – Lyon"]);
      const inState = await connectorsInState(copy.project, stack);
      expect(inState.map((r) => r.id)).to.deep.equal([created[0].id]);

      const destroy = await step(emulator, copy.project, stack, ["destroy", "--yes", "--skip-preview"]);
      expect(destroy.code, diagnostics(destroy)).to.equal(0);
      expect(destroy.graph.filter((e) => e.method === "DELETE").map((e) => e.path)).to.deep.equal([
        `/beta/deviceManagement/domainJoinConnectors/${created[0].id}`,
      ]);
      expect(emulator.connectors().map((c) => [c.id, c.displayName])).to.deep.equal([
        [LYON, "ODJ Connector – Lyon"],
      ]);
    });
  });

  describe("two resources claiming one connector", () => {
    it("in a program (ids differing in letter case): preview and up fail naming both, before any write", async () => {
      emulator.reset({ seed: [HQ_SEED] });
      const copy = copyProgram(path.join(REPO_ROOT, "tests/e2e/fixtures/ownership-same-connector"), {
        ...connectionEnv(emulator),
        AZURE_CLIENT_SECRET: secret,
      });
      try {
        const stack = "claimed-twice";
        await copy.project.initStack(stack, { "intune-same-connector:connectorId": HQ });
        const tenant = emulator.connectors();
        for (const args of [["preview"], UP]) {
          const result = await step(emulator, copy.project, stack, args);
          expect(result.code, `pulumi ${args[0]}:\n${result.output}`).not.to.equal(0);
          expect(result.summary).to.include({ POST: 0, PATCH: 0, DELETE: 0 });
          expect(diagnostics(result)).to.contain("hq-main").and.to.contain("hq-copy");
          expect(result.output).not.to.match(STACK_TRACE);
        }
        expect(emulator.connectors()).to.deep.equal(tenant);
        expect(await connectorsInState(copy.project, stack)).to.deep.equal([]);
      } finally {
        copy.cleanup();
      }
    });

    it("in the root stack's config: preview and up fail naming both entries, tenant and state unchanged", async () => {
      emulator.reset({ seed: [HQ_SEED] });
      const stack = `ownership-${process.pid}`;
      const backend = tempBackend();
      const project = new PulumiProject({
        dir: REPO_ROOT,
        backendDir: backend.dir,
        passphrase: "e2e-local-state",
        env: { ...connectionEnv(emulator), AZURE_CLIENT_SECRET: secret },
      });
      const KEY = "intune-connectors:connectors";
      const valid = [
        { name: "hq-main", connectorId: HQ, displayName: "ODJ Connector – HQ" },
        { name: "branch-office", displayName: "ODJ Connector – Branch" },
      ];
      try {
        await project.initStack(stack, { [KEY]: valid });
        await project.run(UP, { stack });
        const state = await connectorsInState(project, stack);
        expect(state).to.have.length(2);
        const tenant = emulator.connectors();

        project.writeConfig(stack, {
          [KEY]: [
            ...valid,
            { name: "hq-copy", connectorId: HQ.toUpperCase(), displayName: "ODJ Connector – HQ" },
          ],
        });
        for (const args of [["preview"], UP]) {
          const result = await step(emulator, project, stack, args);
          expect(result.code, `pulumi ${args[0]}:\n${result.output}`).not.to.equal(0);
          expect(result.summary).to.include({ POST: 0, PATCH: 0, DELETE: 0 });
          expect(diagnostics(result)).to.match(/connectors\[0\]|hq-main/);
          expect(diagnostics(result)).to.match(/connectors\[2\]|hq-copy/);
          expect(result.output).not.to.match(STACK_TRACE);
        }
        expect(emulator.connectors()).to.deep.equal(tenant);
        expect(await connectorsInState(project, stack)).to.deep.equal(state);
      } finally {
        await project.run(["stack", "rm", "--yes", "--force"], { stack, allowFailure: true });
        const file = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
        if (existsSync(file)) rmSync(file);
        backend.cleanup();
      }
    });
  });
});
