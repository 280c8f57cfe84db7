/**
 * Every reading of what Microsoft's sources leave open (the emulator's variants, docs/emulator.md):
 * under each value of each variant, the provider lives a connector's whole life — a create whose
 * answer is lost, a read, an adoption, a rename, a listing spread over pages, a delete — and ends
 * with the tenant the stack asked for and no second connector. The model-based suite mixes the
 * variants at random; this names each one.
 */
import { expect } from "chai";
import { VARIANT_CHOICES, type ServiceVariants } from "intune-graph-emulator";
import { graphCalls, providerFor, type TestProvider } from "intune-test-support/provider-harness";
import { useEmulator } from "intune-test-support/emulator";

const REGISTERED = "5a1d0000-0000-4000-8000-000000000001";
const NAMELESS = "5a1d0000-0000-4000-8000-000000000002";

/** Each variant's values other than the default (the default is what every other test runs). */
const CHOICES = Object.entries(VARIANT_CHOICES).flatMap(([name, values]) =>
  (values as readonly string[]).slice(1).map((value) => ({ [name]: value }) as Partial<ServiceVariants>),
);

describe("the provider under every service variant (emulator, HTTPS)", function () {
  this.timeout(30_000);
  // Each test resets it with its own seed and variants.
  const emulator = useEmulator({ reset: false });
  let t: TestProvider | undefined;

  afterEach(() => t?.provider.close());

  it("has a non-default value to try for every variant", () => {
    expect(CHOICES.map((c) => Object.keys(c)[0])).to.include.members([
      "patchResponse",
      "getResponse",
      "stateWrite",
      "createdVersion",
      "createLocation",
      "newConnectorContact",
      "listQuery",
      "deleteRegistered",
      "heartbeatVersion",
      "newConnectorState",
      "createRequires",
      "unsupportedMethod",
      "paging",
      "contactWrite",
    ]);
  });

  for (const variants of [{}, ...CHOICES]) {
    const label = Object.entries(variants).map(([k, v]) => `${k} ${v}`)[0] ?? "the defaults";
    it(`lives a connector's whole life under ${label}, with pages of 2`, async () => {
      emulator.reset({
        seed: [
          { id: REGISTERED, displayName: "SRV-REGISTERED", lastConnectionDateTime: new Date().toISOString() },
          // Another tool's leftover without a name (the metadata lets displayName be null).
          { id: NAMELESS, displayName: null, lastConnectionDateTime: "0001-01-01T00:00:00Z" },
        ],
      });
      emulator.setOptions({ variants, pageSize: 2 });
      const { provider, warnings } = (t = providerFor(emulator));

      if (variants.createRequires === "listed") {
        // A service that wants state and lastConnectionDateTime in a POST: the provider, which never
        // writes those, fails naming the property and what to do instead, having made nothing.
        const refused = await provider
          .create({ displayName: "SRV-NEW", version: "6.2504.2001.8" })
          .catch((e) => e);
        expect((refused as Error).message).to.contain("'lastConnectionDateTime' is required");
        expect((refused as Error).message).to.contain("then adopt the connector it registers");
        expect(emulator.connectors()).to.have.length(2);
        return;
      }
      // A create the service applies and answers 504: found again, not sent twice.
      emulator.addFault({ method: "POST", path: "/beta/", applyThen: 504 });
      const created = await provider.create({ displayName: "SRV-NEW", version: "6.2504.2001.8" });
      expect(created.outs).to.include({ displayName: "SRV-NEW", version: "6.2504.2001.8", adopted: false });
      expect(emulator.summary().POST).to.equal(1);

      const read = await provider.read(created.id, created.outs);
      expect(read.id).to.equal(created.id);
      expect(read.props).to.include({
        connectorId: created.id,
        displayName: "SRV-NEW",
        state: variants.newConnectorState ?? "inactive",
      });

      const adopted = await provider.create({ connectorId: REGISTERED, displayName: "SRV-HQ" });
      expect(adopted.outs).to.include({ displayName: "SRV-HQ", state: "active", adopted: true });

      emulator.clearLog();
      const renamed = await provider.update(created.id, created.outs, { displayName: "SRV-RENAMED" });
      expect(renamed.outs).to.include({ displayName: "SRV-RENAMED", version: "6.2504.2001.8" });
      expect(graphCalls(emulator)).to.deep.equal(
        variants.patchResponse === "no-content" ? ["PATCH 204", "GET 200"] : ["PATCH 200"],
      );

      const listed = await provider.connect().api.list();
      expect(listed.map((c) => c.displayName).sort()).to.deep.equal(["SRV-HQ", "SRV-RENAMED", null].sort());

      await provider.delete(created.id, renamed.outs);
      await provider.delete(REGISTERED, adopted.outs);
      expect(
        emulator
          .connectors()
          .map((c) => c.id)
          .sort(),
      ).to.deep.equal([REGISTERED, NAMELESS].sort());
      expect(
        warnings.filter((w) => !w.includes("was released, not deleted")),
        warnings.join("\n"),
      ).to.have.length(1);
    });
  }
});
