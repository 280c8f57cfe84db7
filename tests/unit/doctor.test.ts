/**
 * The doctor's judgements on token claims, and its fixes for Entra ID errors (pure; the command
 * itself runs against the emulator in tests/integration/doctor-command.test.ts).
 */
import { expect } from "chai";
import {
  audienceCheck,
  permissionCheck,
  readClaims,
  tokenFix,
} from "pulumi-intune-domain-join/internal/doctor/checks";

const TENANT = "4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83";
const jwt = (payload: unknown) =>
  ["{}", JSON.stringify(payload), "sig"].map((p) => Buffer.from(p).toString("base64url")).join(".");
const globalContext = {
  cloud: "global" as const,
  graphEndpoint: "https://graph.microsoft.com",
  tenantId: TENANT,
};

describe("doctor: reading a token's claims", () => {
  it("reads the payload of a compact JWT without any key", () => {
    expect(readClaims(jwt({ aud: "https://graph.microsoft.com", roles: ["x"] }))).to.deep.equal({
      aud: "https://graph.microsoft.com",
      roles: ["x"],
    });
  });

  it("says nothing of an opaque token, a payload that is not JSON, or not an object", () => {
    expect(readClaims("opaque-token")).to.equal(undefined);
    // Two or four segments are not a JWT, even when the second one is JSON.
    const payload = Buffer.from(JSON.stringify({ aud: "x" })).toString("base64url");
    expect(readClaims(`e30.${payload}`)).to.equal(undefined);
    expect(readClaims(`e30.${payload}.sig.extra`)).to.equal(undefined);
    expect(readClaims(`a.${Buffer.from("not json").toString("base64url")}.c`)).to.equal(undefined);
    expect(readClaims(jwt(42))).to.equal(undefined);
    expect(readClaims(jwt(null))).to.equal(undefined);
  });
});

describe("doctor: the audience check", () => {
  it("passes a token for the configured cloud's Graph, by URL (slash or not) or by Graph's app id", () => {
    expect(audienceCheck({ aud: "https://graph.microsoft.com", tid: TENANT }, globalContext)).to.deep.equal({
      name: "audience",
      verdict: "ok",
      detail: "https://graph.microsoft.com, the Graph of cloud global",
    });
    expect(audienceCheck({ aud: "https://graph.microsoft.com//" }, globalContext).verdict).to.equal("ok");
    expect(audienceCheck({ aud: "https://graph.microsoft.com/" }, globalContext).verdict).to.equal("ok");
    const gov = { cloud: "usgov" as const, graphEndpoint: "https://graph.microsoft.us" };
    expect(audienceCheck({ aud: "00000003-0000-0000-c000-000000000000" }, gov).verdict).to.equal("ok");
    expect(audienceCheck({ aud: ["api://other", "https://graph.microsoft.us"] }, gov).verdict).to.equal("ok");
  });

  it("fails a token for another cloud's Graph, naming both", () => {
    const check = audienceCheck({ aud: "https://graph.microsoft.us" }, globalContext);
    expect(check).to.include({ name: "audience", verdict: "fail" });
    const both = audienceCheck({ aud: ["api://a", "https://graph.microsoft.us"] }, globalContext);
    expect(both.detail).to.contain("the token is for api://a, https://graph.microsoft.us, not");
    expect(check.detail).to.contain("https://graph.microsoft.us, not the Graph of cloud global");
    expect(check.fix).to.contain("set intune:cloud");
    expect(audienceCheck({}, globalContext).detail).to.contain("(none)");
  });

  it("fails a Graph endpoint of another cloud than the one configured", () => {
    const check = audienceCheck(
      { aud: "https://graph.microsoft.us" },
      { cloud: "usgov", graphEndpoint: "https://graph.microsoft.com/" },
    );
    expect(check).to.include({ name: "audience", verdict: "fail" });
    expect(check.detail).to.contain("is the Graph of cloud global");
    expect(check.fix).to.contain("set intune:cloud to global");
  });

  it("lets an emulator or proxy endpoint pass: Graph's answer decides there", () => {
    const local = { cloud: "usgov" as const, graphEndpoint: "https://127.0.0.1:8443" };
    expect(audienceCheck({ aud: "https://graph.microsoft.us" }, local).verdict).to.equal("ok");
  });

  it("fails a token from another tenant than the configured GUID, in any letter case", () => {
    const other = audienceCheck(
      { aud: "https://graph.microsoft.com", tid: "11111111-2222-3333-4444-555555555555" },
      globalContext,
    );
    expect(other).to.include({ name: "audience", verdict: "fail" });
    expect(other.detail).to.contain(`not the configured ${TENANT}`);
    expect(other.fix).to.contain("check intune:tenantId (or AZURE_TENANT_ID)");
    const upper = audienceCheck(
      { aud: "https://graph.microsoft.com", tid: TENANT.toUpperCase() },
      globalContext,
    );
    expect(upper.verdict).to.equal("ok");
    // A tenant given by domain name cannot be compared with the token's GUID.
    const byDomain = audienceCheck(
      { aud: "https://graph.microsoft.com", tid: TENANT },
      { ...globalContext, tenantId: "contoso.onmicrosoft.com" },
    );
    expect(byDomain.verdict).to.equal("ok");
    // A domain that begins like a GUID is still a domain.
    const guidLike = audienceCheck(
      { aud: "https://graph.microsoft.com", tid: TENANT },
      { ...globalContext, tenantId: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee.example.com" },
    );
    expect(guidLike.verdict).to.equal("ok");
  });
});

describe("doctor: the permission check", () => {
  it("passes the write permission as an application role or a delegated scope", () => {
    const app = permissionCheck({ roles: ["DeviceManagementConfiguration.ReadWrite.All"] });
    expect(app).to.include({ name: "permission", verdict: "ok" });
    expect(app.detail).to.contain("application permission");
    const delegated = permissionCheck({ scp: "User.Read DeviceManagementConfiguration.ReadWrite.All" });
    expect(delegated.verdict).to.equal("ok");
    expect(delegated.detail).to.contain("delegated permission");
  });

  it("warns on the read permission alone", () => {
    const check = permissionCheck({ roles: ["DeviceManagementConfiguration.Read.All"] });
    expect(check).to.include({ name: "permission", verdict: "warn" });
    expect(check.detail).to.equal(
      "the token holds DeviceManagementConfiguration.Read.All only: previews, refresh and intune-health work; pulumi up and destroy will be refused (403)",
    );
    expect(check.fix).to.contain("enough for a read-only pipeline");
  });

  it("fails other permissions, naming them, and no roles at all", () => {
    const other = permissionCheck({ roles: ["User.Read.All", "Group.Read.All"] });
    expect(other).to.include({ name: "permission", verdict: "fail" });
    expect(other.detail).to.contain("holds User.Read.All, Group.Read.All, but neither");
    const none = permissionCheck({});
    expect(none.verdict).to.equal("fail");
    expect(none.fix).to.equal(
      "in Entra ID → App registrations → the app → API permissions, add the Microsoft Graph application permission DeviceManagementConfiguration.ReadWrite.All and grant admin consent",
    );
    expect(none.detail).to.contain("holds no roles");
  });
});

describe("doctor: fixes for Entra ID errors", () => {
  const cases: [string, string][] = [
    ["AADSTS7000215: Invalid client secret provided.", "the client secret is wrong"],
    ["AADSTS7000222: The provided client secret keys are expired.", "has expired"],
    ["AADSTS700016: Application with identifier 'x' was not found", "no app with this client id"],
    ["AADSTS90002: Tenant 'x' not found.", "the tenant was not found"],
    ["AADSTS70021: No matching federated identity record found", "federated credential does not match"],
    [
      "AADSTS700027: Client assertion contains an invalid signature.",
      "certificate is not the one registered",
    ],
    [
      "request to https://login.example failed, reason: getaddrinfo ENOTFOUND login.example",
      "could not be reached",
    ],
  ];
  for (const [message, fix] of cases) {
    it(`answers ${message.slice(0, 14)}… with its fix`, () => expect(tokenFix(message)).to.contain(fix));
  }

  it("falls back to the settings for an error it does not know", () => {
    expect(tokenFix("AADSTS12345: something else")).to.contain("check the credential's settings");
  });
});
