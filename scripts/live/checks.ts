/**
 * The live kit's checks, one per row of docs/emulator.md's source table, keyed by the row's id:
 * `S..` for a documented row, `U..` for a `_not documented_` one (ids proposed for the table).
 * Each says what it sends and how it judges; the expected values are the sources' words and
 * numbers, written here, never taken from the provider or the emulator.
 *
 * Adding a check is one entry:
 *
 *   check("U15", "A method the resource does not take: 405", {
 *     sends: "PUT to a connector the kit created",
 *     judges: "405 Method Not Allowed",
 *     run: async (t) => judge([status(await t.other("PUT", await t.scratch(), {}), 405)]),
 *   }),
 *
 * or, for a row no public request can show, `unobservable("S20", "…", "why")`. Reads may go to any
 * connector of the tenant; writes only to connectors the run created (`t.subject()`, `t.scratch()`,
 * `t.fresh(label)`): the probe refuses any other.
 */
import { Exchange } from "./exchange";
import {
  Fact,
  Json,
  Outcome,
  entity,
  equals,
  errorOf,
  fact,
  itemsOf,
  judge,
  messageOf,
  notCheckable,
  property,
  propertyNames,
  status,
  taken,
} from "./judge";
import { APP_WRITE_LIMIT, CONNECTORS, CONNECTOR_TYPE, Trial, WINDOW_MS } from "./trial";

export interface LiveCheck {
  /** The row's id in docs/emulator.md: S01…, or U01… for a `_not documented_` row. */
  id: string;
  /** The row's behaviour, as the table says it. */
  row: string;
  /** What the check sends. */
  sends: string;
  /** When the row counts as documented. */
  judges: string;
  /** Sends the throttling burst: runs only with --throttle. */
  throttle?: true;
  /** Set when no public request can show the row: why. */
  unobservable?: string;
  run?: (t: Trial) => Promise<Outcome>;
}

type Spec = Omit<LiveCheck, "id" | "row">;

function check(id: string, row: string, spec: Spec): LiveCheck {
  return { id, row, ...spec };
}

function unobservable(id: string, row: string, why: string): LiveCheck {
  return { id, row, sends: "nothing", judges: "—", unobservable: why };
}

/** Whether a row is one Microsoft documents (S) or one the sources leave open (U). */
export function rowKind(id: string): "documented" | "not documented" {
  return id.startsWith("S") ? "documented" : "not documented";
}

/** The sources' values (metadata, resource and enum pages). */
const PROPERTIES = ["displayName", "id", "lastConnectionDateTime", "state", "version"];
const STATES = ["active", "error", "inactive"];
const STATE_TYPE = "microsoft.graph.deviceManagementDomainJoinConnectorState";
const WRITE_ROLE = "DeviceManagementConfiguration.ReadWrite.All";
const NEVER_CONNECTED = "0001-01-01T00:00:00Z";
/** The update page's example value. */
const SAMPLE_DATE = "2016-12-31T23:58:36.6670033-08:00";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);
const isDate = (v: unknown) => typeof v === "string" && !Number.isNaN(Date.parse(v));
const sameInstant = (expected: string) => (v: unknown) =>
  typeof v === "string" && Date.parse(v) === Date.parse(expected);
const is2xx = (e: Exchange) => e.status >= 200 && e.status < 300;
const contentType = (e: Exchange) => e.headers["content-type"] ?? "";

/** The facts of a write that must be refused with 400, and of its message when `words` are given. */
function refused(exchange: Exchange, what: string, words?: string): Fact[] {
  const facts = [fact(exchange, `${what}: refused with 400`, exchange.status === 400)];
  if (words !== undefined)
    facts.push(
      fact(exchange, `${what}: the message says "${words}"`, messageOf(exchange).includes(words), {
        saw: { message: messageOf(exchange) },
      }),
    );
  return facts;
}

/**
 * A property the metadata declares `Nullable="false"` (S03, S04): it passes `test` on the kit's
 * connector and on every listed one, and a PATCH writing null is refused.
 */
async function nonNullable(
  t: Trial,
  name: string,
  kind: string,
  test: (v: unknown) => boolean,
): Promise<Fact[]> {
  const got = await t.readBack(await t.subject());
  const list = await t.list();
  const failing = list.items.filter((c) => !test(c[name])).length;
  return [
    property(got, name, `${name} ${kind}`, test),
    fact(list.pages[0], `${name} ${kind} on every listed connector`, failing === 0, { saw: { failing } }),
    ...refused(await t.patch(await t.scratch(), { [name]: null }), `PATCH {${name}: null}`),
  ];
}

export const CHECKS: readonly LiveCheck[] = [
  // The object
  check("S01", "Exactly five properties: id, displayName, lastConnectionDateTime, state, version", {
    sends: "GET of the kit's connector; GET of the list",
    judges:
      "the properties (annotations left out) are exactly the five, on the kit's connector and every listed one",
    run: async (t) => {
      const got = await t.readBack(await t.subject());
      const list = await t.list();
      const odd = list.items.find((c) => !sameSet(propertyNames(c), PROPERTIES));
      return judge([
        fact(got, "the five properties", sameSet(propertyNames(entity(got.json)), PROPERTIES), {
          saw: { properties: propertyNames(entity(got.json)) },
        }),
        fact(list.pages[0], "the five properties on every listed connector", odd === undefined, {
          saw: { properties: propertyNames(odd) },
        }),
      ]);
    },
  }),
  check("S02", "displayName is a string or null: a PATCH may clear it", {
    sends: "PATCH {displayName: null} to a connector the kit created, then GET, then its name back",
    judges: "the PATCH is taken and the connector then reads displayName null",
    run: async (t) => {
      const { connector, written, got } = await t.rewrite("s02", { displayName: null });
      // Named again, so that nothing of the run's is left without its prefix.
      await t.patch(connector, { displayName: connector.name });
      return judge(
        [taken(written), equals(got, "displayName", null)],
        "The POST half (a connector without a name) is not sent: the kit could not find it again by its prefix if the answer were lost.",
      );
    },
  }),
  check("S03", "version is a string, never null; a PATCH of null is refused", {
    sends:
      "GET of the kit's connector (POSTed without a version) and of the list; PATCH {version: null} to the kit's scratch connector",
    judges: "version is a string on the kit's connector and every listed one; the PATCH is refused with 400",
    run: async (t) => judge(await nonNullable(t, "version", "a string", (v) => typeof v === "string")),
  }),
  check("S04", "lastConnectionDateTime is a date, never null", {
    sends:
      "GET of the kit's connector and of the list; PATCH {lastConnectionDateTime: null} to the scratch connector",
    judges: "lastConnectionDateTime reads as a date everywhere; the PATCH is refused with 400",
    run: async (t) => judge(await nonNullable(t, "lastConnectionDateTime", "a date", isDate)),
  }),
  check("S05", "state is active, error or inactive, never null, never another value", {
    sends: "GET of the list; PATCH state 'unknownFutureValue', 'Active', 1 and null to the scratch connector",
    judges: "every listed state is one of the three; each PATCH is refused with 400",
    run: async (t) => {
      const list = await t.list();
      const others = [
        ...new Set(list.items.map((c) => c.state).filter((s) => !STATES.includes(s as string))),
      ];
      const scratch = await t.scratch();
      const facts = [
        fact(list.pages[0], "only active, error, inactive", others.length === 0, {
          saw: { otherStates: others },
        }),
      ];
      for (const bad of ["unknownFutureValue", "Active", 1, null])
        facts.push(
          ...refused(await t.patch(scratch, { state: bad }), `PATCH {state: ${JSON.stringify(bad)}}`),
        );
      return judge(facts);
    },
  }),
  check(
    "S06",
    "Every object carries @odata.type #microsoft.graph.deviceManagementDomainJoinConnector; a body naming another type is refused",
    {
      sends:
        "the kit's POST, its GET and the list; a POST of type #microsoft.graph.deviceManagementExchangeConnector (deleted if taken)",
      judges:
        "the type is on the POST's answer, the GET and every listed connector; the other type is refused with 400",
      run: async (t) => {
        const { exchange: created } = await t.subjectPost();
        const got = await t.readBack(await t.subject());
        const list = await t.list();
        const untyped = list.items.filter((c) => c["@odata.type"] !== CONNECTOR_TYPE).length;
        const other = await t.post("s06-other-type", {
          "@odata.type": "#microsoft.graph.deviceManagementExchangeConnector",
        });
        const typed = (e: Exchange) =>
          fact(e, `@odata.type ${CONNECTOR_TYPE}`, entity(e.json)?.["@odata.type"] === CONNECTOR_TYPE, {
            fields: ["@odata.type"],
          });
        return judge([
          typed(created),
          typed(got),
          fact(list.pages[0], "@odata.type on every listed connector", untyped === 0, {
            saw: { withoutType: untyped },
          }),
          ...refused(other.exchange, "POST of another type"),
        ]);
      },
    },
  ),
  check("S07", "Beta only: /v1.0/deviceManagement/domainJoinConnectors is not a resource", {
    sends: "GET /v1.0/deviceManagement/domainJoinConnectors",
    judges: "refused (400 or 404)",
    run: async (t) => judge([status(await t.get("/v1.0/deviceManagement/domainJoinConnectors"), 400, 404)]),
  }),
  check("U01", 'The version of a connector POSTed without one: ""', {
    sends: "GET of the kit's connector (POSTed without a version)",
    judges: 'version is ""',
    run: async (t) => {
      const got = await t.readBack(await t.subject());
      return judge([equals(got, "version", "")]);
    },
  }),
  check("U02", "Ids are GUIDs; a key that is not one answers 400", {
    sends: "the kit's POST and the list; GET …/domainJoinConnectors/not-a-guid",
    judges: "every id is a GUID; the GET answers 400",
    run: async (t) => {
      const { exchange: created } = await t.subjectPost();
      const list = await t.list();
      const odd = list.items.map((c) => c.id).filter((id) => typeof id !== "string" || !GUID.test(id));
      return judge([
        fact(created, "a GUID id", GUID.test(String(entity(created.json)?.id)), { fields: ["id"] }),
        fact(list.pages[0], "a GUID id on every listed connector", odd.length === 0, {
          saw: { otherIds: odd.slice(0, 3) },
        }),
        status(await t.get(`${CONNECTORS}/not-a-guid`), 400),
      ]);
    },
  }),
  check("U03", "No length limit on displayName, no pattern on version", {
    sends:
      "PATCH a 300-character displayName and version 'not-a-version' to a connector the kit created, then GET",
    judges: "the PATCH is taken and both values read back as sent",
    run: async (t) => {
      const long = `${t.name("u03")}-${"x".repeat(300 - t.name("u03").length - 1)}`;
      const { written, got } = await t.rewrite("u03", { displayName: long, version: "not-a-version" });
      const kept = String(entity(got.json)?.displayName ?? "");
      return judge([
        taken(written),
        fact(got, "the 300 characters kept", kept === long, { saw: { length: kept.length } }),
        equals(got, "version", "not-a-version"),
      ]);
    },
  }),

  // The operations
  check("S10", "GET of the collection: 200, the connectors in value", {
    sends: "GET of the list, following @odata.nextLink",
    judges: "200 with a value array on every page, the kit's connector among them (waits for it)",
    run: async (t) => {
      const { id } = await t.subject();
      const list = await t.listUntil((items) => items.some((c) => c.id === id));
      return judge([
        ...list.pages.map((p) =>
          fact(p, "200 with a value array", p.status === 200 && Array.isArray((p.json as Json)?.value)),
        ),
        fact(
          list.pages[0],
          "the kit's connector listed",
          list.items.some((c) => c.id === id),
          { saw: { listed: list.items.length } },
        ),
      ]);
    },
  }),
  check("S11", "GET of one connector: 200 and the object", {
    sends: "GET of the kit's connector",
    judges: "200 and the object itself: its id at the top of the body, not inside value",
    run: async (t) => {
      const c = await t.subject();
      const got = await t.readBack(c);
      const body = got.json as Json | undefined;
      return judge([
        status(got, 200),
        fact(got, "the object itself", body?.id === c.id, { saw: { topLevel: Object.keys(body ?? {}) } }),
      ]);
    },
  }),
  check("S12", "POST: 201 Created and the new object", {
    sends: "POST {@odata.type, displayName} (the kit's connector)",
    judges: "201 with the new object: a GUID id and the name sent",
    run: async (t) => {
      const { exchange } = await t.subjectPost();
      const e = entity(exchange.json);
      return judge([
        status(exchange, 201),
        fact(exchange, "the new object", typeof e?.id === "string" && e?.displayName === t.name("subject"), {
          fields: ["id", "displayName"],
        }),
      ]);
    },
  }),
  check("S13", "PATCH: 200 OK and the updated object", {
    sends: "PATCH {@odata.type, displayName} to a connector the kit created",
    judges: "200 with the object, under its new name",
    run: async (t) => {
      const c = await t.fresh("s13");
      const renamed = t.name("s13-renamed");
      const answer = await t.patch(c, { "@odata.type": CONNECTOR_TYPE, displayName: renamed });
      return judge([status(answer, 200), equals(answer, "displayName", renamed)]);
    },
  }),
  check("S14", "DELETE: 204 No Content", {
    sends: "DELETE of a connector the kit created, then GET",
    judges: "204 with no body; the GET then answers 404 (waits for it)",
    run: async (t) => {
      const c = await t.fresh("s14");
      const deleted = await t.remove(c);
      let after = await t.get(t.item(c.id));
      for (const until = Date.now() + t.options.listSettleMs; after.status !== 404 && Date.now() < until;) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        after = await t.get(t.item(c.id));
      }
      return judge([status(deleted, 204), fact(deleted, "no body", deleted.text === ""), status(after, 404)]);
    },
  }),
  check("S15", "Reads need Read.All or ReadWrite.All; writes need ReadWrite.All; otherwise 403", {
    sends: "nothing more: the token's roles, the kit's GET and POST",
    judges: `with ${WRITE_ROLE} in the token, the GET answers 200 and the POST 201`,
    run: async (t) => {
      const roles = (await t.claims())?.roles ?? [];
      const { exchange: created } = await t.subjectPost();
      const got = await t.readBack(await t.subject());
      return judge(
        [
          fact(got, `${WRITE_ROLE} in the token's roles`, roles.includes(WRITE_ROLE), { saw: { roles } }),
          status(got, 200),
          taken(created),
        ],
        "The 403 halves (an app with Read.All writing, an app with neither) need other app registrations: not checked.",
      );
    },
  }),
  check(
    "S16",
    "A POST or PATCH body may carry id, displayName, lastConnectionDateTime, state, version; no other property",
    {
      sends:
        "POST with displayName, lastConnectionDateTime, state and version; PATCH {id, version}; PATCH {displayName, location}",
      judges: "the POST and the first PATCH are taken; the PATCH with location is refused with 400",
      run: async (t) => {
        const full = await t.post("s16", {
          lastConnectionDateTime: SAMPLE_DATE,
          state: "error",
          version: "6.2504.2001.8",
        });
        const c = full.connector ?? (await t.fresh("s16-plain"));
        return judge([
          taken(full.exchange),
          taken(await t.patch(c, { id: c.id, version: "6.2504.2001.9" })),
          ...refused(await t.patch(c, { displayName: c.name, location: "HQ" }), "PATCH with location"),
        ]);
      },
    },
  ),
  check("S17", "A POST or PATCH that writes lastConnectionDateTime answers with the value written", {
    sends:
      "PATCH {lastConnectionDateTime} (the update example's date) to a connector the kit created, then GET",
    judges: "the PATCH is taken and lastConnectionDateTime reads as the same instant",
    run: async (t) => {
      const { written, got } = await t.rewrite("s17", { lastConnectionDateTime: SAMPLE_DATE });
      return judge([
        taken(written),
        property(got, "lastConnectionDateTime", SAMPLE_DATE, sameInstant(SAMPLE_DATE)),
      ]);
    },
  }),
  check(
    "U10",
    "A written lastConnectionDateTime is the last contact until the next heartbeat: the state follows it",
    {
      sends: "PATCH {lastConnectionDateTime: two hours ago} to a connector the kit created, then GET",
      judges: "the connector reads state error (no heartbeat for more than an hour)",
      run: async (t) => {
        const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
        const { written, got } = await t.rewrite("u10", { lastConnectionDateTime: twoHoursAgo });
        return judge([taken(written), equals(got, "state", "error")]);
      },
    },
  ),
  check("U16", "A POST may leave out any property", {
    sends: "the kit's POST: @odata.type and displayName only",
    judges: "201 Created",
    run: async (t) => judge([status((await t.subjectPost()).exchange, 201)]),
  }),
  unobservable(
    "U17",
    "DELETE of a connector whose software runs: 204, gone for good",
    "needs a connector its software registered; the kit deletes only connectors it made, which no software checks in to",
  ),
  check("U11", "A written state: shown until the next heartbeat", {
    sends: "PATCH {state: 'error'} to a connector the kit created (it never sent a heartbeat), then GET",
    judges: "the PATCH is taken and the connector then reads state error",
    run: async (t) => {
      const { written, got } = await t.rewrite("u11", { state: "error" });
      return judge([taken(written), equals(got, "state", "error")]);
    },
  }),
  check("U12", "201 carries a Location header", {
    sends: "the kit's POST",
    judges: "a Location header naming the new connector's id",
    run: async (t) => {
      const { exchange, connector } = await t.subjectPost();
      const location = exchange.headers.location ?? "";
      return judge([
        fact(
          exchange,
          "a Location header with the id",
          connector !== undefined && location.includes(connector.id),
          {
            headers: ["location"],
          },
        ),
      ]);
    },
  }),
  check("U13", 'An empty PATCH: 400 "Invalid patch, at least 1 property must be changed."', {
    sends: "PATCH {} to the scratch connector",
    judges: "400 with that message",
    run: async (t) =>
      judge(
        refused(
          await t.patch(await t.scratch(), {}),
          "PATCH {}",
          "Invalid patch, at least 1 property must be changed.",
        ),
      ),
  }),
  check(
    "U14",
    "Wording of 400s for an unknown property, a wrong type, a bad enum, a null the metadata forbids",
    {
      sends: "PATCH {location}, {displayName: 5}, {state: 'bogus'}, {version: null} to the scratch connector",
      judges: "each is refused with 400 in the OData library's words",
      run: async (t) => {
        const scratch = await t.scratch();
        const cases: [Json, string][] = [
          [{ location: "HQ" }, `The property 'location' does not exist on type '${CONNECTOR_TYPE.slice(1)}'`],
          [{ displayName: 5 }, "Cannot convert a primitive value to the expected type 'Edm.String'"],
          [{ state: "bogus" }, `Cannot convert the literal 'bogus' to the expected type '${STATE_TYPE}'`],
          [{ version: null }, "does not allow null values"],
        ];
        const facts: Fact[] = [];
        for (const [body, words] of cases)
          facts.push(...refused(await t.patch(scratch, body), `PATCH ${JSON.stringify(body)}`, words));
        return judge(facts);
      },
    },
  ),

  // State over time
  unobservable(
    "S20",
    "A heartbeat makes a connector active",
    "needs the connector software's heartbeats (a server running the Intune Connector for Active Directory); the kit never touches a registered connector",
  ),
  unobservable(
    "S21",
    "More than an hour without a heartbeat: error",
    "needs a connector that sent heartbeats and then an hour without one",
  ),
  unobservable(
    "S22",
    "More than five days without a heartbeat: inactive",
    "needs a connector that sent heartbeats and then five days without one",
  ),
  check("U20", "A connector that never sent a heartbeat is inactive", {
    sends: "GET of the kit's connector (POSTed without a state)",
    judges: "state inactive",
    run: async (t) => {
      const got = await t.readBack(await t.subject());
      return judge([equals(got, "state", "inactive")]);
    },
  }),
  check("U21", `A never-connected connector's lastConnectionDateTime is ${NEVER_CONNECTED}`, {
    sends: "GET of the kit's connector",
    judges: `lastConnectionDateTime is ${NEVER_CONNECTED}`,
    run: async (t) => {
      const got = await t.readBack(await t.subject());
      const value = entity(got.json)?.lastConnectionDateTime;
      return judge([
        fact(
          got,
          NEVER_CONNECTED,
          typeof value === "string" && Date.parse(value) === Date.parse(NEVER_CONNECTED),
          {
            fields: ["lastConnectionDateTime"],
          },
        ),
      ]);
    },
  }),
  unobservable(
    "U22",
    "Inactive connectors are removed after 30 days",
    "needs a connector inactive for 30 days; the kit removes what it creates within the run",
  ),
  unobservable(
    "S23",
    "Inactive connectors are removed 30 days on",
    "needs a connector inactive for 30 days; the kit removes what it made at the end of each run",
  ),
  unobservable(
    "U23",
    "Each check-in reports the version the software runs, overwriting a written one",
    "needs the connector software's heartbeats",
  ),

  // Paging and query options
  check("S30", "A long list comes in pages; @odata.nextLink carries the request's other query options", {
    sends: "GET of the list with a custom query option (pulumiIntuneLive=<run>), following @odata.nextLink",
    judges: "every next link carries the option; not checkable when the tenant's list fits one page",
    run: async (t) => {
      const option = `pulumiIntuneLive=${encodeURIComponent(t.ownership.prefix)}`;
      const list = await t.list(`${CONNECTORS}?${option}`);
      const links = list.pages
        .map((p) => (p.json as Json | undefined)?.["@odata.nextLink"])
        .filter((l) => typeof l === "string");
      if (list.pages[0].status === 200 && links.length === 0)
        return notCheckable(
          `the tenant's ${list.items.length} connectors fit one page; the kit does not create a page's worth to see a second`,
        );
      return judge([
        status(list.pages[0], 200),
        ...list.pages.slice(0, links.length).map((p) =>
          fact(
            p,
            `the next link carries ${option}`,
            String((p.json as Json)["@odata.nextLink"]).includes(option),
            {
              saw: { nextLink: (p.json as Json)["@odata.nextLink"] },
            },
          ),
        ),
      ]);
    },
  }),
  check("S31", "$skiptoken is opaque", {
    sends: "GET of the list with $skiptoken=made-up",
    judges: "refused with 400 (a token the service did not issue)",
    run: async (t) => judge([status(await t.get(`${CONNECTORS}?$skiptoken=made-up`), 400)]),
  }),
  check("S32", "$select on one connector; $expand of anything is refused (no relationships)", {
    sends: "GET of the kit's connector with $select=displayName, and with $expand=owner",
    judges: "the first answers 200 with id and displayName and without version or state; the second 400",
    run: async (t) => {
      const c = await t.subject();
      const selected = await t.readBack(c, "?$select=displayName");
      const names = propertyNames(entity(selected.json));
      return judge([
        status(selected, 200),
        fact(selected, "id and displayName only", sameSet(names, ["displayName", "id"]), {
          saw: { properties: names },
        }),
        status(await t.get(t.item(c.id, "?$expand=owner")), 400),
      ]);
    },
  }),
  check("S33", "/$count answers the number of connectors as plain text", {
    sends: "GET …/domainJoinConnectors/$count with Accept: text/plain",
    judges: "200, text/plain, a whole number",
    run: async (t) => {
      const counted = await t.get(`${CONNECTORS}/$count`, { accept: "text/plain" });
      return judge([
        status(counted, 200),
        fact(counted, "text/plain", contentType(counted).startsWith("text/plain"), {
          headers: ["content-type"],
        }),
        fact(counted, "a whole number", /^\d+$/.test(counted.text.trim()), {
          saw: { body: counted.text.slice(0, 80) },
        }),
      ]);
    },
  }),
  check("S34", "On beta, query options may be written without their $", {
    sends: "GET of the kit's connector with select=displayName (no $)",
    judges: "200 without version: the option was read",
    run: async (t) => {
      const got = await t.readBack(await t.subject(), "?select=displayName");
      return judge([
        status(got, 200),
        fact(got, "no version", !("version" in (entity(got.json) ?? {})), { fields: ["version"] }),
      ]);
    },
  }),
  check("S35", "$top sets the page size; a next link follows while more connectors remain", {
    sends: "GET of the list with $top=1 (the kit has made two connectors), then its next link",
    judges: "one connector on the first page with an @odata.nextLink, and one on the next page",
    run: async (t) => {
      await Promise.all([t.subject(), t.scratch()]);
      const first = await t.get(`${CONNECTORS}?$top=1`);
      const next = (first.json as Json | undefined)?.["@odata.nextLink"];
      const second = typeof next === "string" ? await t.get(next) : undefined;
      return judge([
        status(first, 200),
        fact(first, "one connector, then a next link", itemsOf(first).length === 1 && second !== undefined, {
          saw: { listed: itemsOf(first).length, nextLink: typeof next === "string" },
        }),
        ...(second
          ? [
              fact(second, "one connector on the next page", itemsOf(second).length === 1, {
                saw: { listed: itemsOf(second).length },
              }),
            ]
          : []),
      ]);
    },
  }),
  check("U30", "The page size: 100", {
    sends: "GET of the list",
    judges:
      "a first page followed by a next link holds 100; not checkable when the tenant's list fits one page",
    run: async (t) => {
      const first = (await t.list()).pages[0];
      const next = (first.json as Json | undefined)?.["@odata.nextLink"];
      if (first.status === 200 && typeof next !== "string")
        return notCheckable(
          `the tenant's ${itemsOf(first).length} connectors fit one page; the kit does not create 100`,
        );
      return judge([
        status(first, 200),
        fact(first, "100 on the first page", itemsOf(first).length === 100, {
          saw: { page: itemsOf(first).length },
        }),
      ]);
    },
  }),
  check("U31", "The list's $top, $count and $select work", {
    sends:
      "GET of the list with $top=1, with $count=true, with $select=displayName (the kit has made two connectors)",
    judges: "one connector; an @odata.count; connectors without version or state",
    run: async (t) => {
      await Promise.all([t.subject(), t.scratch()]);
      const top = await t.get(`${CONNECTORS}?$top=1`);
      const counted = await t.get(`${CONNECTORS}?$count=true`);
      const selected = await t.get(`${CONNECTORS}?$select=displayName`);
      const withMore = itemsOf(selected).filter((c) => "version" in c || "state" in c).length;
      return judge([
        status(top, 200),
        fact(top, "$top=1: one connector", itemsOf(top).length === 1, {
          saw: { listed: itemsOf(top).length },
        }),
        status(counted, 200),
        fact(
          counted,
          "$count=true: @odata.count",
          typeof (counted.json as Json | undefined)?.["@odata.count"] === "number",
        ),
        status(selected, 200),
        fact(selected, "$select=displayName: no version or state", withMore === 0, {
          saw: { withVersionOrState: withMore },
        }),
      ]);
    },
  }),
  check(
    "U32",
    "$filter, $search, $orderby, $skip and /$count's options: 400 \"Query option '…' is not supported for this resource.\"",
    {
      sends: "GET of the list with $filter, and of /$count with $filter",
      judges: "each refused with 400, the message saying the option is not supported",
      run: async (t) => {
        const filter = `$filter=${encodeURIComponent("displayName eq 'x'")}`;
        return judge([
          ...refused(await t.get(`${CONNECTORS}?${filter}`), "the list's $filter", "is not supported"),
          ...refused(
            await t.get(`${CONNECTORS}/$count?${filter}`, { accept: "text/plain" }),
            "/$count's $filter",
            "is not supported",
          ),
        ]);
      },
    },
  ),

  // Errors and throttling
  check("S40", "Errors are {error: {code, message, innerError}}, the inner error with date and request-id", {
    sends: "GET of a connector id no one has (a new random GUID)",
    judges:
      "404 whose body is only `error`, with code, message and an innerError holding date and request-id",
    run: async (t) => {
      const missing = await t.missing();
      const error = errorOf(missing);
      const inner = error?.innerError ?? {};
      return judge([
        status(missing, 404),
        fact(
          missing,
          "only an error property",
          sameSet(Object.keys((missing.json as Json) ?? {}), ["error"]),
          {
            saw: { properties: Object.keys((missing.json as Json) ?? {}) },
          },
        ),
        fact(missing, "code and message", !!error?.code && !!error?.message),
        fact(
          missing,
          "innerError date and request-id",
          isDate(inner.date) && typeof inner["request-id"] === "string",
          {
            saw: { innerError: inner },
          },
        ),
      ]);
    },
  }),
  check("S41", `Past Intune's ODJ limits: 429; writes ${APP_WRITE_LIMIT} per ${WINDOW_MS / 1000} s per app`, {
    sends: `after ${WINDOW_MS / 1000} s without a write, up to 110 renames of a connector the kit created, ten at a time`,
    judges: `exactly ${APP_WRITE_LIMIT} taken, the rest 429, all within ${WINDOW_MS / 1000} s (the per-tenant and read limits are not checked)`,
    throttle: true,
    run: async (t) => {
      const burst = await t.burst();
      const ok = burst.exchanges.filter(is2xx).length;
      const throttled = burst.exchanges.filter((e) => e.status === 429);
      if (burst.ms >= WINDOW_MS)
        return notCheckable(`the burst took ${burst.ms} ms, longer than the ${WINDOW_MS / 1000} s window`);
      const other = burst.exchanges.length - ok - throttled.length;
      const counts = { taken: ok, throttled: throttled.length, other, ms: burst.ms };
      return judge(
        [
          fact(
            throttled[0] ?? burst.exchanges[burst.exchanges.length - 1],
            `${APP_WRITE_LIMIT} writes taken, then 429`,
            ok === APP_WRITE_LIMIT && throttled.length > 0 && other === 0,
            { saw: counts },
          ),
        ],
        `${ok} taken, ${throttled.length} answered 429, ${other} other, in ${burst.ms} ms`,
      );
    },
  }),
  check(
    "S42",
    'A 429 is TooManyRequests "Please retry again later.", inner code 429, Retry-After in seconds',
    {
      sends: "the throttling burst (S41)",
      judges: "the first 429 has that code, message and inner code, and a Retry-After of seconds",
      throttle: true,
      run: async (t) => {
        const first = (await t.burst()).exchanges.find((e) => e.status === 429);
        if (!first) return notCheckable("the burst got no 429 (S41)");
        const error = errorOf(first);
        return judge([
          fact(first, "code TooManyRequests", error?.code === "TooManyRequests"),
          fact(first, 'message "Please retry again later."', error?.message === "Please retry again later."),
          fact(first, "inner code 429", error?.innerError?.code === "429", {
            saw: { innerError: error?.innerError },
          }),
          fact(first, "Retry-After in seconds", /^\d+(\.\d+)?$/.test(first.headers["retry-after"] ?? ""), {
            headers: ["retry-after"],
          }),
        ]);
      },
    },
  ),
  check("S43", "A method the resource does not take: 405 Method Not Allowed", {
    sends: "PUT to a connector the kit created",
    judges: "405",
    run: async (t) => judge([status(await t.other("PUT", await t.scratch(), {}), 405)]),
  }),
  unobservable(
    "S44",
    "A tenant without an active Intune licence: every request for the connectors is answered 403",
    "needs a tenant without an Intune licence; the kit's tenant has one, or no check could run",
  ),
  unobservable(
    "S45",
    "A throttled request counts against the limits too",
    "after a burst the window holds 100 writes, so one more counted retry adds only the milliseconds between two of them to the wait, which network jitter hides; the emulator's test shows it on a short window",
  ),
  check("U40", "A 429 without Retry-After", {
    sends: "the throttling burst (S41)",
    judges:
      "documented when a 429 came without Retry-After; not checkable when each had one (the row says it may happen)",
    throttle: true,
    run: async (t) => {
      const throttled = (await t.burst()).exchanges.filter((e) => e.status === 429);
      if (throttled.some((e) => e.headers["retry-after"] === undefined)) return judge([]);
      return notCheckable(`each of the ${throttled.length} answers 429 carried Retry-After`);
    },
  }),
  check("U41", "client-request-id in the inner error and as a header; request-id header", {
    sends: "GET of a connector id no one has, with client-request-id and return-client-request-id: true",
    judges: "the client-request-id sent comes back as a header and in innerError; a request-id header",
    run: async (t) => {
      const missing = await t.missing();
      const sent = missing.clientRequestId;
      return judge([
        fact(missing, "client-request-id header", missing.headers["client-request-id"] === sent, {
          headers: ["client-request-id"],
        }),
        fact(
          missing,
          "client-request-id in innerError",
          errorOf(missing)?.innerError?.["client-request-id"] === sent,
          {
            saw: { innerError: errorOf(missing)?.innerError },
          },
        ),
        fact(missing, "request-id header", typeof missing.headers["request-id"] === "string", {
          headers: ["request-id"],
        }),
      ]);
    },
  }),
  check("U42", "Intune's message as a JSON string inside message", {
    sends: "GET of a connector id no one has",
    judges: "error.message parses as JSON with a Message",
    run: async (t) => {
      const missing = await t.missing();
      let nested: unknown;
      try {
        nested = JSON.parse(errorOf(missing)?.message ?? "");
      } catch {
        nested = undefined;
      }
      return judge([
        fact(
          missing,
          "a JSON message with Message",
          typeof (nested as Json | undefined)?.Message === "string",
        ),
      ]);
    },
  }),
  check(
    "U43",
    "404 ResourceNotFound; 401 InvalidAuthenticationToken with WWW-Authenticate; 403 Forbidden naming the scopes",
    {
      sends: "GET of a connector id no one has; GET of the list without a token",
      judges: "404 ResourceNotFound; 401 InvalidAuthenticationToken with a WWW-Authenticate header",
      run: async (t) => {
        const missing = await t.missing();
        const anonymous = await t.get(CONNECTORS, { anonymous: true });
        return judge(
          [
            status(missing, 404),
            fact(missing, "code ResourceNotFound", errorOf(missing)?.code === "ResourceNotFound"),
            status(anonymous, 401),
            fact(
              anonymous,
              "code InvalidAuthenticationToken",
              errorOf(anonymous)?.code === "InvalidAuthenticationToken",
            ),
            fact(anonymous, "WWW-Authenticate", anonymous.headers["www-authenticate"] !== undefined, {
              headers: ["www-authenticate"],
            }),
          ],
          "The 403 needs an app without the permission: not checked.",
        );
      },
    },
  ),
  unobservable(
    "S50",
    "A multi-tenant app gets a token of each tenant that consented: tid that tenant, its roles there",
    "needs a second tenant that consented to the kit's app; the kit signs in to the one tenant it is given",
  ),
  unobservable(
    "S51",
    "A tenant that does not know the app refuses the token with AADSTS700016",
    "needs a tenant that does not know the kit's app; the kit asks only the authority of the tenant it is given",
  ),
  unobservable(
    "S52",
    "An app installed without a grant gets a token without roles, which Graph refuses",
    "needs a tenant where the kit's app is installed without a permission; the kit's app has the ones it needs",
  ),
  unobservable(
    "S53",
    "The app's secret, certificate or federated credential signs it in at every tenant that consented",
    "needs a second tenant that consented to the kit's app; the kit signs in to the one tenant it is given",
  ),
  unobservable(
    "S54",
    "The authority names its tenant by GUID or by domain; the token names it by GUID",
    "the kit signs in once, at the authority it is given, and compares no second sign-in by the tenant's other name",
  ),
  unobservable(
    "S55",
    "Intune's ODJ limits count per tenant and per app per tenant",
    "needs a second tenant to write to during the throttling burst; the kit has one tenant",
  ),
];
