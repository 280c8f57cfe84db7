/**
 * Federated credentials end to end, with the real @azure/identity: Kubernetes workload identity
 * (a token file), GitHub Actions (the job's ID token endpoint, a local stand-in) and Azure
 * Pipelines (the Azure DevOps OIDC endpoint, a local stand-in). Each gets a token through the
 * provider's own credential choice, exchanged at the emulator's Entra for a federated credential
 * of an app with no secret, then updates a connector with it.
 */
import { expect } from "chai";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EMULATOR_ISSUER, READ_WRITE_ROLE } from "intune-graph-emulator";
import { chooseAuthMethod } from "pulumi-intune-domain-join/internal/auth/credential";
import {
  ConfigurationError,
  createLookup,
  readSecrets,
  resolveSettings,
} from "pulumi-intune-domain-join/internal/config/settings";
import { CONNECTOR_ODATA_TYPE } from "pulumi-intune-domain-join/internal/connector/constants";
import {
  AzureDevOpsStandIn,
  GithubStandIn,
  startAzureDevOpsStandIn,
  startGithubActionsStandIn,
} from "intune-test-support/federated-issuers";
import { graphCalls, providerFor } from "intune-test-support/provider-harness";
import { useEmulator } from "intune-test-support/emulator";

const PIPELINES_APP = {
  clientId: "5b1e7c3d-8a2f-4d69-b0e4-7c9a1f3e5d28",
  displayName: "pipelines",
};
const K8S_SUBJECT = "system:serviceaccount:intune:pulumi";
const GITHUB_SUBJECT = "repo:contoso/intune:environment:production";
const ADO_SUBJECT = "sc://contoso/intune/intune-prod";

/** Environment variables that must not leak from the test process into a provider's choice. */
const CLEARED: NodeJS.ProcessEnv = {
  AZURE_CLIENT_SECRET: undefined,
  AZURE_CLIENT_CERTIFICATE_PATH: undefined,
  AZURE_FEDERATED_TOKEN_FILE: undefined,
  ACTIONS_ID_TOKEN_REQUEST_URL: undefined,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined,
  SYSTEM_OIDCREQUESTURI: undefined,
  SYSTEM_ACCESSTOKEN: undefined,
  AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: undefined,
  IDENTITY_ENDPOINT: undefined,
  MSI_ENDPOINT: undefined,
  INTUNE_AUTH_METHOD: undefined,
};

describe("federated credentials end to end (real @azure/identity, CI token stand-ins)", function () {
  let github: GithubStandIn;
  let ado: AzureDevOpsStandIn;
  let tmp: string;
  let connectorId: string;

  before(async () => {
    [github, ado] = await Promise.all([startGithubActionsStandIn(), startAzureDevOpsStandIn()]);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "intune-federated-"));
  });
  after(async () => {
    await Promise.all([github.close(), ado.close()]);
    await fs.rm(tmp, { recursive: true, force: true });
  });
  // Started after the stand-ins (hooks run in order): it trusts their issuers.
  const emulator = useEmulator(() => ({
    apps: [
      {
        ...PIPELINES_APP,
        roles: [READ_WRITE_ROLE],
        federated: [
          { issuer: EMULATOR_ISSUER, subject: K8S_SUBJECT },
          { issuer: github.issuer, subject: GITHUB_SUBJECT },
          { issuer: ado.issuer, subject: ADO_SUBJECT },
        ],
      },
    ],
    trustedIssuers: { [github.issuer]: github.jwks, [ado.issuer]: ado.jwks },
    reset: { seed: [{ displayName: "ODJ Connector – Headquarters", state: "active" }] },
  }));
  beforeEach(() => {
    connectorId = emulator.connectors()[0].id;
    github.setSubject(GITHUB_SUBJECT);
  });

  function pipelinesProvider(env: NodeJS.ProcessEnv) {
    return providerFor(emulator, "pipelines", { env: { ...CLEARED, ...env } });
  }

  function methodFor(env: NodeJS.ProcessEnv): string {
    const lookup = createLookup(undefined, {
      AZURE_TENANT_ID: emulator.tenantId,
      AZURE_CLIENT_ID: PIPELINES_APP.clientId,
      ...env,
    });
    return chooseAuthMethod(resolveSettings(lookup), readSecrets(lookup), env);
  }

  /** Renames the connector through the provider and checks what reached Graph. */
  async function renameWith(env: NodeJS.ProcessEnv, displayName: string) {
    const t = pipelinesProvider(env);
    try {
      const olds = { connectorId, displayName: "ODJ Connector – Headquarters", adopted: true };
      const result = await t.provider.update(connectorId, olds, { connectorId, displayName });
      expect(result.outs).to.include({ connectorId, displayName });
      expect(graphCalls(emulator)).to.deep.equal(["token", "PATCH 200"]);
      const token = emulator.requestLog({ kind: "token" }).find((e) => e.method === "POST");
      expect(token?.status).to.equal(200);
      expect(token?.appId).to.equal(PIPELINES_APP.clientId);
      expect(token?.body).to.include({
        grant_type: "client_credentials",
        client_id: PIPELINES_APP.clientId,
        assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      });
      const patch = emulator.requestLog({ kind: "graph" }).find((e) => e.method === "PATCH");
      expect(patch?.appId).to.equal(PIPELINES_APP.clientId);
      expect(patch?.body).to.deep.equal({ "@odata.type": CONNECTOR_ODATA_TYPE, displayName });
      expect(emulator.connectors()[0].displayName).to.equal(displayName);
      return t;
    } finally {
      t.provider.close();
    }
  }

  describe("Kubernetes workload identity (AZURE_FEDERATED_TOKEN_FILE)", () => {
    it("exchanges the projected token and updates a connector", async () => {
      const file = path.join(tmp, "k8s-token");
      await fs.writeFile(file, await emulator.mintFederatedToken({ subject: K8S_SUBJECT }));
      const env = { AZURE_FEDERATED_TOKEN_FILE: file };
      expect(methodFor(env)).to.equal("workloadIdentity");
      await renameWith(env, "ODJ Connector – HQ (workload identity)");
    });
  });

  describe("GitHub Actions OIDC", () => {
    const githubEnv = () => ({
      ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken,
    });

    it("is chosen when the job can hand out ID tokens and the app is named", () => {
      expect(methodFor(githubEnv())).to.equal("githubActions");
      const lookup = createLookup(undefined, githubEnv());
      expect(chooseAuthMethod(resolveSettings(lookup), readSecrets(lookup), githubEnv())).to.equal(
        "azureCli",
      );
    });

    it("fetches the job's ID token for Entra's audience, exchanges it and updates a connector", async () => {
      const before = github.requests().length;
      await renameWith(githubEnv(), "ODJ Connector – HQ (GitHub Actions)");
      // MSAL asks for the assertion more than once per token (twice with msal-node 7.2): all alike.
      const calls = github.requests().slice(before);
      expect(calls).to.have.length.within(1, 2);
      for (const call of calls) {
        expect(call).to.deep.include({
          method: "GET",
          path: "/_apis/distributedtask/idtoken",
          authorized: true,
          status: 200,
        });
        expect(call.query).to.deep.equal({ "api-version": "2.0", audience: "api://AzureADTokenExchange" });
      }
    });

    it("surfaces AADSTS700213 when the federated credential names another subject", async () => {
      github.setSubject("repo:contoso/intune:pull_request");
      const t = pipelinesProvider(githubEnv());
      try {
        const error = await t.provider
          .update(connectorId, { connectorId, displayName: "x" }, { connectorId, displayName: "y" })
          .then(
            () => undefined,
            (e: unknown) => e as Error,
          );
        expect(error, "update should fail").to.be.instanceOf(Error);
        expect(error!.message).to.contain("AADSTS700213");
        expect(error!.message).to.contain("repo:contoso/intune:pull_request");
        expect(error!.message).to.contain("githubActions");
        expect(graphCalls(emulator).filter((c) => c !== "token")).to.deep.equal([]);
      } finally {
        t.provider.close();
      }
    });

    it("reports a wrong request token as the endpoint's 401, without the token", async () => {
      const wrong = "not-the-job-request-token-0123456789";
      const t = pipelinesProvider({ ...githubEnv(), ACTIONS_ID_TOKEN_REQUEST_TOKEN: wrong });
      try {
        const error = await t.provider.read(connectorId, { connectorId, displayName: "x" }).then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        expect(error, "read should fail").to.be.instanceOf(Error);
        expect(error!.message).to.match(/GitHub Actions ID token request .* answered 401/);
        expect(error!.message).not.to.contain(wrong);
        expect(emulator.summary().token).to.equal(0);
      } finally {
        t.provider.close();
      }
    });

    it("names the missing variable when the method is forced without it", async () => {
      const t = pipelinesProvider({
        INTUNE_AUTH_METHOD: "githubActions",
        ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
      });
      try {
        const error = await t.provider.read(connectorId, { connectorId, displayName: "x" }).then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        expect(error).to.be.instanceOf(ConfigurationError);
        expect(error!.message).to.contain(
          "authentication with githubActions needs ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        );
        expect(error!.message).to.contain("id-token: write");
        expect(emulator.requestLog()).to.deep.equal([]);
      } finally {
        t.provider.close();
      }
    });
  });

  describe("Azure Pipelines (workload identity service connection)", () => {
    const adoEnv = () => ({
      SYSTEM_OIDCREQUESTURI: ado.oidcRequestUri,
      SYSTEM_ACCESSTOKEN: ado.requestToken,
      AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: ado.serviceConnectionId,
    });

    it("is chosen in a pipeline job with a service connection", () => {
      expect(methodFor(adoEnv())).to.equal("azurePipelines");
    });

    it("gets the job's OIDC token through AzurePipelinesCredential, exchanges it and updates a connector", async () => {
      const before = ado.requests().length;
      const processUri = process.env.SYSTEM_OIDCREQUESTURI;
      await renameWith(adoEnv(), "ODJ Connector – HQ (Azure Pipelines)");
      expect(process.env.SYSTEM_OIDCREQUESTURI).to.equal(processUri);
      const calls = ado.requests().slice(before);
      expect(calls).to.have.length.within(1, 2);
      for (const call of calls) {
        expect(call).to.deep.include({ method: "POST", authorized: true, status: 200 });
        expect(call.query).to.deep.equal({
          "api-version": "7.1",
          serviceConnectionId: ado.serviceConnectionId,
        });
      }
    });

    it("takes the service connection id from intune:serviceConnectionId too", async () => {
      const { AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: id, ...rest } = adoEnv();
      const lookup = createLookup((key) => (key === "intune:serviceConnectionId" ? id : undefined), rest);
      expect(readSecrets(lookup).serviceConnectionId).to.equal(id);
    });

    it("names SYSTEM_ACCESSTOKEN when the step does not map it", async () => {
      const t = pipelinesProvider({ ...adoEnv(), SYSTEM_ACCESSTOKEN: undefined });
      try {
        const error = await t.provider.read(connectorId, { connectorId, displayName: "x" }).then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        expect(error).to.be.instanceOf(ConfigurationError);
        expect(error!.message).to.contain("authentication with azurePipelines needs SYSTEM_ACCESSTOKEN");
        expect(error!.message).to.contain("$(System.AccessToken)");
      } finally {
        t.provider.close();
      }
    });

    it("names the service connection setting when the method is forced without it", async () => {
      const t = pipelinesProvider({
        ...adoEnv(),
        AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: undefined,
        INTUNE_AUTH_METHOD: "azurePipelines",
      });
      try {
        const error = await t.provider.read(connectorId, { connectorId, displayName: "x" }).then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        expect(error).to.be.instanceOf(ConfigurationError);
        expect(error!.message).to.contain(
          "needs intune:serviceConnectionId (or AZURESUBSCRIPTION_SERVICE_CONNECTION_ID)",
        );
      } finally {
        t.provider.close();
      }
    });
  });

  it("puts no request token, assertion or access token in errors or in the emulator's log", async () => {
    const errors: string[] = [];
    // Successful runs through both stand-ins, then failing ones (wrong subject, wrong access token).
    await renameWith(
      {
        ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken,
      },
      "one",
    );
    emulator.clearLog();
    await renameWith(
      {
        SYSTEM_OIDCREQUESTURI: ado.oidcRequestUri,
        SYSTEM_ACCESSTOKEN: ado.requestToken,
        AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: ado.serviceConnectionId,
      },
      "two",
    );
    github.setSubject("repo:contoso/intune:ref:refs/heads/feature");
    const wrongAdoToken = "wrong-system-access-token-abcdef123456";
    for (const env of [
      {
        ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken,
      },
      {
        SYSTEM_OIDCREQUESTURI: ado.oidcRequestUri,
        SYSTEM_ACCESSTOKEN: wrongAdoToken,
        AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: ado.serviceConnectionId,
      },
    ]) {
      const t = pipelinesProvider(env);
      let outcome: unknown;
      try {
        // The rejection is captured apart, so that a read that succeeds fails the test.
        outcome = await t.provider.read(connectorId, { connectorId, displayName: "x" }).then(
          (result) => ({ succeeded: result }),
          (e: unknown) => e,
        );
      } finally {
        t.provider.close();
      }
      expect(outcome, "the read should fail").to.be.instanceOf(Error);
      const e = outcome as Error;
      errors.push(`${e.message}\n${e.stack ?? ""}`);
    }
    expect(errors).to.have.length(2);
    expect(errors[0]).to.contain("AADSTS700213");
    expect(errors[1]).to.contain("401");

    const secrets = [
      github.requestToken,
      ado.requestToken,
      wrongAdoToken,
      ...github.issuedTokens,
      ...ado.issuedTokens,
    ];
    expect(github.issuedTokens.length + ado.issuedTokens.length).to.be.greaterThan(2);
    const log = JSON.stringify(emulator.requestLog());
    for (const secret of secrets) {
      for (const text of [...errors, log]) expect(text).not.to.contain(secret);
    }
    for (const text of [...errors, log])
      expect(text).not.to.match(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\./);
  });
});
