/**
 * The root stack (Pulumi.yaml) driven by the real `pulumi` CLI against the emulator, the way a
 * platform team uses it: preview in a pull request, up from a pipeline, refresh for drift.
 * Steps run in order on one stack; each asserts on the emulator's request log.
 */
import { expect } from "chai";
import { existsSync, rmSync } from "node:fs";
import * as path from "node:path";
import { Emulator } from "intune-graph-emulator";
import { CONNECTOR_ODATA_TYPE } from "pulumi-intune-domain-join/internal/connector/constants";
import { PulumiProject } from "intune-test-support/pulumi-cli";
import { REPO_ROOT, connectionEnv, copyProgram, tempBackend, writes } from "intune-test-support/e2e";
import { startTestEmulator } from "intune-test-support/emulator";

const HQ = "8c39f54e-6512-4a2f-bd3a-2cb66d02f722";
const OTHER = "ee93ee79-aa0e-423c-a8f8-bd007b6016cc";
const REGISTERED = [
  { id: HQ, displayName: "ODJ-HQ-SRV01", state: "active" as const, version: "6.2504.2001.8" },
  { id: OTHER, displayName: "ODJ-BRANCH-SRV02", state: "active" as const, version: "6.2501.2000.5" },
];
const KEY = "intune-connectors:connectors";

describe("root stack with the real Pulumi CLI (e2e)", function () {
  this.timeout(180_000);
  const stack = `e2e-${process.pid}`;
  let emulator: Emulator;
  let project: PulumiProject;
  let backend: { dir: string; cleanup(): void };
  let secret: string;
  let branchId: string;

  const desired = (branchName = "ODJ Connector – Branch office", extra: Record<string, unknown> = {}) => ({
    [KEY]: [
      { connectorId: HQ, displayName: "ODJ Connector – Headquarters" },
      { name: "branch-office", displayName: branchName, ...extra },
    ],
  });

  async function pulumi(args: string[], allowFailure = false) {
    emulator.clearLog();
    return project.run(args, { stack, allowFailure });
  }

  before(async () => {
    emulator = await startTestEmulator({ seed: REGISTERED });
    secret = emulator.app("writer").secret;
    backend = tempBackend();
    project = new PulumiProject({
      dir: REPO_ROOT,
      backendDir: backend.dir,
      passphrase: "e2e-local-state",
      env: connectionEnv(emulator),
    });
    // The secret goes in as secret stack config, the way users keep it.
    await project.initStack(stack, desired(), { "intune:clientSecret": secret });
  });

  after(async () => {
    await project?.run(["stack", "rm", "--yes", "--force"], { stack, allowFailure: true });
    const file = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
    if (existsSync(file)) rmSync(file);
    backend?.cleanup();
    await emulator?.close();
  });

  it("preview makes zero Graph requests and shows what would change", async () => {
    const result = await pulumi(["preview"]);
    expect(emulator.summary()).to.include({ token: 0, GET: 0, POST: 0, PATCH: 0, DELETE: 0 });
    expect(result.stdout).to.match(
      /\+\s+pulumi-nodejs:dynamic\/intune:DomainJoinConnector\s+branch-office\s+create/,
    );
    expect(result.stdout).to.match(
      new RegExp(`\\+\\s+pulumi-nodejs:dynamic/intune:DomainJoinConnector\\s+${HQ}\\s+create`),
    );
    expect(result.stdout).to.contain("3 to create");
  });

  it("up adopts the registered connector (renaming it) and creates the other", async () => {
    await pulumi(["up", "--yes", "--skip-preview"]);
    // The list before the create, the adoption's read; the PATCH answers with the object.
    expect(emulator.summary()).to.include({ token: 1, GET: 2, PATCH: 1, POST: 1, DELETE: 0 });
    const outputs = (await project.outputs(stack)).connectors as Record<
      string,
      { id: string; state: string }
    >;
    branchId = outputs["branch-office"].id;
    const tenant = new Map(emulator.connectors().map((c) => [c.id, c]));
    expect(tenant.get(HQ)?.displayName).to.equal("ODJ Connector – Headquarters");
    expect(tenant.get(branchId)?.displayName).to.equal("ODJ Connector – Branch office");
    expect(outputs[HQ]).to.include({ id: HQ, state: "active" });
    // The health summary, from the outputs: the registered connector is current and checks in;
    // the one Pulumi created has no connector software behind it yet.
    expect((await project.outputs(stack)).health).to.deep.equal({
      healthy: false,
      healthyCount: 1,
      unhealthy: { "branch-office": ["version", "state", "contact"] },
      fleet: ["healthyCount"],
    });
  });

  it("a second up makes no request at all", async () => {
    const result = await pulumi(["up", "--yes", "--skip-preview"]);
    expect(result.stdout).to.contain("3 unchanged");
    expect(emulator.summaryLine()).to.equal("Graph: no requests");
  });

  it("changing displayName makes exactly one PATCH carrying only displayName", async () => {
    project.writeConfig(stack, desired("ODJ Connector – Lyon"));
    const preview = await pulumi(["preview"]);
    expect(preview.stdout).to.contain("1 to update");
    expect(writes(emulator)).to.equal(0);

    await pulumi(["up", "--yes", "--skip-preview"]);
    const patches = emulator.requestLog({ kind: "graph" }).filter((e) => e.method === "PATCH");
    expect(patches).to.have.length(1);
    expect(patches[0].path).to.equal(`/beta/deviceManagement/domainJoinConnectors/${branchId}`);
    expect(patches[0].body).to.deep.equal({
      "@odata.type": CONNECTOR_ODATA_TYPE,
      displayName: "ODJ Connector – Lyon",
    });
    expect(writes(emulator)).to.equal(1);
  });

  it("heartbeats moving lastConnectionDateTime never show a change", async () => {
    emulator.heartbeat(HQ);
    emulator.heartbeat(branchId, { state: "active" });
    const refresh = await pulumi(["refresh", "--yes", "--skip-preview"]);
    expect(writes(emulator)).to.equal(0);
    expect(refresh.code).to.equal(0);
    const preview = await pulumi(["preview", "--expect-no-changes"]);
    expect(preview.stdout).to.contain("3 unchanged");
    const up = await pulumi(["up", "--yes", "--skip-preview"]);
    expect(up.stdout).to.contain("3 unchanged");
    expect(writes(emulator)).to.equal(0);
  });

  it("an out-of-band rename shows as drift on refresh, and the next up fixes it", async () => {
    emulator.editOutOfBand(branchId, { displayName: "Renamed in the portal" });
    const refresh = await pulumi(["refresh", "--yes", "--skip-preview", "--diff"]);
    expect(refresh.stdout).to.match(/~ displayName\s+: "ODJ Connector – Lyon" => "Renamed in the portal"/);
    expect(refresh.stdout).to.contain("~ 1 updated");
    expect(emulator.summary()).to.include({ GET: 2, POST: 0, PATCH: 0 });

    const preview = await pulumi(["preview"]);
    expect(preview.stdout).to.contain("1 to update");
    await pulumi(["up", "--yes", "--skip-preview"]);
    expect(emulator.summary().PATCH).to.equal(1);
    expect(emulator.connectors().find((c) => c.id === branchId)?.displayName).to.equal(
      "ODJ Connector – Lyon",
    );
  });

  it("a check failure stops preview, naming the property, with no request and no state change", async () => {
    const before = await project.exportState(stack);
    project.writeConfig(stack, {
      [KEY]: [
        { connectorId: HQ, displayName: "ODJ Connector – Headquarters" },
        { name: "branch-office", displayname: "typo", state: "paused" },
      ],
    });
    const result = await pulumi(["preview"], true);
    expect(result.code).not.to.equal(0);
    expect(result.output).to.contain(
      "displayname is not a property of DomainJoinConnector; did you mean displayName?",
    );
    expect(result.output).to.contain('state must be one of active, error, inactive; got "paused"');
    expect(result.output).not.to.match(/^\s+at .*\(.*\.js:\d+:\d+\)$/m); // no stack trace
    expect(emulator.summary()).to.include({ token: 0, GET: 0, POST: 0, PATCH: 0, DELETE: 0 });
    expect(await project.exportState(stack)).to.equal(before);
    project.writeConfig(stack, desired("ODJ Connector – Lyon"));
  });

  it("a created connector deleted behind our back: refresh drops it, up recreates it", async () => {
    emulator.removeOutOfBand(branchId);
    const refresh = await pulumi(["refresh", "--yes", "--skip-preview"]);
    expect(refresh.stdout).to.match(
      /-\s+pulumi-nodejs:dynamic\/intune:DomainJoinConnector\s+branch-office\s+deleted/,
    );
    await pulumi(["up", "--yes", "--skip-preview"]);
    expect(emulator.summary()).to.include({ POST: 1 });
    const outputs = (await project.outputs(stack)).connectors as Record<string, { id: string }>;
    expect(outputs["branch-office"].id).not.to.equal(branchId);
    branchId = outputs["branch-office"].id;
    expect(emulator.connectors().filter((c) => c.displayName === "ODJ Connector – Lyon")).to.have.length(1);
  });

  it("state holds no secret or token, and stays small per connector", async () => {
    const state = await project.exportState(stack);
    expect(state).not.to.contain(secret);
    expect(state).not.to.match(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./);
    const resources = (JSON.parse(state).deployment.resources as { type: string }[]).filter((r) =>
      r.type.endsWith(":DomainJoinConnector"),
    );
    expect(resources).to.have.length(2);
    for (const r of resources) {
      const bytes = Buffer.byteLength(JSON.stringify(r));
      console.log(`      state bytes for one connector: ${bytes}`);
      expect(bytes).to.be.lessThan(7000);
    }
  });

  it("an adopted connector deleted behind our back gets a clear error, not a new connector", async () => {
    emulator.removeOutOfBand(HQ);
    await pulumi(["refresh", "--yes", "--skip-preview"]);
    const result = await pulumi(["up", "--yes", "--skip-preview"], true);
    expect(result.code).not.to.equal(0);
    expect(result.output).to.contain(`adopt connector ${HQ}: no connector with this id exists in the tenant`);
    expect(emulator.summary().POST).to.equal(0);
    emulator.seed([REGISTERED[0]]);
    await pulumi(["up", "--yes", "--skip-preview"]);
  });

  it("destroy deletes the created connector and releases the adopted one", async () => {
    const result = await pulumi(["destroy", "--yes", "--skip-preview"]);
    expect(emulator.summary()).to.include({ DELETE: 1, POST: 0, PATCH: 0 });
    const deleted = emulator.requestLog({ kind: "graph" }).find((e) => e.method === "DELETE");
    expect(deleted?.path).to.equal(`/beta/deviceManagement/domainJoinConnectors/${branchId}`);
    const ids = emulator.connectors().map((c) => c.id);
    expect(ids).to.include(HQ);
    expect(ids).not.to.include(branchId);
    expect(result.output).to.contain(
      `connector ${HQ} ("ODJ Connector – Headquarters") was released, not deleted`,
    );
  });

  it("DomainJoinConnector.get reads an existing connector without managing it", async () => {
    const fixture = copyProgram(path.join(REPO_ROOT, "tests/e2e/fixtures/get-existing"), {
      ...connectionEnv(emulator),
      AZURE_CLIENT_SECRET: secret,
    });
    try {
      await fixture.project.initStack("get", { "intune-get-existing:connectorId": OTHER });
      emulator.clearLog();
      await fixture.project.run(["up", "--yes", "--skip-preview"], { stack: "get" });
      expect(await fixture.project.outputs("get")).to.include({
        displayName: "ODJ-BRANCH-SRV02",
        state: "active",
      });
      expect(emulator.summary()).to.include({ GET: 1, POST: 0, PATCH: 0, DELETE: 0 });
      emulator.clearLog();
      await fixture.project.run(["destroy", "--yes", "--skip-preview"], { stack: "get" });
      expect(writes(emulator)).to.equal(0);
      expect(emulator.connectors().map((c) => c.id)).to.include(OTHER);
    } finally {
      fixture.cleanup();
    }
  });
});
