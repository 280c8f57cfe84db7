// OData system query options for /beta/deviceManagement/domainJoinConnectors: reading them from the
// URL with the messages the OData layer uses, and applying them to the connectors. Pure: no I/O, no
// clock, no dependency; the Graph handler decides which mode a request gets and builds the reply.
//
// What the service offers, from Microsoft's generated Go SDK (msgraph-beta-sdk-go): the list takes
// $count, $expand, $filter, $orderby, $search, $select, $skip and $top; a GET of one connector
// takes $expand and $select; the /$count segment takes $filter and $search and answers a plain-text
// integer (Accept: text/plain). Graph's query-parameters.md: "On the beta endpoint, the `$` prefix
// is optional." OData 4.01 (URL Conventions, section 5) has services take system query option names
// case-insensitively, with or without the `$`: so do these parsers.
import { CONNECTOR_STATES, CONNECTOR_TYPE, STATE_TYPE } from "../connectors/model";

/**
 * How a service treats the query options of a list, as Graph's query-parameters.md describes:
 * "honoured" applies them; "ignored" is the service where "query parameters specified in a request
 * might fail silently" (the full collection comes back); "rejected" is one where "some requests
 * will return an error message if a specified query parameter is not supported".
 */
export type ListQueryMode = "honoured" | "ignored" | "rejected";

/** The connector as the query options see it (a ConnectorRecord is one). */
export interface ConnectorRow {
  id: string;
  displayName: string | null;
  version: string | null;
  state: string;
  lastConnectionDateTime: string;
}

export type ConnectorProperty = keyof ConnectorRow;

export interface OrderKey {
  property: ConnectorProperty;
  descending: boolean;
}

export interface ListQuery {
  /** $filter, compiled; absent when none was given. */
  filter?: (row: ConnectorRow) => boolean;
  /** The $search phrase, matched case-insensitively as a substring of displayName. */
  search?: string;
  /** $orderby keys, first key first; empty when none was given. */
  orderBy: OrderKey[];
  top?: number;
  skip?: number;
  /** $count=true: the caller adds `@odata.count` (the length of `matching`, see applyListQuery). */
  count: boolean;
  /** $select; absent for all properties (no $select, or `*`). */
  select?: ConnectorProperty[];
}

export type QueryResult<T> = { ok: true; value: T } | { ok: false; code: "BadRequest"; message: string };

/** The entity's properties and their EDM types. It has no navigation properties. */
const PROPERTY_TYPES: Readonly<Record<ConnectorProperty, EdmType>> = {
  id: "Edm.String",
  displayName: "Edm.String",
  version: "Edm.String",
  state: STATE_TYPE,
  lastConnectionDateTime: "Edm.DateTimeOffset",
};

type SystemOption = "$count" | "$expand" | "$filter" | "$orderby" | "$search" | "$select" | "$skip" | "$top";
type KnownOption = SystemOption | "$skiptoken";
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
function canonicalOption(name: string): KnownOption | undefined {
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
 * - "honoured": everything is parsed; anything malformed or unknown is a 400.
 *
 * `$skiptoken` is never part of the result: the caller pages (see skipTokenOf and nextLinkQuery).
 * An unknown `$` option (`$foo`) is a 400 in "honoured" and "rejected"; a parameter without `$`
 * that is no option name is a custom query option and is ignored.
 */
export function parseListQuery(params: URLSearchParams, mode: ListQueryMode): QueryResult<ListQuery> {
  if (mode === "ignored") return ok({ orderBy: [], count: false });
  const scan = scanOptions(params, (option) =>
    option === "$skiptoken" ? "skip" : mode === "rejected" ? notSupportedHere(option) : "take",
  );
  if (!scan.ok) return scan;
  return attempt(() => {
    const query: ListQuery = { orderBy: [], count: false };
    for (const [option, value] of scan.value) {
      switch (option) {
        case "$filter":
          query.filter = compileFilter(nonEmpty(option, value));
          break;
        case "$search":
          query.search = parseSearch(nonEmpty(option, value));
          break;
        case "$orderby":
          query.orderBy = parseOrderBy(nonEmpty(option, value));
          break;
        case "$top":
        case "$skip":
          query[option === "$top" ? "top" : "skip"] = parseNonNegative(option, value);
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
 * For GET .../domainJoinConnectors/$count, which takes $filter and $search only (the SDK's count
 * request builder offers just these two). In "honoured" mode these are parsed and any other system
 * query option is a 400; in "rejected" mode every system query option is a 400, these two
 * included; "ignored" ignores everything.
 */
export function parseCountQuery(
  params: URLSearchParams,
  mode: ListQueryMode,
): QueryResult<Pick<ListQuery, "filter" | "search">> {
  if (mode === "ignored") return ok({});
  const scan = scanOptions(params, (option) =>
    mode === "honoured" && (option === "$filter" || option === "$search") ? "take" : notSupportedHere(option),
  );
  if (!scan.ok) return scan;
  return attempt(() => {
    const result: Pick<ListQuery, "filter" | "search"> = {};
    const filter = scan.value.get("$filter");
    if (filter !== undefined) result.filter = compileFilter(nonEmpty("$filter", filter));
    const search = scan.value.get("$search");
    if (search !== undefined) result.search = parseSearch(nonEmpty("$search", search));
    return result;
  });
}

/**
 * Filter, search and order the rows (stable, the input is not changed). `matching` is every row
 * that passes $filter and $search, in order, before $skip and $top: the caller's `@odata.count` and
 * `/$count` are its length. `window` is what $skip and $top leave of it.
 */
export function applyListQuery<T extends ConnectorRow>(
  rows: readonly T[],
  query: ListQuery,
): { matching: T[]; window: T[] } {
  const { filter, search } = query;
  const needle = search?.toLowerCase();
  const matching = rows.filter(
    (row) =>
      (filter === undefined || filter(row)) &&
      (needle === undefined || (row.displayName !== null && row.displayName.toLowerCase().includes(needle))),
  );
  // Array.prototype.sort is stable: rows with equal keys keep their order.
  matching.sort((a, b) => {
    for (const { property, descending } of query.orderBy) {
      const order = compareProperty(property, a[property], b[property]);
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
  const start = query.skip ?? 0;
  const window = matching.slice(start, query.top === undefined ? undefined : start + query.top);
  return { matching, window };
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

/** The request's skip token (`$skiptoken`, or `skiptoken` on beta), or undefined. */
export function skipTokenOf(params: URLSearchParams): string | undefined {
  for (const [name, value] of params) if (canonicalOption(name) === "$skiptoken") return value;
  return undefined;
}

/**
 * The query string (without `?`) of an `@odata.nextLink`: Graph's paging.md says that URL "contains
 * all the other query parameters present in the original request", so every parameter is kept in
 * order except the old skip token, and `$skiptoken=<token>` comes last (form-encoded, `$` kept). A
 * caller whose token counts from the start of the window keeps $skip and $top meaningful on the
 * next request.
 */
export function nextLinkQuery(params: URLSearchParams, skipToken: string): string {
  const next = new URLSearchParams();
  for (const [name, value] of params) if (canonicalOption(name) !== "$skiptoken") next.append(name, value);
  next.append("$skiptoken", skipToken);
  // `$` may stay as it is in a query (RFC 3986); Graph's links carry `$skiptoken=`. A `%24` in the
  // encoded text can only stand for a `$`: a literal `%` is encoded as `%25`.
  return next.toString().replaceAll("%24", "$");
}

function nonEmpty(option: KnownOption, value: string): string {
  if (value === "") throw new QueryError(`The value for OData query '${option}' cannot be empty.`);
  return value;
}

/** $top and $skip: digits only, within the safe integers (the service reads an Int64). */
function parseNonNegative(option: "$top" | "$skip", value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number)) {
    throw new QueryError(
      `Invalid value '${value}' for ${option} query option found. The ${option} query option requires a non-negative integer value.`,
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
  return Object.hasOwn(PROPERTY_TYPES, name);
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

/**
 * The $search phrase: one pair of enclosing double quotes is taken off, as is a `displayName:`
 * prefix (Graph's directory form, `$search="displayName:ODJ"`).
 */
function parseSearch(value: string): string {
  let phrase = value.trim();
  if (phrase.length >= 2 && phrase.startsWith('"') && phrase.endsWith('"')) phrase = phrase.slice(1, -1);
  if (phrase.startsWith("displayName:")) phrase = phrase.slice("displayName:".length);
  if (phrase === "") throw new QueryError("The value for OData query '$search' cannot be empty.");
  return phrase;
}

// ---------------------------------------------------------------------------------------------
// $orderby

/** `prop [asc|desc], ...`: properties only, each once. */
function parseOrderBy(text: string): OrderKey[] {
  const tokens = tokenize(text);
  const keys: OrderKey[] = [];
  let i = 0;
  for (;;) {
    const token = tokens[i];
    if (token.kind !== "identifier") {
      throw new QueryError(
        token.kind === "end" || token.kind === ","
          ? `Expression expected at position ${token.pos} in '${text}'.`
          : `Syntax error at position ${token.pos} in '${text}'.`,
      );
    }
    if (!isProperty(token.name)) throw propertyNotFound(token.name);
    if (keys.some((key) => key.property === token.name))
      throw new QueryError(`Duplicate property named '${token.name}' is not supported in '$orderby'.`);
    i++;
    let descending = false;
    const direction = tokens[i];
    if (direction.kind === "identifier" && (direction.name === "asc" || direction.name === "desc")) {
      descending = direction.name === "desc";
      i++;
    }
    keys.push({ property: token.name, descending });
    const next = tokens[i];
    if (next.kind === "end") return keys;
    if (next.kind !== ",") throw new QueryError(`',' expected at position ${next.pos} in '${text}'.`);
    i++;
  }
}

/** Ascending order of two values of a property: null first, strings ordinal, states in their
 * declared order (active, error, inactive), DateTimeOffsets as instants. */
function compareProperty(property: ConnectorProperty, a: string | null, b: string | null): number {
  switch (PROPERTY_TYPES[property]) {
    case STATE_TYPE:
      return compareNullable(a, b, (x, y) => stateRank(x) - stateRank(y) || ordinal(x, y));
    case "Edm.DateTimeOffset":
      return compareNullable(
        a === null ? null : (parseInstant(a) ?? null),
        b === null ? null : (parseInstant(b) ?? null),
        (x, y) => (x < y ? -1 : x > y ? 1 : 0),
      );
    default:
      return compareNullable(a, b, ordinal);
  }
}

function compareNullable<V>(a: V | null, b: V | null, compare: (x: V, y: V) => number): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  return compare(a, b);
}

/** .NET's ordinal comparison: UTF-16 code units, as JavaScript's `<` compares strings. */
function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function stateRank(state: string): number {
  const rank = (CONNECTOR_STATES as readonly string[]).indexOf(state);
  return rank === -1 ? CONNECTOR_STATES.length : rank;
}

// ---------------------------------------------------------------------------------------------
// DateTimeOffset

const DATE_TIME_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const FRACTION_DIGITS = 12;

/**
 * A DateTimeOffset as an instant: picoseconds since 1970-01-01T00:00:00Z, exact for the service's
 * 7-digit fractions (`2025-01-22T19:17:04.1234567Z`) and for year 1 (`0001-01-01T00:00:00Z`, never
 * connected), where JavaScript's Date would take years below 100 for 19xx. Undefined when `text` is
 * no valid DateTimeOffset (a zone is required, as OData's grammar has it).
 */
export function parseInstant(text: string): bigint | undefined {
  const match = DATE_TIME_OFFSET.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number);
  const second = Number(match[6] ?? 0);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offset = 0;
  if (match[9] !== undefined) {
    const [offsetHours, offsetMinutes] = [Number(match[10]), Number(match[11])];
    if (offsetHours > 14 || offsetMinutes > 59) return undefined;
    offset = (match[9] === "-" ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
  }
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
  const fraction = (match[7] ?? "").padEnd(FRACTION_DIGITS, "0");
  return BigInt(seconds) * 10n ** BigInt(FRACTION_DIGITS) + BigInt(fraction);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Days from 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

// ---------------------------------------------------------------------------------------------
// $filter: lexer

type Token =
  | { kind: "identifier"; name: string; pos: number }
  | { kind: "string"; value: string; pos: number }
  | { kind: "enum"; type: string; member: string; pos: number }
  | { kind: "number"; value: number; type: NumericType; pos: number }
  | { kind: "dateTimeOffset"; value: bigint; pos: number }
  | { kind: "(" | ")" | "," | "end"; pos: number };

const IDENTIFIER_AT = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
const NUMBER_AT = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;
/** Wide on purpose: what looks like a DateTimeOffset is one, and a malformed one is reported as such. */
const DATE_TIME_OFFSET_AT = /\d{4}-\d{2}-\d{2}[Tt][0-9:.]*(?:[Zz]|[+-]\d{2}:\d{2})?/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  /** What a sticky pattern matches at `i`, or "". */
  const at = (pattern: RegExp): string => {
    pattern.lastIndex = i;
    return pattern.exec(text)?.[0] ?? "";
  };
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      tokens.push({ kind: c, pos: i });
      i++;
    } else if (c === "'") {
      const { value, end } = readString(text, i);
      tokens.push({ kind: "string", value, pos: i });
      i = end;
    } else if (at(DATE_TIME_OFFSET_AT) !== "") {
      const raw = at(DATE_TIME_OFFSET_AT);
      const value = parseInstant(raw);
      if (value === undefined) {
        throw new QueryError(`Unrecognized 'Edm.DateTimeOffset' literal '${raw}' at '${i}' in '${text}'.`);
      }
      tokens.push({ kind: "dateTimeOffset", value, pos: i });
      i += raw.length;
    } else if (at(NUMBER_AT) !== "") {
      const raw = at(NUMBER_AT);
      tokens.push({ kind: "number", value: Number(raw), type: numericType(raw), pos: i });
      i += raw.length;
    } else if (at(IDENTIFIER_AT) !== "") {
      const name = at(IDENTIFIER_AT);
      if (text[i + name.length] === "'") {
        const { value, end } = readString(text, i + name.length);
        tokens.push({ kind: "enum", type: name, member: value, pos: i });
        i = end;
      } else {
        tokens.push({ kind: "identifier", name, pos: i });
        i += name.length;
      }
    } else {
      throw new QueryError(`Syntax error: character '${c}' is not valid at position ${i} in '${text}'.`);
    }
  }
  tokens.push({ kind: "end", pos: text.length });
  return tokens;
}

/** A single-quoted string from `start` (the quote); `''` inside stands for one quote. */
function readString(text: string, start: number): { value: string; end: number } {
  let value = "";
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf("'", i);
    if (quote === -1) {
      throw new QueryError(
        `There is an unterminated string literal at position ${text.length} in '${text}'.`,
      );
    }
    value += text.slice(i, quote);
    if (text[quote + 1] !== "'") return { value, end: quote + 1 };
    value += "'";
    i = quote + 2;
  }
}

type NumericType = "Edm.Int32" | "Edm.Int64" | "Edm.Decimal" | "Edm.Double";

function numericType(raw: string): NumericType {
  if (/[eE]/.test(raw)) return "Edm.Double";
  if (raw.includes(".")) return "Edm.Decimal";
  const value = Number(raw);
  return value >= -2_147_483_648 && value <= 2_147_483_647 ? "Edm.Int32" : "Edm.Int64";
}

// ---------------------------------------------------------------------------------------------
// $filter: parser and binder

type EdmType =
  | "Edm.String"
  | "Edm.Boolean"
  | "Edm.DateTimeOffset"
  | NumericType
  | typeof STATE_TYPE
  /** The `null` literal, which compares with anything. */
  | "null";

/** Runtime values: strings (and state names), booleans, numbers, instants; null for null. */
type Value = string | boolean | number | bigint | null;

interface Expr {
  type: EdmType;
  /** Set on a string literal, which OData converts to an enum member where one is expected. */
  stringLiteral?: string;
  evaluate(row: ConnectorRow): Value;
}

type ComparisonOperator = "eq" | "ne" | "gt" | "ge" | "lt" | "le";
const OPERATOR_KINDS: Readonly<Record<ComparisonOperator, string>> = {
  eq: "Equal",
  ne: "NotEqual",
  gt: "GreaterThan",
  ge: "GreaterThanOrEqual",
  lt: "LessThan",
  le: "LessThanOrEqual",
};
const COMPARISONS = Object.keys(OPERATOR_KINDS) as ComparisonOperator[];
const FUNCTIONS = ["startswith", "endswith", "contains"] as const;
type FunctionName = (typeof FUNCTIONS)[number];

/**
 * $filter compiled to a predicate. The grammar: `or` < `and` < comparisons (`eq ne gt ge lt le`)
 * < `not` < primaries, OData's precedence, so `not` binds to what directly follows it:
 * `not startswith(displayName,'a')` and `not (state eq 'error')` are fine, `not displayName eq 'a'`
 * is a type error as in OData. Primaries: properties (case-sensitive), `'strings'` (with `''`),
 * `null`, `true`, `false`, numbers, unquoted DateTimeOffsets (`2025-01-01T00:00:00Z`; in a URL the
 * `+` of an offset must be sent as %2B), enum members quoted (`'active'`) or typed
 * (`microsoft.graph.deviceManagementDomainJoinConnectorState'active'`), the string functions
 * startswith, endswith and contains (case-insensitive, as Graph's are), and parentheses.
 *
 * eq and ne on strings are ordinal and case-sensitive, gt/ge/lt/le compare strings ordinally,
 * states in declaration order and DateTimeOffsets as instants. Null: `eq null` matches null, a
 * gt/ge/lt/le with a null side is false, and a function of null is null, which like any
 * non-true result leaves the row out (null propagation, as OData's LINQ binding does).
 */
export function parseFilter(text: string): QueryResult<(row: ConnectorRow) => boolean> {
  return attempt(() => compileFilter(text));
}

function compileFilter(text: string): (row: ConnectorRow) => boolean {
  try {
    const expr = new FilterParser(text).parse();
    return (row) => expr.evaluate(row) === true;
  } catch (error) {
    if (error instanceof QueryError) throw new QueryError(`Invalid filter clause: ${error.message}`);
    throw error;
  }
}

class FilterParser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  parse(): Expr {
    const expr = this.parseOr();
    const rest = this.peek();
    if (rest.kind !== "end") throw this.error(`Syntax error at position ${rest.pos} in '${this.text}'.`);
    if (expr.type !== "Edm.Boolean" && expr.type !== "null")
      throw this.error("The $filter expression must evaluate to a single boolean value.");
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    return this.tokens[this.index++];
  }

  private keyword(): string | undefined {
    const token = this.peek();
    return token.kind === "identifier" ? token.name : undefined;
  }

  private error(message: string): QueryError {
    return new QueryError(message);
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.keyword() === "or") {
      this.next();
      left = logical("Or", left, this.parseAnd());
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseComparison();
    while (this.keyword() === "and") {
      this.next();
      left = logical("And", left, this.parseComparison());
    }
    return left;
  }

  private parseComparison(): Expr {
    let left = this.parseUnary();
    for (;;) {
      const operator = COMPARISONS.find((candidate) => candidate === this.keyword());
      if (operator === undefined) return left;
      this.next();
      left = comparison(operator, left, this.parseUnary());
    }
  }

  private parseUnary(): Expr {
    if (this.keyword() !== "not") return this.parsePrimary();
    this.next();
    const operand = this.parseUnary();
    if (operand.type !== "Edm.Boolean" && operand.type !== "null") {
      throw this.error(
        `A unary operator with an incompatible type was detected. Found operand type '${operand.type}' for operator kind 'Not'.`,
      );
    }
    return {
      type: "Edm.Boolean",
      evaluate: (row) => {
        const value = operand.evaluate(row);
        return value === null ? null : !value;
      },
    };
  }

  private parsePrimary(): Expr {
    const token = this.next();
    switch (token.kind) {
      case "(": {
        const inner = this.parseOr();
        const close = this.next();
        if (close.kind !== ")")
          throw this.error(`')' or operator expected at position ${close.pos} in '${this.text}'.`);
        return inner;
      }
      case "string":
        return { type: "Edm.String", stringLiteral: token.value, evaluate: () => token.value };
      case "number":
        return constant(token.type, token.value);
      case "dateTimeOffset":
        return constant("Edm.DateTimeOffset", token.value);
      case "enum":
        if (token.type !== STATE_TYPE)
          throw this.error(`Syntax error at position ${token.pos} in '${this.text}'.`);
        return constant(STATE_TYPE, enumMember(token.member));
      case "identifier":
        return this.parseIdentifier(token.name);
      default:
        throw this.error(`Expression expected at position ${token.pos} in '${this.text}'.`);
    }
  }

  private parseIdentifier(name: string): Expr {
    if (this.peek().kind === "(") {
      this.next();
      return this.parseCall(name);
    }
    if (name === "null") return constant("null", null);
    if (name === "true" || name === "false") return constant("Edm.Boolean", name === "true");
    if (!isProperty(name)) throw propertyNotFound(name);
    const type = PROPERTY_TYPES[name];
    if (type === "Edm.DateTimeOffset") {
      return { type, evaluate: (row) => parseInstant(row[name] ?? "") ?? null };
    }
    return { type, evaluate: (row) => row[name] };
  }

  /** After `name(`: the arguments and the closing parenthesis. */
  private parseCall(name: string): Expr {
    if (!(FUNCTIONS as readonly string[]).includes(name)) {
      throw this.error(
        `An unknown function with name '${name}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`,
      );
    }
    const args: Expr[] = [];
    for (;;) {
      args.push(this.parseOr());
      const separator = this.next();
      if (separator.kind === ")") break;
      if (separator.kind !== ",")
        throw this.error(`')' or ',' expected at position ${separator.pos} in '${this.text}'.`);
    }
    if (args.length !== 2 || args.some((arg) => arg.type !== "Edm.String" && arg.type !== "null")) {
      throw this.error(
        `No function signature for the function with name '${name}' matches the specified arguments. The function signatures considered are: ${name}(Edm.String Nullable=true, Edm.String Nullable=true).`,
      );
    }
    const test = STRING_FUNCTIONS[name as FunctionName];
    const [subject, part] = args;
    return {
      type: "Edm.Boolean",
      evaluate: (row) => {
        const a = subject.evaluate(row);
        const b = part.evaluate(row);
        return typeof a === "string" && typeof b === "string" ? test(a.toLowerCase(), b.toLowerCase()) : null;
      },
    };
  }
}

const STRING_FUNCTIONS: Readonly<Record<FunctionName, (a: string, b: string) => boolean>> = {
  startswith: (a, b) => a.startsWith(b),
  endswith: (a, b) => a.endsWith(b),
  contains: (a, b) => a.includes(b),
};

function constant(type: EdmType, value: Value): Expr {
  return { type, evaluate: () => value };
}

function enumMember(member: string): string {
  if (!(CONNECTOR_STATES as readonly string[]).includes(member))
    throw new QueryError(`The string '${member}' is not a valid enumeration type constant.`);
  return member;
}

function isNumeric(type: EdmType): boolean {
  return type === "Edm.Int32" || type === "Edm.Int64" || type === "Edm.Decimal" || type === "Edm.Double";
}

function logical(kind: "And" | "Or", left: Expr, right: Expr): Expr {
  for (const side of [left, right]) {
    if (side.type !== "Edm.Boolean" && side.type !== "null") {
      throw new QueryError(
        `A binary operator with incompatible types was detected. Found operand types '${left.type}' and '${right.type}' for operator kind '${kind}'.`,
      );
    }
  }
  const decisive = kind === "And" ? false : true;
  return {
    type: "Edm.Boolean",
    evaluate: (row) => {
      const a = left.evaluate(row);
      const b = right.evaluate(row);
      if (a === decisive || b === decisive) return decisive;
      return a === null || b === null ? null : !decisive;
    },
  };
}

function comparison(operator: ComparisonOperator, left: Expr, right: Expr): Expr {
  // A string literal facing a state is taken as a member of the enum, as OData converts it.
  if (left.type === STATE_TYPE && right.stringLiteral !== undefined)
    right = constant(STATE_TYPE, enumMember(right.stringLiteral));
  if (right.type === STATE_TYPE && left.stringLiteral !== undefined)
    left = constant(STATE_TYPE, enumMember(left.stringLiteral));
  const compatible =
    left.type === "null" ||
    right.type === "null" ||
    left.type === right.type ||
    (isNumeric(left.type) && isNumeric(right.type));
  if (!compatible) {
    throw new QueryError(
      `A binary operator with incompatible types was detected. Found operand types '${left.type}' and '${right.type}' for operator kind '${OPERATOR_KINDS[operator]}'.`,
    );
  }
  return {
    type: "Edm.Boolean",
    evaluate: (row) => {
      const a = left.evaluate(row);
      const b = right.evaluate(row);
      if (operator === "eq") return a === b;
      if (operator === "ne") return a !== b;
      if (a === null || b === null) return false;
      // Both sides have one type here (or are numbers): a null literal's side is null at run time.
      const order = compareValues(left.type, a, b);
      switch (operator) {
        case "gt":
          return order > 0;
        case "ge":
          return order >= 0;
        case "lt":
          return order < 0;
        default:
          return order <= 0;
      }
    },
  };
}

/**
 * Two values of one type: states in declared order; otherwise JavaScript's `<`, which orders strings
 * by UTF-16 code units (.NET's ordinal comparison), numbers, bigints (instants) and booleans (false
 * before true) as OData does.
 */
function compareValues(type: EdmType, a: Exclude<Value, null>, b: Exclude<Value, null>): number {
  if (type === STATE_TYPE) return stateRank(String(a)) - stateRank(String(b));
  const [x, y] = [a, b] as [string, string];
  return x < y ? -1 : x > y ? 1 : 0;
}
