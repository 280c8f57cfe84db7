/**
 * Federated credential choice and construction (GitHub Actions, Azure Pipelines) and the GitHub
 * Actions ID token request, against a scripted loopback server. End to end runs with the real
 * token exchange are in tests/integration/federated-auth.test.ts.
 */
import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { chooseAuthMethod, createCredential } from "pulumi-intune-domain-join/internal/auth/credential";
import { fetchGithubIdToken, need } from "pulumi-intune-domain-join/internal/auth/federated";
import {
  AUTH_METHODS,
  ConfigurationError,
  SETTINGS,
  createLookup,
  readSecrets,
  resolveSettings,
  secretValues,
} from "pulumi-intune-domain-join/internal/config/settings";
import { ScriptedServer } from "intune-test-support/scripted-server";
import { thrown } from "intune-test-support/thrown";
import { rejection } from "intune-test-support/thrown";

const TENANT = "11111111-2222-3333-4444-555555555555";
const CLIENT = "66666666-7777-8888-9999-000000000000";
const GITHUB = {
  ACTIONS_ID_TOKEN_REQUEST_URL: "https://pipelines.actions.githubusercontent.com/abc/idtoken?api-version=2.0",
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: "gh-request-token-123456",
};
const ADO = {
  SYSTEM_OIDCREQUESTURI:
    "https://dev.azure.com/contoso/0f6b/_apis/distributedtask/hubs/build/plans/1/jobs/2/oidctoken",
  SYSTEM_ACCESSTOKEN: "ado-access-token-123456",
  AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: "9b4c2f1e-0d3a-4e57-8a69-1b2c3d4e5f60",
};

function from(env: NodeJS.ProcessEnv, config: Record<string, string> = {}) {
  const lookup = createLookup((key) => config[key], env);
  return { lookup, settings: resolveSettings(lookup), secrets: readSecrets(lookup) };
}
const named = { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT };

describe("federated auth methods", () => {
  it("sit between workloadIdentity and managedIdentity", () => {
    const order = AUTH_METHODS.join(",");
    expect(order).to.contain("workloadIdentity,githubActions,azurePipelines,managedIdentity");
  });

  it("are chosen in the documented order", () => {
    const pick = (env: NodeJS.ProcessEnv) => {
      const { settings, secrets } = from(env);
      return chooseAuthMethod(settings, secrets, env);
    };
    expect(pick({ ...named, ...GITHUB, AZURE_FEDERATED_TOKEN_FILE: "/t" })).to.equal("workloadIdentity");
    expect(pick({ ...named, ...GITHUB, ...ADO })).to.equal("githubActions");
    expect(pick({ ...named, ...ADO, IDENTITY_ENDPOINT: "http://169.254.169.254" })).to.equal(
      "azurePipelines",
    );
    // Both GitHub variables are needed (a job without `id-token: write` has neither).
    expect(pick({ ...named, ACTIONS_ID_TOKEN_REQUEST_URL: GITHUB.ACTIONS_ID_TOKEN_REQUEST_URL })).to.equal(
      "azureCli",
    );
    // An Azure Pipelines job without a service connection named is not enough.
    expect(pick({ ...named, SYSTEM_OIDCREQUESTURI: ADO.SYSTEM_OIDCREQUESTURI })).to.equal("azureCli");
    // Without the app named, CI variables choose nothing.
    expect(pick({ AZURE_TENANT_ID: TENANT, ...GITHUB })).to.equal("azureCli");
    expect(pick({ AZURE_CLIENT_ID: CLIENT, ...ADO })).to.equal("azureCli");
  });

  it("reads the CI variables from the environment only, never from stack config", () => {
    const { secrets } = from(
      {},
      {
        "intune:actionsIdTokenRequestUrl": "https://evil.example/idtoken",
        "intune:systemAccessToken": "x",
        "intune:serviceConnectionId": ADO.AZURESUBSCRIPTION_SERVICE_CONNECTION_ID,
      },
    );
    expect(secrets.actionsIdTokenRequestUrl).to.equal(undefined);
    expect(secrets.systemAccessToken).to.equal(undefined);
    expect(secrets.serviceConnectionId).to.equal(ADO.AZURESUBSCRIPTION_SERVICE_CONNECTION_ID);
    expect(SETTINGS.actionsIdTokenRequestToken).to.include({ secret: true, envOnly: true });
  });

  it("lists the secret values for scrubbing, not the URLs or the service connection id", () => {
    const { secrets } = from({ ...named, ...GITHUB, ...ADO, AZURE_CLIENT_SECRET: "s3cr3t" });
    expect(secretValues(secrets).sort()).to.deep.equal(
      ["s3cr3t", GITHUB.ACTIONS_ID_TOKEN_REQUEST_TOKEN, ADO.SYSTEM_ACCESSTOKEN].sort(),
    );
  });

  it("keeps the request tokens out of the settings object", () => {
    const { settings } = from({ ...named, ...GITHUB, ...ADO });
    const text = JSON.stringify(settings);
    expect(text).not.to.contain(GITHUB.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
    expect(text).not.to.contain(ADO.SYSTEM_ACCESSTOKEN);
  });

  it("build ClientAssertionCredential and AzurePipelinesCredential", () => {
    const gh = from({ ...named, ...GITHUB });
    expect(createCredential(gh.settings, gh.secrets, "githubActions").constructor.name).to.equal(
      "ClientAssertionCredential",
    );
    const ado = from({ ...named, ...ADO });
    const before = process.env.SYSTEM_OIDCREQUESTURI;
    expect(createCredential(ado.settings, ado.secrets, "azurePipelines").constructor.name).to.equal(
      "AzurePipelinesCredential",
    );
    expect(process.env.SYSTEM_OIDCREQUESTURI).to.equal(before);
  });

  it("put the pipeline's OIDC URL in process.env only while the credential is built", () => {
    const ado = from({ ...named, ...ADO });
    const saved = process.env.SYSTEM_OIDCREQUESTURI;
    try {
      process.env.SYSTEM_OIDCREQUESTURI = "https://dev.azure.com/other/oidctoken";
      createCredential(ado.settings, ado.secrets, "azurePipelines");
      expect(process.env.SYSTEM_OIDCREQUESTURI).to.equal("https://dev.azure.com/other/oidctoken");
      delete process.env.SYSTEM_OIDCREQUESTURI;
      createCredential(ado.settings, ado.secrets, "azurePipelines");
      expect("SYSTEM_OIDCREQUESTURI" in process.env).to.equal(false);
    } finally {
      if (saved === undefined) delete process.env.SYSTEM_OIDCREQUESTURI;
      else process.env.SYSTEM_OIDCREQUESTURI = saved;
    }
  });

  it("name the missing setting", () => {
    const build = (env: NodeJS.ProcessEnv, method: "githubActions" | "azurePipelines") => {
      const { settings, secrets } = from(env);
      return () => createCredential(settings, secrets, method);
    };
    expect(build({ ...GITHUB, AZURE_TENANT_ID: TENANT }, "githubActions")).to.throw(
      ConfigurationError,
      "authentication with githubActions needs intune:clientId (or AZURE_CLIENT_ID)",
    );
    expect(build({ ...named }, "githubActions")).to.throw(
      ConfigurationError,
      /needs ACTIONS_ID_TOKEN_REQUEST_URL \(set by GitHub Actions when the job has `permissions: id-token: write`\)/,
    );
    const noSc = { ...named, ...ADO, AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: undefined };
    expect(build(noSc, "azurePipelines")).to.throw(
      "authentication with azurePipelines needs intune:serviceConnectionId (or AZURESUBSCRIPTION_SERVICE_CONNECTION_ID)",
    );
    expect(build({ ...named, ...ADO, SYSTEM_OIDCREQUESTURI: undefined }, "azurePipelines")).to.throw(
      "needs SYSTEM_OIDCREQUESTURI",
    );
    expect(build({ ...named, ...ADO, SYSTEM_ACCESSTOKEN: undefined }, "azurePipelines")).to.throw(
      "needs SYSTEM_ACCESSTOKEN (map it into the step: `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`)",
    );
  });

  it("give the whole hint when an Azure Pipelines job variable or the service connection is missing", () => {
    const build = (env: NodeJS.ProcessEnv) => {
      const { settings, secrets } = from(env);
      return thrown(() => createCredential(settings, secrets, "azurePipelines"));
    };
    expect(build({ ...named, ...ADO, SYSTEM_OIDCREQUESTURI: undefined }).message).to.equal(
      "authentication with azurePipelines needs SYSTEM_OIDCREQUESTURI (set by Azure Pipelines in every job)",
    );
    const noSc = build({ ...named, ...ADO, AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: undefined });
    expect(noSc).to.be.instanceOf(ConfigurationError);
    expect(noSc.message).to.equal(
      "authentication with azurePipelines needs intune:serviceConnectionId (or AZURESUBSCRIPTION_SERVICE_CONNECTION_ID) (the workload identity service connection's id; AzureCLI@2 sets the variable)",
    );
  });

  it("name a setting that has no hint by its config key and variable alone", () => {
    const error = thrown(() => need(undefined, "tenantId", "githubActions"));
    expect(error).to.be.instanceOf(ConfigurationError);
    expect(error.message).to.equal(
      "authentication with githubActions needs intune:tenantId (or AZURE_TENANT_ID)",
    );
  });

  it("name the variable and an example when a CI token endpoint is not a URL, without the tokens", () => {
    const gh = from({ ...named, ...GITHUB, ACTIONS_ID_TOKEN_REQUEST_URL: "pipelines/idtoken" });
    const ghError = thrown(() => createCredential(gh.settings, gh.secrets, "githubActions"));
    expect(ghError).to.be.instanceOf(ConfigurationError);
    expect(ghError.message).to.equal(
      'ACTIONS_ID_TOKEN_REQUEST_URL must be a URL such as https://pipelines.actions.githubusercontent.com/…/idtoken?api-version=2.0, got "pipelines/idtoken"',
    );
    const ado = from({ ...named, ...ADO, SYSTEM_OIDCREQUESTURI: "dev.azure.com/contoso/oidctoken" });
    const adoError = thrown(() => createCredential(ado.settings, ado.secrets, "azurePipelines"));
    expect(adoError).to.be.instanceOf(ConfigurationError);
    expect(adoError.message).to.equal(
      'SYSTEM_OIDCREQUESTURI must be a URL such as https://dev.azure.com/…/oidctoken, got "dev.azure.com/contoso/oidctoken"',
    );
    for (const e of [ghError, adoError]) {
      expect(e.message).not.to.contain(GITHUB.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
      expect(e.message).not.to.contain(ADO.SYSTEM_ACCESSTOKEN);
    }
  });

  it("refuse token endpoints over plain http except on loopback", () => {
    const gh = from({ ...named, ...GITHUB, ACTIONS_ID_TOKEN_REQUEST_URL: "http://tokens.example/idtoken" });
    expect(() => createCredential(gh.settings, gh.secrets, "githubActions")).to.throw(
      ConfigurationError,
      "ACTIONS_ID_TOKEN_REQUEST_URL must use https (http only on loopback addresses)",
    );
    const local = from({ ...named, ...GITHUB, ACTIONS_ID_TOKEN_REQUEST_URL: "http://127.0.0.1:1/idtoken" });
    expect(() => createCredential(local.settings, local.secrets, "githubActions")).not.to.throw();
    const ado = from({ ...named, ...ADO, SYSTEM_OIDCREQUESTURI: "http://dev.azure.example/oidctoken" });
    expect(() => createCredential(ado.settings, ado.secrets, "azurePipelines")).to.throw(
      "SYSTEM_OIDCREQUESTURI must use https",
    );
    // @azure/identity sends the Azure DevOps request over https only, loopback or not.
    const adoLocal = from({ ...named, ...ADO, SYSTEM_OIDCREQUESTURI: "http://127.0.0.1:1/oidctoken" });
    expect(() => createCredential(adoLocal.settings, adoLocal.secrets, "azurePipelines")).to.throw(
      /@azure\/identity refuses http/,
    );
  });
});

describe("GitHub Actions ID token request", () => {
  let server: ScriptedServer;
  beforeEach(async () => {
    server = await new ScriptedServer().start();
  });
  afterEach(() => server.stop());

  it("asks for Entra's audience with the request token and returns the value", async () => {
    server.answer({ status: 200, body: { count: 1, value: "header.payload.signature" } });
    const token = await fetchGithubIdToken(`${server.origin}/idtoken?api-version=2.0`, "req-token-abc");
    expect(token).to.equal("header.payload.signature");
    expect(server.requests).to.have.length(1);
    const [req] = server.requests;
    expect(req.method).to.equal("GET");
    expect(req.url).to.equal("/idtoken?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange");
    expect(req.headers.authorization).to.equal("Bearer req-token-abc");
    expect(req.headers.accept).to.equal("application/json; api-version=2.0");
  });

  it("names the variable and an example when the request URL read at call time is not a URL", async () => {
    const error = await rejection(
      fetchGithubIdToken("idtoken?api-version=2.0", "req-token-that-must-not-leak"),
    );
    expect(error).to.be.instanceOf(ConfigurationError);
    expect(error.message).to.equal(
      'ACTIONS_ID_TOKEN_REQUEST_URL must be a URL such as https://…/idtoken, got "idtoken?api-version=2.0"',
    );
    expect(server.requests).to.have.length(0);
  });

  it("reports another error status with the endpoint (no query), the body and no permissions hint", async () => {
    server.answer({ status: 500, body: { message: "internal" } });
    const error = await rejection(
      fetchGithubIdToken(`${server.origin}/idtoken?api-version=2.0`, "req-token-abc"),
    );
    expect(error.message).to.equal(
      `GitHub Actions ID token request to ${server.origin}/idtoken answered 500: {"message":"internal"}`,
    );
    // Asked once: the job's token endpoint is not retried (the provider's own retries decide).
    expect(server.requests).to.have.length(1);
  });

  it("does not follow a redirect: the request token goes to the URL the job gave and nowhere else", async () => {
    server.answer({ status: 302, headers: { location: "/elsewhere" }, body: "" });
    const error = await rejection(fetchGithubIdToken(`${server.origin}/idtoken`, "req-token-abc"));
    expect(error.message).to.contain(
      `GitHub Actions ID token request to ${server.origin}/idtoken answered 302`,
    );
    expect(server.requests.map((r) => r.url)).to.deep.equal([
      "/idtoken?audience=api%3A%2F%2FAzureADTokenExchange",
    ]);
  });

  it("adds the permissions hint to a 401 answer", async () => {
    server.answer({ status: 401, body: { message: "Unauthorized" } });
    const error = await rejection(
      fetchGithubIdToken(`${server.origin}/idtoken?api-version=2.0`, "req-token-abc"),
    );
    expect(error.message).to.equal(
      `GitHub Actions ID token request to ${server.origin}/idtoken answered 401: {"message":"Unauthorized"}` +
        " (is ACTIONS_ID_TOKEN_REQUEST_TOKEN from this job, and does the job have `permissions: id-token: write`?)",
    );
  });

  it("quotes only the first 300 characters of an error answer's body", async () => {
    server.answer({ status: 502, body: "a".repeat(300) + "b".repeat(50) });
    const error = await rejection(fetchGithubIdToken(`${server.origin}/idtoken`, "req-token-abc"));
    expect(error.message).to.equal(
      `GitHub Actions ID token request to ${server.origin}/idtoken answered 502: ${"a".repeat(300)}`,
    );
  });

  it("refuses a 200 answer whose value is an empty string", async () => {
    server.answer({ status: 200, body: { count: 1, value: "" } });
    const error = await rejection(fetchGithubIdToken(`${server.origin}/idtoken`, "req-token-abc"));
    expect(error.message).to.equal(
      `GitHub Actions ID token request to ${server.origin}/idtoken answered 200 without a "value" token`,
    );
  });

  it("reports a connection dropped before any answer as failed, without the request token", async () => {
    const requestToken = "req-token-that-must-not-leak";
    server.answer({ drop: true });
    const error = await rejection(
      fetchGithubIdToken(`${server.origin}/idtoken?api-version=2.0`, requestToken),
    );
    expect(error.message).to.equal(
      `GitHub Actions ID token request to ${server.origin}/idtoken failed: socket hang up`,
    );
    expect(error.message).not.to.contain(requestToken);
  });

  it("accepts an answer of exactly 64 KiB and refuses one a byte larger", async () => {
    // {"value":"…"} is 12 characters around the token.
    server.answer(
      { status: 200, body: `{"value":"${"t".repeat(65_536 - 12)}"}` },
      { status: 200, body: `{"value":"${"t".repeat(65_536 - 11)}"}` },
    );
    const url = `${server.origin}/idtoken`;
    expect(await fetchGithubIdToken(url, "req-token-abc")).to.equal("t".repeat(65_524));
    const error = await rejection(fetchGithubIdToken(url, "req-token-abc"));
    expect(error.message).to.equal(
      `GitHub Actions ID token request to ${server.origin}/idtoken failed: response larger than 65536 bytes`,
    );
  });

  it("gives up after the timeout it is given, naming it, when no answer comes", async () => {
    server.answer({ status: 200, body: { value: "late.token.value" }, delayMs: 2_000 });
    const started = Date.now();
    const error = await rejection(
      fetchGithubIdToken(`${server.origin}/idtoken`, "req-token-abc", { timeoutMs: 150 }),
    );
    expect(error.message).to.equal(
      `GitHub Actions ID token request to ${server.origin}/idtoken failed: no answer within 150 ms`,
    );
    expect(Date.now() - started).to.be.lessThan(1_500);
  });

  it("counts the body in the timeout: headers followed by a stalled body fail too", async () => {
    const stalling = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      res.write('{"value":');
    });
    await new Promise<void>((resolve) => stalling.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(stalling.address() as AddressInfo).port}`;
    try {
      const error = await rejection(
        fetchGithubIdToken(`${origin}/idtoken`, "req-token-abc", { timeoutMs: 200 }),
      );
      expect(error.message).to.equal(
        `GitHub Actions ID token request to ${origin}/idtoken failed: no answer within 200 ms`,
      );
    } finally {
      stalling.closeAllConnections();
      await new Promise<void>((resolve) => stalling.close(() => resolve()));
    }
  });

  it("asks for another audience when told to", async () => {
    server.answer({ status: 200, body: { value: "other.audience.token" } });
    await fetchGithubIdToken(`${server.origin}/idtoken`, "req-token-abc", { audience: "api://custom" });
    expect(server.requests[0].url).to.equal("/idtoken?audience=api%3A%2F%2Fcustom");
  });

  it("reports an answer cut off in the middle of its body as failed", async () => {
    // Promises 100 bytes, sends 9, then closes the connection.
    const cutting = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      res.write('{"value":', () => res.socket?.destroy());
    });
    await new Promise<void>((resolve) => cutting.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(cutting.address() as AddressInfo).port}`;
    try {
      const error = await rejection(fetchGithubIdToken(`${origin}/idtoken?api-version=2.0`, "req-token-abc"));
      expect(error.message).to.equal(`GitHub Actions ID token request to ${origin}/idtoken failed: aborted`);
    } finally {
      cutting.closeAllConnections();
      await new Promise<void>((resolve) => cutting.close(() => resolve()));
    }
  });

  it("fails clearly, without the request token, on an error status or a bad body", async () => {
    const requestToken = "req-token-that-must-not-leak";
    server.answer(
      { status: 403, body: { message: `denied for ${requestToken}` } },
      { status: 200, body: { count: 0 } },
      { status: 200, body: "not json" },
    );
    const url = `${server.origin}/idtoken?api-version=2.0`;
    const messages: string[] = [];
    for (let i = 0; i < 3; i++) {
      await fetchGithubIdToken(url, requestToken).then(
        () => expect.fail("should fail"),
        (e: Error) => messages.push(e.message),
      );
    }
    expect(messages[0]).to.match(/answered 403: .*\[redacted\].*id-token: write/);
    expect(messages[1]).to.contain('answered 200 without a "value" token');
    expect(messages[2]).to.contain('answered 200 without a "value" token');
    for (const m of messages) expect(m).not.to.contain(requestToken);
  });

  it("reads the variables at call time when given the lookup", async () => {
    server.always({ status: 200, body: { value: "a.b.c" } });
    const env: NodeJS.ProcessEnv = {
      ...named,
      ACTIONS_ID_TOKEN_REQUEST_URL: `${server.origin}/first?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "first-token",
    };
    const { lookup, settings, secrets } = from(env);
    const credential = createCredential(settings, secrets, "githubActions", lookup);
    env.ACTIONS_ID_TOKEN_REQUEST_URL = `${server.origin}/second?api-version=2.0`;
    env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = "second-token";
    // The authority is the public cloud, unreachable here: only the assertion callback matters.
    const assertion = (credential as unknown as { getAssertion: () => Promise<string> }).getAssertion;
    expect(assertion).to.be.a("function");
    await assertion();
    expect(server.requests[0].url).to.match(/^\/second\?/);
    expect(server.requests[0].headers.authorization).to.equal("Bearer second-token");
  });
});
