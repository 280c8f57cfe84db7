/**
 * Typed errors of the Graph client. A GraphError carries what a person needs to act or to open a
 * support case: the operation, the HTTP exchange, Graph's code and message (unwrapped from
 * Intune's nested JSON), the request ids, and a hint when the cause is known.
 */

import { IntuneError } from "../logic/errors";
import { INTUNE_ODJ_LIMITS } from "../logic/limits";
import { READ_PERMISSION, WRITE_PERMISSION } from "../connector/constants";

export interface GraphErrorDetails {
  operation: string;
  method: string;
  path: string;
  status: number;
  code?: string;
  message: string;
  requestId?: string;
  clientRequestId?: string;
  date?: string;
  retryAfterMs?: number;
}

export class GraphError extends IntuneError {
  override readonly name = "GraphError";
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly code?: string;
  readonly graphMessage: string;
  readonly requestId?: string;
  readonly clientRequestId?: string;
  readonly date?: string;
  readonly hint?: string;
  readonly retryAfterMs?: number;

  constructor(details: GraphErrorDetails) {
    const hint = hintFor(details);
    super(formatMessage(details, hint));
    this.operation = details.operation;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.code = details.code;
    this.graphMessage = details.message;
    this.requestId = details.requestId;
    this.clientRequestId = details.clientRequestId;
    this.date = details.date;
    this.retryAfterMs = details.retryAfterMs;
    this.hint = hint;
  }
}

export interface GraphConnectionErrorOptions {
  /** What the request was for, e.g. `read connector 3fa8…`. */
  operation: string;
  method: string;
  path: string;
  clientRequestId: string;
  /** The transport's error (a RestError from the pipeline). */
  cause: unknown;
  /** True when the request's own timeout ended it, rather than the connection. */
  timedOut: boolean;
}

/** A request that never got an answer (timeout, reset, refused connection, TLS failure). */
export class GraphConnectionError extends IntuneError {
  override readonly name = "GraphConnectionError";
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly clientRequestId: string;
  readonly timedOut: boolean;

  constructor(options: GraphConnectionErrorOptions) {
    const { operation, method, path, clientRequestId, cause, timedOut } = options;
    super(
      `${operation}: ${method} ${path} got no answer (${timedOut ? "timed out" : describeCause(cause)}) ` +
        `(client-request-id: ${clientRequestId})`,
      { cause },
    );
    this.operation = operation;
    this.method = method;
    this.path = path;
    this.clientRequestId = clientRequestId;
    this.timedOut = timedOut;
  }
}

/** The client refused to do what was asked (another origin, plain http, a bad id). */
export class GraphRequestRefusedError extends IntuneError {
  override readonly name = "GraphRequestRefusedError";
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: string }).code;
    return code ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}

/** Properties a create may be refused without; Intune sets these two from the connector's check-ins. */
const SERVICE_SET = ["lastConnectionDateTime", "state"];

/**
 * A 400 the sources leave open (the emulator's variants deleteRegistered "refused", createRequires):
 * what the user can do about a refused DELETE or a POST missing a property the service requires.
 */
function badRequestHint(d: GraphErrorDetails): string | undefined {
  if (d.method === "DELETE") {
    return (
      "if the connector's server still runs the Intune Connector for Active Directory, Intune's docs say it \"can't " +
      'be removed through the Intune portal or through a graph API call": uninstall the connector from the server, ' +
      "and Intune removes it after 30 days inactive; or keep it and release it from the stack: set deleteOnDestroy: " +
      "false, run pulumi up, then destroy. Until then the connector stays in the stack's state"
    );
  }
  // The property named as "'version' is required" (the emulator's wording; no source gives Intune's).
  const required = /'?(\w+)'? (?:is|are) required/i.exec(d.message);
  if (d.method !== "POST" || !required) return undefined;
  const property = required[1];
  if (SERVICE_SET.includes(property)) {
    return (
      `the service requires ${property} on create, which Intune sets from the connector's check-ins and this provider ` +
      "never writes: install the Intune Connector for Active Directory on the server, then adopt the connector it " +
      "registers (registeredName or connectorId)"
    );
  }
  return `the service requires ${property} on create: declare it on the resource (version: the version of the Intune Connector the server runs, e.g. 6.2504.2001.8)`;
}

function hintFor(d: GraphErrorDetails): string | undefined {
  switch (d.status) {
    case 400:
      return badRequestHint(d);
    case 401:
      return (
        "the access token was refused: check that the tenant id, client id and cloud match, " +
        "and that the token was issued for this cloud's Graph"
      );
    case 403: {
      // errors.md: a 403 "might not have a required license"; when Intune's message says so, the
      // permissions are not the cause.
      if (/\blicen[cs]e\b/i.test(d.message))
        return "the tenant has no active Intune licence, which the Microsoft Graph API for Intune requires";
      const write = d.method !== "GET";
      const permission = write ? WRITE_PERMISSION : `${READ_PERMISSION} or ${WRITE_PERMISSION}`;
      return (
        `the application needs the Microsoft Graph application permission ${permission} ` +
        "with admin consent granted in Entra ID, and the tenant needs an active Intune licence"
      );
    }
    case 404:
      return "the connector does not exist (it may have been deleted, or removed by Intune after 30 days inactive)";
    case 429:
      return (
        "Intune throttled the request; the retry budget ran out " +
        `(limits: ${INTUNE_ODJ_LIMITS.writes} writes per ${INTUNE_ODJ_LIMITS.windowMs / 1000} s per app per tenant)`
      );
    default:
      return undefined;
  }
}

function formatMessage(d: GraphErrorDetails, hint: string | undefined): string {
  const ids = [
    d.requestId && `request-id: ${d.requestId}`,
    d.clientRequestId && `client-request-id: ${d.clientRequestId}`,
    d.date && `date: ${d.date}`,
  ].filter(Boolean);
  return (
    `${d.operation}: ${d.method} ${d.path} failed with ${d.status}` +
    (d.code ? ` ${d.code}` : "") +
    `: ${d.message}` +
    (ids.length ? ` (${ids.join(", ")})` : "") +
    (hint ? `. Hint: ${hint}` : "")
  );
}

interface GraphErrorBody {
  error?: {
    code?: string;
    message?: string;
    innerError?: { date?: string; "request-id"?: string; "client-request-id"?: string };
  };
}

/**
 * Intune puts its own error, as a JSON *string*, in Graph's `message`; the sentence worth showing
 * is its `Message` (plus `CustomApiErrorPhrase` when set). Anything else is returned as it is.
 */
export function unwrapIntuneMessage(message: string): string {
  const trimmed = message.trim();
  if (!trimmed.startsWith("{")) return message;
  try {
    const nested = JSON.parse(trimmed) as { Message?: unknown; CustomApiErrorPhrase?: unknown };
    const main = typeof nested.Message === "string" ? nested.Message : undefined;
    // A blank phrase trims to "" and is dropped with the other empty parts.
    const phrase =
      typeof nested.CustomApiErrorPhrase === "string" ? nested.CustomApiErrorPhrase.trim() : undefined;
    const parts = [phrase, main].filter((p): p is string => Boolean(p));
    return parts.length ? parts.join(" — ") : message;
  } catch {
    return message;
  }
}

/** Reads Graph's error body (JSON or not) and the response headers into error details. */
export function parseGraphError(
  base: { operation: string; method: string; path: string; status: number; statusText?: string },
  bodyText: string,
  headers: { get(name: string): string | null | undefined },
  retryAfterMs?: number,
): GraphErrorDetails {
  let parsed: GraphErrorBody | undefined;
  try {
    parsed = JSON.parse(bodyText) as GraphErrorBody;
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): the status and headers still say enough.
  }
  const error = parsed?.error;
  const inner = error?.innerError;
  const rawMessage =
    typeof error?.message === "string" && error.message
      ? error.message
      : bodyText.trim()
        ? bodyText.trim().slice(0, 500)
        : base.statusText || "no error body";
  return {
    ...base,
    code: typeof error?.code === "string" ? error.code : undefined,
    message: unwrapIntuneMessage(rawMessage),
    requestId: headers.get("request-id") ?? inner?.["request-id"] ?? undefined,
    clientRequestId: headers.get("client-request-id") ?? inner?.["client-request-id"] ?? undefined,
    date: inner?.date ?? headers.get("date") ?? undefined,
    retryAfterMs,
  };
}

/**
 * A POST got no reliable answer (lost connection, timeout, 5xx): the service may or may not have
 * created the object. Callers reconcile by reading instead of resending.
 */
export class OutcomeUnknownError extends IntuneError {
  override readonly name = "OutcomeUnknownError";
  /** The answer that left the outcome unknown: a 5xx, or none at all. */
  declare readonly cause: GraphError | GraphConnectionError;

  constructor(
    readonly operation: string,
    cause: GraphError | GraphConnectionError,
  ) {
    super(`${operation}: the outcome is unknown: ${cause.message}`, { cause });
  }
}

/** Thrown when a POST's outcome could not be settled: names the connectors that could be it. */
export class CreateReconciliationError extends IntuneError {
  override readonly name = "CreateReconciliationError";
  /** The POST whose outcome stayed unknown. */
  declare readonly cause: OutcomeUnknownError;

  constructor(
    message: string,
    readonly candidates: string[],
    cause: OutcomeUnknownError,
  ) {
    super(message, { cause });
  }
}
