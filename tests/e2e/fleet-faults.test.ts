/**
 * intune-fleet when tenants go wrong in one run (issue #28), for real: six customer tenants of one
 * emulator (tests/support/fleet.ts), the real `pulumi` CLI per tenant. In the same `up`, one
 * tenant's secret is wrong, one is throttled hard by the emulator's per-tenant limits (many 429s
 * with Retry-After), and one tenant's Graph answers 503 to every request; the three others finish.
 * Then `--resume`, once the faults are gone, runs only what did not finish well.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { FleetWorld, displayNamesIn, startFleetWorld } from "intune-test-support/fleet";

const PROJECT = "intune-fleet";
const WRONG_SECRET = "bad8Q~a-secret-this-app-never-had-000000000000";
/** The tenants that go wrong, and how. */
const WRONG_CREDENTIAL = "fabrikam";
const THROTTLED = "northwind";
const GRAPH_DOWN = "adatum";
const HEALTHY = ["contoso", "tailspin", "woodgrove"];
/** The throttled tenant has more connectors than the per-tenant write limit lets through at once. */
const THROTTLED_CONNECTORS = ["a", "b", "c", "d", "e", "f", "g", "h"];
/** Writes per app per tenant per window: every other tenant's two fit, the throttled one's eight do not. */
const WRITE_LIMIT = 2;
const WINDOW_MS = 3_000;

interface Summary {
  command: string;
  exitCode: number;
  tenants: {
    name: string;
    outcome: string;
    changes: { create: number; update: number; delete: number; replace: number; same: number } | null;
    detail: string | null;
    error: string | null;
    carried?: boolean;
  }[];
}

const summaryOf = (world: FleetWorld, file: string) => {
  const text = readFileSync(path.join(world.dir, file), "utf8");
  const summary = JSON.parse(text) as Summary;
  return { text, byName: Object.fromEntries(summary.tenants.map((t) => [t.name, t])) };
};

/** What the fleet file asks of a tenant: its connectors' display names. */
const expectedNames = (name: string) =>
  name === THROTTLED
    ? THROTTLED_CONNECTORS.map((c) => `ODJ ${name} ${c}`).sort()
    : [`ODJ ${name} Branch`, `ODJ ${name} HQ`];

describe("intune-fleet: a wrong secret, a throttled tenant and a tenant whose Graph fails, in one run (e2e)", function () {
  this.timeout(900_000);
  let world: FleetWorld;
  let fleet: string;

  before(async () => {
    world = await startFleetWorld({
      tenants: [...HEALTHY, WRONG_CREDENTIAL, THROTTLED, GRAPH_DOWN].map((name) => ({ name })),
    });
    const [first] = world.tenants;
    fleet = world.writeFleet({
      stackPrefix: "prod-",
      defaults: { clientId: first.clientId, template: "standard" },
      templates: {
        standard: [
          { name: "hq", displayName: "ODJ {{name}} HQ" },
          { name: "branch", displayName: "ODJ {{name}} Branch" },
        ],
        large: THROTTLED_CONNECTORS.map((c) => ({ name: c, displayName: `ODJ {{name}} ${c}` })),
      },
      tenants: world.tenants.map((t) =>
        t.entry({
          credential: { clientSecretEnv: t.secretVariable },
          ...(t.name === THROTTLED && { template: "large" }),
        }),
      ),
    });
  });

  after(async () => {
    await world?.close();
  });

  it("up: the three healthy tenants and the throttled one finish; the wrong secret and the failing Graph fail alone, each saying why", async () => {
    // Every tenant has its own windows at these limits; only the throttled one writes more than fit.
    world.emulator.setOptions({ throttle: { appWrites: WRITE_LIMIT, windowMs: WINDOW_MS } });
    world
      .tenant(GRAPH_DOWN)
      .emulator.addFault({ path: "/deviceManagement/", status: 503, count: 100_000, label: "graph-down" });
    world.clearLogs();
    const up = await world.run(["up", "--fleet", fleet, "--parallel", "3", "--json", "up.json"], {
      [world.tenant(WRONG_CREDENTIAL).secretVariable]: WRONG_SECRET,
    });
    expect(up.code, up.stderr).to.equal(2);
    const { text, byName } = summaryOf(world, "up.json");

    for (const name of [...HEALTHY, THROTTLED]) {
      expect(byName[name], name).to.deep.include({ outcome: "ok", error: null });
      expect(displayNamesIn(world.tenant(name)), name).to.deep.equal(expectedNames(name));
    }
    // Throttled hard, and finished: the provider waited as each 429's Retry-After said (429s do not
    // count against its attempts; only the five-minute deadline bounds a throttled call).
    const throttled = world.tenant(THROTTLED).emulator.requestLog({ kind: "graph" });
    const answered429 = throttled.filter((e) => e.status === 429);
    expect(answered429.length, world.tenant(THROTTLED).emulator.summaryLine()).to.be.at.least(6);
    expect(throttled.filter((e) => e.method === "POST" && e.status === 201)).to.have.length(
      THROTTLED_CONNECTORS.length,
    );
    // The limits are per tenant: none of the others was throttled.
    for (const name of [...HEALTHY, WRONG_CREDENTIAL, GRAPH_DOWN])
      expect(world.tenant(name).emulator.summary().throttled, name).to.equal(0);

    const wrong = byName[WRONG_CREDENTIAL];
    expect(wrong.outcome).to.equal("failed");
    expect(wrong.error).to.match(/AADSTS7000215: Invalid client secret provided/);
    expect(up.stderr).to.match(
      new RegExp(`^\\[\\d/6\\] ${WRONG_CREDENTIAL}: failed in [\\d.]+ s: authentication failed`, "m"),
    );
    expect(world.tenant(WRONG_CREDENTIAL).emulator.requestLog({ kind: "graph" })).to.deep.equal([]);

    const down = byName[GRAPH_DOWN];
    expect(down.outcome).to.equal("failed");
    expect(down.error).to.match(
      /^list connectors: GET \/beta\/deviceManagement\/domainJoinConnectors failed with 503 ServiceUnavailable/,
    );
    const downLog = world.tenant(GRAPH_DOWN).emulator.requestLog({ kind: "graph" });
    expect(downLog.length).to.be.greaterThan(0);
    expect(downLog.every((e) => e.status === 503 && e.faultLabel === "graph-down")).to.equal(true);

    // Nothing made where a tenant failed; no secret, right or wrong, in the summary.
    for (const name of [WRONG_CREDENTIAL, GRAPH_DOWN])
      expect(displayNamesIn(world.tenant(name)), name).to.deep.equal([]);
    for (const secret of [world.tenants[0].secret, WRONG_SECRET]) {
      expect(text).not.to.contain(secret);
      expect(up.stderr + up.stdout).not.to.contain(secret);
    }
  });

  it("--resume, the faults gone: runs the two failed tenants alone, and every tenant has each connector once", async () => {
    world.emulator.clearFaults();
    world.clearLogs();
    const resumed = await world.run(["up", "--fleet", fleet, "--resume", "--json", "resumed.json"]);
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(resumed.stderr).to.contain("--resume: 2 of 6 to run again (4 finished well in the last up run)");
    const { byName } = summaryOf(world, "resumed.json");
    for (const name of [...HEALTHY, THROTTLED]) {
      expect(byName[name], name).to.deep.include({ outcome: "ok", carried: true });
      expect(world.tenant(name).emulator.summaryLine(), name).to.equal("Graph: no requests");
    }
    for (const name of [WRONG_CREDENTIAL, GRAPH_DOWN]) {
      expect(byName[name], name).to.deep.include({ outcome: "ok", error: null });
      expect(byName[name].carried, name).to.equal(undefined);
      // Its two connectors; the stack itself the failed run had already recorded.
      expect(byName[name].changes, name).to.deep.include({ create: 2, same: 1 });
    }
    for (const t of world.tenants) {
      // Each connector once in the tenant (none lost, none made twice), and the stack holds exactly those.
      expect(displayNamesIn(t), t.name).to.deep.equal(expectedNames(t.name));
      const state = world.checkpoint(PROJECT, `prod-${t.name}`);
      expect(state.pending, t.name).to.deep.equal([]);
      expect(world.connectorIdsInStack(PROJECT, `prod-${t.name}`), t.name).to.deep.equal(
        t.emulator
          .connectors()
          .map((c) => c.id)
          .sort(),
      );
    }
  });
});
