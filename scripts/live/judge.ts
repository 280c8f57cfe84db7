/**
 * How a check judges: it states facts — "this exchange shows what the row says", true or false —
 * and `judge` turns them into the row's verdict. A row is `documented` when every fact holds, and
 * `different` otherwise, with what was expected and the answers that showed otherwise (status,
 * Graph's code, an excerpt of its message, the body fields the check names, the request ids a
 * support case needs). A row the kit cannot observe is `not checkable`, with why.
 */
import { unwrapIntuneMessage } from "pulumi-intune-domain-join/internal/graph/errors";
import type { Exchange } from "./exchange";

export type Verdict = "documented" | "different" | "not checkable";

/** What one answer showed, for the report. */
export interface Observed {
  /** `PATCH /beta/deviceManagement/domainJoinConnectors/…` */
  request: string;
  status: number;
  /** Graph's error code. */
  code?: string;
  /** The start of Graph's error message (Intune's nested JSON unwrapped). */
  message?: string;
  /** The body's fields the check looks at, and values it worked out from the answer. */
  fields?: Record<string, unknown>;
  /** Response headers the check looks at. */
  headers?: Record<string, string>;
  /** For a support case. */
  requestId?: string;
  clientRequestId: string;
}

export interface Outcome {
  verdict: Verdict;
  /** For `different`: what the row says, as each fact that failed put it. */
  expected?: string[];
  /** For `different`: the answers of those facts. */
  observed?: Observed[];
  /** For `not checkable`: why. */
  why?: string;
  /** What was and was not covered. */
  note?: string;
  /** True when the check meant to run and could not (the run fails then). */
  failed?: boolean;
}

/** One thing a row says, and whether an answer showed it. */
export interface Fact {
  exchange: Exchange;
  /** What the row says, as this fact checks it: "status 200", "a Location header". */
  expected: string;
  holds: boolean;
  /** Body fields (of the entity, when the body is one) shown when the fact fails. */
  fields?: readonly string[];
  /** Values worked out from the answer, shown when the fact fails. */
  saw?: Record<string, unknown>;
  /** Response headers shown when the fact fails. */
  headers?: readonly string[];
}

export function fact(
  exchange: Exchange,
  expected: string,
  holds: boolean,
  show: Pick<Fact, "fields" | "saw" | "headers"> = {},
): Fact {
  return { exchange, expected, holds, ...show };
}

/** A fact about one property of the connector in an answer (the property is shown when it fails). */
export function property(
  exchange: Exchange,
  name: string,
  expected: string,
  holds: (value: unknown) => boolean,
): Fact {
  return fact(exchange, expected, holds(entity(exchange.json)?.[name]), { fields: [name] });
}

/** The connector in the answer has `name` equal to `value`. */
export function equals(exchange: Exchange, name: string, value: unknown): Fact {
  return property(exchange, name, `${name} ${JSON.stringify(value)}`, (v) => v === value);
}

/** The status fact, the commonest. */
export function status(exchange: Exchange, ...accepted: number[]): Fact {
  return fact(exchange, `status ${accepted.join(" or ")}`, accepted.includes(exchange.status));
}

/** A 2xx answer: a write the row says is taken, whatever its documented status (another row's). */
export function taken(exchange: Exchange): Fact {
  return fact(exchange, "taken (2xx)", exchange.status >= 200 && exchange.status < 300);
}

/** documented when every fact holds; otherwise different, with the failing facts' answers. */
export function judge(facts: readonly Fact[], note?: string): Outcome {
  const failing = facts.filter((f) => !f.holds);
  if (failing.length === 0) return { verdict: "documented", ...(note && { note }) };
  const byExchange = new Map<Exchange, Observed>();
  for (const f of failing) {
    const observed = byExchange.get(f.exchange) ?? observe(f.exchange);
    const fields = { ...observed.fields, ...pick(entity(f.exchange.json), f.fields ?? []), ...f.saw };
    if (Object.keys(fields).length) observed.fields = fields;
    const headers = { ...observed.headers, ...pickHeaders(f.exchange, f.headers ?? []) };
    if (Object.keys(headers).length) observed.headers = headers;
    byExchange.set(f.exchange, observed);
  }
  return {
    verdict: "different",
    expected: failing.map((f) => f.expected),
    observed: [...byExchange.values()],
    ...(note && { note }),
  };
}

export function notCheckable(why: string, options: { failed?: boolean; note?: string } = {}): Outcome {
  return {
    verdict: "not checkable",
    why,
    ...(options.failed && { failed: true }),
    ...(options.note && { note: options.note }),
  };
}

const MESSAGE_EXCERPT = 300;

/** An answer as the report shows it. */
export function observe(exchange: Exchange): Observed {
  const error = errorOf(exchange);
  const observed: Observed = {
    request: `${exchange.method} ${exchange.path}`,
    status: exchange.status,
    clientRequestId: exchange.clientRequestId,
  };
  if (error?.code) observed.code = error.code;
  if (error?.message !== undefined) observed.message = excerpt(unwrapIntuneMessage(error.message));
  else if (exchange.json === undefined && exchange.text) observed.message = excerpt(exchange.text);
  const requestId = exchange.headers["request-id"] ?? error?.innerError?.["request-id"];
  if (typeof requestId === "string") observed.requestId = requestId;
  return observed;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > MESSAGE_EXCERPT ? `${flat.slice(0, MESSAGE_EXCERPT)}…` : flat;
}

export interface GraphErrorShape {
  code?: string;
  message?: string;
  innerError?: Record<string, unknown>;
}

/** Graph's `error` object, when the body has one. */
export function errorOf(exchange: Exchange): GraphErrorShape | undefined {
  const error = (exchange.json as { error?: unknown } | undefined)?.error;
  if (typeof error !== "object" || error === null) return undefined;
  const { code, message, innerError } = error as Record<string, unknown>;
  return {
    ...(typeof code === "string" && { code }),
    ...(typeof message === "string" && { message }),
    ...(typeof innerError === "object" &&
      innerError !== null && { innerError: innerError as Record<string, unknown> }),
  };
}

/** Graph's message with Intune's nested JSON unwrapped ("" when there is none). */
export function messageOf(exchange: Exchange): string {
  const message = errorOf(exchange)?.message;
  return message === undefined ? "" : unwrapIntuneMessage(message);
}

export type Json = Record<string, unknown>;

/**
 * The connector in a body: the object itself, or the one in `value` (the get page's example). So a
 * body in either form serves every check but S11's, which is the one about the form.
 */
export function entity(body: unknown): Json | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const object = body as Json;
  if (
    !("id" in object) &&
    typeof object.value === "object" &&
    object.value !== null &&
    !Array.isArray(object.value)
  )
    return object.value as Json;
  return object;
}

/** The items of a list page. */
export function itemsOf(exchange: Exchange): Json[] {
  const value = (exchange.json as { value?: unknown } | undefined)?.value;
  return Array.isArray(value) ? value.filter((v): v is Json => typeof v === "object" && v !== null) : [];
}

/** An object's properties, its annotations (`@odata.…`) left out, sorted. */
export function propertyNames(object: Json | undefined): string[] {
  return Object.keys(object ?? {})
    .filter((key) => !key.includes("@"))
    .sort();
}

function pick(object: Json | undefined, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields)
    out[field] = object === undefined ? "(no object)" : field in object ? object[field] : "(absent)";
  return out;
}

function pickHeaders(exchange: Exchange, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) out[name] = exchange.headers[name.toLowerCase()] ?? "(absent)";
  return out;
}
