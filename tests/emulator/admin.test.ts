// The admin API over HTTP, and the request log and summary it exposes.
import { expect } from "chai";
import type { ConnectorRecord, Emulator, RequestLogEntry } from "intune-graph-emulator";
import { startTestEmulator } from "intune-test-support/emulator";
import {
  CONNECTORS,
  graph,
  send,
  tokenFor,
  type GraphErrorBody,
} from "intune-test-support/emulator-requests";

const FIXED_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

describe("emulator: admin API", function () {
  this.timeout(10_000);
  let emu: Emulator;
  let token: string;

  before(async () => {
    emu = await startTestEmulator();
    token = await tokenFor(emu, "writer");
  });
  after(() => emu.close());
  beforeEach(() => emu.reset());

  const admin = <T = unknown>(method: string, route: string, body?: unknown) =>
    send<T>(`${emu.url}/_emulator/${route}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("GET info describes the emulator without any secret", async () => {
    const res = await admin<{
      url: string;
      tenantId: string;
      cloud: string;
      apps: Record<string, unknown>[];
    }>("GET", "info");
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ url: emu.url, tenantId: emu.tenantId, cloud: "global" });
    expect(res.body.apps.map((a) => a.displayName)).to.deep.equal(["writer", "reader", "no-roles"]);
    for (const app of emu.apps) expect(res.text).to.not.include(app.secrets?.[0] ?? "no secret");
    expect(res.body.apps[0]).to.not.have.property("secrets");
  });

  it("POST seed, GET connectors, PATCH and DELETE a connector, heartbeat", async () => {
    const seeded = await admin<{ connectors: ConnectorRecord[] }>("POST", "seed", {
      connectors: [{ id: FIXED_ID, displayName: "SRV", state: "inactive" }],
    });
    expect(seeded.status).to.equal(201);
    expect(
      (await admin<{ connectors: ConnectorRecord[] }>("POST", "seed", { count: 2 })).body.connectors,
    ).to.have.length(2);
    expect((await admin<ConnectorRecord[]>("GET", "connectors")).body).to.have.length(3);

    const edited = await admin<ConnectorRecord>("PATCH", `connectors/${FIXED_ID}`, {
      displayName: "SRV-RENAMED",
    });
    expect(edited.status).to.equal(200);
    expect(edited.body.displayName).to.equal("SRV-RENAMED");

    const beforeBeat = Date.now();
    const beat = await admin<ConnectorRecord>("POST", `connectors/${FIXED_ID}/heartbeat`, {
      state: "active",
    });
    expect(beat.body.state).to.equal("active");
    expect(Date.parse(beat.body.lastConnectionDateTime)).to.be.within(beforeBeat, Date.now());

    expect((await admin("DELETE", `connectors/${FIXED_ID}`)).status).to.equal(204);
    expect((await admin("DELETE", `connectors/${FIXED_ID}`)).status).to.equal(404);
    expect((await admin("PATCH", `connectors/${FIXED_ID}`, { displayName: "x" })).status).to.equal(404);
    const bad = await admin<{ error: { message: string } }>("PATCH", `connectors/${emu.connectors()[0].id}`, {
      state: "nope",
    });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.message).to.match(/state/);
  });

  it("POST reset clears and reseeds", async () => {
    emu.seed(4);
    const res = await admin<{ connectors: ConnectorRecord[] }>("POST", "reset", { seed: 1 });
    expect(res.status).to.equal(200);
    expect(res.body.connectors).to.have.length(1);
    expect(emu.connectors()).to.have.length(1);
  });

  it("POST faults (one or many) and DELETE faults", async () => {
    const added = await admin<{ added: number }>("POST", "faults", [
      { method: "GET", status: 503 },
      { method: "GET", status: 500 },
    ]);
    expect(added.status).to.equal(201);
    expect(added.body.added).to.equal(2);
    expect((await graph(emu, "GET", CONNECTORS, { token })).status).to.equal(503);
    expect((await admin("DELETE", "faults")).status).to.equal(204);
    expect((await graph(emu, "GET", CONNECTORS, { token })).status).to.equal(200);
    const bad = await admin<{ error: { message: string } }>("POST", "faults", { status: 9000 });
    expect(bad.status).to.equal(400);
  });

  it("PATCH options changes behaviour at run time", async () => {
    expect((await admin("PATCH", "options", { patchReturnsBody: true })).status).to.equal(204);
    const [c] = emu.seed(1);
    expect(
      (await graph(emu, "PATCH", `${CONNECTORS}/${c.id}`, { token, body: { displayName: "x" } })).status,
    ).to.equal(200);
    expect((await admin("PATCH", "options", { colour: "blue" })).status).to.equal(400);
  });

  it("GET requests (filtered by kind), GET summary, DELETE requests", async () => {
    const [c] = emu.seed(1);
    await tokenFor(emu, "writer");
    await graph(emu, "GET", CONNECTORS, { token });
    await graph(emu, "GET", `${CONNECTORS}/${c.id}`, { token });
    await graph(emu, "PATCH", `${CONNECTORS}/${c.id}`, { token, body: { displayName: "new" } });
    await graph(emu, "POST", CONNECTORS, { token, body: { displayName: "made" } });
    await graph(emu, "GET", `${CONNECTORS}/a1b2c3d4-0000-4000-8000-000000000000`, { token });

    const graphLog = await admin<RequestLogEntry[]>("GET", "requests?kind=graph");
    expect(graphLog.body.map((e) => `${e.method} ${e.status}`)).to.deep.equal([
      "GET 200",
      "GET 200",
      "PATCH 200",
      "POST 201",
      "GET 404",
    ]);
    expect(graphLog.body[2].body).to.deep.equal({ displayName: "new" });

    const summary = await admin<Record<string, unknown>>("GET", "summary");
    expect(summary.body).to.deep.equal({
      token: 1,
      GET: 3,
      POST: 1,
      PATCH: 1,
      DELETE: 0,
      throttled: 0,
      errors: 1,
      line: "Graph: 1 token, 3 GET, 1 PATCH, 1 POST, 1 error",
    });
    expect(emu.summaryLine()).to.equal(summary.body.line);

    const all = await admin<RequestLogEntry[]>("GET", "requests");
    expect(all.body.some((e) => e.kind === "admin")).to.equal(true);
    expect((await admin("GET", "requests?kind=bogus")).status).to.equal(400);
    expect((await admin("DELETE", "requests")).status).to.equal(204);
    expect(emu.summaryLine()).to.equal("Graph: no requests");
  });

  it("POST oidc/mint returns a token the token endpoint will judge", async () => {
    const res = await admin<{ token: string }>("POST", "oidc/mint", {
      subject: "system:serviceaccount:infra:deployer",
    });
    expect(res.status).to.equal(200);
    const claims = JSON.parse(Buffer.from(res.body.token.split(".")[1], "base64url").toString()) as Record<
      string,
      unknown
    >;
    expect(claims).to.include({
      iss: emu.issuer,
      sub: "system:serviceaccount:infra:deployer",
      aud: "api://AzureADTokenExchange",
    });
    expect((await admin("POST", "oidc/mint", {})).status).to.equal(400);
  });

  it("answers unknown routes with 404 and bad JSON with 400, and logs admin calls as admin", async () => {
    expect((await admin("GET", "nothing")).status).to.equal(404);
    const bad = await send<GraphErrorBody>(`${emu.url}/_emulator/seed`, { method: "POST", body: "{oops" });
    expect(bad.status).to.equal(400);
    expect(emu.requestLog({ kind: "admin" }).map((e) => e.path)).to.deep.equal([
      "/_emulator/nothing",
      "/_emulator/seed",
    ]);
    expect(emu.summary()).to.deep.include({ GET: 0, POST: 0, errors: 0 });
  });
});
