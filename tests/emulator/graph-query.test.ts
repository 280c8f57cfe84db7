// The OData query options of the connector collection, called directly: parsing (the three modes,
// the `$`-less beta names, every message), the $filter language, ordering, paging windows and
// $select. Expected rows and messages are written out by hand, never taken from the code under test;
// the property-based tests check against oracles written here.
import { expect } from "chai";
import * as fc from "fast-check";
import {
  applyListQuery,
  nextLinkQuery,
  parseCountQuery,
  parseFilter,
  parseInstant,
  parseItemQuery,
  parseListQuery,
  selectProperties,
  skipTokenOf,
  type ConnectorRow,
  type ListQuery,
  type ListQueryMode,
  type QueryResult,
} from "intune-graph-emulator/internal/graph/query";

const TYPE = "microsoft.graph.deviceManagementDomainJoinConnector";
const STATE = "microsoft.graph.deviceManagementDomainJoinConnectorState";

/**
 * Five connectors. e5's 2025-01-23T00:00:00+05:00 is 2025-01-22T19:00:00Z: before a1 and b2 as an
 * instant, after them as a string. a1 and b2 differ in the 7th fraction digit only.
 */
const ROWS: readonly ConnectorRow[] = [
  {
    id: "a1",
    displayName: "ODJ-HQ-SRV01",
    version: "6.2504.2001.8",
    state: "active",
    lastConnectionDateTime: "2025-01-22T19:17:04.1234567Z",
  },
  {
    id: "b2",
    displayName: "odj-branch-srv02",
    version: "6.2409.1000.1",
    state: "error",
    lastConnectionDateTime: "2025-01-22T19:17:04.1234566Z",
  },
  {
    id: "c3",
    displayName: "O'Brien's server",
    version: null,
    state: "inactive",
    lastConnectionDateTime: "0001-01-01T00:00:00Z",
  },
  {
    id: "d4",
    displayName: null,
    version: "6.2504.2001.8",
    state: "active",
    lastConnectionDateTime: "2024-12-31T23:59:59Z",
  },
  {
    id: "e5",
    displayName: "Zeta",
    version: "6.2312.1000.2",
    state: "error",
    lastConnectionDateTime: "2025-01-23T00:00:00+05:00",
  },
];

const NOT_A_COLLECTION =
  "The query specified in the URI is not valid. The requested resource is not a collection. Query options $filter, $orderby, $count, $skip, and $top can be applied only on collections.";

function value<T>(result: QueryResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got 400: ${result.message}`);
  return result.value;
}

function message<T>(result: QueryResult<T>): string {
  if (result.ok) throw new Error(`expected a 400, got ${JSON.stringify(result.value)}`);
  expect(result.code).to.equal("BadRequest");
  return result.message;
}

function list(
  query: string | Record<string, string>,
  mode: ListQueryMode = "honoured",
): QueryResult<ListQuery> {
  return parseListQuery(new URLSearchParams(query), mode);
}

/** The ids a $filter selects from ROWS, in ROWS order. */
function filterIds(filter: string): string[] {
  return applyListQuery(ROWS, value(list({ $filter: filter }))).matching.map((row) => row.id);
}

function filterError(filter: string): string {
  return message(list({ $filter: filter }));
}

function orderIds(orderby: string): string[] {
  return applyListQuery(ROWS, value(list({ $orderby: orderby }))).matching.map((row) => row.id);
}

describe("emulator Graph query options (direct)", () => {
  describe("parseListQuery: the options and their names", () => {
    it("takes no options as the empty query", () => {
      expect(value(list(""))).to.deep.equal({ orderBy: [], count: false });
    });

    it("parses $top, $skip, $count, $orderby and $select", () => {
      expect(
        value(list("$top=2&$skip=3&$count=true&$orderby=state desc,displayName&$select=id,state")),
      ).to.deep.equal({
        top: 2,
        skip: 3,
        count: true,
        orderBy: [
          { property: "state", descending: true },
          { property: "displayName", descending: false },
        ],
        select: ["id", "state"],
      });
    });

    it("takes the names without `$` and in any case (beta), and ignores custom query options", () => {
      expect(value(list("top=1&SKIP=2&$Count=true&Select=version&api-version=2&foo=bar"))).to.deep.equal({
        top: 1,
        skip: 2,
        count: true,
        orderBy: [],
        select: ["version"],
      });
      expect(filterIds("state eq 'inactive'")).to.deep.equal(["c3"]);
      const withoutDollar = value(list("filter=state eq 'inactive'"));
      expect(applyListQuery(ROWS, withoutDollar).matching.map((row) => row.id)).to.deep.equal(["c3"]);
    });

    it("leaves $skiptoken out of the query (the caller pages)", () => {
      expect(value(list("$skiptoken=abc&$top=1"))).to.deep.equal({ top: 1, orderBy: [], count: false });
      expect(value(list("skiptoken=abc"))).to.deep.equal({ orderBy: [], count: false });
    });

    it("answers 400 for an unknown $ option, naming it as given", () => {
      expect(message(list("$foo=1"))).to.equal("The query parameter '$foo' is not supported.");
      expect(message(list("$Format=json"))).to.equal("The query parameter '$Format' is not supported.");
      expect(message(list("$=1"))).to.equal("The query parameter '$' is not supported.");
    });

    it("answers 400 for an option given twice, with or without `$`", () => {
      const twice = (option: string) =>
        `Query option '${option}' was specified more than once, but it must be specified at most once.`;
      expect(message(list("$top=1&$top=2"))).to.equal(twice("$top"));
      expect(message(list("$filter=true&filter=false"))).to.equal(twice("$filter"));
      expect(message(list("$skiptoken=a&SkipToken=b"))).to.equal(twice("$skiptoken"));
    });

    it("checks the names before the values: an unknown option after a bad value is what is reported", () => {
      expect(message(list("$top=-1&$foo=1"))).to.equal("The query parameter '$foo' is not supported.");
    });

    it("accepts $top and $skip 0 and large whole numbers", () => {
      expect(value(list("$top=0&$skip=0"))).to.include({ top: 0, skip: 0 });
      expect(value(list("$top=9007199254740991"))).to.include({ top: 9007199254740991 });
    });

    for (const bad of ["-1", "1.5", "abc", "", " 1", "+1", "1e2", "9007199254740992"]) {
      it(`refuses $top and $skip '${bad}'`, () => {
        expect(message(list({ $top: bad }))).to.equal(
          `Invalid value '${bad}' for $top query option found. The $top query option requires a non-negative integer value.`,
        );
        expect(message(list({ skip: bad }))).to.equal(
          `Invalid value '${bad}' for $skip query option found. The $skip query option requires a non-negative integer value.`,
        );
      });
    }

    it("takes $count true and false and refuses anything else", () => {
      expect(value(list("$count=false")).count).to.equal(false);
      expect(value(list("$count=true")).count).to.equal(true);
      for (const bad of ["True", "yes", "1", ""]) {
        expect(message(list({ $count: bad }))).to.equal(
          `Invalid value '${bad}' for $count query option found. Valid values are 'true, false'.`,
        );
      }
    });

    it("refuses an empty $filter, $orderby, $select, $expand or $search", () => {
      for (const option of ["$filter", "$orderby", "$select", "$expand", "$search"]) {
        expect(message(list(`${option}=`))).to.equal(
          `The value for OData query '${option}' cannot be empty.`,
        );
      }
      expect(message(list("orderby="))).to.equal("The value for OData query '$orderby' cannot be empty.");
    });
  });

  describe("parseListQuery: modes", () => {
    it("ignored: the empty query whatever is given, even what would be a 400", () => {
      expect(
        value(list("$filter=((&$foo=1&$top=-1&$top=2&$orderby=nope&$select=x&$expand=y", "ignored")),
      ).to.deep.equal({ orderBy: [], count: false });
    });

    it("rejected: each system query option is a 400 naming it in canonical form", () => {
      const refused = (option: string) => `Query option '${option}' is not supported for this resource.`;
      expect(message(list("$filter=state eq 'active'", "rejected"))).to.equal(refused("$filter"));
      expect(message(list("top=3", "rejected"))).to.equal(refused("$top"));
      expect(message(list("$COUNT=false", "rejected"))).to.equal(refused("$count"));
      expect(message(list("$select=id", "rejected"))).to.equal(refused("$select"));
      expect(message(list("$expand=*", "rejected"))).to.equal(refused("$expand"));
      expect(message(list('$search="x"', "rejected"))).to.equal(refused("$search"));
      expect(message(list("$orderby=id", "rejected"))).to.equal(refused("$orderby"));
      expect(message(list("$skip=1", "rejected"))).to.equal(refused("$skip"));
    });

    it("rejected: $skiptoken and custom options pass, an unknown $ option and a repeat are still 400s", () => {
      expect(value(list("$skiptoken=abc&foo=bar", "rejected"))).to.deep.equal({ orderBy: [], count: false });
      expect(message(list("$foo=1", "rejected"))).to.equal("The query parameter '$foo' is not supported.");
      expect(message(list("$skiptoken=a&$skiptoken=b", "rejected"))).to.equal(
        "Query option '$skiptoken' was specified more than once, but it must be specified at most once.",
      );
    });

    it("rejected: reports the first system option in URL order", () => {
      expect(message(list("$top=1&$filter=true", "rejected"))).to.equal(
        "Query option '$top' is not supported for this resource.",
      );
    });
  });

  describe("$select and $expand", () => {
    it("keeps the order given and each property once", () => {
      expect(value(list("$select= id , state ")).select).to.deep.equal(["id", "state"]);
      expect(value(list("$select=version, displayName ,version")).select).to.deep.equal([
        "version",
        "displayName",
      ]);
    });

    it("treats `*` as every property (no select)", () => {
      expect(value(list("$select=*"))).to.deep.equal({ orderBy: [], count: false });
      expect(value(list("$select=id,*")).select).to.equal(undefined);
    });

    it("names an unknown property; names are case-sensitive; prototype names are no properties", () => {
      for (const name of ["foo", "DisplayName", "constructor", "toString"]) {
        expect(message(list({ $select: `id,${name}` }))).to.equal(
          `Could not find a property named '${name}' on type '${TYPE}'.`,
        );
      }
    });

    it("refuses a term that is no property name", () => {
      expect(message(list({ $select: "displayName/x" }))).to.equal(
        "Term 'displayName/x' is not valid in a $select or $expand expression.",
      );
      expect(message(list({ $select: "id," }))).to.equal(
        "Term '' is not valid in a $select or $expand expression.",
      );
      expect(message(list({ $select: "id,displayName(x,y)" }))).to.equal(
        "Term 'displayName(x,y)' is not valid in a $select or $expand expression.",
      );
      expect(message(list({ $select: "displayName(x),id" }))).to.equal(
        "Term 'displayName(x)' is not valid in a $select or $expand expression.",
      );
    });

    it("$expand: `*` expands nothing, any name is not found (no navigation properties)", () => {
      expect(value(list("$expand=*"))).to.deep.equal({ orderBy: [], count: false });
      expect(message(list({ $expand: "manager" }))).to.equal(
        `Could not find a property named 'manager' on type '${TYPE}'.`,
      );
      expect(message(list({ $expand: "*,settings($select=a,b)" }))).to.equal(
        `Could not find a property named 'settings' on type '${TYPE}'.`,
      );
      expect(message(list({ expand: "displayName" }))).to.equal(
        `Could not find a property named 'displayName' on type '${TYPE}'.`,
      );
      expect(message(list({ $expand: "manager ($select=id)" }))).to.equal(
        `Could not find a property named 'manager' on type '${TYPE}'.`,
      );
      expect(message(list({ $expand: "manager/$ref" }))).to.equal(
        `Could not find a property named 'manager' on type '${TYPE}'.`,
      );
      expect(message(list({ $expand: "(x)" }))).to.equal(
        "Term '(x)' is not valid in a $select or $expand expression.",
      );
    });
  });

  describe("$search", () => {
    it("matches displayName case-insensitively as a substring; quotes and a displayName: prefix are taken off", () => {
      const ids = (search: string) =>
        applyListQuery(ROWS, value(list({ $search: search }))).matching.map((row) => row.id);
      expect(ids("srv0")).to.deep.equal(["a1", "b2"]);
      expect(ids('"SRV0"')).to.deep.equal(["a1", "b2"]);
      expect(ids('"displayName:zet"')).to.deep.equal(["e5"]);
      expect(ids("'")).to.deep.equal(["c3"]);
      expect(ids("nothing")).to.deep.equal([]);
      expect(value(list({ $search: '"ODJ"' })).search).to.equal("ODJ");
    });

    it("takes off one pair of enclosing double quotes only, after trimming", () => {
      const phrase = (search: string) => value(list({ $search: search })).search;
      expect(phrase(' "ODJ" ')).to.equal("ODJ");
      expect(phrase('""x""')).to.equal('"x"');
      expect(phrase('"')).to.equal('"');
      expect(phrase('"abc')).to.equal('"abc');
      expect(phrase('abc"')).to.equal('abc"');
      expect(phrase("a b")).to.equal("a b");
    });

    it("refuses an empty phrase", () => {
      expect(message(list({ $search: '""' }))).to.equal(
        "The value for OData query '$search' cannot be empty.",
      );
      expect(message(list({ $search: "displayName:" }))).to.equal(
        "The value for OData query '$search' cannot be empty.",
      );
    });
  });

  describe("$filter: results", () => {
    it("eq and ne on strings are exact and case-sensitive; ne keeps null", () => {
      expect(filterIds("displayName eq 'ODJ-HQ-SRV01'")).to.deep.equal(["a1"]);
      expect(filterIds("displayName eq 'odj-hq-srv01'")).to.deep.equal([]);
      expect(filterIds("displayName ne 'Zeta'")).to.deep.equal(["a1", "b2", "c3", "d4"]);
      expect(filterIds("version eq '6.2504.2001.8'")).to.deep.equal(["a1", "d4"]);
      expect(filterIds("id eq 'c3'")).to.deep.equal(["c3"]);
    });

    it("null: eq null, ne null, either side", () => {
      expect(filterIds("displayName eq null")).to.deep.equal(["d4"]);
      expect(filterIds("null eq displayName")).to.deep.equal(["d4"]);
      expect(filterIds("displayName ne null")).to.deep.equal(["a1", "b2", "c3", "e5"]);
      expect(filterIds("version eq null")).to.deep.equal(["c3"]);
      expect(filterIds("displayName gt null")).to.deep.equal([]);
      expect(filterIds("displayName ge null")).to.deep.equal([]);
      expect(filterIds("null le displayName")).to.deep.equal([]);
      expect(filterIds("'Zeta' le displayName")).to.deep.equal(["b2", "e5"]);
    });

    it("unescapes '' in string literals", () => {
      expect(filterIds("displayName eq 'O''Brien''s server'")).to.deep.equal(["c3"]);
      expect(filterIds("contains(displayName,'''')")).to.deep.equal(["c3"]);
    });

    it("orders strings ordinally (upper case before lower case), null never compares", () => {
      expect(filterIds("displayName lt 'a'")).to.deep.equal(["a1", "c3", "e5"]);
      expect(filterIds("displayName ge 'Zeta'")).to.deep.equal(["b2", "e5"]);
      expect(filterIds("displayName gt 'Zeta'")).to.deep.equal(["b2"]);
      expect(filterIds("displayName le 'O''Brien''s server'")).to.deep.equal(["c3"]);
    });

    it("startswith, endswith and contains ignore case", () => {
      expect(filterIds("startswith(displayName,'odj')")).to.deep.equal(["a1", "b2"]);
      expect(filterIds("endswith(displayName,'SERVER')")).to.deep.equal(["c3"]);
      expect(filterIds("contains(displayName, '-SRV0')")).to.deep.equal(["a1", "b2"]);
      expect(filterIds("startswith('ODJ-x', 'odj')")).to.deep.equal(["a1", "b2", "c3", "d4", "e5"]);
    });

    it("a function of null is null: neither it nor its negation selects the row", () => {
      expect(filterIds("not startswith(displayName,'odj')")).to.deep.equal(["c3", "e5"]);
      expect(filterIds("startswith(displayName,'z') or state eq 'active'")).to.deep.equal(["a1", "d4", "e5"]);
      expect(filterIds("startswith(displayName,'z') and true")).to.deep.equal(["e5"]);
      expect(filterIds("not (displayName eq 'Zeta')")).to.deep.equal(["a1", "b2", "c3", "d4"]);
    });

    it("states: quoted or typed members, compared in declared order (active, error, inactive)", () => {
      expect(filterIds("state eq 'error'")).to.deep.equal(["b2", "e5"]);
      expect(filterIds("'error' eq state")).to.deep.equal(["b2", "e5"]);
      expect(filterIds("state ne 'active'")).to.deep.equal(["b2", "c3", "e5"]);
      expect(filterIds(`state eq ${STATE}'inactive'`)).to.deep.equal(["c3"]);
      expect(filterIds("state gt 'active'")).to.deep.equal(["b2", "c3", "e5"]);
      expect(filterIds("state lt 'inactive'")).to.deep.equal(["a1", "b2", "d4", "e5"]);
      expect(filterIds(`state le ${STATE}'active'`)).to.deep.equal(["a1", "d4"]);
      expect(filterIds("state ge 'inactive'")).to.deep.equal(["c3"]);
    });

    it("DateTimeOffsets compare as instants: offsets, 7-digit fractions and year 1", () => {
      expect(filterIds("lastConnectionDateTime ge 2025-01-01T00:00:00Z")).to.deep.equal(["a1", "b2", "e5"]);
      expect(filterIds("lastConnectionDateTime eq 2025-01-22T19:00:00Z")).to.deep.equal(["e5"]);
      expect(filterIds("lastConnectionDateTime gt 2025-01-22T20:00:00+01:00")).to.deep.equal(["a1", "b2"]);
      expect(filterIds("lastConnectionDateTime ge 2025-01-22T14:00:00-05:00")).to.deep.equal([
        "a1",
        "b2",
        "e5",
      ]);
      expect(filterIds("lastConnectionDateTime gt 2025-01-22T19:17:04.1234566Z")).to.deep.equal(["a1"]);
      expect(filterIds("lastConnectionDateTime eq 2025-01-22T19:17:04.1234567Z")).to.deep.equal(["a1"]);
      expect(filterIds("lastConnectionDateTime le 2025-01-22T19:17:04.12345660Z")).to.deep.equal([
        "b2",
        "c3",
        "d4",
        "e5",
      ]);
      expect(filterIds("lastConnectionDateTime eq 0001-01-01T00:00:00Z")).to.deep.equal(["c3"]);
      expect(filterIds("lastConnectionDateTime lt 1900-01-01T00:00Z")).to.deep.equal(["c3"]);
      expect(filterIds("lastConnectionDateTime lt 2024-12-31t23:59:59.5z")).to.deep.equal(["c3", "d4"]);
    });

    it("a DateTimeOffset offset survives URL encoding as %2B", () => {
      const query = value(
        parseListQuery(
          new URLSearchParams("$filter=lastConnectionDateTime eq 2025-01-23T00:00:00%2B05:00"),
          "honoured",
        ),
      );
      expect(applyListQuery(ROWS, query).matching.map((row) => row.id)).to.deep.equal(["e5"]);
    });

    it("precedence: not, then and, then or; parentheses group", () => {
      expect(filterIds("state eq 'error' or state eq 'active' and displayName eq null")).to.deep.equal([
        "b2",
        "d4",
        "e5",
      ]);
      expect(filterIds("(state eq 'error' or state eq 'active') and displayName eq null")).to.deep.equal([
        "d4",
      ]);
      expect(filterIds("displayName eq null and state eq 'active' or state eq 'inactive'")).to.deep.equal([
        "c3",
        "d4",
      ]);
      expect(filterIds("not contains(displayName,'srv') and state eq 'error'")).to.deep.equal(["e5"]);
      expect(filterIds("not not (state eq 'error')")).to.deep.equal(["b2", "e5"]);
      expect(filterIds("((state eq 'inactive'))")).to.deep.equal(["c3"]);
    });

    it("null in and, or, not and function arguments", () => {
      const all = ["a1", "b2", "c3", "d4", "e5"];
      expect(filterIds("not null")).to.deep.equal([]);
      expect(filterIds("null and true")).to.deep.equal([]);
      expect(filterIds("null or true")).to.deep.equal(all);
      expect(filterIds("null or false")).to.deep.equal([]);
      expect(filterIds("state eq 'active' and startswith(displayName,'o')")).to.deep.equal(["a1"]);
      expect(filterIds("state eq 'error' or startswith(displayName,'o')")).to.deep.equal([
        "a1",
        "b2",
        "c3",
        "e5",
      ]);
      expect(filterIds("startswith(displayName, null)")).to.deep.equal([]);
      expect(filterIds("contains(null, 'x')")).to.deep.equal([]);
      expect(filterIds("not endswith(null, null)")).to.deep.equal([]);
    });

    it("number literals: fractions, exponents, Int32 and Int64", () => {
      const all = ["a1", "b2", "c3", "d4", "e5"];
      expect(filterIds("1 lt 2.25")).to.deep.equal(all);
      expect(filterIds("2.25 lt 2.3")).to.deep.equal(all);
      expect(filterIds("1E+10 gt 9999999999")).to.deep.equal(all);
      expect(filterIds("1e-2 lt 0.02")).to.deep.equal(all);
      expect(filterIds("1e10 eq 10000000000")).to.deep.equal(all);
      expect(filterIds("3000000000 gt 2147483647")).to.deep.equal(all);
      const operands = (literal: string, type: string) =>
        expect(filterError(`${literal} eq 'x'`)).to.equal(
          `Invalid filter clause: A binary operator with incompatible types was detected. Found operand types '${type}' and 'Edm.String' for operator kind 'Equal'.`,
        );
      operands("2147483647", "Edm.Int32");
      operands("2147483648", "Edm.Int64");
      operands("-2147483648", "Edm.Int32");
      operands("-2147483649", "Edm.Int64");
      operands("0.5", "Edm.Decimal");
      operands("5e0", "Edm.Double");
    });

    it("literals alone and compared with each other", () => {
      const all = ["a1", "b2", "c3", "d4", "e5"];
      expect(filterIds("true")).to.deep.equal(all);
      expect(filterIds("false")).to.deep.equal([]);
      expect(filterIds("null")).to.deep.equal([]);
      expect(filterIds("null eq null")).to.deep.equal(all);
      expect(filterIds("1 lt 2.5")).to.deep.equal(all);
      expect(filterIds("2 eq 2.0")).to.deep.equal(all);
      expect(filterIds("-1 ge 1e0")).to.deep.equal([]);
      expect(filterIds("true eq false")).to.deep.equal([]);
      expect(filterIds("false lt true")).to.deep.equal(all);
      expect(filterIds("'b' gt 'a'")).to.deep.equal(all);
    });

    it("takes any whitespace between tokens", () => {
      expect(filterIds("  state\teq   'inactive'  ")).to.deep.equal(["c3"]);
      expect(filterIds("startswith( displayName , 'zet' )")).to.deep.equal(["e5"]);
    });

    it("parseFilter gives the predicate on its own", () => {
      const predicate = value(parseFilter("state eq 'active' and displayName ne null"));
      expect(ROWS.filter(predicate).map((row) => row.id)).to.deep.equal(["a1"]);
      expect(message(parseFilter("nope"))).to.equal(
        `Invalid filter clause: Could not find a property named 'nope' on type '${TYPE}'.`,
      );
    });
  });

  describe("$filter: errors", () => {
    it("unknown and mis-cased properties", () => {
      expect(filterError("foo eq 'x'")).to.equal(
        `Invalid filter clause: Could not find a property named 'foo' on type '${TYPE}'.`,
      );
      expect(filterError("DisplayName eq 'x'")).to.equal(
        `Invalid filter clause: Could not find a property named 'DisplayName' on type '${TYPE}'.`,
      );
    });

    it("incompatible operand types name both types and the operator kind", () => {
      const incompatible = (left: string, right: string, kind: string) =>
        `Invalid filter clause: A binary operator with incompatible types was detected. Found operand types '${left}' and '${right}' for operator kind '${kind}'.`;
      expect(filterError("displayName eq 1")).to.equal(incompatible("Edm.String", "Edm.Int32", "Equal"));
      expect(filterError("version lt 3000000000")).to.equal(
        incompatible("Edm.String", "Edm.Int64", "LessThan"),
      );
      expect(filterError("version gt 1.5")).to.equal(
        incompatible("Edm.String", "Edm.Decimal", "GreaterThan"),
      );
      expect(filterError("version le 1e3")).to.equal(
        incompatible("Edm.String", "Edm.Double", "LessThanOrEqual"),
      );
      expect(filterError("version ne true")).to.equal(incompatible("Edm.String", "Edm.Boolean", "NotEqual"));
      expect(filterError("lastConnectionDateTime ge '2025-01-01T00:00:00Z'")).to.equal(
        incompatible("Edm.DateTimeOffset", "Edm.String", "GreaterThanOrEqual"),
      );
      expect(filterError("state eq displayName")).to.equal(incompatible(STATE, "Edm.String", "Equal"));
      expect(filterError("displayName eq 2025-01-01T00:00:00Z")).to.equal(
        incompatible("Edm.String", "Edm.DateTimeOffset", "Equal"),
      );
      expect(filterError("displayName and true")).to.equal(incompatible("Edm.String", "Edm.Boolean", "And"));
      expect(filterError("true or state")).to.equal(incompatible("Edm.Boolean", STATE, "Or"));
      expect(filterError("state eq 'error' eq 'x'")).to.equal(
        incompatible("Edm.Boolean", "Edm.String", "Equal"),
      );
    });

    it("not binds tighter than a comparison, as in OData", () => {
      expect(filterError("not state eq 'error'")).to.equal(
        `Invalid filter clause: A unary operator with an incompatible type was detected. Found operand type '${STATE}' for operator kind 'Not'.`,
      );
    });

    it("state members are checked, case-sensitively; other typed literals are syntax errors", () => {
      expect(filterError("state eq 'Active'")).to.equal(
        "Invalid filter clause: The string 'Active' is not a valid enumeration type constant.",
      );
      expect(filterError(`state eq ${STATE}'paused'`)).to.equal(
        "Invalid filter clause: The string 'paused' is not a valid enumeration type constant.",
      );
      expect(filterError("state eq microsoft.graph.fooState'active'")).to.equal(
        "Invalid filter clause: Syntax error at position 9 in 'state eq microsoft.graph.fooState'active''.",
      );
    });

    it("functions: unknown names, wrong arguments, missing separators", () => {
      expect(filterError("length(displayName) eq 3")).to.equal(
        "Invalid filter clause: An unknown function with name 'length' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.",
      );
      expect(filterError("StartsWith(displayName,'a')")).to.equal(
        "Invalid filter clause: An unknown function with name 'StartsWith' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.",
      );
      expect(filterError("startswith(displayName)")).to.equal(
        "Invalid filter clause: No function signature for the function with name 'startswith' matches the specified arguments. The function signatures considered are: startswith(Edm.String Nullable=true, Edm.String Nullable=true).",
      );
      expect(filterError("contains(state,'act')")).to.equal(
        "Invalid filter clause: No function signature for the function with name 'contains' matches the specified arguments. The function signatures considered are: contains(Edm.String Nullable=true, Edm.String Nullable=true).",
      );
      expect(filterError("endswith()")).to.equal(
        "Invalid filter clause: Expression expected at position 9 in 'endswith()'.",
      );
      expect(filterError("endswith(displayName,'a','b')")).to.equal(
        "Invalid filter clause: No function signature for the function with name 'endswith' matches the specified arguments. The function signatures considered are: endswith(Edm.String Nullable=true, Edm.String Nullable=true).",
      );
      expect(filterError("startswith(displayName 'a')")).to.equal(
        "Invalid filter clause: ')' or ',' expected at position 23 in 'startswith(displayName 'a')'.",
      );
    });

    it("syntax: positions count from 0 in the filter text", () => {
      expect(filterError("(state eq 'error'")).to.equal(
        "Invalid filter clause: ')' or operator expected at position 17 in '(state eq 'error''.",
      );
      expect(filterError("displayName eq 'x")).to.equal(
        "Invalid filter clause: There is an unterminated string literal at position 17 in 'displayName eq 'x'.",
      );
      expect(filterError('displayName eq "x"')).to.equal(
        `Invalid filter clause: Syntax error: character '"' is not valid at position 15 in 'displayName eq "x"'.`,
      );
      expect(filterError("displayName eq 'a' 'b'")).to.equal(
        "Invalid filter clause: Syntax error at position 19 in 'displayName eq 'a' 'b''.",
      );
      expect(filterError("displayName eq")).to.equal(
        "Invalid filter clause: Expression expected at position 14 in 'displayName eq'.",
      );
      expect(filterError("displayName EQ 'x'")).to.equal(
        "Invalid filter clause: Syntax error at position 12 in 'displayName EQ 'x''.",
      );
      expect(filterError("displayName eq -x")).to.equal(
        "Invalid filter clause: Syntax error: character '-' is not valid at position 15 in 'displayName eq -x'.",
      );
      expect(filterError(" ")).to.equal("Invalid filter clause: Expression expected at position 1 in ' '.");
      expect(filterError("()")).to.equal("Invalid filter clause: Expression expected at position 1 in '()'.");
    });

    it("an unescaped quote ends the literal: what follows is a syntax error", () => {
      expect(filterError("displayName eq 'O'Brien's server'")).to.equal(
        "Invalid filter clause: Syntax error at position 18 in 'displayName eq 'O'Brien's server''.",
      );
    });

    it("DateTimeOffset literals must be real instants with a zone", () => {
      expect(filterError("lastConnectionDateTime lt 2025-02-30T00:00:00Z")).to.equal(
        "Invalid filter clause: Unrecognized 'Edm.DateTimeOffset' literal '2025-02-30T00:00:00Z' at '26' in 'lastConnectionDateTime lt 2025-02-30T00:00:00Z'.",
      );
      expect(filterError("lastConnectionDateTime lt 2025-01-01T00:00:00")).to.equal(
        "Invalid filter clause: Unrecognized 'Edm.DateTimeOffset' literal '2025-01-01T00:00:00' at '26' in 'lastConnectionDateTime lt 2025-01-01T00:00:00'.",
      );
      // An unencoded + arrives as a space.
      expect(
        message(
          parseListQuery(
            new URLSearchParams("$filter=lastConnectionDateTime lt 2025-01-01T00:00:00+01:00"),
            "honoured",
          ),
        ),
      ).to.equal(
        "Invalid filter clause: Unrecognized 'Edm.DateTimeOffset' literal '2025-01-01T00:00:00' at '26' in 'lastConnectionDateTime lt 2025-01-01T00:00:00 01:00'.",
      );
    });

    it("the whole filter must be a boolean", () => {
      expect(filterError("displayName")).to.equal(
        "Invalid filter clause: The $filter expression must evaluate to a single boolean value.",
      );
      expect(filterError("'x'")).to.equal(
        "Invalid filter clause: The $filter expression must evaluate to a single boolean value.",
      );
    });
  });

  describe("$orderby", () => {
    it("parses keys with asc (the default) and desc", () => {
      expect(value(list({ $orderby: "displayName asc, version desc,state" })).orderBy).to.deep.equal([
        { property: "displayName", descending: false },
        { property: "version", descending: true },
        { property: "state", descending: false },
      ]);
    });

    it("strings ordinally with null first ascending and last descending", () => {
      expect(orderIds("displayName")).to.deep.equal(["d4", "c3", "a1", "e5", "b2"]);
      expect(orderIds("displayName desc")).to.deep.equal(["b2", "e5", "a1", "c3", "d4"]);
    });

    it("DateTimeOffsets as instants", () => {
      expect(orderIds("lastConnectionDateTime")).to.deep.equal(["c3", "d4", "e5", "b2", "a1"]);
      expect(orderIds("lastConnectionDateTime desc")).to.deep.equal(["a1", "b2", "e5", "d4", "c3"]);
    });

    it("several keys; equal keys keep their input order in both directions", () => {
      expect(orderIds("state asc, displayName desc")).to.deep.equal(["a1", "d4", "b2", "e5", "c3"]);
      expect(orderIds("state asc, displayName asc")).to.deep.equal(["d4", "a1", "e5", "b2", "c3"]);
      expect(orderIds("version")).to.deep.equal(["c3", "e5", "b2", "a1", "d4"]);
      expect(orderIds("version desc")).to.deep.equal(["a1", "d4", "b2", "e5", "c3"]);
      expect(orderIds("state desc")).to.deep.equal(["c3", "b2", "e5", "a1", "d4"]);
    });

    it("states in declared order; states the enum does not know come last, ordinally", () => {
      const rows = [
        { ...ROWS[0], id: "x", state: "zz" },
        { ...ROWS[0], id: "i", state: "inactive" },
        { ...ROWS[0], id: "r", state: "archived" },
        { ...ROWS[0], id: "a", state: "active" },
      ];
      const ids = (query: string) => applyListQuery(rows, value(list(query))).matching.map((row) => row.id);
      expect(ids("$orderby=state")).to.deep.equal(["a", "i", "r", "x"]);
      expect(ids("$orderby=state desc")).to.deep.equal(["x", "r", "i", "a"]);
      expect(ids("$filter=state gt 'inactive'")).to.deep.equal(["x", "r"]);
      expect(ids("$filter=state lt 'inactive'")).to.deep.equal(["a"]);
    });

    it("errors: unknown property, duplicate, bad direction, empty key, non-property", () => {
      expect(message(list({ $orderby: "name" }))).to.equal(
        `Could not find a property named 'name' on type '${TYPE}'.`,
      );
      expect(message(list({ $orderby: "state,id,state desc" }))).to.equal(
        "Duplicate property named 'state' is not supported in '$orderby'.",
      );
      expect(message(list({ $orderby: "displayName up" }))).to.equal(
        "',' expected at position 12 in 'displayName up'.",
      );
      expect(message(list({ $orderby: "displayName," }))).to.equal(
        "Expression expected at position 12 in 'displayName,'.",
      );
      expect(message(list({ $orderby: ",id" }))).to.equal("Expression expected at position 0 in ',id'.");
      expect(message(list({ $orderby: "'x'" }))).to.equal("Syntax error at position 0 in ''x''.");
      expect(message(list({ $orderby: "id desc asc" }))).to.equal(
        "',' expected at position 8 in 'id desc asc'.",
      );
    });
  });

  describe("applyListQuery", () => {
    it("filters, searches, orders, then windows; matching is before $skip and $top", () => {
      const query = value(
        list("$filter=state ne 'inactive'&$search=o&$orderby=displayName desc&$skip=1&$top=1"),
      );
      const { matching, window } = applyListQuery(ROWS, query);
      expect(matching.map((row) => row.id)).to.deep.equal(["b2", "a1"]);
      expect(window.map((row) => row.id)).to.deep.equal(["a1"]);
    });

    it("windows past the end are empty; $top 0 is empty; the input is not changed", () => {
      const rows = [...ROWS];
      expect(applyListQuery(rows, value(list("$skip=5"))).window).to.deep.equal([]);
      expect(applyListQuery(rows, value(list("$top=0"))).window).to.deep.equal([]);
      expect(applyListQuery(rows, value(list("$skip=3&$top=10"))).window.map((row) => row.id)).to.deep.equal([
        "d4",
        "e5",
      ]);
      applyListQuery(rows, value(list("$orderby=id desc")));
      expect(rows.map((row) => row.id)).to.deep.equal(["a1", "b2", "c3", "d4", "e5"]);
    });

    it("returns the caller's own row objects (extra fields kept)", () => {
      const rows = ROWS.map((row) => ({ ...row, extra: row.id.toUpperCase() }));
      const { window } = applyListQuery(rows, value(list("$filter=id eq 'b2'")));
      expect(window).to.deep.equal([{ ...ROWS[1], extra: "B2" }]);
      expect(window[0]).to.equal(rows[1]);
    });
  });

  describe("parseItemQuery", () => {
    it("takes $select and $expand=* and ignores custom options", () => {
      expect(value(parseItemQuery(new URLSearchParams("$select=displayName,state&foo=1")))).to.deep.equal({
        select: ["displayName", "state"],
      });
      expect(value(parseItemQuery(new URLSearchParams("select=*&expand=*")))).to.deep.equal({});
      expect(value(parseItemQuery(new URLSearchParams("")))).to.deep.equal({});
    });

    it("answers 400 for $expand of a name, an unknown property, an unknown $ option, a repeat", () => {
      const item = (query: string) => message(parseItemQuery(new URLSearchParams(query)));
      expect(item("$expand=connectorServers")).to.equal(
        `Could not find a property named 'connectorServers' on type '${TYPE}'.`,
      );
      expect(item("$select=name")).to.equal(`Could not find a property named 'name' on type '${TYPE}'.`);
      expect(item("$foo=1")).to.equal("The query parameter '$foo' is not supported.");
      expect(item("$select=id&select=state")).to.equal(
        "Query option '$select' was specified more than once, but it must be specified at most once.",
      );
      expect(item("$expand=")).to.equal("The value for OData query '$expand' cannot be empty.");
      expect(item("$select=")).to.equal("The value for OData query '$select' cannot be empty.");
    });

    it("refuses the collection options with ASP.NET OData's message, and $search and $skiptoken", () => {
      for (const option of ["$filter=true", "$orderby=id", "$count=true", "skip=1", "$top=1"]) {
        expect(message(parseItemQuery(new URLSearchParams(option)))).to.equal(NOT_A_COLLECTION);
      }
      expect(message(parseItemQuery(new URLSearchParams('$search="x"')))).to.equal(
        "Query option '$search' is not supported for this resource.",
      );
      expect(message(parseItemQuery(new URLSearchParams("$skiptoken=x")))).to.equal(
        "Query option '$skiptoken' is not supported for this resource.",
      );
    });
  });

  describe("parseCountQuery", () => {
    const count = (query: string | Record<string, string>, mode: ListQueryMode = "honoured") =>
      parseCountQuery(new URLSearchParams(query), mode);

    it("honoured: takes $filter and $search", () => {
      const query = value(count({ $filter: "state eq 'active'", search: "srv" }));
      expect(Object.keys(query).sort()).to.deep.equal(["filter", "search"]);
      expect(query.search).to.equal("srv");
      expect(ROWS.filter((row) => query.filter?.(row) === true).map((row) => row.id)).to.deep.equal([
        "a1",
        "d4",
      ]);
      expect(value(count("foo=bar"))).to.deep.equal({});
    });

    it("honoured: any other system option is a 400; a bad filter is the filter's 400", () => {
      for (const option of ["$top", "$skip", "$orderby", "$select", "$expand", "$count", "$skiptoken"]) {
        expect(message(count(`${option}=1`))).to.equal(
          `Query option '${option}' is not supported for this resource.`,
        );
      }
      expect(message(count({ $filter: "nope" }))).to.equal(
        `Invalid filter clause: Could not find a property named 'nope' on type '${TYPE}'.`,
      );
      expect(message(count("$bar=1"))).to.equal("The query parameter '$bar' is not supported.");
      expect(message(count("$filter="))).to.equal("The value for OData query '$filter' cannot be empty.");
      expect(message(count("search="))).to.equal("The value for OData query '$search' cannot be empty.");
    });

    it("rejected: $filter and $search too; ignored: nothing counts", () => {
      expect(message(count({ $filter: "true" }, "rejected"))).to.equal(
        "Query option '$filter' is not supported for this resource.",
      );
      expect(message(count({ search: "x" }, "rejected"))).to.equal(
        "Query option '$search' is not supported for this resource.",
      );
      expect(value(count("$filter=((&$top=x&$foo=1", "ignored"))).to.deep.equal({});
    });
  });

  describe("selectProperties", () => {
    const object = {
      "@odata.context": "https://x/beta/$metadata#deviceManagement/domainJoinConnectors/$entity",
      "@odata.type": `#${TYPE}`,
      id: "a1",
      displayName: "ODJ-HQ-SRV01",
      lastConnectionDateTime: "2025-01-22T19:17:04.1234567Z",
      state: "active",
      version: "6.2504.2001.8",
    };

    it("keeps the annotations, id and the selected properties, in the object's order", () => {
      const selected = selectProperties(object, ["version", "displayName"]);
      expect(Object.keys(selected)).to.deep.equal([
        "@odata.context",
        "@odata.type",
        "id",
        "displayName",
        "version",
      ]);
      expect(selected).to.deep.equal({
        "@odata.context": "https://x/beta/$metadata#deviceManagement/domainJoinConnectors/$entity",
        "@odata.type": `#${TYPE}`,
        id: "a1",
        displayName: "ODJ-HQ-SRV01",
        version: "6.2504.2001.8",
      });
      expect(selectProperties(object, [])).to.deep.equal({
        "@odata.context": "https://x/beta/$metadata#deviceManagement/domainJoinConnectors/$entity",
        "@odata.type": `#${TYPE}`,
        id: "a1",
      });
    });

    it("returns a copy of everything without a select", () => {
      const all = selectProperties(object, undefined);
      expect(all).to.deep.equal(object);
      expect(all).to.not.equal(object);
    });
  });

  describe("paging helpers", () => {
    it("skipTokenOf reads $skiptoken with or without `$`", () => {
      expect(skipTokenOf(new URLSearchParams("$top=1&$skiptoken=abc"))).to.equal("abc");
      expect(skipTokenOf(new URLSearchParams("SkipToken=def"))).to.equal("def");
      expect(skipTokenOf(new URLSearchParams("$top=1&token=x"))).to.equal(undefined);
    });

    it("nextLinkQuery keeps every other parameter in order and puts the new token last", () => {
      const params = new URLSearchParams("$filter=state eq 'active'&skiptoken=old&$top=5&foo=a+b");
      expect(nextLinkQuery(params, "new")).to.equal(
        "$filter=state+eq+%27active%27&$top=5&foo=a+b&$skiptoken=new",
      );
      expect(nextLinkQuery(new URLSearchParams("%2524=%24"), "t=1")).to.equal("%2524=$&$skiptoken=t%3D1");
      expect(nextLinkQuery(new URLSearchParams(""), "t=1")).to.equal("$skiptoken=t%3D1");
    });
  });

  describe("parseInstant", () => {
    it("gives picoseconds since the Unix epoch, exact to the 12th fraction digit", () => {
      expect(parseInstant("1970-01-01T00:00:00Z")).to.equal(0n);
      expect(parseInstant("1970-01-01T00:00:00.000000000001Z")).to.equal(1n);
      expect(parseInstant("1970-01-01T01:00:00+01:00")).to.equal(0n);
      expect(parseInstant("1969-12-31T23:59:59.5Z")).to.equal(-500_000_000_000n);
      expect(parseInstant("2025-01-22T19:17:04.1234567Z")).to.equal(1_737_573_424_123_456_700_000n);
      // .NET's DateTimeOffset.MinValue: -62135596800 s.
      expect(parseInstant("0001-01-01T00:00:00Z")).to.equal(-62_135_596_800_000_000_000_000n);
      expect(parseInstant("2024-02-29T00:00:00-14:00")).to.equal(1_709_215_200_000_000_000_000n);
    });

    it("is undefined for what is no DateTimeOffset", () => {
      for (const text of [
        "2025-01-01T00:00:00",
        "2025-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2025-13-01T00:00:00Z",
        "2025-01-01T24:00:00Z",
        "2025-01-01T00:60:00Z",
        "2025-01-01T00:00:60Z",
        "2025-01-01T00:00:00+15:00",
        "0000-01-01T00:00:00Z",
        "2025-01-01T00:00:00.1234567890123Z",
        "2025-01-01",
        "",
      ]) {
        expect(parseInstant(text), text).to.equal(undefined);
      }
      for (const text of [
        "2025-00-01T00:00:00Z",
        "2025-01-00T00:00:00Z",
        "2025-01-01T00:00:00+01:60",
        " 2025-01-01T00:00:00Z",
        "2025-01-01T00:00:00Zx",
        "x2025-01-01T00:00:00Z",
      ]) {
        expect(parseInstant(text), text).to.equal(undefined);
      }
      expect(parseInstant("2000-02-29T00:00:00Z")).to.equal(951_782_400_000_000_000_000n);
      expect(parseInstant("2025-01-01T00:00:00+14:00")).to.equal(1_735_639_200_000_000_000_000n);
      expect(parseInstant("2025-01-01T00:00:00-00:59")).to.equal(1_735_693_140_000_000_000_000n);
    });
  });

  describe("properties (fast-check)", () => {
    const NAME_PARTS = fc.constantFrom(
      "'",
      "''",
      "a",
      "A",
      " ",
      "(",
      ")",
      ",",
      "é",
      "+",
      "&",
      "%",
      '"',
      "=",
      "#",
      "eq",
    );
    const NAME = fc.oneof(fc.string({ unit: NAME_PARTS, maxLength: 6 }), fc.string({ maxLength: 6 }));

    it("displayName eq '<name with '' escaping>' selects exactly the rows with that name", () => {
      fc.assert(
        fc.property(
          fc.array(fc.option(NAME, { nil: null }), { maxLength: 10 }),
          NAME,
          fc.nat(),
          (names, other, pick) => {
            const rows = names.map((displayName, i) => ({ ...ROWS[0], id: `r${i}`, displayName }));
            const present = names.filter((name): name is string => name !== null);
            const target = present.length > 0 && pick % 2 === 0 ? present[pick % present.length] : other;
            const url = new URLSearchParams();
            url.set("$filter", `displayName eq '${target.replaceAll("'", "''")}'`);
            const query = value(parseListQuery(new URLSearchParams(url.toString()), "honoured"));
            const expected = rows.filter((row) => row.displayName === target).map((row) => row.id);
            expect(applyListQuery(rows, query).matching.map((row) => row.id)).to.deep.equal(expected);
          },
        ),
        { seed: 20250122, numRuns: 400 },
      );
    });

    /** Rows whose keys repeat often: a few names, versions and instants, nulls included. */
    const ROWS_ARB = fc
      .array(
        fc.record({
          displayName: fc.option(fc.constantFrom("a", "B", "b", "Ä", "a'", "", "ODJ"), { nil: null }),
          version: fc.option(fc.constantFrom("6.1", "6.10", "6.2"), { nil: null }),
          state: fc.constantFrom("active", "error", "inactive"),
          ms: fc.oneof(
            fc.constantFrom(-62_135_596_800_000, 0, 1_737_573_424_123),
            fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }),
          ),
        }),
        { maxLength: 12 },
      )
      .map((records) =>
        records.map(({ ms, ...rest }, i): ConnectorRow => ({
          id: `r${String(i).padStart(2, "0")}`,
          ...rest,
          lastConnectionDateTime: new Date(ms).toISOString().replace("Z", "0000Z"),
        })),
      );
    const PROPERTY = fc.constantFrom(
      "id",
      "displayName",
      "version",
      "state",
      "lastConnectionDateTime",
    ) as fc.Arbitrary<keyof ConnectorRow>;
    const STATE_RANK: Record<string, number> = { active: 0, error: 1, inactive: 2 };

    /** The test's own ascending order of two keys: null first, states by rank, instants by Date. */
    function ascending(property: keyof ConnectorRow, a: string | null, b: string | null): boolean {
      if (a === null) return true;
      if (b === null) return false;
      if (property === "state") return STATE_RANK[a] <= STATE_RANK[b];
      if (property === "lastConnectionDateTime") return Date.parse(a) <= Date.parse(b);
      return a <= b;
    }

    function distinctRuns(keys: (string | null)[]): (string | null)[] {
      return keys.filter((key, i) => i === 0 || key !== keys[i - 1]);
    }

    it("orderby asc then desc reverses the order of distinct keys; ties keep input order", () => {
      fc.assert(
        fc.property(ROWS_ARB, PROPERTY, (rows, property) => {
          const asc = applyListQuery(rows, value(list({ $orderby: `${property} asc` }))).matching;
          const desc = applyListQuery(rows, value(list({ orderby: `${property} desc` }))).matching;
          const ascKeys = asc.map((row) => row[property]);
          const descKeys = desc.map((row) => row[property]);
          for (let i = 1; i < ascKeys.length; i++)
            expect(ascending(property, ascKeys[i - 1], ascKeys[i])).to.equal(true);
          const runs = distinctRuns(ascKeys);
          expect(new Set(runs).size).to.equal(runs.length);
          expect(distinctRuns(descKeys)).to.deep.equal([...runs].reverse());
          for (const key of runs) {
            const inInput = rows.filter((row) => row[property] === key).map((row) => row.id);
            expect(asc.filter((row) => row[property] === key).map((row) => row.id)).to.deep.equal(inInput);
            expect(desc.filter((row) => row[property] === key).map((row) => row.id)).to.deep.equal(inInput);
          }
          expect(asc.map((row) => row.id).sort()).to.deep.equal(rows.map((row) => row.id));
        }),
        { seed: 20250123, numRuns: 400 },
      );
    });

    it("$skip/$top windows of one size partition the matching rows, and matching ignores them", () => {
      const FILTERS = [
        "",
        "state eq 'active'",
        "startswith(displayName,'a')",
        "version ne null or state eq 'error'",
      ];
      fc.assert(
        fc.property(
          ROWS_ARB,
          fc.constantFrom(...FILTERS),
          fc.integer({ min: 1, max: 5 }),
          (rows, filter, size) => {
            const base =
              filter === ""
                ? "$orderby=displayName desc,id"
                : `$filter=${filter}&$orderby=displayName desc,id`;
            const all = applyListQuery(rows, value(list(base))).matching;
            const pages: ConnectorRow[][] = [];
            for (let skip = 0; skip <= all.length; skip += size) {
              const { matching, window } = applyListQuery(
                rows,
                value(list(`${base}&$skip=${skip}&$top=${size}`)),
              );
              expect(matching).to.deep.equal(all);
              expect(window.length).to.equal(Math.min(size, all.length - skip));
              pages.push(window);
            }
            expect(pages.flat()).to.deep.equal(all);
          },
        ),
        { seed: 20250124, numRuns: 300 },
      );
    });

    it("DateTimeOffset comparisons agree with Date for any offset, years 1 to 9999", () => {
      const MIN = Date.parse("0001-01-02T00:00:00Z");
      const MAX = Date.parse("9999-12-30T00:00:00Z");
      const OPERATORS: Record<string, (a: number, b: number) => boolean> = {
        eq: (a, b) => a === b,
        ne: (a, b) => a !== b,
        gt: (a, b) => a > b,
        ge: (a, b) => a >= b,
        lt: (a, b) => a < b,
        le: (a, b) => a <= b,
      };
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: MIN, max: MAX }), { minLength: 1, maxLength: 6 }),
          fc.nat(),
          fc.integer({ min: -14 * 60, max: 14 * 60 }),
          fc.constantFrom("eq", "ne", "gt", "ge", "lt", "le"),
          (instants, pick, offsetMinutes, operator) => {
            const rows = instants.map((ms, i) => ({
              ...ROWS[0],
              id: `r${i}`,
              lastConnectionDateTime: new Date(ms).toISOString(),
            }));
            const literalMs = instants[pick % instants.length] + (pick % 3) - 1;
            const local = new Date(literalMs + offsetMinutes * 60_000).toISOString().slice(0, -1);
            const sign = offsetMinutes < 0 ? "-" : "+";
            const zone = `${sign}${String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, "0")}:${String(Math.abs(offsetMinutes) % 60).padStart(2, "0")}`;
            const url = new URLSearchParams();
            url.set("$filter", `lastConnectionDateTime ${operator} ${local}${zone}`);
            const query = value(parseListQuery(new URLSearchParams(url.toString()), "honoured"));
            const expected = rows
              .filter((_, i) => OPERATORS[operator](instants[i], literalMs))
              .map((row) => row.id);
            expect(applyListQuery(rows, query).matching.map((row) => row.id)).to.deep.equal(expected);
          },
        ),
        { seed: 20250125, numRuns: 400 },
      );
    });
  });
});
