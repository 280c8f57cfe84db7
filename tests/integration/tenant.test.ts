// A stack whose provider is pointed at another tenant (two emulators, two tenants): every call
// refuses, naming both tenants, before any Graph request in either, and nothing is lost — refresh
// never drops a connector because it looked in the wrong tenant. State written before the tenant
// was recorded keeps working, and records it at its next read.
import { expect } from "chai";
import { Emulator } from "intune-graph-emulator";
import { TenantMismatchError } from "pulumi-intune-domain-join/internal/logic/errors";
import { TestProvider, providerFor } from "intune-test-support/provider-harness";
import { startTestEmulator } from "intune-test-support/emulator";
import { rejection } from "intune-test-support/thrown";

describe("the tenant is part of a connector's identity (two emulators)", function () {
  this.timeout(60_000);
  let home: Emulator;
  let other: Emulator;
  let here: TestProvider;
  let elsewhere: TestProvider;

  before(async () => {
    [home, other] = await Promise.all([
      startTestEmulator({ seed: 0 }),
      startTestEmulator({ seed: 0, tenantId: "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0" }),
    ]);
  });
  after(async () => {
    await Promise.all([home.close(), other.close()]);
  });
  beforeEach(() => {
    home.reset({ seed: 0 });
    other.reset({ seed: 0 });
    here = providerFor(home);
    elsewhere = providerFor(other);
  });
  afterEach(() => {
    here.provider.close();
    elsewhere.provider.close();
  });

  it("records the tenant and cloud a connector was created in", async () => {
    const { outs } = await here.provider.create({ displayName: "ODJ Paris" });
    expect(outs).to.include({ tenantId: home.tenantId.toLowerCase(), cloud: "global" });
  });

  it("refuses diff, refresh, update and delete from another tenant before any Graph request, and keeps the connector", async () => {
    const { id, outs } = await here.provider.create({ displayName: "ODJ Paris" });
    home.clearLog();
    other.clearLog();
    const news = { displayName: "ODJ Paris (renamed)" };
    const refusals = [
      await rejection(elsewhere.provider.diff(id, outs, news)),
      await rejection(elsewhere.provider.read(id, outs)),
      await rejection(elsewhere.provider.update(id, outs, news)),
      await rejection(elsewhere.provider.delete(id, outs)),
    ];
    for (const error of refusals) {
      expect(error).to.be.instanceOf(TenantMismatchError);
      expect(error.message).to.contain(
        `the connector lives in tenant ${home.tenantId.toLowerCase()} (cloud global)`,
      );
      expect(error.message).to.contain(`the provider now points at tenant ${other.tenantId}`);
      expect(error.stack).to.equal("");
    }
    expect(home.requestLog({ kind: "graph" })).to.deep.equal([]);
    expect(other.requestLog({ kind: "graph" })).to.deep.equal([]);
    expect(home.connectors().map((c) => c.id)).to.include(id);
  });

  it("reads state written before the tenant was recorded, and records it", async () => {
    const { id, outs } = await here.provider.create({ displayName: "ODJ Nice" });
    const { tenantId: _t, cloud: _c, ...older } = outs as Record<string, unknown>;
    const diff = await here.provider.diff(id, older, { displayName: "ODJ Nice" });
    expect(diff.changes).to.equal(false);
    const read = await here.provider.read(id, older);
    expect(read.props).to.include({ tenantId: home.tenantId.toLowerCase(), cloud: "global" });
  });
});
