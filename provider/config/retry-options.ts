/**
 * The retry budget of a Graph call: attempts, delays, the deadline and the time allowed for one
 * attempt, with their defaults. The settings (config/settings.ts) override some of them from
 * stack config and the environment; the retry rules (graph/retry-rules.ts) work within it.
 */

export interface RetryOptions {
  /**
   * Attempts per logical call, the first included; answers 429 do not count (Graph's guidance is
   * to retry them as told until they succeed), so only `deadlineMs` bounds a throttled call.
   * Default 6.
   */
  maxAttempts: number;
  /** First backoff delay without Retry-After. Default 1000 ms. */
  baseDelayMs: number;
  /** Largest backoff delay without Retry-After. Default 30 s. */
  maxDelayMs: number;
  /** Largest wait honoured from a Retry-After header. Default 120 s. */
  maxRetryAfterMs: number;
  /** Overall budget of one logical call, retries and waits included. Default 5 minutes. */
  deadlineMs: number;
  /** Time allowed for one attempt before it counts as lost. Default 60 s. */
  requestTimeoutMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxAttempts: 6,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  deadlineMs: 300_000,
  requestTimeoutMs: 60_000,
};
