/**
 * Retries by the retry rules (retry-rules.ts): attempts, `Retry-After`, backoff and the deadline,
 * on an injectable clock. Ours rather than core's retry policy: core's sleeps on real timers, and
 * its default strategies resend a POST on a 5xx or a lost connection, which could create a
 * connector twice; here a POST is resent only on 429 or when it never left the machine.
 */
import { PipelinePolicy, PipelineResponse, isRestError } from "@azure/core-rest-pipeline";
import { Clock } from "../../config/clock";
import { DebugLogger } from "../../config/logging";
import { RetryOptions } from "../../config/retry-options";
import { GraphConnectionError, OutcomeUnknownError } from "../errors";
import { TIMEOUT_CODE } from "../http-client";
import { RetryDecision, decide, parseRetryAfter, retryDelay } from "../retry-rules";
import { exchangeOf } from "./exchange";

/** The programmatic identifier of the graphRetryPolicy. */
export const graphRetryPolicyName = "graphRetryPolicy";

export interface GraphRetryPolicyOptions {
  /** The retry budget. */
  retry: RetryOptions;
  clock: Clock;
  /** The backoff's jitter, in [0, 1). */
  random: () => number;
  logger: DebugLogger;
}

/** Retries by the retry rules; a transport failure becomes a GraphConnectionError here. */
export function graphRetryPolicy(options: GraphRetryPolicyOptions): PipelinePolicy {
  const { retry, clock, random, logger } = options;
  return {
    name: graphRetryPolicyName,
    async sendRequest(request, next) {
      const exchange = exchangeOf(request);
      for (;;) {
        exchange.attempts++;
        const attempt = exchange.attempts;
        if (attempt > 1) request.headers.set("Retry-Attempt", String(attempt - 1));
        let response: PipelineResponse | undefined;
        let failure: GraphConnectionError | undefined;
        let decision: RetryDecision;
        try {
          response = await next(request);
          // A 2xx, like any answer not to retry, is "return".
          decision = decide(exchange.method, { kind: "response", status: response.status });
        } catch (error) {
          if (!isRestError(error)) throw error;
          const timedOut = error.code === TIMEOUT_CODE;
          decision = decide(exchange.method, { kind: "connection", code: error.code, timedOut });
          failure = new GraphConnectionError({
            operation: exchange.operation,
            method: exchange.method,
            path: exchange.displayPath,
            clientRequestId: exchange.clientRequestId,
            cause: error,
            timedOut,
          });
          logger.log("graph.connection-error", {
            method: exchange.method,
            path: exchange.displayPath,
            attempt,
            clientRequestId: exchange.clientRequestId,
            error: failure.message,
          });
        }
        exchange.decision = decision;
        if (decision !== "retry") {
          if (response) return response;
          // A lost connection is retried, or leaves a POST's outcome unknown.
          throw new OutcomeUnknownError(exchange.operation, failure as GraphConnectionError);
        }
        const retryAfterMs = response
          ? parseRetryAfter(response.headers.get("retry-after"), clock.now())
          : undefined;
        // Microsoft Graph's guidance for 429: wait as told and retry until it succeeds. Being
        // throttled says nothing of the request, so only the deadline bounds those attempts.
        if (response?.status === 429) exchange.throttled++;
        const delay = retryDelay(attempt, retryAfterMs, retry, random);
        const elapsed = clock.now() - exchange.started;
        if (attempt - exchange.throttled >= retry.maxAttempts || elapsed + delay > retry.deadlineMs) {
          exchange.gaveUp = ` — gave up after ${attempt} attempt${attempt === 1 ? "" : "s"} in ${Math.round(elapsed / 100) / 10}s`;
          if (response) return response;
          (failure as GraphConnectionError).message += exchange.gaveUp;
          throw failure;
        }
        logger.log("graph.retry", { method: exchange.method, attempt, delayMs: delay });
        await clock.sleep(delay);
      }
    },
  };
}
