// Paging of the connector list: what $top leaves of it, the opaque $skiptoken and the
// `@odata.nextLink` that carries it. Graph's paging.md: a long list comes in pages, and the next
// link "contains all the other query parameters present in the original request".
import { canonicalOption, type ListQuery } from "./query";

/** What $top leaves of the list (a copy of all of it without one): the rows the pages are cut from. */
export function topWindow<T>(rows: readonly T[], query: Pick<ListQuery, "top">): T[] {
  return rows.slice(0, query.top);
}

/** The request's skip token (`$skiptoken`, or `skiptoken` on beta), or undefined. */
export function skipTokenOf(params: URLSearchParams): string | undefined {
  for (const [name, value] of params) if (canonicalOption(name) === "$skiptoken") return value;
  return undefined;
}

/**
 * The query string (without `?`) of an `@odata.nextLink`: every parameter is kept in order except
 * the old skip token, and `$skiptoken=<token>` comes last (form-encoded, `$` kept). A caller whose
 * token counts from the start of the window keeps $top meaningful on the next request.
 */
export function nextLinkQuery(params: URLSearchParams, skipToken: string): string {
  const next = new URLSearchParams();
  for (const [name, value] of params) if (canonicalOption(name) !== "$skiptoken") next.append(name, value);
  next.append("$skiptoken", skipToken);
  // `$` may stay as it is in a query (RFC 3986); Graph's links carry `$skiptoken=`. A `%24` in the
  // encoded text can only stand for a `$`: a literal `%` is encoded as `%25`.
  return next.toString().replaceAll("%24", "$");
}

/** The skip token of the page that starts at `offset` in the window: opaque to clients, as Graph's are. */
export function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString("base64url");
}

/** The offset a skip token of encodeSkipToken's stands for; undefined for any other text. */
export function decodeSkipToken(token: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof parsed !== "object" || parsed === null || !("o" in parsed)) return undefined;
    const offset = parsed.o;
    return typeof offset === "number" && Number.isInteger(offset) && offset >= 0 ? offset : undefined;
  } catch {
    return undefined;
  }
}
