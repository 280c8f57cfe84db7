/**
 * The pipelines' flows with their state in an `azblob://` backend, as docs/pipelines.md recommends:
 * Azurite (Microsoft's storage emulator, from npm) holds the container, the real Pulumi CLI built
 * here keeps the stack in it through gocloud's azureblob driver, and the provider signs in with a
 * GitHub Actions OIDC token against the emulator, as the workflows do. Each test has a container of
 * its own: the deploy / preview / drift / health flow; two `pulumi up` on one stack at once; a
 * `pulumi up` killed while a connector's create is in flight, and its recovery.
 */
import { expect } from "chai";
import { ChildProcess, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { Emulator } from "intune-graph-emulator";
import { Azurite, AzuriteContainer, startAzurite } from "intune-test-support/azurite";
import { ProgramCopy, REPO_ROOT, copyProgram, writes } from "intune-test-support/e2e";
import { GithubStandIn, startGithubActionsStandIn } from "intune-test-support/federated-issuers";
import { githubJobEnv, startPipelineEmulator } from "intune-test-support/github-pipeline";
import { ProcessResult, runNode } from "intune-test-support/node-process";
import { PulumiResult } from "intune-test-support/pulumi-cli";

const FIXTURE = path.join(REPO_ROOT, "tests/e2e/fixtures/azblob-connectors");
const PROJECT = "intune-azblob";
const STACK = "prod";
const REPAIR_TOOL = path.join(REPO_ROOT, "provider/dist/repair/command.js");
const HEALTH_TOOL = path.join(REPO_ROOT, "provider/dist/health/command.js");
const APP = { clientId: "0c8e9a4b-6f3d-4e21-9b7a-2d5f8c1e4a63", displayName: "pipelines" };
const CONNECTORS_PATH = "domainJoinConnectors";
const LOCKS = `.pulumi/locks/organization/${PROJECT}/${STACK}/`;
/** What Pulumi's diy backend says when another process holds the stack's lock (backend/diy/lock.go). */
const LOCKED =
  "the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.";

describe("an azblob:// state backend (Azurite) with the real Pulumi CLI (e2e)", function () {
  this.timeout(300_000);
  let azurite: Azurite;
  let github: GithubStandIn;
  let emulator: Emulator;
  const copies: ProgramCopy[] = [];

  before(async () => {
    [azurite, github] = await Promise.all([startAzurite(), startGithubActionsStandIn()]);
    emulator = await startPipelineEmulator(github, APP);
  });
  beforeEach(() => emulator.reset({ seed: [] }));
  after(async () => {
    for (const copy of copies) copy.cleanup();
    await Promise.all([azurite?.stop(), emulator?.close(), github?.close()]);
  });

  /** A copy of the fixture whose stack lives in a new container, signed in as the workflows are. */
  async function pipelineStack(container: string, connectors: Record<string, string>) {
    const backend = await azurite.createContainer(container);
    const copy = copyProgram(
      FIXTURE,
      { ...githubJobEnv(emulator, github, APP), ...backend.env },
      { backendUrl: backend.url },
    );
    copies.push(copy);
    const pulumi = (args: string[], onSpawn?: (child: ChildProcess) => void) =>
      copy.project.run(args, { stack: STACK, allowFailure: true, ...(onSpawn && { onSpawn }) });
    /** Every command's output, to check that the storage key is in none. */
    const results: { output: string }[] = [];
    /** Runs a command that must succeed. */
    const ok = async (args: string[]) => {
      const result = await pulumi(args);
      results.push(result);
      expect(result.code, `pulumi ${args.join(" ")}:\n${result.output}`).to.equal(0);
      return result;
    };
    const init = await ok(["stack", "init", "--secrets-provider", "passphrase"]); // --stack names it
    expect(init.output).to.contain(`Created stack '${STACK}'`);
    const configure = (c: Record<string, string>) =>
      copy.project.writeConfig(STACK, { [`${PROJECT}:connectors`]: c });
    configure(connectors);
    const tool = async (script: string, args: string[]): Promise<ProcessResult> => {
      const result = await runNode(script, [...args, "--stack", STACK], copy.project.env, copy.dir);
      results.push({ output: result.stdout + result.stderr });
      return result;
    };
    return { backend, copy, pulumi, ok, configure, tool, results };
  }

  /** The connector ids the stack holds, from `pulumi stack export`. */
  async function stateIds(copy: ProgramCopy): Promise<string[]> {
    const exported = JSON.parse(await copy.project.exportState(STACK));
    return (exported.deployment.resources ?? [])
      .filter((r: { type: string }) => r.type.endsWith(":DomainJoinConnector"))
      .map((r: { id: string }) => r.id)
      .sort();
  }

  /** The stack and the tenant agree, and no display name is held by two connectors. */
  async function expectStateMatchesTenant(copy: ProgramCopy, displayNames: string[]): Promise<void> {
    const tenant = emulator.connectors();
    expect(await stateIds(copy)).to.deep.equal(tenant.map((c) => c.id).sort());
    expect(tenant.map((c) => c.displayName).sort()).to.deep.equal([...displayNames].sort());
  }

  const lockBlobs = async (backend: AzuriteContainer) =>
    (await backend.listBlobs(LOCKS)).filter((b) => b.name.endsWith(".json"));

  function expectNoKeyIn(results: { output: string }[], backend: AzuriteContainer): void {
    for (const result of results)
      for (const secret of backend.secrets) expect(result.output.includes(secret)).to.equal(false);
  }

  it("deploy, preview, refresh, a change, health and destroy: the state lives in the container, and only there", async () => {
    const names = { paris: "ODJ Connector – Paris", lyon: "ODJ Connector – Lyon" };
    const { backend, copy, ok, configure, tool, results } = await pipelineStack("pipeline", names);

    // deploy.yml: pulumi up --yes --diff
    await ok(["up", "--yes", "--diff"]);
    expect(emulator.summary()).to.include({ POST: 2 });
    await expectStateMatchesTenant(copy, Object.values(names));
    const blobs = (await backend.listBlobs()).map((b) => b.name);
    expect(blobs).to.include.members([".pulumi/meta.yaml", `.pulumi/stacks/${PROJECT}/${STACK}.json`]);
    expect(blobs.some((b) => b.startsWith(`.pulumi/history/${PROJECT}/${STACK}/`))).to.equal(true);
    expect(await lockBlobs(backend)).to.deep.equal([]);
    expect(existsSync(path.join(copy.project.options.backendDir, ".pulumi"))).to.equal(false);
    // What the CLI exports is what the container holds.
    const checkpoint = (await backend.readBlob(`.pulumi/stacks/${PROJECT}/${STACK}.json`)).toString("utf8");
    results.push({ output: checkpoint });
    const stored = JSON.parse(checkpoint);
    expect(
      stored.checkpoint.latest.resources
        .filter((r: { type: string }) => r.type.endsWith(":DomainJoinConnector"))
        .map((r: { id: string }) => r.id)
        .sort(),
    ).to.deep.equal(await stateIds(copy));

    // drift.yml, nothing changed: refresh, then preview --expect-no-changes passes.
    emulator.clearLog();
    await ok(["refresh", "--yes", "--skip-preview"]);
    await ok(["preview", "--expect-no-changes", "--diff"]);
    expect(writes(emulator)).to.equal(0);

    // preview.yml on a pull request that renames a connector, then deploy.yml after the merge.
    configure({ ...names, lyon: "ODJ Connector – Lyon 2" });
    const preview = await ok(["preview", "--diff"]);
    expect(preview.output).to.match(/~ 1 to update/);
    expect(writes(emulator)).to.equal(0);
    await ok(["up", "--yes", "--diff"]);
    expect(emulator.summary()).to.include({ PATCH: 1, POST: 0, DELETE: 0 });
    await expectStateMatchesTenant(copy, [names.paris, "ODJ Connector – Lyon 2"]);

    // drift.yml's last step: intune-health reads the stack through the CLI, from the container.
    for (const c of emulator.connectors())
      emulator.heartbeat(c.id, { state: "active", version: "6.2504.2001.8" });
    const health = await tool(HEALTH_TOOL, ["--min-healthy", "2"]);
    expect(health.code, health.stdout + health.stderr).to.equal(0);
    expect(health.stdout).to.match(/^HEALTHY: 2 of 2 connectors healthy/);
    expect(health.stdout).to.contain("unmanaged: 0 connectors not in the stack");

    emulator.clearLog();
    await ok(["destroy", "--yes", "--skip-preview"]);
    expect(emulator.summary()).to.include({ DELETE: 2 });
    expect(emulator.connectors()).to.deep.equal([]);
    expect(await stateIds(copy)).to.deep.equal([]);
    expect(await lockBlobs(backend)).to.deep.equal([]);
    expectNoKeyIn(results, backend);
  });

  it("two `pulumi up` on one stack at once: the second fails at once naming the first's lock; the first completes", async () => {
    const names = { a: "Concurrent A", b: "Concurrent B" };
    const { backend, copy, ok, pulumi, configure, results } = await pipelineStack("concurrent", names);

    // The first takes the lock before its program runs; the second starts while it is held.
    let first: ChildProcess | undefined;
    const running = pulumi(["up", "--yes"], (child) => (first = child));
    const lock = await waitFor("the first up's lock", async () => (await lockBlobs(backend))[0], 60_000);
    const holder = JSON.parse((await backend.readBlob(lock.name)).toString("utf8"));
    expect(holder.pid).to.equal(first?.pid);
    const second = await pulumi(["up", "--yes"]);
    const winner = await running;
    results.push(second, winner);
    expect(winner.code, winner.output).to.equal(0);
    expect(winner.output).to.match(/\+ 3 created/); // the stack and the two connectors
    expect(emulator.summary().POST).to.equal(2);
    expect(second.code).to.not.equal(0);
    expect(second.output).to.contain(LOCKED);
    expect(second.output).to.contain(`azblob://concurrent/${lock.name}?domain=127.0.0.1:${azurite.port}`);
    expect(second.output).to.match(new RegExp(`created by \\S+@\\S+ \\(pid ${holder.pid}\\) at `));
    const ended = (run: PulumiResult) => run.startedAt + run.seconds * 1000;
    expect(ended(second), "it does not wait for the lock").to.be.lessThan(ended(winner));

    // Both at the same instant: whichever loses says so (both may: each sees the other's lock).
    configure({ ...names, c: "Concurrent C" });
    const pair = await Promise.all([pulumi(["up", "--yes"]), pulumi(["up", "--yes"])]);
    results.push(...pair);
    for (const run of pair)
      if (run.code !== 0) expect(run.output, run.output).to.contain("the stack is currently locked by");
    if (pair.every((run) => run.code !== 0)) await ok(["up", "--yes"]);

    // The stack is sound: no lock left, it exports, nothing to do, no connector made twice.
    expect(await lockBlobs(backend)).to.deep.equal([]);
    await ok(["refresh", "--yes", "--skip-preview"]);
    await ok(["preview", "--expect-no-changes"]);
    await expectStateMatchesTenant(copy, ["Concurrent A", "Concurrent B", "Concurrent C"]);
    expectNoKeyIn(results, backend);
  });

  it("a `pulumi up` killed during a create: the checkpoint loads, the lock stays until `pulumi cancel`, intune-repair-pending settles the create", async () => {
    const { backend, copy, ok, pulumi, tool, results } = await pipelineStack("killed", { b: "Killed B" });

    // The POST is held 5 s by the emulator, which then makes the connector: the CLI is killed
    // while it waits (the provider notes the create in its journal just before the POST).
    emulator.addFault({ method: "POST", path: CONNECTORS_PATH, delayMs: 5000 });
    const journal = copy.project.env.INTUNE_CREATE_JOURNAL!;
    const killed = await killedDuring(
      pulumi,
      async () => existsSync(journal) && readdirSync(journal).length > 0,
    );
    results.push(killed.result);
    const b = await waitFor(
      "the connector of the POST in flight (was it sent before the kill?)",
      async () => emulator.connectors()[0],
      15_000,
    );

    // The killed CLI's lock is still there; the checkpoint is whole and records the create as pending.
    const locks = await lockBlobs(backend);
    expect(locks).to.have.length(1);
    expect(JSON.parse((await backend.readBlob(locks[0].name)).toString("utf8")).pid).to.equal(killed.pid);
    const exported = JSON.parse(await copy.project.exportState(STACK));
    expect(
      exported.deployment.pending_operations.map((op: { type: string; resource: { urn: string } }) => [
        op.type,
        op.resource.urn.split("::").pop(),
      ]),
    ).to.deep.equal([["creating", "b"]]);

    // Every command that writes the stack now fails, naming the dead run's lock.
    const blocked = await pulumi(["up", "--yes"]);
    results.push(blocked);
    expect(blocked.code).to.not.equal(0);
    expect(blocked.output).to.contain(LOCKED);
    expect(blocked.output).to.contain(`(pid ${killed.pid})`);

    // intune-repair-pending finds the connector the create made, and stops at the lock, saying so.
    emulator.clearLog();
    const refused = await tool(REPAIR_TOOL, []);
    expect(refused.code, refused.stdout + refused.stderr).to.equal(1);
    expect(refused.stdout).to.contain(
      "checkpoint: not checked: checkpoint repair covers file:// backends only (this backend: azblob://)",
    );
    expect(refused.stdout).to.contain(`b made ${b.id}: import it`);
    expect(refused.stderr).to.contain(
      `intune-repair-pending: the stack ${STACK} is locked, so its state cannot be written; nothing was changed:`,
    );
    expect(refused.stderr).to.contain(
      `/${locks[0].name}?domain=127.0.0.1:${azurite.port}&protocol=http&localemu=true: created by `,
    );
    expect(refused.stderr).to.contain(`(pid ${killed.pid}) at `);
    expect(refused.stderr).to.contain("its process is gone from this host (a killed run)");
    expect(refused.stderr).to.contain(`\`pulumi cancel --stack ${STACK} --yes\` releases every lock of it`);
    expect(writes(emulator)).to.equal(0);
    expect(JSON.parse(await copy.project.exportState(STACK)).deployment.pending_operations).to.have.length(1);

    // On another runner, without the killed run's journal (a local folder), the tool cannot tell
    // that the create was sent: it would clear it, and the next up would stop at the namesake.
    const elsewhere = await runNode(
      REPAIR_TOOL,
      ["--stack", STACK, "--dry-run"],
      { ...copy.project.env, INTUNE_CREATE_JOURNAL: path.join(copy.dir, "fresh-runner-journal") },
      copy.dir,
    );
    results.push({ output: elsewhere.stdout + elsewhere.stderr });
    expect(elsewhere.code, elsewhere.stdout + elsewhere.stderr).to.equal(0);
    expect(elsewhere.stdout).to.contain("b was never made: clear it (the next up creates it)");

    // The recovery where the run was killed: pulumi cancel, then the tool, then up creates nothing.
    await ok(["cancel", "--yes"]);
    expect(await lockBlobs(backend)).to.deep.equal([]);
    const repaired = await tool(REPAIR_TOOL, []);
    expect(repaired.code, repaired.stdout + repaired.stderr).to.equal(0);
    expect(repaired.stdout).to.contain(`b made ${b.id}: import it`);
    emulator.clearLog();
    const up = await ok(["up", "--yes"]);
    expect(up.output).to.contain("2 unchanged"); // the stack and the connector
    expect(writes(emulator)).to.equal(0);
    await expectStateMatchesTenant(copy, ["Killed B"]);
    expect(await lockBlobs(backend)).to.deep.equal([]);
    expectNoKeyIn(results, backend);
  });
});

/** Polls until `check` gives a value (not undefined or false), or fails naming `what` after `timeoutMs`. */
async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs: number,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`${what}: not seen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * `pulumi up`, SIGKILLed with every process it started (the engine starts its plugins in process
 * groups of their own) once `ready` holds, as a runner that dies takes them all.
 */
async function killedDuring(
  pulumi: (args: string[], onSpawn: (child: ChildProcess) => void) => Promise<PulumiResult>,
  ready: () => Promise<boolean>,
): Promise<{ result: PulumiResult; pid: number }> {
  let child: ChildProcess | undefined;
  const running = pulumi(["up", "--yes"], (c) => (child = c));
  await waitFor("the moment to kill", async () => child?.pid !== undefined && (await ready()), 60_000);
  await new Promise((resolve) => setTimeout(resolve, 1000)); // the request it waits for is sent
  const pid = child!.pid!;
  const tree = [pid, ...processesBelow(pid)];
  for (const each of tree) {
    try {
      process.kill(each, "SIGKILL");
    } catch {
      // gone already
    }
  }
  const result = await running;
  expect(result.code, result.output).to.not.equal(0);
  return { result, pid };
}

/** Every process below `root`, from one `ps` listing. */
function processesBelow(root: number): number[] {
  const rows = spawnSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" }).stdout.trim().split("\n");
  const parentOf = new Map(rows.map((row) => row.trim().split(/\s+/).map(Number) as [number, number]));
  const below = (pid: number): number[] =>
    [...parentOf].filter(([, parent]) => parent === pid).flatMap(([child]) => [child, ...below(child)]);
  return below(root);
}
