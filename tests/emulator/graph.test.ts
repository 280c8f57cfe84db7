// Graph: the five operations, paging, routing and body validation, with the service's status codes,
// headers and error shapes.
import { expect } from "chai";
import type { Emulator } from "intune-graph-emulator";
import { startTestEmulator } from "intune-test-support/emulator";
import {
  CONNECTORS,
  CONNECTOR_TYPE,
  graph,
  intuneMessage,
  tokenFor,
  type ConnectorBody,
  type GraphErrorBody,
  type ListBody,
} from "intune-test-support/emulator-requests";

const SEVEN_DIGIT_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;
const MISSING_ID = "0f0e0d0c-0b0a-4908-8706-050403020100";

describe("emulator: Graph domainJoinConnectors", function () {
  this.timeout(10_000);
  let emu: Emulator;
  let token: string;

  before(async () => {
    emu = await startTestEmulator();
    token = await tokenFor(emu, "writer");
  });
  after(() => emu.close());
  beforeEach(() => emu.reset());

  const call = <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    graph<T>(emu, method, path, { token, body, headers });

  describe("operations", () => {
    it("creates with POST: 201, a new GUID, never connected, inactive, version empty (never null)", async () => {
      const res = await call<ConnectorBody>("POST", CONNECTORS, {
        "@odata.type": CONNECTOR_TYPE,
        displayName: "ODJ-NEW",
      });
      expect(res.status).to.equal(201);
      expect(res.body).to.deep.include({
        "@odata.context": `${emu.url}/beta/$metadata#deviceManagement/domainJoinConnectors/$entity`,
        "@odata.type": CONNECTOR_TYPE,
        displayName: "ODJ-NEW",
        state: "inactive",
        version: "",
        lastConnectionDateTime: "0001-01-01T00:00:00Z",
      });
      expect(res.body.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(res.headers.get("location")).to.equal(`${emu.url}${CONNECTORS}('${res.body.id}')`);
      expect(emu.connectors().map((c) => c.id)).to.deep.equal([res.body.id]);
    });

    it("takes state (until a heartbeat) and version on POST, and ignores lastConnectionDateTime under contactWrite ignored", async () => {
      emu.setOptions({ variants: { contactWrite: "ignored" } });
      const res = await call<ConnectorBody>("POST", CONNECTORS, {
        displayName: "ODJ-2",
        state: "active",
        version: "6.2501.2000.5",
        lastConnectionDateTime: "2024-01-01T00:00:00Z",
      });
      expect(res.body).to.include({
        state: "active",
        version: "6.2501.2000.5",
        lastConnectionDateTime: "0001-01-01T00:00:00Z",
      });
      const patched = await call<ConnectorBody>("PATCH", `${CONNECTORS}/${res.body.id}`, {
        lastConnectionDateTime: "2024-01-01T00:00:00Z",
      });
      expect(patched.status).to.equal(200);
      expect(patched.body.lastConnectionDateTime).to.equal("0001-01-01T00:00:00Z");
    });

    it("takes a written lastConnectionDateTime as the last contact by default: shown as written, the state following it, until a heartbeat", async () => {
      const hoursAgo = (hours: number) => new Date(emu.now().getTime() - hours * 3_600_000).toISOString();
      const recent = hoursAgo(0.5);
      const created = await call<ConnectorBody>("POST", CONNECTORS, {
        displayName: "ODJ-CONTACT",
        lastConnectionDateTime: recent,
      });
      expect(created.body).to.include({ lastConnectionDateTime: recent, state: "active" });
      const path = `${CONNECTORS}/${created.body.id}`;
      const silent = hoursAgo(2);
      const patched = await call<ConnectorBody>("PATCH", path, { lastConnectionDateTime: silent });
      expect(patched.body).to.include({ lastConnectionDateTime: silent, state: "error" });
      expect((await call<ConnectorBody>("GET", path)).body).to.include({
        lastConnectionDateTime: silent,
        state: "error",
      });
      // Year one is "never connected" again, as for a POST without a date.
      const never = await call<ConnectorBody>("PATCH", path, {
        lastConnectionDateTime: "0001-01-01T00:00:00Z",
      });
      expect(never.body).to.include({ lastConnectionDateTime: "0001-01-01T00:00:00Z", state: "inactive" });
      // The next heartbeat replaces a written date.
      await call<ConnectorBody>("PATCH", path, { lastConnectionDateTime: silent });
      const beat = emu.heartbeat(created.body.id);
      expect(beat.state).to.equal("active");
      expect(Date.parse(beat.lastConnectionDateTime)).to.be.closeTo(emu.now().getTime(), 1000);
    });

    it("reads one with GET, by path key and by OData key syntax", async () => {
      const [seeded] = emu.seed([{ displayName: "ODJ-HQ", version: "6.2504.2001.8" }]);
      for (const path of [
        `${CONNECTORS}/${seeded.id}`,
        `${CONNECTORS}('${seeded.id}')`,
        `${CONNECTORS}/${seeded.id.toUpperCase()}`,
      ]) {
        const res = await call<ConnectorBody>("GET", path);
        expect(res.status, path).to.equal(200);
        expect(res.body).to.deep.equal({
          "@odata.context": `${emu.url}/beta/$metadata#deviceManagement/domainJoinConnectors/$entity`,
          "@odata.type": CONNECTOR_TYPE,
          id: seeded.id,
          displayName: "ODJ-HQ",
          lastConnectionDateTime: seeded.lastConnectionDateTime,
          state: "active",
          version: "6.2504.2001.8",
        });
      }
      expect(seeded.lastConnectionDateTime).to.match(SEVEN_DIGIT_UTC);
    });

    it("updates with PATCH: 200 and the updated object by default, the change visible on GET", async () => {
      const [seeded] = emu.seed(1);
      const res = await call<ConnectorBody>("PATCH", `${CONNECTORS}/${seeded.id}`, {
        "@odata.type": CONNECTOR_TYPE,
        displayName: "RENAMED",
      });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({
        "@odata.context": `${emu.url}/beta/$metadata#deviceManagement/domainJoinConnectors/$entity`,
        "@odata.type": CONNECTOR_TYPE,
        id: seeded.id,
        displayName: "RENAMED",
        lastConnectionDateTime: seeded.lastConnectionDateTime,
        state: "active",
        version: seeded.version,
      });
      const after = await call<ConnectorBody>("GET", `${CONNECTORS}/${seeded.id}`);
      expect(after.body).to.include({ displayName: "RENAMED", state: seeded.state, version: seeded.version });
    });

    it("answers PATCH with 204 and no body under variant patchResponse no-content (and the 0.1 option patchReturnsBody: false)", async () => {
      for (const options of [
        { variants: { patchResponse: "no-content" as const } },
        { patchReturnsBody: false },
      ]) {
        emu.reset();
        emu.setOptions(options);
        const [seeded] = emu.seed(1);
        const res = await call("PATCH", `${CONNECTORS}/${seeded.id}`, { version: "6.2504.2001.9" });
        expect(res.status).to.equal(204);
        expect(res.text).to.equal("");
        expect(res.headers.get("content-type")).to.equal(null);
        expect(emu.connectors()[0].version).to.equal("6.2504.2001.9");
      }
    });

    it("ignoredPatchProperties: PATCH answers 200 with the old value (or 204) without applying them", async () => {
      emu.setOptions({ ignoredPatchProperties: ["version"] });
      const [seeded] = emu.seed([{ displayName: "KEEP", version: "6.2501.2000.5" }]);
      const path = `${CONNECTORS}/${seeded.id}`;
      const withBody = await call<ConnectorBody>("PATCH", path, {
        displayName: "RENAMED",
        version: "6.2504.2001.8",
      });
      expect(withBody.status).to.equal(200);
      expect(withBody.body).to.include({ displayName: "RENAMED", version: "6.2501.2000.5" });
      emu.setOptions({ variants: { patchResponse: "no-content" } });
      const res = await call("PATCH", path, { displayName: "RENAMED 2", version: "6.2504.2001.8" });
      expect(res.status).to.equal(204);
      expect(emu.connectors()[0]).to.include({ displayName: "RENAMED 2", version: "6.2501.2000.5" });
      expect(() => emu.setOptions({ ignoredPatchProperties: ["id" as "state"] })).to.throw(
        /ignoredPatchProperties must be a list of displayName, version, state/,
      );
    });

    it("replicationLag: reads by id answer 404 for the given number of reads after a write; lists are current", async () => {
      emu.setOptions({ replicationLag: { reads: 2 } });
      const created = await call<ConnectorBody>("POST", CONNECTORS, {
        "@odata.type": CONNECTOR_TYPE,
        displayName: "LAGGING",
      });
      expect(created.status).to.equal(201);
      const path = `${CONNECTORS}/${created.body.id}`;
      const list = await call<ListBody>("GET", CONNECTORS);
      expect(list.body.value.map((c) => c.id)).to.include(created.body.id);
      expect((await call("GET", path)).status).to.equal(404);
      expect((await call("GET", path)).status).to.equal(404);
      expect((await call("GET", path)).status).to.equal(200);
      expect((await call("PATCH", path, { displayName: "LAGGING 2" })).status).to.equal(200);
      expect((await call("GET", path)).status).to.equal(404);
      emu.reset(); // forgets the lag with the connectors
      expect(() => emu.setOptions({ replicationLag: { reads: -1 } })).to.throw(
        /reads must be a whole number/,
      );
      expect(() => emu.setOptions({ replicationLag: { seconds: 1 } as never })).to.throw(/not seconds/);
    });

    it("deletes with DELETE: 204, then 404", async () => {
      const [seeded] = emu.seed(1);
      expect((await call("DELETE", `${CONNECTORS}/${seeded.id}`)).status).to.equal(204);
      expect(emu.connectors()).to.deep.equal([]);
      expect((await call("DELETE", `${CONNECTORS}/${seeded.id}`)).status).to.equal(404);
    });

    it("lists with the collection's context", async () => {
      const seeded = emu.seed(3);
      const res = await call<ListBody>("GET", CONNECTORS);
      expect(res.status).to.equal(200);
      expect(res.body["@odata.context"]).to.equal(
        `${emu.url}/beta/$metadata#deviceManagement/domainJoinConnectors`,
      );
      expect(res.body["@odata.nextLink"]).to.equal(undefined);
      expect(res.body.value.map((c) => c.id)).to.deep.equal(seeded.map((c) => c.id));
      expect(res.body.value.every((c) => c["@odata.type"] === CONNECTOR_TYPE)).to.equal(true);
    });

    it("pages with an opaque nextLink on the same origin until it is absent", async () => {
      emu.setOptions({ pageSize: 2 });
      const seeded = emu.seed(5);
      const ids: string[] = [];
      let url: string | undefined = CONNECTORS;
      let pages = 0;
      while (url) {
        const res: Awaited<ReturnType<typeof call<ListBody>>> = await call<ListBody>(
          "GET",
          url.replace(emu.url, ""),
        );
        expect(res.status).to.equal(200);
        ids.push(...res.body.value.map((c) => c.id));
        url = res.body["@odata.nextLink"];
        if (url)
          expect(url).to.match(
            new RegExp(
              `^${emu.url.replace(/\./g, "\\.")}/beta/deviceManagement/domainJoinConnectors\\?\\$skiptoken=`,
            ),
          );
        pages++;
      }
      expect(pages).to.equal(3);
      expect(ids).to.deep.equal(seeded.map((c) => c.id));
    });

    it("refuses a skiptoken it did not issue", async () => {
      const res = await call<GraphErrorBody>("GET", `${CONNECTORS}?$skiptoken=garbage`);
      expect(res.status).to.equal(400);
    });

    /** Follows the next links from `first`; every page's ids, and the links. */
    async function follow(first: string): Promise<{ pages: string[][]; links: string[] }> {
      const pages: string[][] = [];
      const links: string[] = [];
      let next: string | undefined = first;
      while (next !== undefined) {
        const res: Awaited<ReturnType<typeof call<ListBody>>> = await call<ListBody>("GET", next);
        expect(res.status, next).to.equal(200);
        pages.push(res.body.value.map((c) => c.id));
        const link = res.body["@odata.nextLink"];
        if (link) links.push(decodeURIComponent(link));
        next = link?.slice(emu.url.length);
        if (pages.length > 20) throw new Error("the pages never end");
      }
      return { pages, links };
    }

    it("takes $top as the page size, a next link following while connectors remain; $count=true counts every connector", async () => {
      const ids = emu.seed(5).map((c) => c.id);
      const first = await call<ListBody & { "@odata.count"?: number }>(
        "GET",
        `${CONNECTORS}?$top=2&$count=true`,
      );
      expect(first.body["@odata.count"]).to.equal(5);
      const { pages, links } = await follow(`${CONNECTORS}?$top=2&$count=true`);
      expect(pages).to.deep.equal([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
      for (const link of links) expect(link).to.contain("$top=2&$count=true&$skiptoken=");
      // Above the service's page size, $top gets the service's (paging.md: "it might default to
      // the maximum page size for that API").
      emu.setOptions({ pageSize: 3 });
      expect((await follow(`${CONNECTORS}?$top=4`)).pages).to.deep.equal([ids.slice(0, 3), ids.slice(3)]);
      // $top=0 is below query-parameters.md's minimum of 1: one empty page, no next link.
      expect(await follow(`${CONNECTORS}?$top=0`)).to.deep.equal({ pages: [[]], links: [] });
    });

    it("under paging skip: next links carry $skip, which it honours in its own links only", async () => {
      emu.setOptions({ pageSize: 2, variants: { paging: "skip" } });
      const ids = emu.seed(5).map((c) => c.id);
      const { pages, links } = await follow(`${CONNECTORS}?$select=displayName`);
      expect(pages).to.deep.equal([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
      expect(links.map((link) => link.slice(emu.url.length))).to.deep.equal([
        `${CONNECTORS}?$select=displayName&$skip=2`,
        `${CONNECTORS}?$select=displayName&$skip=4`,
      ]);
      // The same $skip written by the client is the list's undocumented $skip (variant listQuery).
      const own = await call<GraphErrorBody>("GET", `${CONNECTORS}?$select=displayName&$skip=3`);
      expect(own.status).to.equal(400);
      expect(own.body.error.message).to.equal("Query option '$skip' is not supported for this resource.");
      emu.setOptions({ variants: { listQuery: "ignored" } });
      const ignored = await follow(`${CONNECTORS}?$skip=3`);
      expect(ignored.pages).to.deep.equal([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
      emu.setOptions({ variants: { listQuery: "rejected" } });
      expect((await follow(CONNECTORS)).pages).to.deep.equal([
        ids.slice(0, 2),
        ids.slice(2, 4),
        ids.slice(4),
      ]);
      // A reset forgets the links it issued.
      emu.reset();
      emu.setOptions({ variants: { paging: "skip" } });
      expect((await call("GET", `${CONNECTORS}?$skip=2`)).status).to.equal(400);
    });

    it("under paging empty-pages: an empty page with a next link before each page of results, and an empty last page", async () => {
      emu.setOptions({ pageSize: 2, variants: { paging: "empty-pages" } });
      const ids = emu.seed(3).map((c) => c.id);
      const { pages, links } = await follow(CONNECTORS);
      expect(pages).to.deep.equal([[], ids.slice(0, 2), [], ids.slice(2), []]);
      expect(links).to.have.length(4);
      for (const link of links) expect(link).to.contain("$skiptoken=");
      emu.reset({ seed: 0 });
      emu.setOptions({ variants: { paging: "empty-pages" } });
      expect(await follow(CONNECTORS)).to.deep.equal({ pages: [[]], links: [] });
    });

    it("answers $filter, $orderby, $search and $skip on the list and /$count with 400 naming them; ignores them under listQuery ignored", async () => {
      emu.seed(3);
      for (const query of ["$filter=state eq 'active'", "$orderby=displayName", "$search=SRV", "skip=1"]) {
        const option = `$${query.replace(/^\$/, "").split("=")[0]}`;
        for (const path of [CONNECTORS, `${CONNECTORS}/$count`]) {
          const res = await call<GraphErrorBody>("GET", `${path}?${query}`);
          expect(res.status, `${path}?${query}`).to.equal(400);
          expect(res.body.error.message).to.equal(
            `Query option '${option}' is not supported for this resource.`,
          );
        }
      }
      emu.setOptions({ variants: { listQuery: "ignored" } });
      const listed = await call<ListBody>("GET", `${CONNECTORS}?$filter=state eq 'error'&$skip=2`);
      expect(listed.body.value).to.have.length(3);
      expect((await call("GET", `${CONNECTORS}/$count?$search=nothing`)).text).to.equal("3");
    });
  });

  describe("headers", () => {
    it("sends request-id, echoes client-request-id, and sends x-ms-ags-diagnostic", async () => {
      const res = await call("GET", CONNECTORS, undefined, {
        "client-request-id": "11112222-3333-4444-5555-666677778888",
      });
      expect(res.headers.get("request-id")).to.match(/^[0-9a-f-]{36}$/);
      expect(res.headers.get("client-request-id")).to.equal("11112222-3333-4444-5555-666677778888");
      expect(JSON.parse(res.headers.get("x-ms-ags-diagnostic") ?? "{}")).to.have.nested.property(
        "ServerInfo.DataCenter",
      );
      expect(res.headers.get("content-type")).to.match(/^application\/json/);
      expect(res.headers.get("date")).to.be.a("string");
      const entry = emu.requestLog({ kind: "graph" }).at(-1);
      expect(entry).to.include({
        requestId: res.headers.get("request-id"),
        clientRequestId: "11112222-3333-4444-5555-666677778888",
      });
    });

    it("makes up a client-request-id when the client sends none", async () => {
      const res = await call<GraphErrorBody>("GET", `${CONNECTORS}/${MISSING_ID}`);
      expect(res.headers.get("client-request-id")).to.match(/^[0-9a-f-]{36}$/);
      expect(res.body.error.innerError["client-request-id"]).to.equal(res.headers.get("client-request-id"));
      expect(res.body.error.innerError["request-id"]).to.equal(res.headers.get("request-id"));
      expect(res.body.error.innerError.date).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    });
  });

  describe("errors", () => {
    it("answers an unknown id with 404 ResourceNotFound and Intune's nested message", async () => {
      const res = await call<GraphErrorBody>("GET", `${CONNECTORS}/${MISSING_ID}`);
      expect(res.status).to.equal(404);
      expect(res.body.error.code).to.equal("ResourceNotFound");
      const inner = intuneMessage(res.body);
      expect(inner._version).to.equal(3);
      expect(inner.Message).to.match(
        /^An error has occurred - Operation ID \(for customer support\): [0-9a-f-]{36} - Activity ID: /,
      );
      expect(inner.Message).to.include(`Activity ID: ${res.headers.get("request-id")}`);
      expect(inner.Message).to.include(`domainJoinConnectors('${MISSING_ID}')?api-version=`);
      for (const method of ["PATCH", "DELETE"]) {
        const other = await call<GraphErrorBody>(
          method,
          `${CONNECTORS}/${MISSING_ID}`,
          method === "PATCH" ? { displayName: "x" } : undefined,
        );
        expect(other.status, method).to.equal(404);
      }
    });

    const badBodies: [string, unknown, string, string | RegExp][] = [
      ["an empty PATCH", {}, "BadRequest", "Invalid patch, at least 1 property must be changed."],
      [
        "a PATCH with only @odata.type",
        { "@odata.type": CONNECTOR_TYPE },
        "BadRequest",
        "Invalid patch, at least 1 property must be changed.",
      ],
      [
        "an unknown property",
        { displayName: "x", colour: "blue" },
        "BadRequest",
        "The property 'colour' does not exist on type 'microsoft.graph.deviceManagementDomainJoinConnector'. Make sure to only use property names that are defined by the type or mark the type as open type.",
      ],
      [
        "a bad state",
        { state: "paused" },
        "BadRequest",
        "Cannot convert the literal 'paused' to the expected type 'microsoft.graph.deviceManagementDomainJoinConnectorState'.",
      ],
      ["a displayName that is not a string", { displayName: 42 }, "BadRequest", /expected type 'Edm.String'/],
      ["a version that is not a string", { version: 6 }, "BadRequest", /expected type 'Edm.String'/],
      [
        "another @odata.type",
        { "@odata.type": "#microsoft.graph.user", displayName: "x" },
        "BadRequest",
        /microsoft\.graph\.user/,
      ],
      [
        "an id that differs from the URL",
        { id: MISSING_ID, displayName: "x" },
        "BadRequest",
        /does not match/,
      ],
      [
        "a bad lastConnectionDateTime",
        { lastConnectionDateTime: "yesterday" },
        "BadRequest",
        /Edm\.DateTimeOffset/,
      ],
      [
        "a null version (the metadata: Nullable=false)",
        { version: null },
        "BadRequest",
        "A null value was found for the property named 'version', which has the expected type 'Edm.String[Nullable=False]'. The expected type 'Edm.String[Nullable=False]' does not allow null values.",
      ],
      ["a null state", { state: null }, "BadRequest", /property named 'state'.*does not allow null values/],
      [
        "a null lastConnectionDateTime",
        { lastConnectionDateTime: null },
        "BadRequest",
        /property named 'lastConnectionDateTime'.*does not allow null values/,
      ],
      ["not JSON", "{nope", "BadRequest", /Unable to read JSON request payload/],
      ["a JSON array", "[]", "BadRequest", /Unable to read JSON request payload/],
    ];
    for (const [name, body, code, message] of badBodies) {
      it(`refuses ${name} with 400 ${code}`, async () => {
        const [seeded] = emu.seed([{ displayName: "KEEP" }]);
        const res = await call<GraphErrorBody>("PATCH", `${CONNECTORS}/${seeded.id}`, body);
        expect(res.status).to.equal(400);
        expect(res.body.error.code).to.equal(code);
        if (typeof message === "string") expect(res.body.error.message).to.equal(message);
        else expect(res.body.error.message).to.match(message);
        expect(emu.connectors()[0]).to.deep.equal(seeded);
      });
    }

    it("takes a POST without displayName and a PATCH that clears it: the metadata declares it nullable", async () => {
      const res = await call<ConnectorBody>("POST", CONNECTORS, { "@odata.type": CONNECTOR_TYPE });
      expect(res.status).to.equal(201);
      expect(res.body.displayName).to.equal(null);
      const cleared = await call<ConnectorBody>("PATCH", `${CONNECTORS}/${res.body.id}`, { displayName: "" });
      expect(cleared.body.displayName).to.equal("");
    });

    it("answers a key that is not a GUID with 400 BadRequest", async () => {
      const res = await call<GraphErrorBody>("GET", `${CONNECTORS}/not-a-guid`);
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal("BadRequest");
    });

    it("answers an unsupported verb with 405 and Allow by default, and with Intune's 'No method match route template' 400 under unsupportedMethod 400", async () => {
      const [seeded] = emu.seed(1);
      const cases: [string, string, string][] = [
        ["PUT", `${CONNECTORS}/${seeded.id}`, "GET, PATCH, DELETE"],
        ["POST", `${CONNECTORS}/${seeded.id}`, "GET, PATCH, DELETE"],
        ["DELETE", CONNECTORS, "GET, POST"],
        ["PATCH", CONNECTORS, "GET, POST"],
        ["POST", `${CONNECTORS}/$count`, "GET"],
      ];
      for (const [method, path, allow] of cases) {
        const res = await call<GraphErrorBody>(method, path, { displayName: "x" });
        expect(res.status, `${method} ${path}`).to.equal(405);
        expect(res.headers.get("allow")).to.equal(allow);
        expect(res.body.error).to.include({
          code: "MethodNotAllowed",
          message: "The HTTP method in the request is not allowed on the resource.",
        });
      }
      emu.setOptions({ variants: { unsupportedMethod: "400" } });
      for (const [method, path] of cases) {
        const res = await call<GraphErrorBody>(method, path, { displayName: "x" });
        expect(res.status, `${method} ${path}`).to.equal(400);
        expect(res.headers.get("allow")).to.equal(null);
        expect(res.body.error.code).to.equal("BadRequest");
        expect(res.body.error.message).to.match(/^No method match route template/);
      }
      expect(emu.connectors()).to.deep.equal([seeded]);
    });

    it("answers unknown segments, and v1.0, with 'Resource not found for the segment'", async () => {
      const cases: [string, string][] = [
        ["/v1.0/deviceManagement/domainJoinConnectors", "domainJoinConnectors"],
        ["/beta/deviceManagement/domainJoinConnectorz", "domainJoinConnectorz"],
        ["/beta/deviceManagment/domainJoinConnectors", "deviceManagment"],
        [`${CONNECTORS}/${MISSING_ID}/extra`, "extra"],
      ];
      for (const [path, segment] of cases) {
        const res = await call<GraphErrorBody>("GET", path);
        expect(res.status, path).to.equal(400);
        expect(res.body.error).to.include({
          code: "BadRequest",
          message: `Resource not found for the segment '${segment}'.`,
        });
      }
    });
  });
});
