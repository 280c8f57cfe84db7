// The tenant is part of a connector's identity (provider/connector/tenant.ts): what can be told
// without a request, and the refusal's words.
import { expect } from "chai";
import { pointsElsewhere, tenantSwitchMessage } from "pulumi-intune-domain-join/internal/connector/tenant";

const A = "4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83";
const B = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";

describe("tenant: where a connector lives", () => {
  it("tells another cloud, and another tenant given by id in any letter case from the same one", () => {
    const recorded = { tenantId: A, cloud: "global" };
    expect(pointsElsewhere(recorded, { cloud: "global", tenantId: A.toUpperCase() })).to.equal(false);
    expect(pointsElsewhere(recorded, { cloud: "global", tenantId: B })).to.equal(true);
    expect(pointsElsewhere(recorded, { cloud: "usgov", tenantId: A })).to.equal(true);
  });

  it("cannot tell from a domain or an unset tenant (the token tells), nor from state written before it was recorded", () => {
    const recorded = { tenantId: A, cloud: "global" };
    expect(pointsElsewhere(recorded, { cloud: "global", tenantId: "contoso.onmicrosoft.com" })).to.equal(
      false,
    );
    expect(pointsElsewhere(recorded, { cloud: "global" })).to.equal(false);
    expect(pointsElsewhere({}, { cloud: "china", tenantId: B })).to.equal(false);
  });

  it("says so when a tenant or a cloud is not known: the credential's default, or state without one", () => {
    const message = tenantSwitchMessage("connector x", { cloud: "usgov" }, { cloud: "global" });
    expect(message).to.contain("the connector lives in tenant (the credential's default) (cloud usgov)");
    expect(message).to.contain("point the provider back at its tenant (intune:tenantId, intune:cloud usgov)");
    const noCloud = tenantSwitchMessage("connector x", { tenantId: A }, { tenantId: B, cloud: "global" });
    expect(noCloud).to.contain(`the connector lives in tenant ${A}, but`);
    expect(noCloud).to.contain(`point the provider back at ${A} (intune:tenantId). To manage`);
  });

  it("names both tenants and both ways forward", () => {
    const message = tenantSwitchMessage(
      "connector x",
      { tenantId: A, cloud: "global" },
      { tenantId: B, cloud: "global" },
    );
    expect(message).to.equal(
      `connector x: the connector lives in tenant ${A} (cloud global), but the provider now points at tenant ${B} ` +
        "(cloud global). Nothing was read, written or dropped. To keep managing it, point the provider back at " +
        `${A} (intune:tenantId, intune:cloud global). To manage the other tenant's connectors instead, release this ` +
        "one from the stack (pulumi state delete with its URN; the connector stays where it is) and adopt the other " +
        "tenant's by connectorId or registeredName",
    );
  });
});
