import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { AccessToken, TokenCredential } from "@azure/identity";
import {
  CredentialTokenSource,
  chooseAuthMethod,
  createCredential,
} from "pulumi-intune-domain-join/internal/auth/credential";
import { parseCloud } from "pulumi-intune-domain-join/internal/logic/clouds";
import {
  ConfigurationError,
  createLookup,
  readSecrets,
  resolveSettings,
  where,
} from "pulumi-intune-domain-join/internal/config/settings";
import { AuthenticationError } from "pulumi-intune-domain-join/internal/auth/errors";
import { FakeClock } from "intune-test-support/fake-clock";
import { ScriptedServer } from "intune-test-support/scripted-server";
import { thrown } from "intune-test-support/thrown";

const TENANT = "11111111-2222-3333-4444-555555555555";

function settingsFrom(config: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const lookup = createLookup((key) => config[key], env);
  return { settings: resolveSettings(lookup), secrets: readSecrets(lookup) };
}

/** Runs `fn` with these process environment variables set (undefined: unset), then restores them. */
async function withProcessEnv<T>(vars: NodeJS.ProcessEnv, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: NodeJS.ProcessEnv) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
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
      scope: "https://microsoftgraph.chinacloudapi.cn/.default",
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

  it("falls back to the environment when stack config holds an empty string", () => {
    const { settings } = settingsFrom(
      { "intune:tenantId": "", "intune:clientId": "" },
      { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: "22222222-3333-4444-5555-666666666666" },
    );
    expect(settings.tenantId).to.equal(TENANT);
    expect(settings.clientId).to.equal("22222222-3333-4444-5555-666666666666");
  });

  it("treats an empty environment variable as unset", () => {
    const { settings } = settingsFrom({}, { INTUNE_CLOUD: "", AZURE_TENANT_ID: "", AZURE_CLIENT_ID: "" });
    expect(settings.cloud).to.equal("global");
    expect(settings.tenantId).to.equal(undefined);
    expect(settings.clientId).to.equal(undefined);
  });

  it("tries each environment variable of a setting in order, skipping unset and empty ones", () => {
    const proxy = { key: "proxy", env: ["FIRST_PROXY", "SECOND_PROXY"] };
    expect(createLookup(undefined, { SECOND_PROXY: "b" })(proxy)).to.equal("b");
    expect(createLookup(undefined, { FIRST_PROXY: "", SECOND_PROXY: "b" })(proxy)).to.equal("b");
    expect(createLookup(undefined, { FIRST_PROXY: "a", SECOND_PROXY: "b" })(proxy)).to.equal("a");
    expect(createLookup(undefined, {})(proxy)).to.equal(undefined);
  });

  it("names a setting in messages with every environment variable, comma-separated", () => {
    expect(where({ key: "proxy", env: ["FIRST_PROXY", "SECOND_PROXY"] })).to.equal(
      "intune:proxy (or FIRST_PROXY, SECOND_PROXY)",
    );
    expect(where({ key: "proxy", env: ["FIRST_PROXY", "SECOND_PROXY"], envOnly: true })).to.equal(
      "FIRST_PROXY, SECOND_PROXY",
    );
  });

  it("throws a ConfigurationError naming the setting and an example when an endpoint is not a URL", () => {
    const graph = thrown(() => settingsFrom({ "intune:graphEndpoint": "graph.contoso" }));
    expect(graph).to.be.instanceOf(ConfigurationError);
    expect(graph.name).to.equal("ConfigurationError");
    expect(graph.message).to.equal(
      'intune:graphEndpoint (or INTUNE_GRAPH_ENDPOINT) must be a URL such as https://graph.microsoft.com, got "graph.contoso"',
    );
    const authority = thrown(() =>
      settingsFrom({ "intune:cloud": "usgov" }, { AZURE_AUTHORITY_HOST: "login" }),
    );
    expect(authority.message).to.equal(
      'intune:authorityHost (or AZURE_AUTHORITY_HOST) must be a URL such as https://login.microsoftonline.us, got "login"',
    );
  });

  it("refuses zero for a setting that must be a positive number", () => {
    const error = thrown(() => settingsFrom({ "intune:maxAttempts": "0" }));
    expect(error).to.be.instanceOf(ConfigurationError);
    expect(error.message).to.equal(
      'intune:maxAttempts (or INTUNE_MAX_ATTEMPTS) must be a positive number, got "0"',
    );
  });

  it("accepts a tenant domain and refuses a URL, a trailing path or a one-letter top-level domain", () => {
    expect(settingsFrom({ "intune:tenantId": "contoso.onmicrosoft.com" }).settings.tenantId).to.equal(
      "contoso.onmicrosoft.com",
    );
    expect(settingsFrom({}, { AZURE_TENANT_ID: "Fabrikam-EU.co.uk" }).settings.tenantId).to.equal(
      "Fabrikam-EU.co.uk",
    );
    const refused = (tenant: string) => thrown(() => settingsFrom({ "intune:tenantId": tenant })).message;
    expect(refused("https://login.microsoftonline.com/contoso.onmicrosoft.com")).to.equal(
      'intune:tenantId (or AZURE_TENANT_ID) must be a tenant GUID or a domain such as contoso.onmicrosoft.com, got "https://login.microsoftonline.com/contoso.onmicrosoft.com"',
    );
    expect(refused(`${TENANT}/v2.0`)).to.equal(
      'intune:tenantId (or AZURE_TENANT_ID) must be a tenant GUID or a domain such as contoso.onmicrosoft.com, got "11111111-2222-3333-4444-555555555555/v2.0"',
    );
    expect(refused("contoso.onmicrosoft.com/")).to.equal(
      'intune:tenantId (or AZURE_TENANT_ID) must be a tenant GUID or a domain such as contoso.onmicrosoft.com, got "contoso.onmicrosoft.com/"',
    );
    expect(refused("contoso.c")).to.equal(
      'intune:tenantId (or AZURE_TENANT_ID) must be a tenant GUID or a domain such as contoso.onmicrosoft.com, got "contoso.c"',
    );
  });

  it("counts either Graph or the authority overridden alone as custom endpoints", () => {
    expect(settingsFrom({ "intune:graphEndpoint": "https://127.0.0.1:8443" }).settings).to.include({
      graphEndpoint: "https://127.0.0.1:8443",
      authorityHost: "https://login.microsoftonline.com",
      customEndpoints: true,
    });
    expect(settingsFrom({}, { AZURE_AUTHORITY_HOST: "https://127.0.0.1:8443" }).settings).to.include({
      graphEndpoint: "https://graph.microsoft.com",
      authorityHost: "https://127.0.0.1:8443",
      customEndpoints: true,
    });
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

describe("credentials against stand-ins for the Azure CLI and the host's identity endpoint", () => {
  let bin: string;
  before(async () => {
    // A stand-in for `az` that answers with its own arguments as the access token.
    bin = await fs.mkdtemp(path.join(os.tmpdir(), "intune-fake-az-"));
    await fs.writeFile(
      path.join(bin, "az"),
      '#!/bin/sh\nprintf \'{"accessToken":"%s","expires_on":4102444800,"tokenType":"Bearer"}\' "$*"\n',
      { mode: 0o755 },
    );
  });
  after(() => fs.rm(bin, { recursive: true, force: true }));

  it("azureCli asks `az account get-access-token` for the named tenant, and for none when unnamed", async function () {
    if (process.platform === "win32") this.skip();
    const tokenFrom = (config: Record<string, string>) =>
      withProcessEnv({ PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` }, async () => {
        const credential = createCredential(settingsFrom(config).settings, {}, "azureCli");
        return (await credential.getToken("https://graph.microsoft.com/.default"))?.token;
      });
    expect(await tokenFrom({ "intune:tenantId": "contoso.onmicrosoft.com" })).to.equal(
      "account get-access-token --output json --resource https://graph.microsoft.com --tenant contoso.onmicrosoft.com",
    );
    expect(await tokenFrom({})).to.equal(
      "account get-access-token --output json --resource https://graph.microsoft.com",
    );
  });

  it("managedIdentity asks the App Service identity endpoint for the token of the named client id", async () => {
    const identity = await appServiceIdentityEndpoint();
    identity.requests.length = 0;
    // MSAL caches managed identity tokens per client id for the whole process: a new id each run.
    const clientId = randomUUID();
    const { settings } = settingsFrom({ "intune:tenantId": TENANT, "intune:clientId": clientId });
    const token = await withProcessEnv(
      {
        IDENTITY_ENDPOINT: `${identity.origin}/msi/token`,
        IDENTITY_HEADER: "identity-header-value",
        IDENTITY_SERVER_THUMBPRINT: undefined,
        MSI_ENDPOINT: undefined,
        MSI_SECRET: undefined,
        AZURE_FEDERATED_TOKEN_FILE: undefined,
      },
      async () =>
        createCredential(settings, {}, "managedIdentity").getToken("https://graph.microsoft.com/.default"),
    );
    expect(token?.token).to.equal("managed-identity-token");
    expect(identity.requests.map((r) => r.url)).to.deep.equal([
      `/msi/token?api-version=2019-08-01&resource=https%3A%2F%2Fgraph.microsoft.com&client_id=${clientId}`,
    ]);
    expect(identity.requests[0].headers["x-identity-header"]).to.equal("identity-header-value");
  });
});

let appServiceIdentity: Promise<ScriptedServer> | undefined;
/**
 * A stand-in for App Service's identity endpoint. MSAL fixes the managed identity source, and so
 * this endpoint, at its first token request for the life of the process; a test runner that runs
 * the tests again in one process must find it at the same address, so it is started once and
 * left running (mocha exits with --exit).
 */
function appServiceIdentityEndpoint(): Promise<ScriptedServer> {
  appServiceIdentity ??= new ScriptedServer().start().then((server) =>
    server.always({
      status: 200,
      body: {
        access_token: "managed-identity-token",
        expires_on: "4102444800",
        resource: "https://graph.microsoft.com",
        token_type: "Bearer",
      },
    }),
  );
  return appServiceIdentity;
}

/** A credential that hands out token-1, token-2, … each expiring when `expiresOn` says. */
class NumberedTokens implements TokenCredential {
  calls = 0;
  constructor(private readonly expiresOn: () => number) {}
  getToken(): Promise<AccessToken> {
    this.calls++;
    return Promise.resolve({ token: `token-${this.calls}`, expiresOnTimestamp: this.expiresOn() });
  }
}

describe("token source", () => {
  const T0 = 1_700_000_000_000;

  it("reuses a one-hour token until exactly five minutes before it expires", async () => {
    const clock = new FakeClock(T0);
    const credential = new NumberedTokens(() => clock.now() + 3_600_000);
    // The refresh margin left at its default.
    const tokens = new CredentialTokenSource(
      () => credential,
      "scope",
      "test",
      () => [],
      undefined,
      clock,
    );
    expect(await tokens.getToken()).to.equal("token-1");
    expect(tokens.tokensIssued).to.equal(1);
    clock.time = T0 + 3_600_000 - 300_001;
    expect(await tokens.getToken()).to.equal("token-1");
    clock.time = T0 + 3_600_000 - 300_000;
    expect(await tokens.getToken()).to.equal("token-2");
    expect(tokens.tokensIssued).to.equal(2);
    expect(credential.calls).to.equal(2);
  });

  it("reuses a one-minute token until exactly half its lifetime", async () => {
    const clock = new FakeClock(T0);
    const credential = new NumberedTokens(() => clock.now() + 60_000);
    const tokens = new CredentialTokenSource(
      () => credential,
      "scope",
      "test",
      () => [],
      300_000,
      clock,
    );
    expect(await tokens.getToken()).to.equal("token-1");
    clock.time = T0 + 29_999;
    expect(await tokens.getToken()).to.equal("token-1");
    clock.time = T0 + 30_000;
    expect(await tokens.getToken()).to.equal("token-2");
    expect(tokens.tokensIssued).to.equal(2);
  });

  it("fails with AuthenticationError naming the credential when it returns no token", async () => {
    const none: TokenCredential = { getToken: () => Promise.resolve(null) };
    const tokens = new CredentialTokenSource(
      () => none,
      "scope",
      "clientSecret, tenant contoso.onmicrosoft.com",
    );
    const error = await tokens.getToken().then(
      () => expect.fail("getToken should fail"),
      (e: unknown) => e as Error,
    );
    expect(error).to.be.instanceOf(AuthenticationError);
    expect(error.message).to.equal(
      "authentication failed (clientSecret, tenant contoso.onmicrosoft.com): no token was returned",
    );
    expect(tokens.tokensIssued).to.equal(0);
  });
});
