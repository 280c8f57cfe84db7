/**
 * The retry rules: when to retry a Graph request and how long to wait. Pure, apart from the
 * pipeline's retry policy that applies them, so they can be tested on their own.
 *
 * - 429 is retried for every method: a throttled request was not processed.
 * - 500/502/503/504 and lost connections are retried for GET, PATCH and DELETE, which are
 *   idempotent here. For POST they leave the outcome unknown: the caller reconciles instead
 *   of resending, since the service may have created the connector.
 * - Retry-After (seconds, fractional, or an HTTP date) is honoured and capped; without it the
 *   delay grows exponentially with jitter.
 *
 * The budget they work within (attempts, delays, deadline) is config/retry-options.ts.
 */
import { RetryOptions } from "../config/retry-options";

export type AttemptOutcome =
  { kind: "response"; status: number } | { kind: "connection"; code?: string; timedOut: boolean };

export type RetryDecision =
  /** Done: hand the answer (success or error) to the caller. */
  | "return"
  /** Try again after a delay. */
  | "retry"
  /** POST with no reliable answer: the connector may or may not exist now. */
  | "outcome-unknown";

const RETRYABLE_SERVER_ERRORS = new Set([500, 502, 503, 504]);
// Errors raised before the request left this machine: nothing reached the service.
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

export function decide(method: string, outcome: AttemptOutcome): RetryDecision {
  const idempotent = method !== "POST";
  if (outcome.kind === "connection") {
    if (idempotent || (outcome.code !== undefined && NOT_SENT_CODES.has(outcome.code))) return "retry";
    return "outcome-unknown";
  }
  if (outcome.status === 429) return "retry";
  if (RETRYABLE_SERVER_ERRORS.has(outcome.status)) return idempotent ? "retry" : "outcome-unknown";
  return "return";
}

/** Retry-After as milliseconds: delta-seconds (fractional allowed) or an HTTP date. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim(); // "" matches neither form below
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // HTTP-date (RFC 9110), e.g. "Sat, 28 Nov 2026 13:00:05 GMT"; anything else is ignored.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Delay before the next attempt. `attempt` is the number of attempts made so far (1 after the
 * first). With Retry-After: that value, capped. Without: exponential backoff with jitter, so
 * many resources throttled together do not come back in lockstep.
 */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  options: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs" | "maxRetryAfterMs">,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, options.maxRetryAfterMs);
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}
