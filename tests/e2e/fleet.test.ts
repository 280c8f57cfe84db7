/**
 * intune-fleet for real: the command as a child process, each tenant's stack driven through the
 * Automation API by the real `pulumi` CLI on a local backend, against tenants of one emulator, a
 * partner's customers with its multi-tenant app consented in each (tests/support/fleet.ts). A fleet's whole life signed in with the pipeline's
 * GitHub OIDC token (preview in two shards merged as a pipeline does, up, a no-op up, refresh,
 * health, destroy); then, with client secrets and the package installed as a user has it, one
 * tenant's wrong secret, a run killed in the middle of `up`, and --resume finishing both.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  GithubStandIn,
  githubFederatedApp,
  startGithubActionsStandIn,
} from "intune-test-support/federated-issuers";
import {
  FleetWorld,
  connectorIdsIn,
  displayNamesIn,
  filesHolding,
  startFleetWorld,
  writesTo,
} from "intune-test-support/fleet";

const PROJECT = "intune-fleet";
/** What one tenant's variable holds in the wrong-secret test: a secret that was never the app's. */
const WRONG_SECRET = "wrong8Q~secret-that-entra-refuses-0000000000";

interface Summary {
  command: string;
  exitCode: number;
  tenants: {
    name: string;
    outcome: string;
    changes: { create: number; update: number; delete: number; replace: number } | null;
    detail: string | null;
    error: string | null;
    carried?: boolean;
    startedAt: string | null;
    finishedAt: string | null;
    log: string | null;
  }[];
}

const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Summary;
const byName = (summary: Summary) => Object.fromEntries(summary.tenants.map((t) => [t.name, t]));

describe("intune-fleet: a fleet's whole life with GitHub OIDC and the real Pulumi CLI (e2e)", function () {
  this.timeout(600_000);
  const APP = { clientId: "5b1e7c3d-8a2f-4d69-b0e4-7c9a1f3e5d28", displayName: "msp-fleet" };
  const REGISTERED = {
    id: "8c39f54e-6512-4a2f-bd3a-2cb66d02f722",
    displayName: "ODJ-FAB-SRV01",
    state: "active" as const,
    version: "6.2504.2001.8",
  };
  let github: GithubStandIn;
  let world: FleetWorld;
  let fleet: string;
  let oidc: NodeJS.ProcessEnv;
  const run = (args: string[]) => world.run([...args, "--fleet", fleet], oidc);

  before(async () => {
    github = await startGithubActionsStandIn();
    world = await startFleetWorld({
      partnerApp: githubFederatedApp(github, APP),
      tenants: [{ name: "contoso" }, { name: "fabrikam", seed: [REGISTERED] }, { name: "northwind" }],
    });
    oidc = {
      ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken,
    };
    // A partner's multi-tenant app: one client id, the pipeline's federated credential, one template.
    fleet = world.writeFleet({
      stackPrefix: "prod-",
      defaults: { clientId: APP.clientId, credential: { federated: "githubActions" }, template: "standard" },
      templates: {
        standard: [
          { name: "hq", displayName: "ODJ {{name}} HQ" },
          { name: "site", displayName: "ODJ {{name}} – {{site}}" },
        ],
      },
      tenants: [
        world.tenant("contoso").entry({ values: { site: "Lyon" } }),
        world.tenant("fabrikam").entry({
          connectors: [
            { connectorId: REGISTERED.id, displayName: "ODJ Fabrikam HQ" },
            { name: "branch", displayName: "ODJ Fabrikam Branch" },
          ],
        }),
        world.tenant("northwind").entry({ values: { site: "Oslo" } }),
      ],
    });
  });

  after(async () => {
    await Promise.all([world?.close(), github?.close()]);
  });

  it("preview in two shards at once, as a pipeline's matrix runs it, then merged: changes everywhere, no request", async () => {
    const shard = (i: number) => world.run(["shard", "--fleet", fleet, "--shard", `${i}/2`]);
    const dealt = await Promise.all([shard(1), shard(2)]);
    // Dealt in name order: contoso, fabrikam, northwind → 1, 2, 1.
    expect(dealt.map((r) => r.stdout)).to.deep.equal(["contoso\nnorthwind\n", "fabrikam\n"]);

    const [one, two] = await Promise.all(
      [1, 2].map((i) =>
        run(["preview", "--shard", `${i}/2`, "--work-dir", `runner-${i}`, "--json", `shard-${i}.json`]),
      ),
    );
    expect(one.code, one.stderr).to.equal(1);
    expect(two.code, two.stderr).to.equal(1);
    expect(one.stderr).to.match(/^intune-fleet preview \(shard 1\/2\): 2 tenants, 2 at once/m);
    const merge = await world.run([
      "merge",
      "shard-1.json",
      "shard-2.json",
      "--fleet",
      fleet,
      "--json",
      "merged.json",
      "--markdown",
      "summary.md",
    ]);
    expect(merge.code, merge.stderr + merge.stdout).to.equal(1);
    const merged = byName(readJson(path.join(world.dir, "merged.json")));
    for (const name of ["contoso", "fabrikam", "northwind"]) {
      expect(merged[name]).to.deep.include({ outcome: "changes" });
      // The stack and its two connectors (the adopted one included) are new to Pulumi.
      expect(merged[name].changes).to.deep.include({ create: 3, update: 0, delete: 0 });
    }
    const markdown = readFileSync(path.join(world.dir, "summary.md"), "utf8");
    expect(markdown).to.contain(
      "## Intune fleet `preview`: 🟡 CHANGES: 3 of 3 tenants have changes to apply",
    );
    expect(markdown).to.contain("| fabrikam | `prod-fabrikam` | 🟡 changes | 3 | 0 | 0 | 0 |");
    for (const t of world.tenants) expect(t.emulator.summaryLine(), t.name).to.equal("Graph: no requests");
    expect(github.requests()).to.deep.equal([]);
  });

  it("up: each tenant gets its connectors, the template filled with its own values", async () => {
    world.clearLogs();
    const up = await run(["up", "--json", "up.json"]);
    expect(up.code, up.stderr).to.equal(0);
    for (const name of ["contoso", "fabrikam", "northwind"]) {
      expect(up.stderr).to.match(new RegExp(`^\\[\\d/3\\] ${name}: started$`, "m"));
      expect(up.stderr).to.match(new RegExp(`^\\[\\d/3\\] ${name}: ok \\(\\+3 ~0 -0\\) in [\\d.]+ s$`, "m"));
    }
    expect(displayNamesIn(world.tenant("contoso"))).to.deep.equal(["ODJ contoso HQ", "ODJ contoso – Lyon"]);
    expect(displayNamesIn(world.tenant("northwind"))).to.deep.equal([
      "ODJ northwind HQ",
      "ODJ northwind – Oslo",
    ]);
    expect(displayNamesIn(world.tenant("fabrikam"))).to.deep.equal([
      "ODJ Fabrikam Branch",
      "ODJ Fabrikam HQ",
    ]);
    expect(connectorIdsIn(world.tenant("fabrikam"))).to.include(REGISTERED.id);
    const summary = byName(readJson(path.join(world.dir, "up.json")));
    for (const t of world.tenants) {
      expect(summary[t.name]).to.deep.include({ outcome: "ok", error: null });
      // Each stack holds exactly its tenant's connectors.
      expect(world.connectorIdsInStack(PROJECT, `prod-${t.name}`)).to.deep.equal(
        t.emulator
          .connectors()
          .map((c) => c.id)
          .sort(),
      );
      const log = readFileSync(summary[t.name].log as string, "utf8");
      expect(log).to.contain(`Updating (prod-${t.name})`);
      expect(log).to.match(/3 created/);
    }
    // Every tenant signed in with the job's ID token, to its own Entra ID.
    for (const t of world.tenants) {
      const tokens = t.emulator.requestLog({ kind: "token" }).filter((e) => e.method === "POST");
      expect(tokens.length, t.name).to.be.greaterThan(0);
      for (const e of tokens) expect(e).to.include({ status: 200, appId: APP.clientId });
      for (const e of tokens) expect(e.path).to.contain(t.tenantId);
    }
  });

  it("a second up changes nothing and sends no request to any tenant", async () => {
    world.clearLogs();
    const up = await run(["up", "--json", "up-again.json"]);
    expect(up.code, up.stderr).to.equal(0);
    for (const t of readJson(path.join(world.dir, "up-again.json")).tenants) {
      expect(t.changes).to.deep.include({ create: 0, update: 0, delete: 0, replace: 0 });
    }
    for (const t of world.tenants) expect(t.emulator.summaryLine(), t.name).to.equal("Graph: no requests");
  });

  it("refresh finds the drift in the one tenant that drifted, and writes nothing", async () => {
    const northwind = world.tenant("northwind");
    const site = northwind.emulator.connectors().find((c) => c.displayName === "ODJ northwind – Oslo");
    northwind.emulator.editOutOfBand(site!.id, { displayName: "Renamed in the portal" });
    world.clearLogs();
    const refresh = await run(["refresh", "--json", "refresh.json", "--markdown", "drift.md"]);
    expect(refresh.code, refresh.stderr).to.equal(1);
    const summary = byName(readJson(path.join(world.dir, "refresh.json")));
    expect(summary.northwind).to.deep.include({ outcome: "changes" });
    expect(summary.northwind.changes).to.deep.include({ update: 1 });
    expect(summary.contoso).to.deep.include({ outcome: "ok" });
    expect(summary.fabrikam).to.deep.include({ outcome: "ok" });
    expect(readFileSync(path.join(world.dir, "drift.md"), "utf8")).to.contain(
      "CHANGES: 1 of 3 tenants drifted from their stacks",
    );
    for (const t of world.tenants) {
      expect(writesTo(t), t.name).to.equal(0);
      expect(t.emulator.summary().GET, t.name).to.be.greaterThan(0);
    }
  });

  it("health judges each tenant's connectors: findings in the one whose servers never checked in", async () => {
    for (const name of ["contoso", "fabrikam"]) {
      const t = world.tenant(name);
      for (const c of t.emulator.connectors())
        t.emulator.heartbeat(c.id, { state: "active", version: "6.2504.2001.8" });
    }
    const health = await run(["health", "--min-healthy", "1", "--json", "health.json"]);
    expect(health.code, health.stderr).to.equal(1);
    const summary = byName(readJson(path.join(world.dir, "health.json")));
    expect(summary.contoso).to.deep.include({
      outcome: "ok",
      detail: "2 of 2 connectors healthy",
      changes: null,
    });
    expect(summary.fabrikam).to.deep.include({ outcome: "ok", detail: "2 of 2 connectors healthy" });
    expect(summary.northwind.outcome).to.equal("findings");
    expect(summary.northwind.detail).to.match(/^0 of 2 connectors healthy; /);
    // intune-health's own table is in the tenant's log.
    expect(readFileSync(summary.northwind.log as string, "utf8")).to.match(
      /^UNHEALTHY: 0 of 2 connectors healthy/m,
    );
  });

  it("destroy deletes what the fleet created and releases the adopted connector", async () => {
    const destroy = await run(["destroy", "--json", "destroy.json"]);
    expect(destroy.code, destroy.stderr).to.equal(0);
    expect(displayNamesIn(world.tenant("contoso"))).to.deep.equal([]);
    expect(displayNamesIn(world.tenant("northwind"))).to.deep.equal([]);
    expect(connectorIdsIn(world.tenant("fabrikam"))).to.deep.equal([REGISTERED.id]);
    for (const t of readJson(path.join(world.dir, "destroy.json")).tenants) {
      expect(t.outcome).to.equal("ok");
      expect(t.changes).to.deep.include({ delete: 3 });
    }
  });

  it("the pipeline's request token and the ID tokens it handed out are in no file the runs wrote", () => {
    expect(github.issuedTokens.length).to.be.greaterThan(0);
    expect(filesHolding(world.dir, [github.requestToken, ...github.issuedTokens])).to.deep.equal([]);
  });
});

describe("intune-fleet: a wrong secret, a killed run and --resume, from the installed package (e2e)", function () {
  this.timeout(600_000);
  let world: FleetWorld;
  let fleet: string;
  let killFleet: string;
  let stopFleet: string;
  const KILL_CONNECTORS = ["a", "b", "c", "d", "e"];

  before(async () => {
    world = await startFleetWorld({
      installed: true,
      tenants: [{ name: "contoso" }, { name: "fabrikam" }, { name: "northwind" }],
    });
    const [first] = world.tenants;
    const tenants = (template: string) =>
      world.tenants.map((t) => t.entry({ credential: { clientSecretEnv: t.secretVariable }, template }));
    const document = (template: string, prefix: string) => ({
      stackPrefix: prefix,
      // The same app (client id) in every tenant; each tenant's secret in its own variable.
      defaults: { clientId: first.clientId },
      templates: {
        standard: [
          { name: "hq", displayName: "ODJ {{name}} HQ" },
          { name: "branch", displayName: "ODJ {{name}} Branch" },
        ],
        many: KILL_CONNECTORS.map((n) => ({ name: n, displayName: `ODJ {{name}} ${n}` })),
        stop: KILL_CONNECTORS.map((n) => ({ name: n, displayName: `ODJ {{name}} stop ${n}` })),
      },
      tenants: tenants(template),
    });
    fleet = world.writeFleet(document("standard", "prod-"));
    killFleet = world.writeFleet(document("many", "kill-"), "kill.yaml");
    stopFleet = world.writeFleet(document("stop", "stop-"), "stop.yaml");
  });

  after(async () => {
    await world?.close();
  });

  it("one tenant's wrong secret fails that tenant alone; --resume, once it is fixed, runs it alone", async () => {
    const fabrikam = world.tenant("fabrikam");
    const up = await world.run(["up", "--fleet", fleet, "--json", "up.json", "--markdown", "up.md"], {
      [fabrikam.secretVariable]: WRONG_SECRET,
    });
    expect(up.code, up.stderr).to.equal(2);
    const summary = byName(readJson(path.join(world.dir, "up.json")));
    expect(summary.contoso).to.deep.include({ outcome: "ok" });
    expect(summary.northwind).to.deep.include({ outcome: "ok" });
    expect(summary.fabrikam.outcome).to.equal("failed");
    expect(summary.fabrikam.error).to.match(/AADSTS7000215: Invalid client secret provided/);
    expect(up.stderr).to.match(/^\[\d\/3\] fabrikam: failed in [\d.]+ s: authentication failed/m);
    const markdown = readFileSync(path.join(world.dir, "up.md"), "utf8");
    expect(markdown).to.contain("## Intune fleet `up`: ❌ FAILED: 1 of 3 tenants failed");
    expect(markdown).to.match(/\| fabrikam \| `prod-fabrikam` \| ❌ failed \| .*AADSTS7000215/);
    expect(fabrikam.emulator.summary().POST).to.equal(0);
    expect(displayNamesIn(world.tenant("contoso"))).to.deep.equal(["ODJ contoso Branch", "ODJ contoso HQ"]);

    world.clearLogs();
    const resumed = await world.run(["up", "--fleet", fleet, "--resume", "--json", "resumed.json"]);
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(resumed.stderr).to.contain("--resume: 1 of 3 to run again (2 finished well in the last up run)");
    expect(displayNamesIn(fabrikam)).to.deep.equal(["ODJ fabrikam Branch", "ODJ fabrikam HQ"]);
    for (const name of ["contoso", "northwind"]) {
      expect(world.tenant(name).emulator.summaryLine(), name).to.equal("Graph: no requests");
    }
    const after = byName(readJson(path.join(world.dir, "resumed.json")));
    expect(after.contoso).to.deep.include({ outcome: "ok", carried: true });
    expect(after.northwind).to.deep.include({ outcome: "ok", carried: true });
    expect(after.fabrikam.outcome).to.equal("ok");
    expect(after.fabrikam.carried).to.equal(undefined);
  });

  it("a run killed in the middle of up: --resume repairs what it left and finishes, nothing duplicated or lost", async () => {
    // Slow answers, so that the kill lands while creates are in flight.
    world.emulator.setOptions({ latencyMs: 500 });
    world.clearLogs();
    const run = world.start(["up", "--fleet", killFleet, "--parallel", "3"]);
    const posted = () =>
      world.tenants.some((t) => t.emulator.requestLog({ kind: "graph" }).some((e) => e.method === "POST"));
    const deadline = Date.now() + 120_000;
    while (!posted() && Date.now() < deadline && run.exitCode === null)
      await new Promise((r) => setTimeout(r, 50));
    expect(posted(), run.output()).to.equal(true);
    // The whole run at once, as a runner's cancellation or an out-of-memory kill does: the fleet
    // and every `pulumi` it started.
    process.kill(-(run.pid as number), "SIGKILL");
    await new Promise((resolve) => run.once("close", resolve));
    // And the plugins Pulumi started in groups of their own: the runner, the machine, is gone.
    world.killStrays();
    const record = readJson(path.join(world.workDir, "runs", "up.json"));
    const interrupted = record.tenants.filter((t) => t.startedAt && !t.finishedAt).map((t) => t.name);
    expect(interrupted.length, JSON.stringify(record.tenants)).to.be.greaterThan(0);
    const pendingBefore = Object.fromEntries(
      world.tenants.map((t) => [t.name, world.checkpoint(PROJECT, `kill-${t.name}`).pending.length]),
    );

    world.emulator.setOptions({ latencyMs: 0 });
    const resumed = await world.run(["up", "--fleet", killFleet, "--resume", "--json", "kill-resumed.json"]);
    expect(resumed.code, resumed.stderr + resumed.stdout).to.equal(0);
    expect(resumed.stderr).to.contain(`${interrupted.join(", ")} interrupted: checked for a repair first`);
    const summary = byName(readJson(path.join(world.dir, "kill-resumed.json")));
    for (const t of world.tenants) {
      const expected = KILL_CONNECTORS.map((n) => `ODJ ${t.name} ${n}`);
      const made = t.emulator.connectors().filter((c) => expected.includes(c.displayName ?? ""));
      // Each connector exactly once: none lost, none made twice.
      expect(made.map((c) => c.displayName).sort(), t.name).to.deep.equal(expected.sort());
      const state = world.checkpoint(PROJECT, `kill-${t.name}`);
      expect(state.pending, t.name).to.deep.equal([]);
      expect(world.connectorIdsInStack(PROJECT, `kill-${t.name}`), t.name).to.deep.equal(
        made.map((c) => c.id).sort(),
      );
      // A stack the kill left with pending creates was repaired before it ran again.
      if (pendingBefore[t.name] > 0)
        expect(summary[t.name].detail, t.name).to.contain("repaired by intune-repair-pending");
    }

    world.clearLogs();
    const again = await world.run(["up", "--fleet", killFleet]);
    expect(again.code, again.stderr).to.equal(0);
    for (const t of world.tenants) expect(writesTo(t), t.name).to.equal(0);
  });

  it("SIGTERM (a runner cancelling) stops the run cleanly: no tenant starts after it, the one under way is cancelled", async () => {
    world.emulator.setOptions({ latencyMs: 300 });
    world.clearLogs();
    const run = world.start(["up", "--fleet", stopFleet, "--parallel", "1", "--json", "stopped.json"]);
    const first = world.tenants[0];
    const posted = () => first.emulator.requestLog({ kind: "graph" }).some((e) => e.method === "POST");
    const deadline = Date.now() + 120_000;
    while (!posted() && Date.now() < deadline && run.exitCode === null)
      await new Promise((r) => setTimeout(r, 50));
    expect(posted(), run.output()).to.equal(true);
    process.kill(run.pid as number, "SIGTERM");
    const code = await new Promise<number | null>((resolve) => run.once("close", resolve));
    world.emulator.setOptions({ latencyMs: 0 });
    expect(code, run.output()).to.equal(2);
    expect(run.output()).to.contain(
      "intune-fleet: SIGTERM: no tenant starts now; those under way are stopped",
    );
    const summary = byName(readJson(path.join(world.dir, "stopped.json")));
    expect(summary.contoso.outcome).to.equal("not run");
    expect(summary.contoso.error).to.match(/^stopped before it finished: /);
    for (const name of ["fabrikam", "northwind"]) {
      expect(summary[name]).to.deep.include({
        outcome: "not run",
        error: "the run was stopped before it started",
      });
      expect(world.tenant(name).emulator.summaryLine(), name).to.equal("Graph: no requests");
    }
    // Pulumi cancelled as it does on Ctrl+C: what it made is in the state, nothing is left pending.
    const state = world.checkpoint(PROJECT, "stop-contoso");
    expect(state.pending).to.deep.equal([]);
    const made = first.emulator.connectors().filter((c) => c.displayName?.startsWith("ODJ contoso stop "));
    expect(
      state.resources
        .filter((r) => r.type.endsWith(":DomainJoinConnector"))
        .map((r) => r.id)
        .sort(),
    ).to.deep.equal(made.map((c) => c.id).sort());
  });

  it("no client secret in the fleet files, summaries, logs, the work dir, the backend or the exported states", async () => {
    // The partner app's one secret (every tenant's variable holds it), and the wrong one a run used.
    const secrets = [...new Set(world.tenants.map((t) => t.secret)), WRONG_SECRET];
    expect(secrets[0]).to.match(/8Q~/);
    expect(readFileSync(fleet, "utf8")).not.to.contain("8Q~");
    const exported = await Promise.all(
      world.tenants.flatMap((t) =>
        ["prod-", "kill-"].map(
          (prefix) =>
            new Promise<string>((resolve, reject) =>
              execFile(
                "pulumi",
                ["stack", "export", "--stack", `${prefix}${t.name}`, "--non-interactive"],
                { cwd: path.join(world.workDir, "tenants", t.name), env: world.env },
                (error, stdout) => (error ? reject(error) : resolve(stdout)),
              ),
            ),
        ),
      ),
    );
    for (const state of exported) {
      expect(state).to.contain("DomainJoinConnector");
      for (const secret of secrets) expect(state).not.to.contain(secret);
    }
    expect(filesHolding(world.dir, secrets)).to.deep.equal([]);
  });
});
