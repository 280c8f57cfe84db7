// The emulator against Microsoft's own definition of the entity, one test per documented row of
// docs/emulator.md ("Microsoft's sources"); each test's title starts with its row's id. The
// expected values are the sources' words and numbers, written here, never taken from the emulator.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  EMULATOR_ISSUER,
  READ_ROLE,
  READ_WRITE_ROLE,
  VARIANT_CHOICES,
  type Emulator,
} from "intune-graph-emulator";
import { startTestEmulator } from "intune-test-support/emulator";
import {
  CONNECTORS,
  CONNECTOR_TYPE,
  claimsOf,
  graph,
  requestToken,
  tokenFor,
  type EntraErrorBody,
  type ConnectorBody,
  type GraphErrorBody,
  type ListBody,
  type Reply,
} from "intune-test-support/emulator-requests";

const HOUR = 3_600_000;
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const DAY = 24 * HOUR;
const DOCS = path.resolve(__dirname, "../../../docs/emulator.md");

describe("emulator: Microsoft's sources (docs/emulator.md)", function () {
  this.timeout(20_000);
  let emu: Emulator;
  let writer: string;
  let reader: string;
  let noRoles: string;

  before(async () => {
    emu = await startTestEmulator();
    [writer, reader, noRoles] = await Promise.all(
      ["writer", "reader", "no-roles"].map((name) => tokenFor(emu, name)),
    );
  });
  after(() => emu.close());
  beforeEach(() => emu.reset({ seed: 0 }));

  const call = <T = ConnectorBody>(method: string, url: string, body?: unknown, token = writer) =>
    graph<T>(emu, method, url, { token, ...(body !== undefined && { body }) });
  const item = (id: string) => `${CONNECTORS}/${id}`;
  const posted = async (body: Record<string, unknown> = { displayName: "SRV-NEW" }) =>
    (await call("POST", CONNECTORS, body)).body;

  describe("the object", () => {
    it("S01 has exactly id, displayName, lastConnectionDateTime, state and version, and no relationship to expand", async () => {
      const [c] = emu.seed([{ displayName: "SRV-A" }]);
      const res = await call("GET", item(c.id));
      const keys = Object.keys(res.body).filter((k) => !k.startsWith("@odata."));
      expect(keys.sort()).to.deep.equal(["displayName", "id", "lastConnectionDateTime", "state", "version"]);
      const list = await call<ListBody>("GET", CONNECTORS);
      expect(Object.keys(list.body.value[0]).sort()).to.deep.equal(
        ["@odata.type", "displayName", "id", "lastConnectionDateTime", "state", "version"].sort(),
      );
    });

    it("S02 takes a null displayName: a POST without one, a PATCH clearing it", async () => {
      const created = await call("POST", CONNECTORS, { "@odata.type": CONNECTOR_TYPE });
      expect(created.status).to.equal(201);
      expect(created.body.displayName).to.equal(null);
      const named = await call("PATCH", item(created.body.id), { displayName: "SRV-NAMED" });
      expect(named.body.displayName).to.equal("SRV-NAMED");
      const cleared = await call("PATCH", item(created.body.id), { displayName: null });
      expect(cleared.status).to.equal(200);
      expect(cleared.body.displayName).to.equal(null);
    });

    it("S03 never shows a null version, and refuses a PATCH that writes one", async () => {
      const created = await posted({ displayName: "SRV-NO-VERSION" });
      expect(created.version).to.be.a("string");
      const res = await call<GraphErrorBody>("PATCH", item(created.id), { version: null });
      expect(res.status).to.equal(400);
      expect(res.body.error.message).to.contain("'version'").and.contain("does not allow null values");
      const listed = (await call<ListBody>("GET", CONNECTORS)).body.value;
      expect(listed.every((c) => typeof c.version === "string")).to.equal(true);
    });

    it("S04 always shows lastConnectionDateTime as a date, for registered and POSTed connectors alike", async () => {
      emu.seed([{ displayName: "SRV-REGISTERED" }]);
      await posted();
      const listed = (await call<ListBody>("GET", CONNECTORS)).body.value;
      expect(listed).to.have.length(2);
      for (const c of listed)
        expect(Number.isNaN(Date.parse(c.lastConnectionDateTime)), c.displayName).to.equal(false);
      const res = await call<GraphErrorBody>("PATCH", item(listed[0].id), { lastConnectionDateTime: null });
      expect(res.status).to.equal(400);
    });

    it("S05 shows only active, error or inactive, and refuses any other state written, and null", async () => {
      const now = Date.now();
      emu.seed([
        { lastConnectionDateTime: new Date(now).toISOString() },
        { lastConnectionDateTime: new Date(now - 3 * HOUR).toISOString() },
        { lastConnectionDateTime: new Date(now - 6 * DAY).toISOString() },
      ]);
      const c = await posted();
      const states = (await call<ListBody>("GET", CONNECTORS)).body.value.map((x) => x.state);
      expect(states).to.deep.equal(["active", "error", "inactive", "inactive"]);
      for (const bad of ["unknownFutureValue", "Active", 1, null]) {
        const res = await call<GraphErrorBody>("PATCH", item(c.id), { state: bad });
        expect(res.status, String(bad)).to.equal(400);
      }
    });

    it("S06 puts #microsoft.graph.deviceManagementDomainJoinConnector on every object", async () => {
      const c = await posted();
      expect(c["@odata.type"]).to.equal("#microsoft.graph.deviceManagementDomainJoinConnector");
      const got = await call("GET", item(c.id));
      expect(got.body["@odata.type"]).to.equal("#microsoft.graph.deviceManagementDomainJoinConnector");
      const patched = await call("PATCH", item(c.id), { displayName: "SRV-TYPED" });
      expect(patched.body["@odata.type"]).to.equal("#microsoft.graph.deviceManagementDomainJoinConnector");
      const listed = (await call<ListBody>("GET", CONNECTORS)).body.value;
      expect(listed.map((x) => x["@odata.type"])).to.deep.equal([
        "#microsoft.graph.deviceManagementDomainJoinConnector",
      ]);
    });

    it("S07 serves the collection under /beta only", async () => {
      expect((await call<ListBody>("GET", CONNECTORS)).status).to.equal(200);
      const v1 = await call<GraphErrorBody>("GET", "/v1.0/deviceManagement/domainJoinConnectors");
      expect(v1.status).to.equal(400);
      expect(v1.body.error.message).to.contain("domainJoinConnectors");
    });
  });

  describe("the operations", () => {
    it("S10 lists with 200 and the connectors in value", async () => {
      const [a, b] = emu.seed(2);
      const res = await call<ListBody>("GET", CONNECTORS, undefined, reader);
      expect(res.status).to.equal(200);
      expect(res.body.value.map((c) => c.id)).to.deep.equal([a.id, b.id]);
    });

    it("S11 gets one with 200 and the object itself", async () => {
      const [c] = emu.seed([{ displayName: "SRV-ONE", version: "6.2504.2001.8" }]);
      const res = await call("GET", item(c.id), undefined, reader);
      expect(res.status).to.equal(200);
      expect(res.body).to.include({
        id: c.id,
        displayName: "SRV-ONE",
        version: "6.2504.2001.8",
        state: "active",
      });
    });

    it("S12 creates with 201 Created and the new object", async () => {
      const res = await call("POST", CONNECTORS, { displayName: "SRV-CREATED", version: "6.2504.2001.8" });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ displayName: "SRV-CREATED", version: "6.2504.2001.8" });
      expect(emu.connectors().map((c) => c.id)).to.deep.equal([res.body.id]);
    });

    it("S13 updates with 200 OK and the updated object", async () => {
      const [c] = emu.seed([{ displayName: "SRV-OLD-NAME" }]);
      const res = await call("PATCH", item(c.id), {
        "@odata.type": CONNECTOR_TYPE,
        displayName: "SRV-NEW-NAME",
      });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({
        id: c.id,
        displayName: "SRV-NEW-NAME",
        version: c.version,
        state: "active",
      });
    });

    it("S14 deletes with 204 No Content", async () => {
      const [c] = emu.seed(1);
      const res = await call("DELETE", item(c.id));
      expect(res.status).to.equal(204);
      expect(res.text).to.equal("");
      expect(emu.connectors()).to.deep.equal([]);
    });

    it("S15 lets Read.All read and not write, ReadWrite.All do both, and an app without either do nothing", async () => {
      const [c] = emu.seed(1);
      const writes: [string, string, unknown][] = [
        ["POST", CONNECTORS, { displayName: "x" }],
        ["PATCH", item(c.id), { displayName: "x" }],
        ["DELETE", item(c.id), undefined],
      ];
      for (const [method, url] of [
        ["GET", CONNECTORS],
        ["GET", item(c.id)],
      ]) {
        expect((await call(method, url, undefined, reader)).status, `reader ${method}`).to.equal(200);
        expect((await call(method, url, undefined, noRoles)).status, `no-roles ${method}`).to.equal(403);
      }
      for (const [method, url, body] of writes) {
        expect((await call(method, url, body, reader)).status, `reader ${method}`).to.equal(403);
      }
      expect(emu.connectors()).to.deep.equal([c]);
      expect((await call("PATCH", item(c.id), { displayName: "x" })).status).to.equal(200);
      expect((await call("DELETE", item(c.id))).status).to.equal(204);
    });

    it("S16 takes a body with the five documented properties, and refuses any other property", async () => {
      const res = await call("POST", CONNECTORS, {
        "@odata.type": CONNECTOR_TYPE,
        displayName: "SRV-FULL",
        lastConnectionDateTime: "2016-12-31T23:58:36.6670033-08:00",
        state: "error",
        version: "6.2504.2001.8",
      });
      expect(res.status).to.equal(201);
      const patched = await call("PATCH", item(res.body.id), { id: res.body.id, version: "6.2504.2001.9" });
      expect(patched.status).to.equal(200);
      const other = await call<GraphErrorBody>("PATCH", item(res.body.id), {
        displayName: "x",
        location: "HQ",
      });
      expect(other.status).to.equal(400);
      expect(other.body.error.message).to.contain("'location'");
    });

    it("S17 answers a POST and a PATCH that write lastConnectionDateTime with the value written, as the examples do", async () => {
      // The request body of both examples, and what their responses show of it.
      const example = {
        "@odata.type": CONNECTOR_TYPE,
        displayName: "Display Name value",
        lastConnectionDateTime: "2016-12-31T23:58:36.6670033-08:00",
        state: "error",
        version: "Version value",
      };
      const { "@odata.type": _type, ...shown } = example;
      const created = await call("POST", CONNECTORS, example);
      expect(created.status).to.equal(201);
      expect(created.body).to.include(shown);
      const [c] = emu.seed([{ displayName: "SRV-WRITTEN" }]);
      const updated = await call("PATCH", item(c.id), example);
      expect(updated.status).to.equal(200);
      expect(updated.body).to.include(shown);
    });
  });

  describe("state over time (the enum page)", () => {
    it("S20 a heartbeat makes a connector active", async () => {
      const [c] = emu.seed([{ lastConnectionDateTime: new Date(Date.now() - 8 * DAY).toISOString() }]);
      expect(c.state).to.equal("inactive");
      emu.heartbeat(c.id);
      expect((await call("GET", item(c.id))).body.state).to.equal("active");
    });

    it("S21 more than an hour without a heartbeat makes it error, less than an hour does not", async () => {
      const [c] = emu.seed([{ displayName: "SRV-QUIET" }]);
      emu.heartbeat(c.id);
      emu.advanceClock(HOUR - 2_000);
      expect((await call("GET", item(c.id))).body.state).to.equal("active");
      emu.advanceClock(4_000);
      expect((await call("GET", item(c.id))).body.state).to.equal("error");
      expect((await call<ListBody>("GET", CONNECTORS)).body.value[0].state).to.equal("error");
    });

    it("S22 more than five days without a heartbeat makes it inactive, and a heartbeat brings it back", async () => {
      const [c] = emu.seed([{ displayName: "SRV-GONE" }]);
      emu.heartbeat(c.id);
      emu.advanceClock(5 * DAY - 2_000);
      expect((await call("GET", item(c.id))).body.state).to.equal("error");
      emu.advanceClock(4_000);
      expect((await call("GET", item(c.id))).body.state).to.equal("inactive");
      emu.heartbeat(c.id);
      const back = (await call("GET", item(c.id))).body;
      expect(back.state).to.equal("active");
      expect(Date.parse(back.lastConnectionDateTime)).to.be.closeTo(emu.now().getTime(), 1000);
    });

    it("S23 removes an inactive connector 30 days on (option removeInactiveAfterMs), counted from the last contact or, when chosen, from becoming inactive", async () => {
      const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
      const seed = [
        { displayName: "SILENT-29-DAYS", lastConnectionDateTime: ago(29) },
        { displayName: "SILENT-6-DAYS", lastConnectionDateTime: ago(6) },
      ];
      for (const [from, silentFor] of [
        ["last-contact", 30],
        ["inactive", 35], // inactive after five days of silence, removed 30 days later
      ] as const) {
        const cleaning = await startTestEmulator({
          removeInactiveAfterMs: 30 * DAY,
          removeInactiveFrom: from,
          seed,
        });
        try {
          const names = () => cleaning.connectors().map((c) => c.displayName);
          // Just before and just after the SILENT-29-DAYS connector has been silent `silentFor` days.
          cleaning.advanceClock((silentFor - 29) * DAY - HOUR);
          expect(names(), `${from}, before`).to.deep.equal(["SILENT-29-DAYS", "SILENT-6-DAYS"]);
          cleaning.advanceClock(2 * HOUR);
          expect(names(), `${from}, after`).to.deep.equal(["SILENT-6-DAYS"]);
          cleaning.advanceClock(25 * DAY);
          expect(names(), `${from}, 25 days later`).to.deep.equal([]);
        } finally {
          await cleaning.close();
        }
      }
    });
  });

  describe("paging and query options", () => {
    it("S30 pages a long list, each next link carrying the request's other query options", async () => {
      emu.setOptions({ pageSize: 2 });
      emu.seed([
        { displayName: "SRV-1" },
        { displayName: "SRV-2" },
        { displayName: "OTHER" },
        { displayName: "SRV-3" },
        { displayName: "SRV-4" },
      ]);
      const names: string[] = [];
      let next: string | undefined = `${CONNECTORS}?$select=displayName&api-version=custom`;
      let pages = 0;
      while (next) {
        const res: Awaited<ReturnType<typeof call<ListBody>>> = await call<ListBody>("GET", next);
        expect(res.status).to.equal(200);
        names.push(...res.body.value.map((c) => c.displayName));
        expect(res.body.value.every((c) => !("version" in c))).to.equal(true);
        next = res.body["@odata.nextLink"]?.slice(emu.url.length);
        if (next) expect(decodeURIComponent(next)).to.contain("$select=displayName&api-version=custom");
        pages++;
      }
      expect(names).to.deep.equal(["SRV-1", "SRV-2", "OTHER", "SRV-3", "SRV-4"]);
      expect(pages).to.equal(3);
    });

    it("S31 refuses a $skiptoken it did not issue", async () => {
      const res = await call<GraphErrorBody>("GET", `${CONNECTORS}?$skiptoken=made-up`);
      expect(res.status).to.equal(400);
    });

    it("S32 honours $select on one connector; $expand=* expands nothing, $expand of a name is refused (no relationships)", async () => {
      const [c] = emu.seed([{ displayName: "SRV-SELECT", version: "6.2504.2001.8" }]);
      const res = await call<Record<string, unknown>>("GET", `${item(c.id)}?$select=displayName`);
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id: c.id, displayName: "SRV-SELECT" });
      expect(res.body).not.to.have.property("version");
      expect(res.body).not.to.have.property("state");
      const plain = await call<Record<string, unknown>>("GET", item(c.id));
      const all = await call<Record<string, unknown>>("GET", `${item(c.id)}?$expand=*`);
      expect(all.status).to.equal(200);
      expect(all.body).to.deep.equal(plain.body);
      const listed = await call<ListBody>("GET", `${CONNECTORS}?$expand=*`);
      expect(listed.status).to.equal(200);
      expect(listed.body.value.map((x) => x.id)).to.deep.equal([c.id]);
      for (const url of [`${item(c.id)}?$expand=owner`, `${CONNECTORS}?$expand=owner`]) {
        const expand = await call<GraphErrorBody>("GET", url);
        expect(expand.status, url).to.equal(400);
        expect(expand.body.error.message, url).to.contain("owner");
      }
    });

    it("S33 counts with /$count as plain text, in every listQuery variant", async () => {
      emu.seed([{ displayName: "SRV-1" }, { displayName: "SRV-2" }, { displayName: "OTHER" }]);
      const all = await call("GET", `${CONNECTORS}/$count`);
      expect(all.status).to.equal(200);
      expect(all.headers.get("content-type")).to.match(/^text\/plain/);
      expect(all.text).to.equal("3");
      for (const listQuery of ["ignored", "rejected"] as const) {
        emu.setOptions({ variants: { listQuery } });
        const counted = await call("GET", `${CONNECTORS}/$count`);
        expect(counted.status, listQuery).to.equal(200);
        expect(counted.text, listQuery).to.equal("3");
      }
    });

    it("S34 takes query options without their $ on beta", async () => {
      const [c] = emu.seed([{ displayName: "SRV-DOLLARLESS", version: "6.2504.2001.8" }]);
      const res = await call<Record<string, unknown>>("GET", `${item(c.id)}?select=displayName`);
      expect(res.body).not.to.have.property("version");
      const list = await call<ListBody & { "@odata.count"?: number }>("GET", `${CONNECTORS}?count=true`);
      expect(list.body["@odata.count"]).to.equal(1);
    });

    it("S35 takes $top as the page size of the list, with a next link while more connectors remain", async () => {
      const seeded = emu.seed(5).map((c) => c.id);
      const pages: string[][] = [];
      let next: string | undefined = `${CONNECTORS}?$top=2`;
      while (next) {
        const res: Awaited<ReturnType<typeof call<ListBody>>> = await call<ListBody>("GET", next);
        pages.push(res.body.value.map((c) => c.id));
        next = res.body["@odata.nextLink"]?.slice(emu.url.length);
        if (next) expect(decodeURIComponent(next)).to.contain("$top=2");
      }
      expect(pages).to.deep.equal([seeded.slice(0, 2), seeded.slice(2, 4), seeded.slice(4)]);
    });
  });

  describe("errors and throttling", () => {
    it("S40 answers errors as {error: {code, message, innerError: {date, request-id}}}", async () => {
      const res = await call<GraphErrorBody>("PATCH", item("0f0e0d0c-0b0a-4908-8706-050403020100"), {
        displayName: "x",
      });
      expect(res.status).to.equal(404);
      expect(Object.keys(res.body)).to.deep.equal(["error"]);
      expect(res.body.error.code).to.be.a("string").and.not.equal("");
      expect(res.body.error.message).to.be.a("string").and.not.equal("");
      expect(res.body.error.innerError.date).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      expect(res.body.error.innerError["request-id"]).to.equal(res.headers.get("request-id"));
    });

    it("S41 throttles at Intune's ODJ limits by default, per 20 s: writes 100 per app and 200 per tenant, any request 1,000 per app and 2,000 per tenant", async function () {
      this.timeout(60_000);
      const WINDOW_S = 20;
      // Three apps that may write, so that the tenant's limits can be reached with each app under its own.
      const apps = ["w1", "w2", "w3"].map((displayName, i) => ({
        clientId: `5a1d0000-0000-4000-8000-00000000004${i}`,
        displayName,
        roles: ["DeviceManagementConfiguration.ReadWrite.All"],
      }));
      const limited = await startTestEmulator({ seed: 1, apps });
      try {
        const [a, b, c] = await Promise.all(apps.map((app) => tokenFor(limited, app.displayName)));
        const [connector] = limited.connectors();
        type Request = (token: string) => Promise<Reply<unknown>>;
        const write: Request = (token) =>
          graph(limited, "PATCH", item(connector.id), { token, body: { displayName: "x" } });
        const read: Request = (token) => graph(limited, "GET", `${CONNECTORS}/$count`, { token });
        /** From empty windows, `counts[i]` requests of app i pass (100 at a time), and the next one of the first app does not. */
        const limitReached = async (request: Request, counts: number[]) => {
          limited.resetThrottle();
          for (const [i, count] of counts.entries()) {
            const statuses: Record<number, number> = {};
            for (let sent = 0; sent < count; sent += 100) {
              const batch = await Promise.all(
                Array.from({ length: Math.min(100, count - sent) }, () => request([a, b, c][i])),
              );
              for (const { status } of batch) statuses[status] = (statuses[status] ?? 0) + 1;
            }
            expect(statuses, `app ${i + 1}`).to.deep.equal({ 200: count });
          }
          const refused = await request(a);
          expect(refused.status).to.equal(429);
          expect(Number(refused.headers.get("retry-after")))
            .to.be.greaterThan(0)
            .and.at.most(WINDOW_S);
        };

        // Writes: the 101st of an app; the 201st of the tenant from an app at 70 of its 100.
        await limitReached(write, [100]);
        expect((await write(b)).status, "another app").to.equal(200);
        await limitReached(write, [70, 70, 60]);
        expect((await read(a)).status, "reads are under their own limits").to.equal(200);
        // Any request: the 1,001st of an app; the 2,001st of the tenant from an app at 700 of its 1,000.
        await limitReached(read, [1000]);
        expect((await read(b)).status, "another app").to.equal(200);
        await limitReached(read, [700, 700, 600]);
      } finally {
        await limited.close();
      }
    });

    it("S42 answers 429 as throttling.md's sample: TooManyRequests, 'Please retry again later.', the inner error's code, message and status, Retry-After in seconds", async () => {
      emu.setOptions({ throttle: { appWrites: 1, windowMs: 2_000 } });
      const [c] = emu.seed(1);
      expect((await call("PATCH", item(c.id), { displayName: "one" })).status).to.equal(200);
      const res = await call<GraphErrorBody>("PATCH", item(c.id), { displayName: "two" });
      expect(res.status).to.equal(429);
      expect(res.body.error.code).to.equal("TooManyRequests");
      expect(res.body.error.message).to.equal("Please retry again later.");
      const inner = res.body.error.innerError;
      expect(inner).to.include({ code: "429", message: "Please retry after", status: "429" });
      expect(inner.date).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      expect(inner["request-id"]).to.equal(res.headers.get("request-id"));
      // The sample's fields in the sample's order; client-request-id (observed) after them.
      expect(Object.keys(inner)).to.deep.equal([
        "code",
        "date",
        "message",
        "request-id",
        "status",
        "client-request-id",
      ]);
      expect(res.headers.get("retry-after")).to.match(/^\d+(\.\d+)?$/);
      expect(Number(res.headers.get("retry-after")))
        .to.be.greaterThan(0)
        .and.at.most(2);
    });

    it("S43 answers a method the resource does not take with 405 Method Not Allowed", async () => {
      const [c] = emu.seed(1);
      for (const [method, url] of [
        ["PUT", item(c.id)],
        ["DELETE", CONNECTORS],
      ]) {
        const res = await call<GraphErrorBody>(method, url, { displayName: "x" });
        expect(res.status, `${method} ${url}`).to.equal(405);
      }
      expect(emu.connectors()).to.deep.equal([c]);
    });

    it("S44 answers every request for the connectors 403 in a tenant without an Intune licence (option intuneLicensed), naming the licence", async () => {
      const [c] = emu.seed(1);
      emu.setOptions({ intuneLicensed: false });
      const requests: [string, string, unknown][] = [
        ["GET", CONNECTORS, undefined],
        ["GET", `${CONNECTORS}/$count`, undefined],
        ["GET", item(c.id), undefined],
        ["POST", CONNECTORS, { displayName: "x" }],
        ["PATCH", item(c.id), { displayName: "x" }],
        ["DELETE", item(c.id), undefined],
      ];
      for (const [method, url, body] of requests) {
        for (const token of [writer, reader]) {
          const res = await call<GraphErrorBody>(method, url, body, token);
          expect(res.status, `${method} ${url}`).to.equal(403);
          expect(res.body.error.message, `${method} ${url}`).to.match(/Intune license/);
        }
      }
      expect(emu.connectors()).to.deep.equal([c]);
      emu.setOptions({ intuneLicensed: true });
      expect((await call("GET", item(c.id))).status).to.equal(200);
    });
  });

  it("lists every variant with all its values in the Variants section of docs/emulator.md", () => {
    const section = readFileSync(DOCS, "utf8").split("\n## Variants")[1]?.split("\n## ")[0] ?? "";
    for (const [name, values] of Object.entries(VARIANT_CHOICES)) {
      const row = section.split("\n").find((line) => line.startsWith(`| \`${name}\``));
      expect(row, `a row for variant ${name}`).to.be.a("string");
      for (const value of values as readonly string[])
        expect(row, `${name}'s value ${value}`).to.contain(`\`${value}\``);
    }
  });

  describe("throttled requests count", () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const retryAfterMs = (res: { headers: { get(name: string): string | null } }) =>
      Number(res.headers.get("retry-after")) * 1000;

    it("S45 counts a throttled request: retrying at once stays throttled past the first Retry-After, waiting for it gets through", async () => {
      emu.setOptions({ throttle: { appWrites: 1, windowMs: 600 } });
      const [c] = emu.seed(1);
      const patch = (name: string) => call("PATCH", item(c.id), { displayName: name });
      // Patient: one 429, then waits as told.
      expect((await patch("a")).status).to.equal(200);
      const first = await patch("b");
      expect(first.status).to.equal(429);
      await sleep(retryAfterMs(first) + 30);
      expect((await patch("c")).status).to.equal(200);
      // Hasty: retries half way through the wait; that retry counts, so the first wait is not enough.
      emu.resetThrottle();
      expect((await patch("d")).status).to.equal(200);
      const throttled = await patch("e");
      expect(throttled.status).to.equal(429);
      await sleep(retryAfterMs(throttled) / 2);
      expect((await patch("f")).status).to.equal(429);
      await sleep(retryAfterMs(throttled) / 2 + 30);
      expect((await patch("g")).status).to.equal(429);
    });
  });

  describe("tenants and the partner pattern (Entra's docs)", () => {
    const HOME = "fd2b9043-e02e-4f11-80b6-ccc5d53070e0";
    const CONSENTED = "e18a290f-31a2-445e-bd65-2fe6388e418e";
    const READER = "0f6b8c1e-2d4a-4e7f-9b3c-5a1d8e2f4c6b";
    const INSTALLED = "7c2e9a4d-1b5f-4d3a-8e6c-9f0b2a4d6e8f";
    const UNKNOWING = "3e5a7c9b-4d6f-4a8e-b1c3-5d7f9a1b3c5e";
    const SUBJECT = "repo:partner/fleet:environment:prod";
    const partnerApp = {
      clientId: "6a8c0e2f-3b5d-4f7a-9c1e-3f5a7b9d1e3a",
      displayName: "partner-fleet",
      roles: [READ_WRITE_ROLE],
      multiTenant: true,
      secrets: ["Pf18Q~the-partner-fleet-secret-value-000"],
      federated: [{ issuer: EMULATOR_ISSUER, subject: SUBJECT }],
    };
    let multi: Emulator;

    before(async () => {
      multi = await startTestEmulator({
        tenants: [
          { tenantId: HOME, apps: [partnerApp] },
          {
            tenantId: CONSENTED,
            domain: "consented.onmicrosoft.com",
            seed: 1,
            consent: [partnerApp.clientId],
          },
          { tenantId: READER, consent: [{ clientId: partnerApp.clientId, roles: [READ_ROLE] }] },
          { tenantId: INSTALLED, consent: [{ clientId: partnerApp.clientId, roles: [] }] },
          { tenantId: UNKNOWING, name: "Unknowing Ltd" },
        ],
      });
    });
    after(() => multi.close());
    beforeEach(() => multi.reset());

    /** The partner app's token request at a tenant's authority, by its secret or a federated token. */
    const ask = async (tenant: string, federated = false) =>
      requestToken<{ access_token: string } & EntraErrorBody>(
        multi,
        {
          grant_type: "client_credentials",
          client_id: partnerApp.clientId,
          scope: "https://graph.microsoft.com/.default",
          ...(federated
            ? {
                client_assertion_type: JWT_BEARER,
                client_assertion: await multi.mintFederatedToken({ subject: SUBJECT }),
              }
            : { client_secret: partnerApp.secrets[0] }),
        },
        tenant,
      );
    const claimsAt = async (tenant: string, federated = false) =>
      claimsOf((await ask(tenant, federated)).body.access_token);

    it("S50 issues a multi-tenant app a token of each tenant that consented, with that tenant's service principal and grants", async () => {
      const [home, consented, reader] = await Promise.all([HOME, CONSENTED, READER].map((t) => claimsAt(t)));
      expect([home.tid, consented.tid, reader.tid]).to.deep.equal([HOME, CONSENTED, READER]);
      expect(consented.oid).to.not.equal(home.oid);
      expect(consented.roles).to.deep.equal([READ_WRITE_ROLE]);
      expect(reader.roles).to.deep.equal([READ_ROLE]);
    });

    it("S51 refuses the app at a tenant that does not know it with AADSTS700016, a single-tenant app too", async () => {
      const refused = await ask(UNKNOWING);
      expect(refused.status).to.equal(400);
      expect(refused.body.error_codes).to.deep.equal([700016]);
      const writer = multi.app("writer");
      const elsewhere = await requestToken<EntraErrorBody>(
        multi,
        {
          grant_type: "client_credentials",
          client_id: writer.clientId,
          client_secret: writer.secret,
          scope: "https://graph.microsoft.com/.default",
        },
        CONSENTED,
      );
      expect(elsewhere.body.error_codes).to.deep.equal([700016]);
    });

    it("S52 issues an app installed without a grant a token without roles, which Graph refuses", async () => {
      const res = await ask(INSTALLED);
      expect(res.status).to.equal(200);
      expect(claimsOf(res.body.access_token)).to.not.have.property("roles");
      expect((await graph(multi, "GET", CONNECTORS, { token: res.body.access_token })).status).to.equal(403);
    });

    it("S53 signs the app in at a customer tenant with the federated credential configured in its home tenant", async () => {
      const res = await ask(CONSENTED, true);
      expect(res.status).to.equal(200);
      expect(claimsOf(res.body.access_token)).to.include({ tid: CONSENTED, appidacr: "2" });
    });

    it("S54 takes a tenant's domain in the authority, and names the tenant by its GUID in the token", async () => {
      expect((await claimsAt("consented.onmicrosoft.com")).tid).to.equal(CONSENTED);
    });

    it("S55 counts Intune's limits per tenant and per app per tenant: one app has its writes in each tenant, one tenant's storm leaves another alone", async () => {
      multi.setOptions({ throttle: { appWrites: 1 } });
      const [inHome, inCustomer] = await Promise.all(
        [HOME, CONSENTED].map(async (t) => (await ask(t)).body.access_token),
      );
      const post = (token: string) =>
        graph(multi, "POST", CONNECTORS, { token, body: { displayName: "SRV" } });
      expect([(await post(inHome)).status, (await post(inHome)).status]).to.deep.equal([201, 429]);
      expect((await post(inCustomer)).status).to.equal(201);
    });
  });

  it("has a test for every documented row of docs/emulator.md", function () {
    const documented = [...readFileSync(DOCS, "utf8").matchAll(/^\| (S\d\d) \|/gm)].map((m) => m[1]);
    expect(documented.length).to.be.greaterThan(20);
    const titles: string[] = [];
    const collect = (suite: Mocha.Suite) => {
      titles.push(...suite.tests.map((t) => t.title));
      suite.suites.forEach(collect);
    };
    collect(this.test?.parent as Mocha.Suite);
    const missing = documented.filter((id) => !titles.some((t) => t.startsWith(`${id} `)));
    expect(missing, "documented rows without a test").to.deep.equal([]);
  });
});
