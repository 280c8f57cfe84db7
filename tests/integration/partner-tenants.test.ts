// The provider as a partner (MSP) runs it: one multi-tenant app, registered in the partner's own
// tenant and consented in two customers', managing each customer's connectors from one process
// against one emulator. Each provider points at its customer through AZURE_TENANT_ID alone; each
// tenant's writes go through a limiter of their own (provider/connection.ts keys the limiters by
// tenant, app and Graph) and count against that tenant's limits at the emulator.
import { expect } from "chai";
import { PARTNER_APP, defaultApps, generateTenants } from "intune-graph-emulator";
import { TenantMismatchError } from "pulumi-intune-domain-join/internal/logic/errors";
import { providerFor, type TestProvider } from "intune-test-support/provider-harness";
import { useEmulator } from "intune-test-support/emulator";
import { rejection } from "intune-test-support/thrown";

/** Two writes per 20 s per app: the provider's own limit and, per tenant, the emulator's. */
const WRITES = 2;

describe("the provider for a partner: one app, two customer tenants, one process (emulator)", function () {
  this.timeout(60_000);
  const [CUSTOMER_A, CUSTOMER_B] = generateTenants(2, { consent: [PARTNER_APP.clientId] });
  const emulator = useEmulator({
    seed: 0,
    // The partner's own tenant is the default one: its apps, and the partner app.
    apps: [...defaultApps(), PARTNER_APP],
    tenants: [CUSTOMER_A, CUSTOMER_B],
  });
  let inA: TestProvider;
  let inB: TestProvider;

  beforeEach(() => {
    emulator.setOptions({ throttle: { appWrites: WRITES, windowMs: 60_000 } });
    const customer = (tenantId: string | undefined) =>
      providerFor(emulator, "partner", {
        env: { AZURE_TENANT_ID: tenantId, INTUNE_WRITES_PER_20_SECONDS: String(WRITES) },
      });
    inA = customer(CUSTOMER_A.tenantId);
    inB = customer(CUSTOMER_B.tenantId);
  });
  afterEach(() => {
    inA.provider.close();
    inB.provider.close();
  });

  it("creates each customer's connectors in that customer's tenant, each tenant's writes under a limit of its own", async () => {
    const started = Date.now();
    const [a1, a2, b1, b2] = await Promise.all([
      inA.provider.create({ displayName: "ODJ Contoso Lyon" }),
      inA.provider.create({ displayName: "ODJ Contoso Nantes" }),
      inB.provider.create({ displayName: "ODJ Fabrikam Oslo" }),
      inB.provider.create({ displayName: "ODJ Fabrikam Bergen" }),
    ]);
    // One limiter for both tenants would hold the third and fourth POST for 20 s; the emulator,
    // counting both tenants together, would answer them 429.
    expect(Date.now() - started).to.be.below(10_000);
    expect(emulator.summary().throttled).to.equal(0);

    const names = (tenantId: string | undefined) =>
      emulator
        .tenant(tenantId)
        .connectors()
        .map((c) => c.displayName)
        .sort();
    expect(names(CUSTOMER_A.tenantId)).to.deep.equal(["ODJ Contoso Lyon", "ODJ Contoso Nantes"]);
    expect(names(CUSTOMER_B.tenantId)).to.deep.equal(["ODJ Fabrikam Bergen", "ODJ Fabrikam Oslo"]);
    expect(emulator.connectors()).to.deep.equal([]);
    for (const { outs } of [a1, a2]) expect(outs).to.include({ tenantId: CUSTOMER_A.tenantId });
    for (const { outs } of [b1, b2]) expect(outs).to.include({ tenantId: CUSTOMER_B.tenantId });
    const partnerIn = (tenantId: string | undefined) =>
      emulator.requestLog({ tenantId, kind: "graph" }).every((e) => e.appId === PARTNER_APP.clientId);
    expect(partnerIn(CUSTOMER_A.tenantId) && partnerIn(CUSTOMER_B.tenantId)).to.equal(true);
    expect(emulator.summary({ tenantId: CUSTOMER_A.tenantId }).POST).to.equal(2);
  });

  it("imports customer A's connector in A; the provider pointed at customer B refuses to touch it, before any request", async () => {
    // No write here: the limiters outlive a test, and the first test used each tenant's two.
    const [seeded] = emulator.tenant(CUSTOMER_A.tenantId).seed([{ displayName: "ODJ Contoso Lyon" }]);
    const { props } = await inA.provider.read(seeded.id);
    expect(props).to.include({ tenantId: CUSTOMER_A.tenantId, displayName: "ODJ Contoso Lyon" });
    emulator.clearLog();
    const refused = await rejection(
      inB.provider.update(seeded.id, props ?? {}, { displayName: "ODJ Contoso Lyon (moved)" }),
    );
    expect(refused).to.be.instanceOf(TenantMismatchError);
    expect(refused.message).to.contain(`the connector lives in tenant ${CUSTOMER_A.tenantId}`);
    expect(emulator.requestLog({ kind: "graph" })).to.deep.equal([]);
    expect(
      emulator
        .tenant(CUSTOMER_A.tenantId)
        .connectors()
        .map((c) => c.displayName),
    ).to.deep.equal(["ODJ Contoso Lyon"]);
  });
});
