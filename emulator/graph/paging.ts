// Paging of the connector list: the page size $top sets, the pages, and the `@odata.nextLink` that
// leads to the next one. Graph's paging.md: a long list comes in pages, the next link "will contain
// either a `$skiptoken` or a `$skip` query parameter" and "contains all the other query parameters
// present in the original request", and "A page of results may contain zero or more results".
// Which of these this service does is not documented: variant `paging` (graph/variants.ts).
import { canonicalOption } from "./query";

/** How the next links look and whether empty pages come between the pages of results. */
export type PagingVariant = "skiptoken" | "skip" | "empty-pages";

/**
 * Where a page starts: an offset into the list and, under "empty-pages", whether this is the
 * empty page served before the results at that offset.
 */
export interface PageCursor {
  offset: number;
  empty: boolean;
}

/** The cursor of a list's first page: under "empty-pages" an empty one. */
export function firstCursor(paging: PagingVariant): PageCursor {
  return { offset: 0, empty: paging === "empty-pages" };
}

/**
 * The page at `cursor`, `size` rows at most, and the cursor of the next page while one remains.
 * Under "empty-pages" an empty page (with a next link) comes before each page of results and the
 * list ends with an empty page without one. A size of 0 (`$top=0`, below query-parameters.md's
 * minimum of 1) gives one empty page and no next link, so that a client following links stops.
 */
export function cutPage<T>(
  rows: readonly T[],
  cursor: PageCursor,
  size: number,
  paging: PagingVariant,
): { page: T[]; next?: PageCursor } {
  if (size <= 0) return { page: [] };
  if (cursor.empty) {
    return {
      page: [],
      ...(cursor.offset < rows.length && { next: { offset: cursor.offset, empty: false } }),
    };
  }
  const page = rows.slice(cursor.offset, cursor.offset + size);
  const end = cursor.offset + page.length;
  if (paging === "empty-pages") return { page, next: { offset: end, empty: true } };
  return { page, ...(end < rows.length && { next: { offset: end, empty: false } }) };
}

/** The value of a system query option (`$skiptoken`, or `skiptoken` on beta...), or undefined. */
export function optionValue(params: URLSearchParams, option: "$skiptoken" | "$skip"): string | undefined {
  for (const [name, value] of params) if (canonicalOption(name) === option) return value;
  return undefined;
}

/** The request's skip token (`$skiptoken`, or `skiptoken` on beta), or undefined. */
export function skipTokenOf(params: URLSearchParams): string | undefined {
  return optionValue(params, "$skiptoken");
}

/** A copy of the parameters without any spelling of `option`. */
export function withoutOption(params: URLSearchParams, option: "$skiptoken" | "$skip"): URLSearchParams {
  const kept = new URLSearchParams();
  for (const [name, value] of params) if (canonicalOption(name) !== option) kept.append(name, value);
  return kept;
}

/**
 * The query string (without `?`) of an `@odata.nextLink`: every parameter is kept in order except
 * an old skip token (and an old `$skip` when the link carries a new one), and `<option>=<value>`
 * comes last (form-encoded, `$` kept). $top stays, so the next page has the same size.
 */
export function nextLinkQuery(
  params: URLSearchParams,
  value: string,
  option: "$skiptoken" | "$skip" = "$skiptoken",
): string {
  const next = withoutOption(withoutOption(params, "$skiptoken"), option);
  next.append(option, value);
  // `$` may stay as it is in a query (RFC 3986); Graph's links carry `$skiptoken=`. A `%24` in the
  // encoded text can only stand for a `$`: a literal `%` is encoded as `%25`.
  return next.toString().replaceAll("%24", "$");
}

/** The skip token of a page: opaque to clients, as Graph's are. */
export function encodeSkipToken(cursor: PageCursor): string {
  return Buffer.from(
    JSON.stringify(cursor.empty ? { o: cursor.offset, e: 1 } : { o: cursor.offset }),
  ).toString("base64url");
}

/** The cursor a skip token of encodeSkipToken's stands for; undefined for any other text. */
export function decodeSkipToken(token: string): PageCursor | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof parsed !== "object" || parsed === null || !("o" in parsed)) return undefined;
    const offset = parsed.o;
    if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) return undefined;
    const empty = "e" in parsed ? parsed.e : undefined;
    if (empty !== undefined && empty !== 1) return undefined;
    return { offset, empty: empty === 1 };
  } catch {
    return undefined;
  }
}

/**
 * The `$skip` links the service has issued (variant paging "skip"), by their query string, so that
 * such a link is honoured while a `$skip` a client writes itself is answered as the variant
 * listQuery answers it (the list's `$skip` is not documented). The oldest are forgotten first.
 */
export class IssuedSkipLinks {
  private readonly links = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  remember(query: string): void {
    const key = new URLSearchParams(query).toString();
    this.links.delete(key);
    this.links.add(key);
    if (this.links.size > this.capacity) this.links.delete(this.links.values().next().value as string);
  }

  /** The offset of a request that follows an issued `$skip` link verbatim; undefined otherwise. */
  offsetOf(params: URLSearchParams): number | undefined {
    const skip = optionValue(params, "$skip");
    if (skip === undefined || !this.links.has(params.toString())) return undefined;
    return Number(skip);
  }

  clear(): void {
    this.links.clear();
  }
}
