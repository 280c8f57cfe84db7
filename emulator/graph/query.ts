// OData system query options for /beta/deviceManagement/domainJoinConnectors: reading them from the
// URL with the messages the OData layer uses, and $select applied to a connector. Pure: no I/O, no
// clock, no dependency; the Graph handler decides which mode a request gets and builds the reply
// (paging.ts cuts the pages).
//
// What the service offers, from Microsoft's generated Go SDK (msgraph-beta-sdk-go): the list takes
// $count, $expand, $filter, $orderby, $search, $select, $skip and $top; a GET of one connector
// takes $expand and $select; the /$count segment takes $filter and $search and answers a plain-text
// integer (Accept: text/plain). Microsoft documents none of the list's options, and the provider
// sends none, so the emulator honours only $top, $count, $select and $expand (of nothing) and
// treats $filter, $orderby, $search and $skip as options the service does not support
// (docs/emulator.md, variant listQuery). Graph's query-parameters.md: "On the beta endpoint, the `$`
// prefix is optional." OData 4.01 (URL Conventions, section 5) has services take system query
// option names case-insensitively, with or without the `$`: so do these parsers.
import { CONNECTOR_TYPE } from "../connectors/model";
import type { ConnectorRecord } from "../types";

/**
 * How a service treats the query options of a list, as Graph's query-parameters.md describes:
 * "honoured" applies the ones the emulator supports ($top, $count, $select, $expand) and answers
 * the others as "rejected" does; "ignored" is the service where "query parameters specified in a
 * request might fail silently" (the full collection comes back); "rejected" is one where "some
 * requests will return an error message if a specified query parameter is not supported".
 */
export type ListQueryMode = "honoured" | "ignored" | "rejected";

/** A property of the connector, as $select names it. */
export type ConnectorProperty = keyof ConnectorRecord;

export interface ListQuery {
  top?: number;
  /** $count=true: the caller adds `@odata.count`, the number of all connectors (whatever $top). */
  count: boolean;
  /** $select; absent for all properties (no $select, or `*`). */
  select?: ConnectorProperty[];
}

export type QueryResult<T> = { ok: true; value: T } | { ok: false; code: "BadRequest"; message: string };

/** The entity's properties (a record, so that a property added to ConnectorRecord must be added here). */
const PROPERTIES: Readonly<Record<ConnectorProperty, true>> = {
  id: true,
  displayName: true,
  version: true,
  state: true,
  lastConnectionDateTime: true,
};

type KnownOption =
  "$count" | "$expand" | "$filter" | "$orderby" | "$search" | "$select" | "$skip" | "$skiptoken" | "$top";
const KNOWN_OPTIONS: readonly KnownOption[] = [
  "$count",
  "$expand",
  "$filter",
  "$orderby",
  "$search",
  "$select",
  "$skip",
  "$skiptoken",
  "$top",
];
/** The list's options that the emulator does not implement: answered as an unsupported option. */
const NOT_IMPLEMENTED: readonly KnownOption[] = ["$filter", "$orderby", "$search", "$skip"];
/** What OData allows on a collection only (ASP.NET OData's wording names exactly these five). */
const COLLECTION_ONLY: readonly KnownOption[] = ["$filter", "$orderby", "$count", "$skip", "$top"];

class QueryError extends Error {}

function ok<T>(value: T): QueryResult<T> {
  return { ok: true, value };
}

function bad<T>(message: string): QueryResult<T> {
  return { ok: false, code: "BadRequest", message };
}

/** `$top`, `top`, `$TOP`... → `$top`; undefined for a name that is no system query option we know. */
export function canonicalOption(name: string): KnownOption | undefined {
  const lower = name.toLowerCase();
  const candidate = lower.startsWith("$") ? lower : `$${lower}`;
  return (KNOWN_OPTIONS as readonly string[]).includes(candidate) ? (candidate as KnownOption) : undefined;
}

/**
 * One pass over the parameters in URL order: an unknown `$` option, a repeated option, or one the
 * policy refuses is a 400; custom query options (no `$`, no known name) are skipped. Returns the
 * values of the options the policy takes.
 */
function scanOptions(
  params: URLSearchParams,
  policy: (option: KnownOption) => "take" | "skip" | { refuse: string },
): QueryResult<Map<KnownOption, string>> {
  const seen = new Set<KnownOption>();
  const taken = new Map<KnownOption, string>();
  for (const [name, value] of params) {
    const option = canonicalOption(name);
    if (option === undefined) {
      if (name.startsWith("$")) return bad(`The query parameter '${name}' is not supported.`);
      continue;
    }
    if (seen.has(option)) {
      return bad(
        `Query option '${option}' was specified more than once, but it must be specified at most once.`,
      );
    }
    seen.add(option);
    const verdict = policy(option);
    if (verdict === "take") taken.set(option, value);
    else if (verdict !== "skip") return bad(verdict.refuse);
  }
  return ok(taken);
}

/** Runs a parse that throws QueryError for a 400; other errors are bugs and propagate. */
function attempt<T>(parse: () => T): QueryResult<T> {
  try {
    return ok(parse());
  } catch (error) {
    if (error instanceof QueryError) return bad(error.message);
    throw error;
  }
}

function notSupportedHere(option: KnownOption): { refuse: string } {
  return { refuse: `Query option '${option}' is not supported for this resource.` };
}

/**
 * Reads the list's options from the URL (beta: the `$` is optional).
 * - "ignored": an empty query whatever is given (everything ignored, as a service that fails
 *   silently would).
 * - "rejected": any system query option other than $skiptoken is a 400 naming it.
 * - "honoured": $top, $count, $select and $expand are parsed, anything malformed is a 400;
 *   $filter, $orderby, $search and $skip are a 400 naming them, as in "rejected".
 *
 * `$skiptoken` is never part of the result: the caller pages (see paging.ts). An unknown `$`
 * option (`$foo`) is a 400 in "honoured" and "rejected"; a parameter without `$` that is no option
 * name is a custom query option and is ignored.
 */
export function parseListQuery(params: URLSearchParams, mode: ListQueryMode): QueryResult<ListQuery> {
  if (mode === "ignored") return ok({ count: false });
  const scan = scanOptions(params, (option) =>
    option === "$skiptoken"
      ? "skip"
      : mode === "rejected" || NOT_IMPLEMENTED.includes(option)
        ? notSupportedHere(option)
        : "take",
  );
  if (!scan.ok) return scan;
  return attempt(() => {
    const query: ListQuery = { count: false };
    for (const [option, value] of scan.value) {
      switch (option) {
        case "$top":
          query.top = parseTop(value);
          break;
        case "$count":
          query.count = parseCount(value);
          break;
        case "$select": {
          const select = parseSelect(nonEmpty(option, value));
          if (select !== undefined) query.select = select;
          break;
        }
        case "$expand":
          checkExpand(nonEmpty(option, value));
          break;
      }
    }
    return query;
  });
}

/**
 * For GET of one connector: $select and $expand only, honoured always (the get page documents
 * these OData query parameters). $expand of anything but `*` is a 400, since the type has no
 * navigation properties. $filter, $orderby, $count, $skip and $top get ASP.NET OData's
 * not-a-collection 400; $search and $skiptoken are not supported here.
 */
export function parseItemQuery(params: URLSearchParams): QueryResult<{ select?: ConnectorProperty[] }> {
  const scan = scanOptions(params, (option) => {
    if (option === "$select" || option === "$expand") return "take";
    if (COLLECTION_ONLY.includes(option)) {
      return {
        refuse:
          "The query specified in the URI is not valid. The requested resource is not a collection. Query options $filter, $orderby, $count, $skip, and $top can be applied only on collections.",
      };
    }
    return notSupportedHere(option);
  });
  if (!scan.ok) return scan;
  return attempt(() => {
    const result: { select?: ConnectorProperty[] } = {};
    const expand = scan.value.get("$expand");
    if (expand !== undefined) checkExpand(nonEmpty("$expand", expand));
    const select = scan.value.get("$select");
    const properties = select === undefined ? undefined : parseSelect(nonEmpty("$select", select));
    if (properties !== undefined) result.select = properties;
    return result;
  });
}

/**
 * For GET .../domainJoinConnectors/$count, which counts every connector. The SDK's count request
 * builder offers $filter and $search, which the emulator does not implement: in "honoured" and
 * "rejected" mode every system query option is a 400 naming it; "ignored" ignores everything.
 */
export function checkCountQuery(params: URLSearchParams, mode: ListQueryMode): QueryResult<undefined> {
  if (mode === "ignored") return ok(undefined);
  const scan = scanOptions(params, notSupportedHere);
  return scan.ok ? ok(undefined) : scan;
}

/**
 * Only the selected properties of a serialised connector. As Graph does, `id` stays, and so do the
 * instance annotations (`@odata.type`, `@odata.context`...); the object's key order is kept. No
 * select (undefined) returns a copy of the whole object.
 */
export function selectProperties(
  object: Record<string, unknown>,
  select: readonly string[] | undefined,
): Record<string, unknown> {
  if (select === undefined) return { ...object };
  return Object.fromEntries(
    Object.entries(object).filter(([key]) => key.startsWith("@") || key === "id" || select.includes(key)),
  );
}

function nonEmpty(option: KnownOption, value: string): string {
  if (value === "") throw new QueryError(`The value for OData query '${option}' cannot be empty.`);
  return value;
}

/** $top: digits only, within the safe integers (the service reads an Int64). */
function parseTop(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number)) {
    throw new QueryError(
      `Invalid value '${value}' for $top query option found. The $top query option requires a non-negative integer value.`,
    );
  }
  return number;
}

function parseCount(value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw new QueryError(
    `Invalid value '${value}' for $count query option found. Valid values are 'true, false'.`,
  );
}

function propertyNotFound(name: string): QueryError {
  return new QueryError(`Could not find a property named '${name}' on type '${CONNECTOR_TYPE}'.`);
}

function isProperty(name: string): name is ConnectorProperty {
  return Object.hasOwn(PROPERTIES, name);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Top-level comma-separated items (commas inside parentheses belong to an item's own options). */
function splitItems(value: string): string[] {
  const items: string[] = [];
  let item = "";
  let depth = 0;
  for (const char of value) {
    if (char === "," && depth === 0) {
      items.push(item.trim());
      item = "";
      continue;
    }
    if (char === "(") depth++;
    else if (char === ")") depth--;
    item += char;
  }
  items.push(item.trim());
  return items;
}

/** `$select=displayName,state`: the properties in the order given, once each; `*` means all. */
function parseSelect(value: string): ConnectorProperty[] | undefined {
  const selected: ConnectorProperty[] = [];
  let all = false;
  for (const item of splitItems(value)) {
    if (item === "*") all = true;
    else if (!IDENTIFIER.test(item))
      throw new QueryError(`Term '${item}' is not valid in a $select or $expand expression.`);
    else if (!isProperty(item)) throw propertyNotFound(item);
    else if (!selected.includes(item)) selected.push(item);
  }
  return all ? undefined : selected;
}

/** $expand: only `*` (which expands nothing here) passes; the type has no navigation property. */
function checkExpand(value: string): void {
  for (const item of splitItems(value)) {
    if (item === "*") continue;
    const name = item.split(/[(/]/)[0].trim();
    if (!IDENTIFIER.test(name))
      throw new QueryError(`Term '${item}' is not valid in a $select or $expand expression.`);
    throw propertyNotFound(name);
  }
}
