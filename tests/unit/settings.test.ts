import { expect } from "chai";
import { chooseAuthMethod, createCredential } from "../../provider/auth/credential";
import { parseCloud } from "../../provider/auth/clouds";
import { ConfigurationError, createLookup, readSecrets, resolveSettings } from "../../provider/auth/settings";

const TENANT = "11111111-2222-3333-4444-555555555555";

function settingsFrom(config: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const lookup = createLookup((key) => config[key], env);
  return { settings: resolveSettings(lookup), secrets: readSecrets(lookup) };
}

describe("connection settings", () => {
  it("defaults to the global cloud", () => {
    const { settings } = settingsFrom({});
    expect(settings.cloud).to.equal("global");
    expect(settings.graphEndpoint).to.equal("https://graph.microsoft.com");
    expect(settings.authorityHost).to.equal("https://login.microsoftonline.com");
    expect(settings.scope).to.equal("https://graph.microsoft.com/.default");
    expect(settings.customEndpoints).to.equal(false);
  });

  it("picks login, Graph and scope together for each national cloud", () => {
    expect(settingsFrom({ "intune:cloud": "usgov" }).settings).to.include({
      graphEndpoint: "https://graph.microsoft.us",
      authorityHost: "https://login.microsoftonline.us",
      scope: "https://graph.microsoft.us/.default",
    });
    expect(settingsFrom({ "intune:cloud": "usgovdod" }).settings).to.include({
      graphEndpoint: "https://dod-graph.microsoft.us",
      authorityHost: "https://login.microsoftonline.us",
      scope: "https://dod-graph.microsoft.us/.default",
    });
    expect(settingsFrom({}, { INTUNE_CLOUD: "china" }).settings).to.include({
      graphEndpoint: "https://microsoftgraph.chinacloudapi.cn",
      authorityHost: "https://login.chinacloudapi.cn",
    });
    expect(parseCloud("AzureUSGovernment")).to.equal("usgov");
    expect(parseCloud("GCC-High")).to.equal("usgov");
  });

  it("prefers stack config over the environment", () => {
    const { settings } = settingsFrom(
      { "intune:tenantId": TENANT },
      { AZURE_TENANT_ID: "contoso.onmicrosoft.com" },
    );
    expect(settings.tenantId).to.equal(TENANT);
  });

  it("keeps the cloud's scope when the endpoints are overridden (emulator, proxy)", () => {
    const { settings } = settingsFrom(
      {},
      { INTUNE_GRAPH_ENDPOINT: "https://127.0.0.1:8443/", AZURE_AUTHORITY_HOST: "https://127.0.0.1:8443" },
    );
    expect(settings.graphEndpoint).to.equal("https://127.0.0.1:8443");
    expect(settings.scope).to.equal("https://graph.microsoft.com/.default");
    expect(settings.customEndpoints).to.equal(true);
  });

  it("refuses plain http except on loopback", () => {
    expect(() => settingsFrom({ "intune:graphEndpoint": "http://graph.example.com" })).to.throw(
      ConfigurationError,
      /intune:graphEndpoint \(or INTUNE_GRAPH_ENDPOINT\) must use https/,
    );
    expect(settingsFrom({ "intune:graphEndpoint": "http://127.0.0.1:9000" }).settings.graphEndpoint).to.equal(
      "http://127.0.0.1:9000",
    );
  });

  it("names the setting, the value and what is accepted for bad values", () => {
    expect(() => settingsFrom({ "intune:cloud": "mars" })).to.throw(
      'intune:cloud (or INTUNE_CLOUD) is "mars"; accepted: global, usgov, usgovdod, china',
    );
    expect(() => settingsFrom({ "intune:authMethod": "password" })).to.throw(
      /accepted: clientSecret, clientCertificate/,
    );
    expect(() => settingsFrom({ "intune:tenantId": "not a tenant" })).to.throw(
      /must be a tenant GUID or a domain/,
    );
    expect(() => settingsFrom({ "intune:maxAttempts": "-1" })).to.throw(
      /must be a positive number, got "-1"/,
    );
  });

  it("reads retry and rate settings", () => {
    const { settings } = settingsFrom({
      "intune:maxAttempts": "3",
      "intune:requestTimeoutSeconds": "2.5",
      "intune:deadlineSeconds": "60",
      "intune:writesPer20Seconds": "50",
    });
    expect(settings.retry).to.deep.equal({ maxAttempts: 3, requestTimeoutMs: 2500, deadlineMs: 60_000 });
    expect(settings.limits.writes).to.equal(50);
  });

  it("keeps secrets out of the settings object", () => {
    const { settings, secrets } = settingsFrom({ "intune:clientSecret": "s3cr3t-value" });
    expect(JSON.stringify(settings)).not.to.contain("s3cr3t-value");
    expect(secrets.clientSecret).to.equal("s3cr3t-value");
  });
});

describe("credential choice", () => {
  const base = () => settingsFrom({ "intune:tenantId": TENANT, "intune:clientId": TENANT }).settings;

  it("follows the documented order", () => {
    expect(chooseAuthMethod(base(), { clientSecret: "s", clientCertificatePath: "c" }, {})).to.equal(
      "clientSecret",
    );
    expect(chooseAuthMethod(base(), { clientCertificatePath: "c", federatedTokenFile: "f" }, {})).to.equal(
      "clientCertificate",
    );
    expect(chooseAuthMethod(base(), { federatedTokenFile: "f" }, {})).to.equal("workloadIdentity");
    expect(chooseAuthMethod(base(), {}, { IDENTITY_ENDPOINT: "http://x" })).to.equal("managedIdentity");
    expect(chooseAuthMethod(base(), {}, {})).to.equal("azureCli");
  });

  it("honours an explicit method", () => {
    const settings = { ...base(), authMethod: "azureCli" as const };
    expect(chooseAuthMethod(settings, { clientSecret: "s" }, {})).to.equal("azureCli");
  });

  it("names the missing setting for the chosen method", () => {
    const settings = settingsFrom({ "intune:tenantId": TENANT }).settings;
    expect(() => createCredential(settings, { clientSecret: "s" }, "clientSecret")).to.throw(
      "authentication with clientSecret needs intune:clientId (or AZURE_CLIENT_ID)",
    );
    expect(() => createCredential(base(), {}, "workloadIdentity")).to.throw(
      /needs intune:federatedTokenFile/,
    );
  });

  it("builds each kind of credential", () => {
    const names = [
      createCredential(base(), { clientSecret: "s" }, "clientSecret"),
      createCredential(base(), { clientCertificatePath: "/tmp/c.pem" }, "clientCertificate"),
      createCredential(base(), { federatedTokenFile: "/tmp/t" }, "workloadIdentity"),
      createCredential(base(), {}, "managedIdentity"),
      createCredential(base(), {}, "azureCli"),
    ].map((c) => c.constructor.name);
    expect(names).to.deep.equal([
      "ClientSecretCredential",
      "ClientCertificateCredential",
      "WorkloadIdentityCredential",
      "ManagedIdentityCredential",
      "AzureCliCredential",
    ]);
  });
});
