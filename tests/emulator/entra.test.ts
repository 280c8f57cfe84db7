// Entra: discovery, the token endpoint with secrets, certificates and federated tokens, its errors,
// and the test OIDC issuer — driven by @azure/identity where a real client exists.
import { expect } from "chai";
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
} from "@azure/identity";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { generate } from "selfsigned";
import { EMULATOR_ISSUER, READ_WRITE_ROLE, type Emulator } from "intune-graph-emulator";
import { startTestEmulator } from "intune-test-support/emulator";
import {
  GRAPH_SCOPE,
  claimsOf,
  requestToken,
  send,
  type EntraErrorBody,
} from "intune-test-support/emulator-requests";

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const PIPELINE_ID = "5d0b7c3e-1f2a-4b6c-9d8e-7a6b5c4d3e2f";
const CERT_APP_ID = "8e7d6c5b-4a39-4281-9f0e-1d2c3b4a5968";

describe("emulator: Entra token service", function () {
  this.timeout(10_000);
  let emu: Emulator;
  let certPem: string;
  let certKey: string;

  before(async () => {
    const cert = await generate([{ name: "commonName", value: "cert-app" }], {
      keyType: "rsa",
      algorithm: "sha256",
    });
    certPem = cert.cert;
    certKey = cert.private;
    emu = await startTestEmulator({
      apps: [
        { clientId: "2f6d9c1a-7b3e-4e58-9a41-0c5d8e7f6a21", displayName: "writer", roles: [READ_WRITE_ROLE] },
        {
          clientId: PIPELINE_ID,
          displayName: "pipeline",
          roles: [READ_WRITE_ROLE],
          federated: [{ issuer: EMULATOR_ISSUER, subject: "repo:contoso/infra:ref:refs/heads/main" }],
        },
        { clientId: CERT_APP_ID, displayName: "cert-app", roles: [READ_WRITE_ROLE], certificates: [certPem] },
      ],
    });
  });
  after(() => emu.close());
  beforeEach(() => emu.reset());

  function credentialOptions() {
    return { authorityHost: emu.authorityHost, disableInstanceDiscovery: true };
  }

  async function jwks(): Promise<JSONWebKeySet> {
    return (await send<JSONWebKeySet>(`${emu.url}/${emu.tenantId}/discovery/v2.0/keys`)).body;
  }

  describe("discovery", () => {
    it("serves the v2.0 OpenID configuration on the emulator's origin", async () => {
      const res = await send<Record<string, unknown>>(
        `${emu.url}/${emu.tenantId}/v2.0/.well-known/openid-configuration?client-request-id=abc`,
      );
      expect(res.status).to.equal(200);
      expect(res.body).to.include({
        issuer: `${emu.url}/${emu.tenantId}/v2.0`,
        token_endpoint: `${emu.url}/${emu.tenantId}/oauth2/v2.0/token`,
        jwks_uri: `${emu.url}/${emu.tenantId}/discovery/v2.0/keys`,
        authorization_endpoint: `${emu.url}/${emu.tenantId}/oauth2/v2.0/authorize`,
        tenant_region_scope: "NA",
        cloud_instance_name: "microsoftonline.com",
      });
      for (const field of [
        "token_endpoint_auth_methods_supported",
        "response_types_supported",
        "subject_types_supported",
        "id_token_signing_alg_values_supported",
      ]) {
        expect(res.body[field], field).to.be.an("array").with.length.greaterThan(0);
      }
    });

    it("serves the v1 configuration and instance discovery", async () => {
      const v1 = await send<Record<string, string>>(
        `${emu.url}/${emu.tenantId}/.well-known/openid-configuration`,
      );
      expect(v1.status).to.equal(200);
      expect(v1.body.issuer).to.equal(`https://sts.windows.net/${emu.tenantId}/`);
      const instance = await send<{ tenant_discovery_endpoint: string; metadata: { aliases: string[] }[] }>(
        `${emu.url}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${emu.url}/${emu.tenantId}/oauth2/v2.0/authorize`)}`,
      );
      expect(instance.status).to.equal(200);
      expect(instance.body.tenant_discovery_endpoint).to.equal(
        `${emu.url}/${emu.tenantId}/v2.0/.well-known/openid-configuration`,
      );
      expect(instance.body.metadata[0].aliases).to.deep.equal([new URL(emu.url).host]);
    });

    it("answers an unknown tenant with AADSTS90002", async () => {
      const res = await send<EntraErrorBody>(
        `${emu.url}/11111111-2222-3333-4444-555555555555/v2.0/.well-known/openid-configuration`,
      );
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal("invalid_tenant");
      expect(res.body.error_codes).to.deep.equal([90002]);
    });
  });

  describe("client secrets", () => {
    it("gives ClientSecretCredential a Graph token with Entra's claims, and MSAL reuses it", async () => {
      const writer = emu.app("writer");
      const credential = new ClientSecretCredential(
        emu.tenantId,
        writer.clientId,
        writer.secret,
        credentialOptions(),
      );
      const first = await credential.getToken(GRAPH_SCOPE);
      const second = await credential.getToken(GRAPH_SCOPE);
      expect(second.token).to.equal(first.token);
      expect(emu.summary().token).to.equal(1);

      const { payload, protectedHeader } = await jwtVerify(first.token, createLocalJWKSet(await jwks()));
      expect(protectedHeader.alg).to.equal("RS256");
      expect(payload).to.include({
        aud: "https://graph.microsoft.com",
        iss: `https://sts.windows.net/${emu.tenantId}/`,
        tid: emu.tenantId,
        appid: writer.clientId,
        azp: writer.clientId,
        idtyp: "app",
        ver: "1.0",
        appidacr: "1",
      });
      expect(payload.roles).to.deep.equal([READ_WRITE_ROLE]);
      expect(payload.sub).to.equal(payload.oid);
      expect(payload.uti).to.be.a("string");
      expect(payload.exp! - payload.iat!).to.equal(3599);
      expect(payload.nbf).to.equal(payload.iat);
    });

    it("answers in OAuth's shape", async () => {
      const writer = emu.app("writer");
      const res = await requestToken(emu, {
        grant_type: "client_credentials",
        client_id: writer.clientId,
        client_secret: writer.secret,
        scope: GRAPH_SCOPE,
      });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599 });
      expect(res.headers.get("x-ms-request-id")).to.match(/^[0-9a-f-]{36}$/);
    });

    it("surfaces AADSTS7000215 for a bad secret through @azure/identity", async () => {
      const writer = emu.app("writer");
      const credential = new ClientSecretCredential(
        emu.tenantId,
        writer.clientId,
        "not-the-secret",
        credentialOptions(),
      );
      let message = "";
      try {
        await credential.getToken(GRAPH_SCOPE);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.include("AADSTS7000215");
      expect(message).to.include("Invalid client secret provided");
    });

    it("never writes a secret or an assertion to the request log", async () => {
      const writer = emu.app("writer");
      await requestToken(emu, {
        grant_type: "client_credentials",
        client_id: writer.clientId,
        client_secret: writer.secret,
        scope: GRAPH_SCOPE,
      });
      await requestToken(emu, {
        grant_type: "client_credentials",
        client_id: writer.clientId,
        client_secret: "wrong-secret-value",
        scope: GRAPH_SCOPE,
      });
      const assertion = await emu.mintFederatedToken({ subject: "repo:contoso/infra:ref:refs/heads/main" });
      await requestToken(emu, {
        grant_type: "client_credentials",
        client_id: PIPELINE_ID,
        client_assertion_type: JWT_BEARER,
        client_assertion: assertion,
        scope: GRAPH_SCOPE,
      });
      const log = JSON.stringify(emu.requestLog());
      expect(log).to.not.include(writer.secret);
      expect(log).to.not.include("wrong-secret-value");
      expect(log).to.not.include(assertion.split(".")[2]);
      const entries = emu.requestLog({ kind: "token" });
      expect(entries).to.have.length(3);
      expect(entries[0].body).to.deep.equal({
        grant_type: "client_credentials",
        client_id: writer.clientId,
        scope: GRAPH_SCOPE,
      });
      expect(entries[2].body).to.deep.include({ assertion_type: JWT_BEARER });
      expect(entries.map((e) => e.status)).to.deep.equal([200, 401, 200]);
    });
  });

  describe("errors in Entra's shape", () => {
    async function tokenError(form: Record<string, string>, tenant?: string) {
      return requestToken<EntraErrorBody>(emu, form, tenant);
    }
    const base = () => ({
      grant_type: "client_credentials",
      client_id: emu.app("writer").clientId,
      client_secret: emu.app("writer").secret,
      scope: GRAPH_SCOPE,
    });

    it("carries trace and correlation ids that match the headers", async () => {
      const res = await send<EntraErrorBody>(`${emu.url}/${emu.tenantId}/oauth2/v2.0/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "client-request-id": "corr-123" },
        body: new URLSearchParams({ ...base(), client_secret: "nope" }).toString(),
      });
      expect(res.status).to.equal(401);
      expect(res.body.error).to.equal("invalid_client");
      expect(res.body.error_codes).to.deep.equal([7000215]);
      expect(res.body.error_description).to.match(/^AADSTS7000215: /);
      expect(res.body.trace_id).to.equal(res.headers.get("x-ms-request-id"));
      expect(res.body.correlation_id).to.equal("corr-123");
      expect(res.body.timestamp).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    });

    const cases: [
      string,
      (b: Record<string, string>) => [Record<string, string>, string?],
      number,
      string,
      number,
    ][] = [
      ["unknown tenant", (b) => [b, "11111111-2222-3333-4444-555555555555"], 400, "invalid_tenant", 90002],
      [
        "unknown client",
        (b) => [{ ...b, client_id: "99999999-8888-4777-8666-555555555555" }],
        400,
        "unauthorized_client",
        700016,
      ],
      ["unsupported grant", (b) => [{ ...b, grant_type: "password" }], 400, "unsupported_grant_type", 70003],
      [
        "scope without /.default",
        (b) => [{ ...b, scope: "https://graph.microsoft.com/User.Read" }],
        400,
        "invalid_scope",
        1002012,
      ],
      ["two scopes", (b) => [{ ...b, scope: `${GRAPH_SCOPE} openid` }], 400, "invalid_scope", 70011],
      ["no credential", (b) => [{ ...b, client_secret: "" }], 401, "invalid_client", 7000218],
      [
        "missing scope",
        (b) => [{ grant_type: b.grant_type, client_id: b.client_id, client_secret: b.client_secret }],
        400,
        "invalid_request",
        900144,
      ],
    ];
    for (const [name, make, status, error, code] of cases) {
      it(`answers ${name} with AADSTS${code}`, async () => {
        const [form, tenant] = make(base());
        const res = await tokenError(form, tenant);
        expect(res.status).to.equal(status);
        expect(res.body.error).to.equal(error);
        expect(res.body.error_codes).to.deep.equal([code]);
        expect(res.body.error_description.startsWith(`AADSTS${code}: `)).to.equal(true);
      });
    }

    it("only accepts POST on the token endpoint", async () => {
      const res = await send<EntraErrorBody>(`${emu.url}/${emu.tenantId}/oauth2/v2.0/token`);
      expect(res.status).to.equal(400);
      expect(res.body.error_codes).to.deep.equal([900561]);
    });
  });

  describe("federated credentials", () => {
    const subject = "repo:contoso/infra:ref:refs/heads/main";

    it("exchange a token from the test issuer through ClientAssertionCredential", async () => {
      const credential = new ClientAssertionCredential(
        emu.tenantId,
        PIPELINE_ID,
        () => emu.mintFederatedToken({ subject }),
        credentialOptions(),
      );
      const token = await credential.getToken(GRAPH_SCOPE);
      expect(claimsOf(token.token)).to.include({ appid: PIPELINE_ID, appidacr: "2" });
      expect(emu.apps.find((a) => a.clientId === PIPELINE_ID)?.federated?.[0].issuer).to.equal(emu.issuer);
    });

    async function exchange(assertion: string) {
      return requestToken<EntraErrorBody>(emu, {
        grant_type: "client_credentials",
        client_id: PIPELINE_ID,
        client_assertion_type: JWT_BEARER,
        client_assertion: assertion,
        scope: GRAPH_SCOPE,
      });
    }

    it("refuse another subject with AADSTS700213", async () => {
      const res = await exchange(
        await emu.mintFederatedToken({ subject: "repo:contoso/infra:pull_request" }),
      );
      expect(res.status).to.equal(400);
      expect(res.body.error_codes).to.deep.equal([700213]);
      expect(res.body.error_description).to.include(
        "No matching federated identity record found for presented assertion subject",
      );
    });

    it("refuse another audience with AADSTS700212", async () => {
      const res = await exchange(await emu.mintFederatedToken({ subject, audience: "api://something-else" }));
      expect(res.body.error_codes).to.deep.equal([700212]);
    });

    it("refuse an expired token with AADSTS700024", async () => {
      const res = await exchange(await emu.mintFederatedToken({ subject, lifetimeSeconds: -60 }));
      expect(res.status).to.equal(401);
      expect(res.body.error_codes).to.deep.equal([700024]);
    });

    it("refuse a token from an issuer the app does not trust with AADSTS700211", async () => {
      const other = await startTestEmulator();
      try {
        const res = await exchange(await other.mintFederatedToken({ subject }));
        expect(res.body.error_codes).to.deep.equal([700211]);
      } finally {
        await other.close();
      }
    });

    it("refuse a token whose signature does not verify", async () => {
      const token = await emu.mintFederatedToken({ subject });
      const [header, payload] = token.split(".");
      const res = await exchange(`${header}.${payload}.${Buffer.from("forged").toString("base64url")}`);
      expect(res.status).to.equal(401);
      expect(res.body.error_codes).to.deep.equal([700027]);
    });

    it("publish the test issuer's discovery document and keys", async () => {
      const config = await send<{ issuer: string; jwks_uri: string }>(
        `${emu.issuer}/.well-known/openid-configuration`,
      );
      expect(config.body.issuer).to.equal(emu.issuer);
      expect(emu.issuer).to.equal(`${emu.url}/_emulator/oidc`);
      const keys = await send<JSONWebKeySet>(config.body.jwks_uri);
      const { payload } = await jwtVerify(
        await emu.mintFederatedToken({ subject }),
        createLocalJWKSet(keys.body),
        {
          issuer: emu.issuer,
          audience: "api://AzureADTokenExchange",
        },
      );
      expect(payload.sub).to.equal(subject);
    });
  });

  describe("certificates", () => {
    it("accept ClientCertificateCredential with a registered certificate", async () => {
      const credential = new ClientCertificateCredential(
        emu.tenantId,
        CERT_APP_ID,
        { certificate: `${certKey}${certPem}` },
        credentialOptions(),
      );
      const token = await credential.getToken(GRAPH_SCOPE);
      expect(claimsOf(token.token)).to.include({ appid: CERT_APP_ID, appidacr: "2" });
    });

    it("refuse a certificate the app does not have with AADSTS700027", async () => {
      const other = await generate([{ name: "commonName", value: "stranger" }], {
        keyType: "rsa",
        algorithm: "sha256",
      });
      const credential = new ClientCertificateCredential(
        emu.tenantId,
        CERT_APP_ID,
        { certificate: `${other.private}${other.cert}` },
        credentialOptions(),
      );
      let message = "";
      try {
        await credential.getToken(GRAPH_SCOPE);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.include("AADSTS700027");
    });
  });
});
