// The OData query options of the connector collection, called directly: parsing (the three modes,
// the `$`-less beta names, every message), the options the emulator does not implement, the pages
// (each variant paging) and $select. Expected values and messages are written out by hand, never taken
// from the code under test.
import { expect } from "chai";
import {
  IssuedSkipLinks,
  cutPage,
  decodeSkipToken,
  encodeSkipToken,
  firstCursor,
  nextLinkQuery,
  skipTokenOf,
  withoutOption,
  type PageCursor,
  type PagingVariant,
} from "intune-graph-emulator/internal/graph/paging";
import {
  checkCountQuery,
  parseItemQuery,
  parseListQuery,
  selectProperties,
  type ListQuery,
  type ListQueryMode,
  type QueryResult,
} from "intune-graph-emulator/internal/graph/query";

const TYPE = "microsoft.graph.deviceManagementDomainJoinConnector";

/** Five connectors, as far as $top sees them. */
const ROWS: readonly { id: string }[] = ["a1", "b2", "c3", "d4", "e5"].map((id) => ({ id }));

const NOT_A_COLLECTION =
  "The query specified in the URI is not valid. The requested resource is not a collection. Query options $filter, $orderby, $count, $skip, and $top can be applied only on collections.";

function refused(option: string): string {
  return `Query option '${option}' is not supported for this resource.`;
}

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

describe("emulator Graph query options (direct)", () => {
  describe("parseListQuery: the options and their names", () => {
    it("takes no options as the empty query", () => {
      expect(value(list(""))).to.deep.equal({ count: false });
    });

    it("parses $top, $count and $select", () => {
      expect(value(list("$top=2&$count=true&$select=id,state"))).to.deep.equal({
        top: 2,
        count: true,
        select: ["id", "state"],
      });
    });

    it("takes the names without `$` and in any case (beta), and ignores custom query options", () => {
      expect(value(list("top=1&$Count=true&Select=version&api-version=2&foo=bar"))).to.deep.equal({
        top: 1,
        count: true,
        select: ["version"],
      });
    });

    it("leaves $skiptoken out of the query (the caller pages)", () => {
      expect(value(list("$skiptoken=abc&$top=1"))).to.deep.equal({ top: 1, count: false });
      expect(value(list("skiptoken=abc"))).to.deep.equal({ count: false });
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
      expect(message(list("$count=true&count=false"))).to.equal(twice("$count"));
      expect(message(list("$skiptoken=a&SkipToken=b"))).to.equal(twice("$skiptoken"));
    });

    it("checks the names before the values: an unknown option after a bad value is what is reported", () => {
      expect(message(list("$top=-1&$foo=1"))).to.equal("The query parameter '$foo' is not supported.");
    });

    it("accepts $top 0 and large whole numbers", () => {
      expect(value(list("$top=0"))).to.include({ top: 0 });
      expect(value(list("$top=9007199254740991"))).to.include({ top: 9007199254740991 });
    });

    for (const bad of ["-1", "1.5", "abc", "", " 1", "+1", "1e2", "9007199254740992"]) {
      it(`refuses $top '${bad}'`, () => {
        expect(message(list({ $top: bad }))).to.equal(
          `Invalid value '${bad}' for $top query option found. The $top query option requires a non-negative integer value.`,
        );
        expect(message(list({ top: bad }))).to.equal(
          `Invalid value '${bad}' for $top query option found. The $top query option requires a non-negative integer value.`,
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

    it("refuses an empty $select or $expand", () => {
      for (const option of ["$select", "$expand"]) {
        expect(message(list(`${option}=`))).to.equal(
          `The value for OData query '${option}' cannot be empty.`,
        );
      }
      expect(message(list("select="))).to.equal("The value for OData query '$select' cannot be empty.");
    });

    it("answers $filter, $orderby, $search and $skip, which it does not implement, as rejected does: a 400 naming each", () => {
      for (const [query, option] of [
        ["$filter=state eq 'active'", "$filter"],
        ["FILTER=true", "$filter"],
        ["$filter=", "$filter"],
        ["$orderby=displayName desc", "$orderby"],
        ['search="ODJ"', "$search"],
        ["$skip=1", "$skip"],
      ]) {
        expect(message(list(query)), query).to.equal(refused(option));
        expect(message(list(query, "rejected")), query).to.equal(message(list(query)));
      }
      expect(message(list("$top=2&$Skip=2"))).to.equal(refused("$skip"));
    });
  });

  describe("parseListQuery: modes", () => {
    it("ignored: the empty query whatever is given, even what would be a 400", () => {
      expect(
        value(list("$filter=((&$foo=1&$top=-1&$top=2&$orderby=nope&$select=x&$expand=y", "ignored")),
      ).to.deep.equal({ count: false });
    });

    it("rejected: each system query option is a 400 naming it in canonical form", () => {
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
      expect(value(list("$skiptoken=abc&foo=bar", "rejected"))).to.deep.equal({ count: false });
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
      expect(value(list("$select=*"))).to.deep.equal({ count: false });
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
      expect(value(list("$expand=*"))).to.deep.equal({ count: false });
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

  describe("cutPage", () => {
    /** Every page a client following the next links gets, as lists of ids. */
    function pages(size: number, paging: PagingVariant, rows: readonly { id: string }[] = ROWS): string[][] {
      const seen: string[][] = [];
      let cursor: PageCursor | undefined = firstCursor(paging);
      while (cursor) {
        const { page, next }: { page: { id: string }[]; next?: PageCursor } = cutPage(
          rows,
          cursor,
          size,
          paging,
        );
        seen.push(page.map((row) => row.id));
        cursor = next;
        if (seen.length > 20) throw new Error("the pages never end");
      }
      return seen;
    }

    it("cuts pages of the size given, the next page following while rows remain", () => {
      for (const paging of ["skiptoken", "skip"] as const) {
        expect(pages(2, paging), paging).to.deep.equal([["a1", "b2"], ["c3", "d4"], ["e5"]]);
        expect(pages(5, paging), paging).to.deep.equal([["a1", "b2", "c3", "d4", "e5"]]);
        expect(pages(100, paging), paging).to.deep.equal([["a1", "b2", "c3", "d4", "e5"]]);
        expect(pages(2, paging, []), paging).to.deep.equal([[]]);
      }
    });

    it("under empty-pages: an empty page before each page of results, and an empty last page", () => {
      expect(pages(2, "empty-pages")).to.deep.equal([[], ["a1", "b2"], [], ["c3", "d4"], [], ["e5"], []]);
      expect(pages(5, "empty-pages")).to.deep.equal([[], ["a1", "b2", "c3", "d4", "e5"], []]);
      expect(pages(2, "empty-pages", [])).to.deep.equal([[]]);
    });

    it("gives one empty page and no next link for a size of 0 ($top=0), in every variant", () => {
      for (const paging of ["skiptoken", "skip", "empty-pages"] as const)
        expect(pages(0, paging), paging).to.deep.equal([[]]);
    });

    it("ends a list that shrank under the cursor, and leaves the input alone", () => {
      const rows = [...ROWS];
      expect(cutPage(rows, { offset: 9, empty: false }, 2, "skiptoken")).to.deep.equal({ page: [] });
      expect(cutPage(rows, { offset: 9, empty: true }, 2, "empty-pages")).to.deep.equal({ page: [] });
      expect(cutPage(rows, { offset: 9, empty: false }, 2, "empty-pages")).to.deep.equal({
        page: [],
        next: { offset: 9, empty: true },
      });
      expect(rows.map((row) => row.id)).to.deep.equal(["a1", "b2", "c3", "d4", "e5"]);
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

  describe("checkCountQuery", () => {
    const count = (query: string | Record<string, string>, mode: ListQueryMode = "honoured") =>
      checkCountQuery(new URLSearchParams(query), mode);

    it("honoured: takes custom options; every system option is a 400, $filter and $search too (not implemented)", () => {
      expect(value(count("foo=bar"))).to.equal(undefined);
      expect(value(count(""))).to.equal(undefined);
      for (const option of [
        "$filter",
        "$search",
        "$top",
        "$skip",
        "$orderby",
        "$select",
        "$expand",
        "$count",
        "$skiptoken",
      ]) {
        expect(message(count(`${option}=1`))).to.equal(refused(option));
      }
      expect(message(count({ search: "x" }))).to.equal(refused("$search"));
      expect(message(count("$bar=1"))).to.equal("The query parameter '$bar' is not supported.");
    });

    it("rejected: $filter and $search too; ignored: nothing counts", () => {
      expect(message(count({ $filter: "true" }, "rejected"))).to.equal(
        "Query option '$filter' is not supported for this resource.",
      );
      expect(message(count({ search: "x" }, "rejected"))).to.equal(
        "Query option '$search' is not supported for this resource.",
      );
      expect(value(count("$filter=((&$top=x&$foo=1", "ignored"))).to.equal(undefined);
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

    it("nextLinkQuery with $skip drops the old $skip and any skip token, and keeps a client's $skip beside a new token", () => {
      const params = new URLSearchParams("$top=2&Skip=4&$skiptoken=old&foo=1");
      expect(nextLinkQuery(params, "6", "$skip")).to.equal("$top=2&foo=1&$skip=6");
      expect(nextLinkQuery(params, "t")).to.equal("$top=2&Skip=4&foo=1&$skiptoken=t");
    });

    it("withoutOption drops every spelling of the option", () => {
      expect(withoutOption(new URLSearchParams("$skip=1&skip=2&$SKIP=3&top=1"), "$skip").toString()).to.equal(
        "top=1",
      );
    });

    it("skip tokens stand for their cursor and nothing else is one", () => {
      for (const cursor of [
        { offset: 0, empty: false },
        { offset: 7, empty: false },
        { offset: 3, empty: true },
      ])
        expect(decodeSkipToken(encodeSkipToken(cursor))).to.deep.equal(cursor);
      const token = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
      for (const bad of [
        "made-up",
        token({ o: -1 }),
        token({ o: 1.5 }),
        token({ o: "1" }),
        token({ o: 1, e: 2 }),
        token(null),
        token({}),
      ])
        expect(decodeSkipToken(bad), bad).to.equal(undefined);
    });

    it("IssuedSkipLinks knows the links it was given, however the query is encoded, and forgets the oldest", () => {
      const links = new IssuedSkipLinks(2);
      links.remember("$top=2&$skip=2");
      expect(links.offsetOf(new URLSearchParams("%24top=2&%24skip=2"))).to.equal(2);
      expect(links.offsetOf(new URLSearchParams("$skip=2&$top=2")), "another order").to.equal(undefined);
      expect(links.offsetOf(new URLSearchParams("$top=2&$skip=4")), "another offset").to.equal(undefined);
      expect(links.offsetOf(new URLSearchParams("$top=2")), "no $skip").to.equal(undefined);
      links.remember("$skip=4");
      links.remember("$skip=6");
      expect(links.offsetOf(new URLSearchParams("$top=2&$skip=2")), "forgotten").to.equal(undefined);
      expect(links.offsetOf(new URLSearchParams("$skip=6"))).to.equal(6);
      links.clear();
      expect(links.offsetOf(new URLSearchParams("$skip=6"))).to.equal(undefined);
    });
  });
});
