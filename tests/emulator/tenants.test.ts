// Many tenants in one emulator, over real HTTPS with real tokens: each tenant's own connectors,
// apps, consents, throttling windows, faults and log entries, and the partner pattern (one
// multi-tenant app, registered in the partner's tenant, consented in each customer's).
import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
} from "@azure/identity";
import { generate } from "selfsigned";
import {
  EMULATOR_ISSUER,
  READ_ROLE,
  READ_WRITE_ROLE,
  clientEnvironment,
  generateTenants,
  type AppRegistration,
} from "intune-graph-emulator";
import { startTestEmulator, useEmulator } from "intune-test-support/emulator";
import {
  CONNECTORS,
  GRAPH_SCOPE,
  claimsOf,
  graph,
  requestToken,
  send,
  type ConnectorBody,
  type EntraErrorBody,
  type GraphErrorBody,
  type ListBody,
} from "intune-test-support/emulator-requests";

const PARTNER_HOME = "bce47af4-a30c-4274-881e-f87d08318244";
const CUSTOMER_A = "bb1c8857-198e-4119-9237-67c83e97134d";
const CUSTOMER_B = "e34d4e38-c8d3-406a-9049-17069a712396";
const READ_ONLY = "b224f6e5-a1b8-41d8-8d4b-e33ffcd4dbd2";
const INSTALLED = "a33b913a-9eae-4264-8185-be1a9d5d21f2";
const STRANGER = "9ebecf19-6ea4-419f-b318-3a832150a731";
/** A connector id that exists in both customer tenants: two tenants, two connectors. */
const SHARED_ID = "1534d775-1abe-4b11-8027-b293b2dc8dd2";
const PARTNER_SECRET = "Pq38Q~partner-secret-for-the-msp-fleet-1";
const PIPELINE_SUBJECT = "repo:northwind/fleet:ref:refs/heads/main";

const PARTNER: AppRegistration = {
  clientId: "c027d516-e602-4fcf-bca1-68fad8d81d63",
  displayName: "msp-fleet",
  roles: [READ_WRITE_ROLE],
  multiTenant: true,
  secrets: [PARTNER_SECRET],
  federated: [{ issuer: EMULATOR_ISSUER, subject: PIPELINE_SUBJECT }],
};
/** Customer A's own automation: a single-tenant app. */
const LOCAL_A: AppRegistration = {
  clientId: "b4b2f645-3ee7-4d54-af5c-f2ce62b68fa1",
  displayName: "contoso-retail-ops",
  roles: [READ_WRITE_ROLE],
  secrets: ["Lc48Q~contoso-retail-ops-secret-000000001"],
};

describe("emulator: many tenants and the partner pattern", function () {
  this.timeout(30_000);
  let certPem = "";
  let certKey = "";

  before(async () => {
    const cert = await generate([{ name: "commonName", value: "msp-fleet" }], {
      keyType: "rsa",
      algorithm: "sha256",
    });
    certPem = cert.cert;
    certKey = cert.private;
  });

  const emu = useEmulator(() => ({
    seed: 1,
    tenants: [
      {
        tenantId: PARTNER_HOME,
        name: "Northwind MSP",
        domain: "northwind.onmicrosoft.com",
        apps: [{ ...PARTNER, certificates: [certPem] }],
      },
      {
        tenantId: CUSTOMER_A,
        name: "Contoso Retail",
        domain: "contosoretail.onmicrosoft.com",
        seed: [{ id: SHARED_ID, displayName: "A-ODJ-01" }, { displayName: "A-ODJ-02" }],
        apps: [LOCAL_A],
        consent: [PARTNER.clientId],
      },
      {
        tenantId: CUSTOMER_B,
        name: "Fabrikam Stores",
        seed: [{ id: SHARED_ID, displayName: "B-ODJ-01" }],
        consent: [PARTNER.clientId],
      },
      {
        tenantId: READ_ONLY,
        name: "Tailspin Toys",
        seed: 1,
        consent: [{ clientId: PARTNER.clientId, roles: [READ_ROLE] }],
      },
      { tenantId: INSTALLED, name: "Wingtip", seed: 1, consent: [{ clientId: PARTNER.clientId, roles: [] }] },
      { tenantId: STRANGER, name: "Woodgrove Bank", seed: 1 },
    ],
  }));

  /** An app's token request, by its first secret, at a tenant's authority (its GUID or a domain). */
  const ask = (tenant: string, app: AppRegistration = PARTNER) =>
    requestToken<{ access_token: string } & EntraErrorBody>(
      emu,
      {
        grant_type: "client_credentials",
        client_id: app.clientId,
        client_secret: app.secrets?.[0] ?? "",
        scope: GRAPH_SCOPE,
      },
      tenant,
    );

  /** A token for the partner app from a tenant's authority. */
  async function partnerToken(tenant: string): Promise<string> {
    const res = await ask(tenant);
    if (res.status !== 200) throw new Error(`token from ${tenant}: ${res.text}`);
    return res.body.access_token;
  }

  const names = (list: ListBody) => list.value.map((c) => c.displayName).sort();

  describe("each tenant is its own", () => {
    it("lists each tenant's own connectors, the same id in two tenants naming two connectors", async () => {
      const [a, b] = await Promise.all([partnerToken(CUSTOMER_A), partnerToken(CUSTOMER_B)]);
      expect(names((await graph<ListBody>(emu, "GET", CONNECTORS, { token: a })).body)).to.deep.equal([
        "A-ODJ-01",
        "A-ODJ-02",
      ]);
      expect(names((await graph<ListBody>(emu, "GET", CONNECTORS, { token: b })).body)).to.deep.equal([
        "B-ODJ-01",
      ]);

      const renamed = await graph<ConnectorBody>(emu, "PATCH", `${CONNECTORS}/${SHARED_ID}`, {
        token: a,
        body: { displayName: "A-ODJ-01 (renamed)" },
      });
      expect(renamed.status).to.equal(200);
      const inB = await graph<ConnectorBody>(emu, "GET", `${CONNECTORS}/${SHARED_ID}`, { token: b });
      expect(inB.body.displayName).to.equal("B-ODJ-01");
      expect(
        emu
          .tenant(CUSTOMER_A)
          .connectors()
          .map((c) => c.displayName),
      ).to.include("A-ODJ-01 (renamed)");
      // The default tenant's connectors are the top-level methods', as before.
      expect(emu.connectors()).to.have.length(1);
      expect(emu.tenant().tenantId).to.equal(emu.tenantId);
    });

    it("finds a tenant by its domain, in the authority and in the library", async () => {
      const token = await partnerToken("contosoretail.onmicrosoft.com");
      expect(claimsOf(token).tid).to.equal(CUSTOMER_A);
      expect(emu.tenant("CONTOSORETAIL.onmicrosoft.com").tenantId).to.equal(CUSTOMER_A);
      const discovery = await send<{ token_endpoint: string }>(
        `${emu.url}/northwind.onmicrosoft.com/v2.0/.well-known/openid-configuration`,
      );
      expect(discovery.body.token_endpoint).to.equal(`${emu.url}/${PARTNER_HOME}/oauth2/v2.0/token`);
      expect(() => emu.tenant("nowhere.onmicrosoft.com")).to.throw(
        /tenantId "nowhere.onmicrosoft.com" names no tenant of this emulator \(tenants: 4a7c2e91/,
      );
    });

    it("answers 403 in a tenant without an Intune licence only; the emulator's option decides for the tenants that do not say", async () => {
      const unlicensed = emu.addTenant({ intuneLicensed: false, consent: [PARTNER.clientId] });
      const licensed = emu.addTenant({ intuneLicensed: true, consent: [PARTNER.clientId] });
      const status = async (tenantId: string) =>
        (await graph(emu, "GET", CONNECTORS, { token: await partnerToken(tenantId) })).status;
      expect(await status(unlicensed.tenantId)).to.equal(403);
      expect(await status(CUSTOMER_A)).to.equal(200);
      emu.setOptions({ intuneLicensed: false });
      expect(await status(CUSTOMER_A)).to.equal(403);
      expect(await status(licensed.tenantId)).to.equal(200);
      expect(unlicensed.info()).to.include({ intuneLicensed: false });
    });

    it("refuses a token whose tenant is gone with Graph's 401", async () => {
      const added = emu.addTenant({ seed: 1, consent: [PARTNER.clientId] });
      const token = await partnerToken(added.tenantId);
      expect((await graph(emu, "GET", CONNECTORS, { token })).status).to.equal(200);
      emu.reset();
      expect(() => added.connectors()).to.throw(`tenant ${added.tenantId} is gone`);
      const res = await graph<GraphErrorBody>(emu, "GET", CONNECTORS, { token });
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal("InvalidAuthenticationToken");
      expect(res.body.error.message).to.equal("Access token validation failure. Invalid issuer.");
    });
  });

  describe("the partner pattern", () => {
    const options = () => ({ authorityHost: emu.authorityHost, disableInstanceDiscovery: true });

    it("gives @azure/identity's ClientSecretCredential a token of each customer's own, from that customer's authority", async () => {
      const seen = new Map<string, Record<string, unknown>>();
      for (const tenant of [PARTNER_HOME, CUSTOMER_A, CUSTOMER_B, READ_ONLY, INSTALLED]) {
        const credential = new ClientSecretCredential(tenant, PARTNER.clientId, PARTNER_SECRET, options());
        const { token } = await credential.getToken(GRAPH_SCOPE);
        seen.set(tenant, claimsOf(token));
      }
      for (const [tenant, claims] of seen) {
        expect(claims, tenant).to.include({
          tid: tenant,
          appid: PARTNER.clientId,
          iss: `https://sts.windows.net/${tenant}/`,
        });
      }
      expect(seen.get(CUSTOMER_A)?.roles).to.deep.equal([READ_WRITE_ROLE]);
      expect(seen.get(READ_ONLY)?.roles).to.deep.equal([READ_ROLE]);
      expect(seen.get(INSTALLED)).to.not.have.property("roles");
      // The environment a client of the partner app in one customer tenant is given.
      expect(clientEnvironment(emu.tenant(CUSTOMER_B), "msp-fleet")).to.include({
        AZURE_TENANT_ID: CUSTOMER_B,
        AZURE_CLIENT_ID: PARTNER.clientId,
        AZURE_CLIENT_SECRET: PARTNER_SECRET,
        AZURE_AUTHORITY_HOST: emu.authorityHost,
      });
      // A service principal of its own in each tenant.
      expect(new Set([...seen.values()].map((c) => c.oid)).size).to.equal(seen.size);
    });

    it("lets each customer's token do what that customer granted, and no more", async () => {
      const [readOnly, installed] = await Promise.all([partnerToken(READ_ONLY), partnerToken(INSTALLED)]);
      expect((await graph(emu, "GET", CONNECTORS, { token: readOnly })).status).to.equal(200);
      expect(
        (await graph(emu, "POST", CONNECTORS, { token: readOnly, body: { displayName: "x" } })).status,
      ).to.equal(403);
      expect((await graph(emu, "GET", CONNECTORS, { token: installed })).status).to.equal(403);
    });

    it("takes the certificate and the federated credential configured on the app in its home tenant, at a customer's authority", async () => {
      const certificate = new ClientCertificateCredential(
        CUSTOMER_B,
        PARTNER.clientId,
        { certificate: `${certKey}${certPem}` },
        options(),
      );
      const viaCertificate = claimsOf((await certificate.getToken(GRAPH_SCOPE)).token);
      expect(viaCertificate).to.include({ tid: CUSTOMER_B, appidacr: "2" });

      const federated = new ClientAssertionCredential(
        CUSTOMER_A,
        PARTNER.clientId,
        () => emu.mintFederatedToken({ subject: PIPELINE_SUBJECT }),
        options(),
      );
      const { token } = await federated.getToken(GRAPH_SCOPE);
      expect(claimsOf(token)).to.include({ tid: CUSTOMER_A });
      const list = await graph<ListBody>(emu, "GET", CONNECTORS, { token });
      expect(names(list.body)).to.deep.equal(["A-ODJ-01", "A-ODJ-02"]);
    });

    it("refuses a tenant that never consented with Entra's AADSTS700016, naming the app and the directory", async () => {
      const res = await ask(STRANGER);
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal("unauthorized_client");
      expect(res.body.error_codes).to.deep.equal([700016]);
      expect(res.body.error_description).to.match(
        new RegExp(
          `^AADSTS700016: Application with identifier '${PARTNER.clientId}' was not found in the directory 'Woodgrove Bank'\\.`,
        ),
      );
      const credential = new ClientSecretCredential(STRANGER, PARTNER.clientId, PARTNER_SECRET, options());
      const refused = await credential.getToken(GRAPH_SCOPE).then(
        () => "issued",
        (err: Error) => err.message,
      );
      expect(refused).to.contain("AADSTS700016");
    });

    it("keeps a single-tenant app in its home tenant, and refuses a consent to it", async () => {
      expect((await ask(CUSTOMER_A, LOCAL_A)).status).to.equal(200);
      const elsewhere = await ask(CUSTOMER_B, LOCAL_A);
      expect(elsewhere.status).to.equal(400);
      expect(elsewhere.body.error_description).to.contain(`was not found in the directory 'Fabrikam Stores'`);
      expect(() => emu.tenant(CUSTOMER_B).consent(LOCAL_A.clientId)).to.throw(
        `consent: app 'contoso-retail-ops' (${LOCAL_A.clientId}) is single-tenant, available only in its home tenant ${CUSTOMER_A}; register it with multiTenant: true`,
      );
      // The default apps are single-tenant too.
      expect((await ask(CUSTOMER_A, emu.app("writer"))).status).to.equal(400);
    });

    it("consents and revokes at run time; reset brings the start consents back", async () => {
      const stranger = emu.tenant(STRANGER);
      stranger.consent(PARTNER.clientId, [READ_ROLE]);
      expect(claimsOf(await partnerToken(STRANGER)).roles).to.deep.equal([READ_ROLE]);
      expect(stranger.app("msp-fleet")).to.include({ homeTenantId: PARTNER_HOME, secret: PARTNER_SECRET });
      expect(stranger.app("msp-fleet").roles).to.deep.equal([READ_ROLE]);
      emu.tenant(CUSTOMER_A).revokeConsent(PARTNER.clientId);
      await expect400(CUSTOMER_A);
      emu.reset();
      await expect400(STRANGER);
      expect(claimsOf(await partnerToken(CUSTOMER_A)).roles).to.deep.equal([READ_WRITE_ROLE]);
    });

    async function expect400(tenant: string): Promise<void> {
      expect((await ask(tenant)).status, tenant).to.equal(400);
    }
  });

  describe("throttling per tenant", () => {
    const rename = (token: string, name: string) =>
      graph(emu, "PATCH", `${CONNECTORS}/${SHARED_ID}`, { token, body: { displayName: name } });
    const statuses = async (token: string, count: number) => {
      const out: number[] = [];
      for (let i = 0; i < count; i++) out.push((await rename(token, `n${i}`)).status);
      return out;
    };

    it("counts per app per tenant and per tenant: tenant A's writes never throttle tenant B", async () => {
      emu.setOptions({ throttle: { appWrites: 2, tenantWrites: 3, windowMs: 60_000 } });
      const [partnerA, partnerB] = await Promise.all([partnerToken(CUSTOMER_A), partnerToken(CUSTOMER_B)]);
      const localA = (await ask(CUSTOMER_A, LOCAL_A)).body.access_token;
      // The partner's two writes in A, then A's own app: the tenant's third write, then its fourth.
      expect(await statuses(partnerA, 2)).to.deep.equal([200, 200]);
      expect(await statuses(localA, 2)).to.deep.equal([200, 429]);
      // B is untouched by A's storm: the same app has its two writes there too.
      expect(await statuses(partnerB, 3)).to.deep.equal([200, 200, 429]);
      expect(emu.summary({ tenantId: CUSTOMER_A }).throttled).to.equal(1);
      expect(emu.summary({ tenantId: CUSTOMER_B }).throttled).to.equal(1);
    });

    it("gives one app Intune's 100 writes per 20 s in each of ten tenants", async () => {
      const fleet = emu.addTenants(
        generateTenants(10, { seed: [{ id: SHARED_ID }], consent: [PARTNER.clientId], first: 100 }),
      );
      const tokens = await Promise.all(fleet.map((t) => partnerToken(t.tenantId)));
      const started = Date.now();
      const taken = await Promise.all(
        tokens.map(async (token) => {
          const answers = await statuses(token, 100);
          return answers.filter((s) => s === 200).length;
        }),
      );
      expect(Date.now() - started, "the writes must fit in one 20 s window").to.be.below(15_000);
      expect(taken).to.deep.equal(Array(10).fill(100));
      const over = await Promise.all(tokens.map((token) => rename(token, "one too many")));
      expect(over.map((r) => r.status)).to.deep.equal(Array(10).fill(429));
    });
  });

  describe("faults, the log and the summary per tenant", () => {
    it("shapes only the named tenant's requests, Graph and token alike", async () => {
      const [a, b] = await Promise.all([partnerToken(CUSTOMER_A), partnerToken(CUSTOMER_B)]);
      emu.tenant(CUSTOMER_A).addFault({ method: "GET", status: 503, count: 2, label: "A outage" });
      emu.addFault({ path: "/oauth2/v2.0/token", status: 500, tenantId: "northwind.onmicrosoft.com" });
      expect((await graph(emu, "GET", CONNECTORS, { token: b })).status).to.equal(200);
      expect((await graph(emu, "GET", CONNECTORS, { token: a })).status).to.equal(503);
      expect((await requestToken(emu, { grant_type: "client_credentials" }, CUSTOMER_B)).status).to.equal(
        400,
      );
      expect((await requestToken(emu, { grant_type: "client_credentials" }, PARTNER_HOME)).status).to.equal(
        500,
      );
      const shaped = emu.requestLog().filter((e) => e.fault !== undefined);
      expect(shaped.map((e) => [e.tenantId, e.kind, e.status])).to.deep.equal([
        [CUSTOMER_A, "graph", 503],
        [PARTNER_HOME, "token", 500],
      ]);
      expect(() => emu.addFault({ status: 503, tenantId: "contoso" })).to.throw(
        'fault tenantId "contoso" names no tenant of this emulator',
      );
      expect(() => emu.tenant(CUSTOMER_A).addFault({ status: 503, tenantId: CUSTOMER_B })).to.throw(
        `fault tenantId "${CUSTOMER_B}" is not tenant ${CUSTOMER_A}`,
      );
    });

    it("records each entry's tenant, and filters and sums the log by tenant", async () => {
      const a = await partnerToken(CUSTOMER_A);
      await graph(emu, "GET", CONNECTORS, { token: a });
      await graph(emu, "POST", CONNECTORS, { token: a, body: { displayName: "A-NEW" } });
      const b = await partnerToken("contosoretail.onmicrosoft.com");
      await graph(emu, "GET", `${CONNECTORS}/${SHARED_ID}`, { token: b });
      const c = await partnerToken(CUSTOMER_B);
      await graph(emu, "DELETE", `${CONNECTORS}/${SHARED_ID}`, { token: c });
      await graph(emu, "GET", CONNECTORS, { token: "not-a-jwt" });

      const inA = emu.requestLog({ tenantId: CUSTOMER_A });
      expect(inA.map((e) => `${e.kind} ${e.method}`)).to.deep.equal([
        "token POST",
        "graph GET",
        "graph POST",
        "token POST",
        "graph GET",
      ]);
      expect(emu.requestLog({ tenantId: "contosoretail.onmicrosoft.com", kind: "graph" })).to.have.length(3);
      expect(emu.summary({ tenantId: CUSTOMER_A })).to.deep.equal({
        token: 2,
        GET: 2,
        POST: 1,
        PATCH: 0,
        DELETE: 0,
        throttled: 0,
        errors: 0,
      });
      expect(emu.tenant(CUSTOMER_B).summaryLine()).to.equal("Graph: 1 token, 1 DELETE");
      // A request that names no tenant of the emulator is in the whole log only.
      expect(emu.requestLog({ kind: "graph" }).at(-1)).to.not.have.property("tenantId");
      expect(emu.summary().errors).to.equal(1);
      expect(() => emu.requestLog({ tenantId: STRANGER.replace("9", "8") })).to.throw(/names no tenant/);
    });
  });

  describe("the admin API", () => {
    const admin = <T = unknown>(method: string, route: string, body?: unknown) =>
      send<T>(`${emu.url}/_emulator/${route}`, {
        method,
        headers: body === undefined ? {} : { "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    it("lists the tenants in GET info without a secret, and adds tenants by count or by description", async () => {
      const info = await admin<{ tenants: { tenantId: string; isDefault: boolean; consents: unknown[] }[] }>(
        "GET",
        "info",
      );
      expect(info.body.tenants.map((t) => t.tenantId)).to.deep.equal([
        emu.tenantId,
        PARTNER_HOME,
        CUSTOMER_A,
        CUSTOMER_B,
        READ_ONLY,
        INSTALLED,
        STRANGER,
      ]);
      expect(info.body.tenants[0].isDefault).to.equal(true);
      expect(info.text).to.not.contain(PARTNER_SECRET);
      expect(info.text).to.not.contain(LOCAL_A.secrets?.[0]);

      const generated = await admin<{ tenants: { tenantId: string; connectors: number }[] }>(
        "POST",
        "tenants",
        {
          count: 2,
          seed: 3,
          consent: [PARTNER.clientId],
        },
      );
      expect(generated.status).to.equal(201);
      expect(generated.body.tenants.map((t) => t.connectors)).to.deep.equal([3, 3]);
      const described = await admin("POST", "tenants", {
        name: "Adventure Works",
        domain: "adventureworks.onmicrosoft.com",
        apps: [
          {
            clientId: "8173fac9-3912-4d78-a088-be5fd3aa9ad6",
            displayName: "aw-ops",
            roles: [],
            secrets: ["aw-secret-value"],
          },
        ],
      });
      expect(described.status).to.equal(201);
      expect(JSON.stringify(emu.requestLog({ kind: "admin" }))).to.not.contain("aw-secret-value");
      expect(emu.tenants()).to.have.length(10);
      const refused = await admin<{ error: { message: string } }>("POST", "tenants", {
        tenantId: CUSTOMER_A,
      });
      expect(refused.status).to.equal(400);
      expect(refused.body.error.message).to.equal(
        `addTenants[0].tenantId ${CUSTOMER_A} is already taken by an existing tenant`,
      );
    });

    it("serves one tenant's connectors, consents, faults, log and summary under /_emulator/tenants/{id}", async () => {
      const base = `tenants/${CUSTOMER_B}`;
      expect(
        (await admin<{ displayName: string }[]>("GET", `${base}/connectors`)).body.map((c) => c.displayName),
      ).to.deep.equal(["B-ODJ-01"]);
      expect((await admin("POST", `${base}/seed`, { count: 2 })).status).to.equal(201);
      expect(
        (await admin("PATCH", `${base}/connectors/${SHARED_ID}`, { displayName: "B-ODJ-01 (portal)" }))
          .status,
      ).to.equal(200);
      expect((await admin("POST", `${base}/connectors/${SHARED_ID}/heartbeat`, {})).status).to.equal(200);
      expect(
        emu
          .tenant(CUSTOMER_A)
          .connectors()
          .find((c) => c.id === SHARED_ID)?.displayName,
      ).to.equal("A-ODJ-01");

      expect(
        (await admin("POST", `tenants/${STRANGER}/consents`, { clientId: PARTNER.clientId })).status,
      ).to.equal(201);
      expect(claimsOf(await partnerToken(STRANGER)).roles).to.deep.equal([READ_WRITE_ROLE]);
      expect((await admin("DELETE", `tenants/${STRANGER}/consents/${PARTNER.clientId}`)).status).to.equal(
        204,
      );
      expect((await admin("DELETE", `tenants/${STRANGER}/consents/${PARTNER.clientId}`)).status).to.equal(
        400,
      );

      expect((await admin("POST", `${base}/faults`, { method: "GET", status: 502 })).status).to.equal(201);
      const token = await partnerToken(CUSTOMER_B);
      expect((await graph(emu, "GET", CONNECTORS, { token })).status).to.equal(502);
      const log = await admin<{ tenantId: string }[]>("GET", `${base}/requests?kind=graph`);
      expect(log.body.map((e) => e.tenantId)).to.deep.equal([CUSTOMER_B]);
      const summary = await admin<{ line: string }>("GET", `${base}/summary`);
      expect(summary.body.line).to.equal("Graph: 1 token, 1 GET, 1 error");
      expect((await admin<{ line: string }>("GET", `summary?tenantId=${CUSTOMER_B}`)).body.line).to.equal(
        summary.body.line,
      );
      expect((await admin("GET", `tenants/${CUSTOMER_B.replace("e", "f")}/connectors`)).status).to.equal(404);
    });
  });

  it("creates 200 tenants of 3 connectors each quickly, and serves every one its own", async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const fleet = emu.addTenants(generateTenants(200, { seed: 3, consent: [PARTNER.clientId], first: 1000 }));
    const createMs = performance.now() - started;
    const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    expect(fleet).to.have.length(200);
    expect(createMs, "200 tenants × 3 connectors").to.be.below(1000);

    const served = performance.now();
    const counts = await Promise.all(
      fleet.map(async (tenant) => {
        const token = await partnerToken(tenant.tenantId);
        const list = await graph<ListBody>(emu, "GET", CONNECTORS, { token });
        return list.body.value.length;
      }),
    );
    const serveMs = performance.now() - served;
    expect(counts).to.deep.equal(Array(200).fill(3));
    expect(new Set(fleet.flatMap((t) => t.connectors().map((c) => c.id))).size).to.equal(600);
    console.log(
      `      200 tenants × 3 connectors: created in ${createMs.toFixed(1)} ms, heap +${heapMb.toFixed(1)} MB; ` +
        `a token and a list in each over HTTPS: ${serveMs.toFixed(0)} ms`,
    );
  });
});

describe("emulator: tenant options", () => {
  const refusal = async (options: Parameters<typeof startTestEmulator>[0]) => {
    try {
      const emu = await startTestEmulator(options);
      await emu.close();
      return "started";
    } catch (err) {
      return (err as Error).message;
    }
  };

  it("refuses each mistake in one message naming the option, the value and what is accepted", async () => {
    const app = { ...PARTNER, multiTenant: false };
    const cases: [Parameters<typeof startTestEmulator>[0], string][] = [
      [
        { tenants: {} as never },
        "tenants must be an array of tenants such as [{ tenantId, seed, consent }], got {}",
      ],
      [{ tenants: [{ tenantId: "contoso" }] }, `tenants[0].tenantId must be a GUID, got "contoso"`],
      [
        { tenants: [{ colour: "blue" } as never] },
        "tenants[0] takes tenantId, name, domain, seed, apps, consent, intuneLicensed; not 'colour'",
      ],
      [
        { tenants: [{ domain: "contoso" }] },
        `tenants[0].domain must be a domain name such as fabrikam.onmicrosoft.com, got "contoso"`,
      ],
      [
        { tenants: [{ seed: -1 }] },
        "tenants[0].seed must be a whole number ≥ 0 or an array of connectors, got -1",
      ],
      [
        { tenants: [{ intuneLicensed: "no" as never }] },
        'tenants[0].intuneLicensed must be true or false, got "no"',
      ],
      [
        { tenants: [{ tenantId: CUSTOMER_A }, { tenantId: CUSTOMER_A }] },
        `tenants[1].tenantId ${CUSTOMER_A} is already taken by tenants[0]`,
      ],
      [
        { tenants: [{ tenantId: "4A7C2E91-5D3B-4F68-8E1A-9C0B2D4F6E83" }] },
        "tenants[0].tenantId 4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83 is the default tenant's (option tenantId): list only the other tenants",
      ],
      [
        { tenants: [{ consent: [PARTNER.clientId] }] },
        `tenants[0].consent[0]: no tenant of this emulator registers an app with client id ${PARTNER.clientId}`,
      ],
      [
        { tenants: [{ apps: [app] }, { consent: [PARTNER.clientId] }] },
        `tenants[1].consent[0]: app 'msp-fleet' (${PARTNER.clientId}) is single-tenant, available only in its home tenant`,
      ],
      [
        { tenants: [{ consent: [{ clientId: PARTNER.clientId, roles: "all" } as never] }] },
        "tenants[0].consent[0].roles must be a list of application permissions",
      ],
      [
        { apps: [PARTNER], tenants: [{ apps: [PARTNER] }] },
        `tenants[0].apps: client id ${PARTNER.clientId} is already registered in tenant 4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83`,
      ],
      [{ tenants: [{ seed: [{ state: "asleep" as never }] }] }, "tenants[0].seed: "],
    ];
    for (const [options, message] of cases) {
      expect(await refusal(options), JSON.stringify(options)).to.contain(message);
    }
  });

  it("gives the tenants of the options and of generateTenants the same ids: place n is the same tenant at every start", async () => {
    const emu = await startTestEmulator({ tenants: [{}, {}] });
    try {
      const generated = generateTenants(2);
      expect(
        emu
          .tenants()
          .slice(1)
          .map((t) => [t.tenantId, t.name]),
      ).to.deep.equal(generated.map((t) => [t.tenantId, t.name]));
      expect(() => emu.addTenant({ tenantId: generated[0].tenantId })).to.throw(
        `addTenant.tenantId ${generated[0].tenantId} is already taken by an existing tenant`,
      );
      const added = emu.addTenant();
      expect(added.tenantId).to.match(/^[0-9a-f-]{36}$/);
      expect(added.tenantId).to.not.equal(generateTenants(1, { first: 3 })[0].tenantId);
      expect(added.name).to.equal("Tenant 3 (emulated)");
    } finally {
      await emu.close();
    }
  });
});

describe("emulator: the clock and the timers are every tenant's", function () {
  this.timeout(15_000);

  it("ages every tenant's connectors with advanceClock, and beats every tenant's running connectors on heartbeatMs", async () => {
    const emu = await startTestEmulator({
      seed: [{ displayName: "HOME", state: "active" }],
      heartbeatMs: 50,
      tenants: [{ tenantId: CUSTOMER_A, seed: [{ displayName: "A", state: "active" }] }],
    });
    try {
      const contact = () => emu.tenant(CUSTOMER_A).connectors()[0].lastConnectionDateTime;
      const first = contact();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(contact() > first, "the timer beats in tenant A too").to.equal(true);
      emu.advanceClock(2 * 3_600_000);
      expect(emu.tenants().map((t) => t.connectors()[0].state)).to.deep.equal(["error", "error"]);
    } finally {
      await emu.close();
    }
  });
});

describe("emulator: every tenant persisted", function () {
  this.timeout(15_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "emulator-tenants-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the file when connectors change, not on each request nor on each tick of the sweep", async () => {
    const file = path.join(dir, "quiet.json");
    const emu = await startTestEmulator({
      persistFile: file,
      seed: 1,
      removeInactiveAfterMs: 30 * 24 * 3_600_000,
      tenants: [{ seed: 1 }, { seed: 1 }],
    });
    try {
      rmSync(file);
      const token = (
        await requestToken(emu, {
          grant_type: "client_credentials",
          client_id: emu.app("reader").clientId,
          client_secret: emu.app("reader").secret,
          scope: GRAPH_SCOPE,
        })
      ).body.access_token;
      expect((await graph(emu, "GET", CONNECTORS, { token })).status).to.equal(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(existsSync(file), "nothing changed: no write").to.equal(false);
      emu.tenants()[2].seed(1);
      expect(existsSync(file), "a change: written").to.equal(true);
    } finally {
      await emu.close();
    }
  });

  it("saves each tenant's connectors and loads them at the next start, remaking from the file a tenant the options no longer name", async () => {
    const file = path.join(dir, "state.json");
    const tenants = [
      { tenantId: CUSTOMER_A, name: "Contoso Retail", domain: "contosoretail.onmicrosoft.com", seed: 1 },
    ];
    const first = await startTestEmulator({ persistFile: file, seed: 1, tenants });
    try {
      first.tenant(CUSTOMER_A).seed([{ id: SHARED_ID, displayName: "A-KEPT" }]);
      first.addTenants(generateTenants(2, { seed: 2, first: 7 }));
    } finally {
      await first.close();
    }
    const saved = JSON.parse(readFileSync(file, "utf8")) as {
      connectors: unknown[];
      tenants: { tenantId: string; name: string; connectors: unknown[] }[];
    };
    expect(saved.connectors).to.have.length(1);
    expect(saved.tenants.map((t) => [t.name, t.connectors.length])).to.deep.equal([
      ["Contoso Retail", 2],
      ["Tenant 7 (emulated)", 2],
      ["Tenant 8 (emulated)", 2],
    ]);

    const second = await startTestEmulator({ persistFile: file, seed: 5, tenants });
    try {
      expect(second.connectors()).to.have.length(1);
      expect(
        second
          .tenant("contosoretail.onmicrosoft.com")
          .connectors()
          .map((c) => c.displayName),
      ).to.include("A-KEPT");
      const remade = second.tenant(generateTenants(1, { first: 8 })[0].tenantId ?? "");
      expect(remade.info()).to.include({ name: "Tenant 8 (emulated)", connectors: 2 });
      expect(remade.apps).to.deep.equal([]);
    } finally {
      await second.close();
    }
  });
});
