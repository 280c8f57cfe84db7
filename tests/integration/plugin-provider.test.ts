/**
 * The `intune` package's provider (plugin/provider.ts) against the emulator over HTTPS with the
 * real @azure/identity, configured as the engine configures a plugin: by provider config alone,
 * with nothing in the environment. The engine's own calls are in tests/e2e/plugin.test.ts.
 */
import { expect } from "chai";
import { IntunePluginProvider } from "pulumi-intune-domain-join/internal/plugin/provider";
import { useEmulator } from "intune-test-support/emulator";
import { rejection } from "intune-test-support/thrown";
import { pluginSettingsOf } from "intune-test-support/plugin";

const URN = "urn:pulumi:dev::yaml::intune:index:DomainJoinConnector::hq";
const HQ = "8c39f54e-6512-4a2f-bd3a-2cb66d02f722";
const NAMELESS = "0dd0a000-0000-4000-8000-00000000000d";

describe("the intune plugin's provider, configured by provider config (emulator)", function () {
  this.timeout(30_000);
  const emulator = useEmulator({ seed: 0 });
  let plugin: IntunePluginProvider;
  let warnings: { message: string; urn?: string }[];

  beforeEach(() => {
    emulator.seed([
      { id: HQ, displayName: "ODJ-HQ-SRV01", version: "6.2504.2001.8" },
      { displayName: "ODJ – Lyon", version: "6.2409.1000.1" },
    ]);
    emulator.clearLog();
    const app = emulator.app("writer");
    // An empty environment: every setting must come from the provider's config.
    warnings = [];
    plugin = new IntunePluginProvider({
      environment: { env: { INTUNE_CREATE_JOURNAL: "" } },
      warnings: async (message, urn) => void warnings.push({ message, urn }),
    });
    plugin.configure({
      "intune:tenantId": emulator.tenantId,
      "intune:clientId": app.clientId,
      "intune:config:clientSecret": app.secret, // the older engines' form of the key
      "intune:authorityHost": emulator.authorityHost,
      "intune:graphEndpoint": emulator.graphEndpoint,
      "other:tenantId": "not ours",
    });
  });

  it("creates, renames and deletes a connector with the stack's provider config", async () => {
    const checked = await plugin.check(URN, {}, { displayName: "ODJ Branch" });
    expect(checked.failures ?? []).to.deep.equal([]);
    const created = await plugin.create(URN, checked.inputs as Record<string, unknown>);
    expect(created.outs).to.include({ displayName: "ODJ Branch", adopted: false, deleteOnDestroy: true });
    const news = { displayName: "ODJ Branch (renamed)" };
    const diff = await plugin.diff(created.id, URN, created.outs, news);
    expect(diff.changes).to.equal(true);
    const updated = await plugin.update(created.id, URN, created.outs, news);
    expect(updated.outs).to.include({ displayName: "ODJ Branch (renamed)" });
    await plugin.delete(created.id, URN, updated.outs);
    expect(emulator.connectors().map((c) => c.id)).to.not.include(created.id);
    expect(emulator.summary()).to.include({ POST: 1, PATCH: 1, DELETE: 1 });
  });

  it("imports a connector as adopted, with the inputs of a program that adopts it by id, and writes nothing", async () => {
    const read = await plugin.read(HQ, URN, {});
    expect(read.id).to.equal(HQ);
    expect(read.inputs).to.deep.equal({ displayName: "ODJ-HQ-SRV01", connectorId: HQ });
    expect(read.props).to.include({ connectorId: HQ, adopted: true, deleteOnDestroy: false });
    // What the engine then checks: the program's inputs find no change against what was read.
    const checked = await plugin.check(URN, {}, read.inputs);
    const diff = await plugin.diff(HQ, URN, read.props, checked.inputs);
    expect(diff.changes).to.equal(false);
    const summary = emulator.summary();
    expect(summary.POST + summary.PATCH + summary.DELETE).to.equal(0);
  });

  it("says an import's id does not exist in the tenant, naming the tenant, and writes nothing", async () => {
    const missing = "0b5b7d0e-3c1e-4b52-9a7f-6f7f3d2c1a99";
    const error = await rejection(plugin.read(missing, URN, {}));
    expect(error.message).to.equal(
      `import connector ${missing}: no connector with this id exists in tenant ${emulator.tenantId} ` +
        "(cloud global; Graph answered 404). Check the id (getConnectors lists the tenant's connectors) " +
        "and the tenant the provider points at (intune:tenantId)",
    );
    expect(error.stack).to.equal("");
    // A refresh of a connector that is gone drops it from state instead: an empty id.
    const refreshed = await plugin.read(missing, URN, { connectorId: missing, adopted: true });
    expect(refreshed.id).to.equal("");
    const summary = emulator.summary();
    expect(summary.POST + summary.PATCH + summary.DELETE).to.equal(0);
  });

  it("sends a warning with the resource it is about: releasing an adopted connector names it", async () => {
    const read = await plugin.read(HQ, URN, {});
    await plugin.delete(HQ, URN, read.props);
    expect(warnings).to.have.length(1);
    expect(warnings[0].urn).to.equal(URN);
    expect(warnings[0].message).to.contain(`connector ${HQ} ("ODJ-HQ-SRV01") was released, not deleted`);
    expect(emulator.connectors().map((c) => c.id)).to.include(HQ);
  });

  it("accepts a declared state, as the TypeScript resource does, and warns on the resource that it is ignored", async () => {
    const checked = await plugin.check(URN, {}, { displayName: "ODJ Branch", state: "active" });
    expect(checked.failures ?? []).to.deep.equal([]);
    expect(checked.inputs).to.not.have.property("state");
    expect(warnings).to.have.length(1);
    expect(warnings[0].urn).to.equal(URN);
    expect(warnings[0].message).to.match(/^state is ignored and no longer managed: Intune sets it/);
    // A state outside the enum is a mistake, refused; nothing to warn about then.
    warnings = [];
    const typo = await plugin.check(URN, {}, { displayName: "ODJ Branch", state: "activ" });
    expect((typo.failures ?? []).map((f) => f.property)).to.deep.equal(["state"]);
    expect(warnings).to.deep.equal([]);
    expect(emulator.requestLog()).to.deep.equal([]);
  });

  it("returns from a call only once its warnings are delivered", async () => {
    const delivered: string[] = [];
    const slow = new IntunePluginProvider({
      environment: { env: { INTUNE_CREATE_JOURNAL: "" } },
      warnings: (message) =>
        new Promise((resolve) => setTimeout(() => resolve(void delivered.push(message)), 50)),
    });
    slow.configure(pluginSettingsOf(emulator));
    const read = await slow.read(HQ, URN, {});
    await slow.delete(HQ, URN, read.props);
    expect(delivered).to.have.length(1);
  });

  it("imports a connector without a name with its id alone, and refuses what is not a URN of its type", async () => {
    emulator.seed([{ id: NAMELESS, displayName: null, version: "6.2504.2001.8" }]);
    const read = await plugin.read(NAMELESS, URN, {});
    expect(read.inputs).to.deep.equal({ connectorId: NAMELESS });
    const garbage = await rejection(plugin.check("not-a-urn", {}, { displayName: "x" }));
    expect(garbage.message).to.equal("the intune plugin has no resource of the type in not-a-urn");
  });

  it("refreshes without inputs, keeping what the stack recorded", async () => {
    const read = await plugin.read(HQ, URN, { connectorId: HQ, displayName: "ODJ-HQ-SRV01", adopted: true });
    expect(read.inputs).to.equal(undefined);
    expect(read.props).to.include({ adopted: true, deleteOnDestroy: false });
  });

  it("answers getConnector and getConnectors, their filters in every language's flat form", async () => {
    const one = await plugin.invoke("intune:index:getConnector", { displayName: "ODJ – Lyon" });
    expect(one.outputs).to.include({ displayName: "ODJ – Lyon", version: "6.2409.1000.1" });
    const some = await plugin.invoke("intune:index:getConnectors", { displayNamePrefix: "ODJ-" });
    expect((some.outputs as { connectors: { id: string }[] }).connectors.map((c) => c.id)).to.deep.equal([
      HQ,
    ]);
    const newer = await plugin.invoke("intune:index:getConnectors", { minVersion: "6.2500" });
    expect((newer.outputs as { connectors: { id: string }[] }).connectors.map((c) => c.id)).to.deep.equal([
      HQ,
    ]);
    const all = await plugin.invoke("intune:index:getConnectors", {});
    expect((all.outputs as { connectors: unknown[] }).connectors).to.have.length(2);
    const ids = async (args: Record<string, unknown>) =>
      ((await plugin.invoke("intune:index:getConnectors", args)).outputs as { connectors: { id: string }[] })
        .connectors.length;
    expect(await ids({ displayName: "ODJ – Lyon" })).to.equal(1);
    expect(await ids({ displayName: "ODJ" })).to.equal(0); // exact, not a prefix
    expect(await ids({ maxVersion: "6.2500" })).to.equal(1);
    expect(await ids({ states: ["active"] })).to.equal(2); // seeded as checked in just now
    expect(await ids({ states: ["error", "inactive"] })).to.equal(0);
  });

  it("refuses what it cannot serve with a message naming it, before any request", async () => {
    const both = await rejection(
      plugin.invoke("intune:index:getConnectors", { displayName: "A", displayNamePrefix: "B" }),
    );
    expect(both.message).to.equal(
      'getConnectors: give displayName ("A") or displayNamePrefix ("B"), not both',
    );
    const typo = await rejection(plugin.invoke("intune:index:getConnectors", { states: ["activ"] }));
    expect(typo.message).to.equal(
      'getConnectors: state must be one of active, error, inactive (or a list of them); got "activ"',
    );
    const version = await rejection(plugin.invoke("intune:index:getConnectors", { minVersion: 6 }));
    expect(version.message).to.equal(
      'getConnectors: minVersion must be a dotted version number such as "6.2501.2000.5", got number 6',
    );
    const token = await rejection(plugin.invoke("intune:index:getEverything", {}));
    expect(token.message).to.equal("the intune plugin has no function intune:index:getEverything");
    const other = "urn:pulumi:dev::yaml::intune:index:Other::x";
    const type = await rejection(plugin.create(other, { displayName: "x" }));
    expect(type.message).to.contain("intune:index:Other");
    // Written for a person: the engine shows the message, not a stack trace.
    expect([type.stack, both.stack, token.stack]).to.deep.equal(["", "", ""]);
    expect(emulator.summaryLine()).to.equal("Graph: no requests");
  });
});
