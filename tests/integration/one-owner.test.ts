// One owner per connector, kept in the provider process that both forms share: the plugin names a
// resource by its URN, the TypeScript resource passes its name as an input. Each case runs against
// both entry points, so a promise kept by one form only fails here. Nothing is written by a refusal.
import { expect } from "chai";
import { IntunePluginProvider } from "pulumi-intune-domain-join/internal/plugin/provider";
import { DomainJoinConnectorProvider } from "pulumi-intune-domain-join/internal/connector/provider";
import { providerEnvironment } from "intune-test-support/provider-harness";
import { useEmulator } from "intune-test-support/emulator";
import { rejection } from "intune-test-support/thrown";

const HQ = "8c39f54e-6512-4a2f-bd3a-2cb66d02f722";

/** The calls of either form, a resource named by `name`. */
interface Form {
  check(name: string, news: Record<string, unknown>): Promise<{ inputs?: unknown; failures?: unknown[] }>;
  diff(
    name: string,
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<unknown>;
  create(
    name: string,
    inputs: Record<string, unknown>,
  ): Promise<{ id: string; outs?: Record<string, unknown> }>;
  delete(name: string, id: string, props: Record<string, unknown>): Promise<void>;
  close(): void;
}

const urn = (name: string) => `urn:pulumi:dev::fleet::intune:index:DomainJoinConnector::${name}`;

describe("one owner per connector, in the provider process of either form (emulator)", function () {
  this.timeout(30_000);
  const emulator = useEmulator({
    seed: [{ id: HQ, displayName: "ODJ-HQ-SRV01", version: "6.2504.2001.8", state: "active" }],
  });

  // As a program's registrations reach it: before its first write, it waits for the engine to be
  // quiet, so that a resource declared later can still claim the connector.
  const settle = { claimsSettleMs: 150 };
  const forms: Record<string, () => Form> = {
    "the plugin (URN)": () => {
      const plugin = new IntunePluginProvider({
        environment: providerEnvironment(emulator, "writer", settle),
        warnings: async () => {},
      });
      return {
        check: (name, news) => plugin.check(urn(name), {}, news),
        diff: (name, id, olds, news) => plugin.diff(id, urn(name), olds, news),
        create: (name, inputs) => plugin.create(urn(name), inputs),
        delete: (name, id, props) => plugin.delete(id, urn(name), props),
        close: () => plugin.connection().close(),
      };
    },
    "the dynamic provider (__resourceName)": () => {
      const provider = new DomainJoinConnectorProvider(providerEnvironment(emulator, "writer", settle));
      const named = (name: string, bag: Record<string, unknown>) => ({ ...bag, __resourceName: name });
      return {
        check: (name, news) => provider.check({}, named(name, news)),
        diff: (name, id, olds, news) => provider.diff(id, olds, named(name, news)),
        create: (name, inputs) => provider.create(named(name, inputs)),
        // The dynamic protocol's delete carries the outputs alone: no resource name.
        delete: (_name, id, props) => provider.delete(id, props),
        close: () => provider.close(),
      };
    },
  };

  for (const [formName, makeForm] of Object.entries(forms)) {
    describe(formName, () => {
      let form: Form;
      beforeEach(() => {
        form = makeForm();
        emulator.clearLog();
      });
      afterEach(() => form.close());

      it("refuses a second resource that names the same connector id, in another letter case, naming both", async () => {
        const first = await form.check("hq", { displayName: "HQ", connectorId: HQ });
        expect(first.failures ?? []).to.deep.equal([]);
        const second = await form.check("hq-again", {
          displayName: "HQ again",
          connectorId: HQ.toUpperCase(),
        });
        expect(second.failures).to.deep.equal([
          {
            property: "connectorId",
            reason:
              `connectorId "${HQ}": another resource of this deployment (resource "hq") adopts this connector, and ` +
              'this one (resource "hq-again") claims it too. A connector can have one resource only: remove one of ' +
              "them, or give it the id of another connector",
          },
        ]);
        // The same resource checked again (preview, then up) is no second claim.
        expect((await form.check("hq", { displayName: "HQ", connectorId: HQ })).failures ?? []).to.deep.equal(
          [],
        );
        expect(emulator.summaryLine()).to.equal("Graph: no requests");
      });

      it("refuses a connector adopted by name in state and by id in the program, before any write", async () => {
        // "hq" adopted the connector by its registered name on an earlier run: state holds the id.
        const olds = { connectorId: HQ, displayName: "HQ", registeredName: "ODJ-HQ-SRV01", adopted: true };
        await form.diff("hq", HQ, olds, { displayName: "HQ", registeredName: "ODJ-HQ-SRV01" });
        const error = await rejection(form.create("by-id", { displayName: "By id", connectorId: HQ }));
        expect(error.name).to.equal("OwnershipError");
        expect(error.message).to.contain(
          '(resource "hq") adopts this connector, and this one (resource "by-id")',
        );
        const summary = emulator.summary();
        expect(summary.POST + summary.PATCH + summary.DELETE).to.equal(0);
      });

      it("refuses an adoption whose connector a resource checked later claims too, before its write", async () => {
        // "hq2" is checked first and its create starts; "hq", in state, is checked while it waits.
        expect(
          (await form.check("hq2", { displayName: "HQ 2", connectorId: HQ })).failures ?? [],
        ).to.deep.equal([]);
        const creating = rejection(form.create("hq2", { displayName: "HQ 2", connectorId: HQ }));
        await new Promise((resolve) => setTimeout(resolve, 20));
        const later = await form.check("hq", { displayName: "HQ", connectorId: HQ });
        expect((later.failures as { property: string }[]).map((f) => f.property)).to.deep.equal([
          "connectorId",
        ]);
        const error = await creating;
        expect(error.name).to.equal("OwnershipError");
        expect(error.message).to.contain(
          '(resource "hq2") adopts this connector, and this one (resource "hq")',
        );
        expect(emulator.summary().PATCH).to.equal(0);
        expect(emulator.connectors().find((c) => c.id === HQ)?.displayName).to.equal("ODJ-HQ-SRV01");
      });

      it("releases, not deletes, a connector the program dropped a resource of and adopts in another", async () => {
        // "old" created the connector (delete on destroy); the program now adopts it as "new".
        const { id, outs } = await form.create("old", { displayName: "Handed over" });
        const adopted = await form.check("new", { displayName: "Handed over", connectorId: id });
        expect(adopted.failures ?? []).to.deep.equal([]);
        emulator.clearLog();
        await form.delete("old", id, outs as Record<string, unknown>);
        expect(emulator.summary().DELETE).to.equal(0);
        expect(emulator.connectors().map((c) => c.id)).to.include(id);
      });

      it("lets another resource adopt a connector a resource is being replaced away from", async () => {
        // "a" adopted HQ by name, and now names another registered name: a replacement.
        const olds = { connectorId: HQ, displayName: "HQ", registeredName: "ODJ-HQ-SRV01", adopted: true };
        await form.diff("a", HQ, olds, { displayName: "Other", registeredName: "ODJ-OTHER-SRV01" });
        const checked = await form.check("b", { displayName: "HQ", connectorId: HQ });
        expect(checked.failures ?? []).to.deep.equal([]);
      });

      it("refuses two resources adopting by the same registered name, in any letter case and spacing", async () => {
        expect(
          (await form.check("a", { displayName: "A", registeredName: "ODJ-HQ-SRV01" })).failures ?? [],
        ).to.deep.equal([]);
        const second = await form.check("b", { displayName: "B", registeredName: " odj-hq-srv01" });
        expect(
          (second.failures as { property: string; reason: string }[]).map((f) => f.property),
        ).to.deep.equal(["registeredName"]);
        expect((second.failures as { reason: string }[])[0].reason).to.contain(
          'another resource of this deployment (resource "a") adopts the connector registered under this name',
        );
      });
    });
  }
});
