/**
 * intune-fleet in its `plugin` form, for real: each tenant's stack a Pulumi YAML program of its
 * connectors on the `intune` plugin of the installed package (the fleet's own, put on the stack's
 * PATH), the real `pulumi` CLI and YAML language host, tenants of one emulator
 * (tests/support/fleet.ts). The whole life: preview, up (a create, an adoption, names YAML would
 * otherwise read as expressions), a no-op up, refresh after drift, a rename; a stack made in one
 * form refused, untouched, by a fleet file of the other; the move to the other form that
 * docs/fleet.md gives, with nothing written; then health and destroy.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { yamlHostDir } from "intune-test-support/plugin";
import {
  FleetWorld,
  connectorIdsIn,
  displayNamesIn,
  filesHolding,
  startFleetWorld,
  writesTo,
} from "intune-test-support/fleet";

const PROJECT = "intune-fleet";
const PLUGIN_TYPE = "intune:index:DomainJoinConnector";
const REGISTERED = {
  id: "3f0a6c2e-9b8d-4e71-a5c4-1d2e3f4a5b6c",
  displayName: "ODJ-FAB-SRV01",
  state: "active" as const,
  version: "6.2504.2001.8",
};
/** A display name that a YAML program would evaluate, were it not escaped. */
const DOLLAR_NAME = "ODJ ${branch.connectorId} $$ cost centre";

interface Summary {
  tenants: {
    name: string;
    outcome: string;
    changes: { create: number; update: number; delete: number; replace: number } | null;
    detail: string | null;
    error: string | null;
    log: string | null;
  }[];
}

/** A fleet document with each tenant's connector entries passed through `change`. */
const eachConnector = (
  doc: Record<string, unknown>,
  change: (entry: Record<string, unknown>, tenant: string) => Record<string, unknown>,
) => ({
  ...doc,
  tenants: (doc.tenants as Record<string, unknown>[]).map((t) => ({
    ...t,
    connectors: (t.connectors as Record<string, unknown>[]).map((c) => change(c, t.name as string)),
  })),
});

describe("intune-fleet in the plugin form: YAML stacks on the intune plugin, the real Pulumi CLI (e2e)", function () {
  this.timeout(600_000);
  let world: FleetWorld;
  let env: NodeJS.ProcessEnv;
  let document: (form: string, hqName?: string) => Record<string, unknown>;
  let fleet: string;
  const summary = (file: string) => {
    const parsed = JSON.parse(readFileSync(path.join(world.dir, file), "utf8")) as Summary;
    return Object.fromEntries(parsed.tenants.map((t) => [t.name, t]));
  };
  const run = (args: string[], file = fleet) => world.run([...args, "--fleet", file], env);

  before(async () => {
    world = await startFleetWorld({
      installed: true,
      tenants: [{ name: "contoso" }, { name: "fabrikam", seed: [REGISTERED] }],
    });
    // The YAML language host, as a Pulumi CLI installed the usual way has it beside `pulumi`.
    env = { PATH: [yamlHostDir(), world.env.PATH].join(path.delimiter) };
    const [first] = world.tenants;
    document = (form, hqName = "ODJ {{name}} HQ") => ({
      stackPrefix: "prod-",
      form,
      defaults: { clientId: first.clientId },
      tenants: [
        world.tenant("contoso").entry({
          credential: { clientSecretEnv: world.tenant("contoso").secretVariable },
          connectors: [
            { name: "hq", displayName: hqName.replace("{{name}}", "contoso") },
            // A logical name with a dot, and a display name holding ${…} and $$.
            { name: "site.lyon", displayName: DOLLAR_NAME },
          ],
        }),
        world.tenant("fabrikam").entry({
          credential: { clientSecretEnv: world.tenant("fabrikam").secretVariable },
          connectors: [
            { connectorId: REGISTERED.id, displayName: "ODJ fabrikam HQ" },
            { name: "branch", displayName: "ODJ fabrikam Branch" },
          ],
        }),
      ],
    });
    fleet = world.writeFleet(document("plugin"), "fleet.json");
  });

  after(async () => {
    await world?.close();
  });

  it("validate names the form", async () => {
    const r = await run(["validate"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/: 2 tenants, project intune-fleet, form plugin\n/);
  });

  it("preview: every connector to create, no request to any tenant", async () => {
    const preview = await run(["preview", "--json", "preview.json"]);
    expect(preview.code, preview.stderr).to.equal(1);
    const s = summary("preview.json");
    for (const t of world.tenants) {
      expect(s[t.name].outcome, t.name).to.equal("changes");
      // The stack and its two connectors (the adopted one included) are new to Pulumi.
      expect(s[t.name].changes, t.name).to.deep.include({ create: 3, update: 0, delete: 0 });
      expect(t.emulator.summaryLine(), t.name).to.equal("Graph: no requests");
    }
  });

  it("up: the connectors made or adopted in each tenant, held by the plugin's resources, names written as given", async () => {
    world.clearLogs();
    const up = await run(["up", "--json", "up.json"]);
    expect(up.code, up.stderr).to.equal(0);
    expect(displayNamesIn(world.tenant("contoso"))).to.deep.equal([DOLLAR_NAME, "ODJ contoso HQ"].sort());
    expect(displayNamesIn(world.tenant("fabrikam"))).to.deep.equal([
      "ODJ fabrikam Branch",
      "ODJ fabrikam HQ",
    ]);
    // The adopted connector renamed in place: one PATCH, no POST for it.
    const fabrikam = world.tenant("fabrikam").emulator.summary();
    expect([fabrikam.POST, fabrikam.PATCH]).to.deep.equal([1, 1]);
    for (const t of world.tenants) {
      const stack = world.checkpoint(PROJECT, `prod-${t.name}`);
      const connectors = stack.resources.filter((r) => r.type.endsWith("DomainJoinConnector"));
      expect(connectors.map((r) => r.type)).to.deep.equal([PLUGIN_TYPE, PLUGIN_TYPE]);
      expect(world.connectorIdsInStack(PROJECT, `prod-${t.name}`)).to.deep.equal(
        t.emulator
          .connectors()
          .map((c) => c.id)
          .sort(),
      );
    }
    // The stack's `connectors` output, as the dynamic form's program has it, from a dotted name.
    const contoso = world.checkpoint(PROJECT, "prod-contoso");
    const stackOutputs = contoso.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs as {
      connectors: Record<string, { id: string; displayName: string }>;
    };
    const lyon = world
      .tenant("contoso")
      .emulator.connectors()
      .find((c) => c.displayName === DOLLAR_NAME);
    expect(stackOutputs.connectors["site.lyon"]).to.deep.include({ id: lyon?.id, displayName: DOLLAR_NAME });
  });

  it("a second up sends no request to any tenant", async () => {
    world.clearLogs();
    const up = await run(["up", "--json", "up-again.json"]);
    expect(up.code, up.stderr).to.equal(0);
    for (const t of world.tenants) {
      expect(summary("up-again.json")[t.name].changes, t.name).to.deep.include({
        create: 0,
        update: 0,
        delete: 0,
      });
      expect(t.emulator.summaryLine(), t.name).to.equal("Graph: no requests");
    }
  });

  it("refresh finds the drift in the tenant that drifted and writes nothing; up puts it back with one PATCH", async () => {
    const fabrikam = world.tenant("fabrikam");
    const branch = fabrikam.emulator.connectors().find((c) => c.displayName === "ODJ fabrikam Branch");
    fabrikam.emulator.editOutOfBand(branch!.id, { displayName: "Renamed in the portal" });
    world.clearLogs();
    const refresh = await run(["refresh", "--json", "refresh.json"]);
    expect(refresh.code, refresh.stderr).to.equal(1);
    const s = summary("refresh.json");
    expect(s.fabrikam).to.deep.include({ outcome: "changes" });
    expect(s.fabrikam.changes).to.deep.include({ update: 1 });
    expect(s.contoso).to.deep.include({ outcome: "ok" });
    for (const t of world.tenants) expect(writesTo(t), t.name).to.equal(0);

    world.clearLogs();
    const up = await run(["up"]);
    expect(up.code, up.stderr).to.equal(0);
    expect(fabrikam.emulator.summary()).to.deep.include({ PATCH: 1, POST: 0, DELETE: 0 });
    expect(displayNamesIn(fabrikam)).to.deep.equal(["ODJ fabrikam Branch", "ODJ fabrikam HQ"]);
    expect(world.tenant("contoso").emulator.summaryLine()).to.equal("Graph: no requests");
  });

  it("a rename in the fleet file is one PATCH of that connector, in its tenant only", async () => {
    const renamed = world.writeFleet(document("plugin", "ODJ {{name}} Headquarters"), "renamed.json");
    world.clearLogs();
    const up = await run(["up", "--json", "renamed.json.out"], renamed);
    expect(up.code, up.stderr).to.equal(0);
    const contoso = world.tenant("contoso");
    expect(contoso.emulator.summary()).to.deep.include({ PATCH: 1, POST: 0, DELETE: 0 });
    expect(displayNamesIn(contoso)).to.deep.equal([DOLLAR_NAME, "ODJ contoso Headquarters"].sort());
    expect(world.tenant("fabrikam").emulator.summaryLine()).to.equal("Graph: no requests");
  });

  it("a fleet file of the dynamic form is refused for these stacks, before any request, the stacks unchanged", async () => {
    const dynamic = world.writeFleet(document("dynamic", "ODJ {{name}} Headquarters"), "dynamic.json");
    const before = world.tenants.map((t) => JSON.stringify(world.checkpoint(PROJECT, `prod-${t.name}`)));
    world.clearLogs();
    const up = await run(["up", "--json", "wrong-form.json"], dynamic);
    expect(up.code, up.stderr).to.equal(2);
    const s = summary("wrong-form.json");
    for (const t of world.tenants) {
      expect(s[t.name].outcome, t.name).to.equal("failed");
      expect(s[t.name].error).to.equal(
        `stack prod-${t.name} holds its connectors in the plugin form, and the fleet file asks for ` +
          "form: dynamic: a stack keeps the form it was made in (nothing was run)",
      );
      expect(s[t.name].detail).to.contain("give this fleet form: plugin");
      expect(t.emulator.summaryLine(), t.name).to.equal("Graph: no requests");
    }
    expect(
      world.tenants.map((t) => JSON.stringify(world.checkpoint(PROJECT, `prod-${t.name}`))),
    ).to.deep.equal(before);
  });

  it("moved to the dynamic form as docs/fleet.md says: released, then adopted where they are; nothing written, deleted or made", async () => {
    const before = world.tenants.map((t) => JSON.stringify(t.emulator.connectors()));
    const created = new Set(["hq", "site.lyon", "branch"]);
    // 1. deleteOnDestroy: false on every connector, up (no Graph write), and the ids from the stack's output.
    const kept = world.writeFleet(
      eachConnector(document("plugin", "ODJ {{name}} Headquarters"), (c) => ({
        ...c,
        deleteOnDestroy: false,
      })),
      "kept.json",
    );
    world.clearLogs();
    expect((await run(["up"], kept)).code).to.equal(0);
    for (const t of world.tenants) expect(writesTo(t), t.name).to.equal(0);
    const ids = Object.fromEntries(
      world.tenants.map((t) => {
        const stack = world
          .checkpoint(PROJECT, `prod-${t.name}`)
          .resources.find((r) => r.type === "pulumi:pulumi:Stack");
        const output = stack?.outputs?.connectors as Record<string, { id: string }>;
        return [t.name, Object.fromEntries(Object.entries(output).map(([name, c]) => [name, c.id]))];
      }),
    );
    // 2. destroy releases them: no request deletes anything.
    const destroy = await run(["destroy"], kept);
    expect(destroy.code, destroy.stderr).to.equal(0);
    for (const t of world.tenants) expect(writesTo(t), t.name).to.equal(0);
    // 3. The other form, each connector listed by its id (those the stack made, deleted on destroy as before).
    const moved = world.writeFleet(
      eachConnector(document("dynamic", "ODJ {{name}} Headquarters"), (c, tenant) => {
        const name = String(c.name ?? c.connectorId);
        return {
          ...c,
          name,
          connectorId: ids[tenant][name],
          ...(created.has(name) && { deleteOnDestroy: true }),
        };
      }),
      "moved.json",
    );
    fleet = moved;
    world.clearLogs();
    const up = await run(["up", "--json", "moved-up.json"]);
    expect(up.code, up.stderr).to.equal(0);
    for (const t of world.tenants) {
      expect(writesTo(t), t.name).to.equal(0);
      const types = world
        .checkpoint(PROJECT, `prod-${t.name}`)
        .resources.filter((r) => r.type.endsWith("DomainJoinConnector"))
        .map((r) => r.type);
      expect(types, t.name).to.deep.equal([
        "pulumi-nodejs:dynamic/intune:DomainJoinConnector",
        "pulumi-nodejs:dynamic/intune:DomainJoinConnector",
      ]);
    }
    expect(world.tenants.map((t) => JSON.stringify(t.emulator.connectors()))).to.deep.equal(before);
  });

  it("health judges each tenant's connectors from its stack", async () => {
    const contoso = world.tenant("contoso");
    for (const c of contoso.emulator.connectors())
      contoso.emulator.heartbeat(c.id, { state: "active", version: "6.2504.2001.8" });
    const health = await run(["health", "--min-healthy", "1", "--json", "health.json"]);
    expect(health.code, health.stderr).to.equal(1);
    const s = summary("health.json");
    expect(s.contoso).to.deep.include({ outcome: "ok", detail: "2 of 2 connectors healthy" });
    expect(s.fabrikam.outcome).to.equal("findings");
  });

  it("destroy deletes what the fleet created and releases the adopted connector", async () => {
    world.clearLogs();
    const destroy = await run(["destroy", "--json", "destroy.json"]);
    expect(destroy.code, destroy.stderr).to.equal(0);
    expect(displayNamesIn(world.tenant("contoso"))).to.deep.equal([]);
    expect(connectorIdsIn(world.tenant("fabrikam"))).to.deep.equal([REGISTERED.id]);
    expect(world.tenant("fabrikam").emulator.summary()).to.deep.include({ DELETE: 1 });
  });

  it("no tenant's secret is in any file the runs wrote", () => {
    expect(filesHolding(world.dir, [...new Set(world.tenants.map((t) => t.secret))])).to.deep.equal([]);
  });
});
