/**
 * intune-fleet with its stacks in an `azblob://` backend, as a partner's pipelines keep them:
 * Azurite (tests/support/azurite.ts) holds the container, the fleet's environment names it
 * (PULUMI_BACKEND_URL, AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_KEY), the real `pulumi` CLI keeps each
 * tenant's stack there, against three customer tenants of one emulator (tests/support/fleet.ts).
 * A fleet's life (up, a no-op up, refresh, destroy); then two fleet runs on the same stacks at
 * once, as two runners without a `concurrency` group would start them.
 */
import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Azurite, AzuriteContainer, startAzurite } from "intune-test-support/azurite";
import {
  FleetRun,
  FleetTestTenant,
  FleetWorld,
  displayNamesIn,
  filesHolding,
  startFleetWorld,
  writesTo,
} from "intune-test-support/fleet";

const PROJECT = "intune-fleet";
const TENANTS = ["contoso", "fabrikam", "northwind"];

interface TenantSummary {
  name: string;
  outcome: string;
  changes: { create: number; update: number; delete: number; replace: number } | null;
  detail: string | null;
  error: string | null;
}

const SITE = "ODJ {{name}} Site";
const displayNames = (name: string, site = false) =>
  [`ODJ ${name} Branch`, `ODJ ${name} HQ`, ...(site ? [`ODJ ${name} Site`] : [])].sort();

describe("intune-fleet on an azblob:// backend (Azurite) with the real Pulumi CLI (e2e)", function () {
  this.timeout(900_000);
  let azurite: Azurite;
  let world: FleetWorld;
  /** Every run's output and summary, and every export, to check that the storage key is in none. */
  const outputs: string[] = [];
  const containers: AzuriteContainer[] = [];
  const container = async (name: string) => {
    const made = await azurite.createContainer(name);
    containers.push(made);
    return made;
  };

  before(async () => {
    [azurite, world] = await Promise.all([
      startAzurite(),
      startFleetWorld({ tenants: TENANTS.map((name) => ({ name })) }),
    ]);
  });
  after(async () => {
    await Promise.all([world?.close(), azurite?.stop()]);
  });

  /** A fleet file of the three tenants, two connectors each (three with `site`), its stacks named `<prefix><tenant>`. */
  function writeFleet(prefix: string, site = false): string {
    return world.writeFleet(
      {
        stackPrefix: prefix,
        defaults: { clientId: world.tenants[0].clientId },
        templates: {
          standard: [
            { name: "hq", displayName: "ODJ {{name}} HQ" },
            { name: "branch", displayName: "ODJ {{name}} Branch" },
            ...(site ? [{ name: "site", displayName: SITE }] : []),
          ],
        },
        tenants: world.tenants.map((t) =>
          t.entry({ credential: { clientSecretEnv: t.secretVariable }, template: "standard" }),
        ),
      },
      `${prefix}fleet.yaml`,
    );
  }

  /** Runs `intune-fleet <args> --json <json>` against the container; returns the run and its summary by tenant. */
  async function fleetRun(backend: AzuriteContainer, args: string[], json: string) {
    const run = await world.run([...args, "--json", json], backend.env);
    const text = existsSync(path.join(world.dir, json))
      ? readFileSync(path.join(world.dir, json), "utf8")
      : "";
    outputs.push(run.stdout, run.stderr, text);
    const tenants = text ? (JSON.parse(text) as { tenants: TenantSummary[] }).tenants : [];
    return { run, byName: Object.fromEntries(tenants.map((t) => [t.name, t])) };
  }

  /** The connector ids a stack holds, from `pulumi stack export` against the container. */
  async function stateIds(backend: AzuriteContainer, tenant: string, stack: string, workDir?: string) {
    const exported = await world.exportStack(tenant, stack, {
      env: backend.env,
      ...(workDir && { workDir }),
    });
    outputs.push(exported);
    const state = JSON.parse(exported) as {
      deployment: { resources?: { type: string; id?: string }[]; pending_operations?: unknown[] };
    };
    expect(state.deployment.pending_operations ?? [], stack).to.deep.equal([]);
    return (state.deployment.resources ?? [])
      .filter((r) => r.type.endsWith(":DomainJoinConnector"))
      .map((r) => r.id)
      .sort();
  }

  const ids = (t: FleetTestTenant) =>
    t.emulator
      .connectors()
      .map((c) => c.id)
      .sort();
  const lockBlobs = async (backend: AzuriteContainer) =>
    (await backend.listBlobs(".pulumi/locks/")).filter((b) => b.name.endsWith(".json"));
  const expectOk = (run: FleetRun, what: string) => expect(run.code, `${what}:\n${run.stderr}`).to.equal(0);

  it("up, a no-op up, refresh and destroy: every stack in the container, no Graph write where nothing changed", async () => {
    const backend = await container("fleet-life");
    const fleet = writeFleet("prod-");

    const up = await fleetRun(backend, ["up", "--fleet", fleet, "--parallel", "3"], "up.json");
    expectOk(up.run, "up");
    const blobs = (await backend.listBlobs(".pulumi/stacks/")).map((b) => b.name);
    for (const t of world.tenants) {
      expect(up.byName[t.name], t.name).to.deep.include({ outcome: "ok", error: null });
      expect(up.byName[t.name].changes, t.name).to.deep.include({ create: 3 });
      expect(displayNamesIn(t), t.name).to.deep.equal(displayNames(t.name));
      expect(blobs).to.include(`.pulumi/stacks/${PROJECT}/prod-${t.name}.json`);
      expect(await stateIds(backend, t.name, `prod-${t.name}`), t.name).to.deep.equal(ids(t));
    }
    // The state is in the container, and only there: the world's local backend folder stays unused.
    expect(existsSync(path.join(world.backendDir, ".pulumi"))).to.equal(false);

    world.clearLogs();
    const again = await fleetRun(backend, ["up", "--fleet", fleet, "--parallel", "3"], "up-again.json");
    expectOk(again.run, "the no-op up");
    for (const t of world.tenants) {
      expect(again.byName[t.name].changes, t.name).to.deep.include({
        create: 0,
        update: 0,
        delete: 0,
        replace: 0,
      });
      expect(t.emulator.summaryLine(), t.name).to.equal("Graph: no requests");
    }

    world.clearLogs();
    const refresh = await fleetRun(backend, ["refresh", "--fleet", fleet, "--parallel", "3"], "refresh.json");
    expectOk(refresh.run, "refresh");
    for (const t of world.tenants) {
      expect(refresh.byName[t.name], t.name).to.deep.include({ outcome: "ok" });
      // Refresh read every connector, and wrote nothing.
      expect(t.emulator.summary().GET, t.name).to.be.greaterThan(0);
      expect(writesTo(t), t.name).to.equal(0);
    }

    const destroy = await fleetRun(backend, ["destroy", "--fleet", fleet, "--parallel", "3"], "destroy.json");
    expectOk(destroy.run, "destroy");
    for (const t of world.tenants) {
      expect(destroy.byName[t.name].changes, t.name).to.deep.include({ delete: 3 });
      expect(displayNamesIn(t), t.name).to.deep.equal([]);
      expect(await stateIds(backend, t.name, `prod-${t.name}`), t.name).to.deep.equal([]);
    }
    expect(await lockBlobs(backend)).to.deep.equal([]);
  });

  it("two fleet runs on the same stacks at once, new or not: the stack lock fails one clearly, never corrupts a stack or duplicates a connector", async () => {
    const backend = await container("fleet-pair");
    // Two runners make the same new stacks at once: they race on `pulumi stack init`, and the
    // loser selects the stack the winner made; then each stack's lock lets one update through.
    const creating = await Promise.all(
      [1, 2].map((i) =>
        fleetRun(
          backend,
          ["up", "--fleet", writeFleet("pair-"), "--parallel", "3", "--work-dir", `runner-${i}`],
          `pair-0-${i}.json`,
        ),
      ),
    );
    for (const name of TENANTS) {
      const both = creating.map(({ byName }) => byName[name]);
      expect(
        both.filter((t) => t?.outcome === "ok"),
        JSON.stringify(both),
      ).to.not.have.length(0);
      for (const t of both) {
        if (t.outcome !== "ok") expect(t.error, JSON.stringify(t)).to.match(/currently locked/);
      }
    }
    // Whichever ran, each tenant has its connectors once.
    for (const t of world.tenants) expect(displayNamesIn(t), t.name).to.deep.equal(displayNames(t.name));
    // Then a change, a third connector, deployed by the two runners at once: two pipeline jobs.
    const fleet = writeFleet("pair-", true);
    // Slow answers, so that each tenant's update holds its lock for seconds and the runs overlap.
    world.emulator.setOptions({ latencyMs: 2_000 });
    const runs = await Promise.all(
      [1, 2].map((i) =>
        fleetRun(
          backend,
          ["up", "--fleet", fleet, "--parallel", "3", "--work-dir", `runner-${i}`],
          `pair-${i}.json`,
        ),
      ),
    );
    world.emulator.setOptions({ latencyMs: 0 });
    const outcomes = TENANTS.flatMap((name) => runs.map(({ byName }) => byName[name]));
    expect(
      outcomes.map((t) => t?.name),
      JSON.stringify(runs.map((r) => r.run.stderr)),
    ).to.deep.equal(TENANTS.flatMap((name) => [name, name]));
    for (const t of outcomes) {
      if (t.outcome === "ok") continue;
      // The only way a run may fail here: the other run held the stack's lock. It says so, and what to do.
      expect(t.outcome, JSON.stringify(t)).to.equal("failed");
      expect(t.error, JSON.stringify(t)).to.match(/the stack is currently locked by 1 lock\(s\)/);
      expect(t.detail).to.contain(`pulumi cancel --yes --stack pair-${t.name}`);
    }
    // The runs did collide: on at least one tenant's stack, one run found the other's lock.
    expect(
      outcomes.filter((t) => t.outcome === "failed"),
      JSON.stringify(outcomes),
    ).to.have.length.greaterThan(0);
    for (const { run, byName } of runs) {
      const failed = Object.values(byName).some((t) => t.outcome === "failed");
      expect(run.code, run.stderr).to.equal(failed ? 2 : 0);
    }

    // A run on its own finishes what the lock stopped; then the stacks and the tenants agree.
    const finish = await fleetRun(
      backend,
      ["up", "--fleet", fleet, "--work-dir", "runner-1"],
      "pair-finish.json",
    );
    expectOk(finish.run, "the up after the collision");
    world.clearLogs();
    const refresh = await fleetRun(
      backend,
      ["refresh", "--fleet", fleet, "--work-dir", "runner-1"],
      "pair-refresh.json",
    );
    expectOk(refresh.run, "refresh");
    const preview = await fleetRun(
      backend,
      ["preview", "--fleet", fleet, "--work-dir", "runner-1"],
      "pair-preview.json",
    );
    expectOk(preview.run, "preview");
    for (const t of world.tenants) {
      expect(refresh.byName[t.name].changes, t.name).to.deep.include({ update: 0, delete: 0 });
      expect(preview.byName[t.name], t.name).to.deep.include({ outcome: "ok" });
      expect(preview.byName[t.name].changes, t.name).to.deep.include({
        create: 0,
        update: 0,
        delete: 0,
        replace: 0,
      });
      expect(writesTo(t), t.name).to.equal(0);
      // Each connector once, and the stack (its export parses, nothing pending) holds exactly those.
      const pair = t.emulator.connectors();
      expect(pair.map((c) => c.displayName).sort(), t.name).to.deep.equal(displayNames(t.name, true));
      expect(await stateIds(backend, t.name, `pair-${t.name}`, "runner-1"), t.name).to.deep.equal(
        pair.map((c) => c.id).sort(),
      );
    }
    expect(await lockBlobs(backend)).to.deep.equal([]);
  });

  it("the storage key is in no run's output, summary or export, and in no file the runs wrote", () => {
    const keys = [...new Set(containers.flatMap((c) => c.secrets))];
    expect(keys.length).to.be.greaterThan(0);
    expect(outputs.length).to.be.greaterThan(0);
    for (const output of outputs) for (const key of keys) expect(output.includes(key)).to.equal(false);
    expect(filesHolding(world.dir, keys)).to.deep.equal([]);
  });
});
