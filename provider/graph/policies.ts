/**
 * The Graph client's own @azure/core-rest-pipeline policies, for what is particular to this
 * provider (the pipeline's stock policies do the rest):
 *
 * - retry: attempts, delays and the deadline from retry-rules.ts, on an injectable clock. Core's
 *   retry policy sleeps on real timers and its default strategies resend a POST on 5xx or a lost
 *   connection, which could create a connector twice; here a POST is resent only on 429 or when
 *   it never left the machine.
 * - token: the bearer token, and one fresh token after a 401 (core's bearer policy refreshes
 *   only on a claims challenge, and on its own schedule).
 * - limiter: every request sent, resends included, passes the shared write/read limiter.
 * - origin lock: no request leaves the configured Graph origin and API version; redirects are
 *   followed on that origin only (core's redirect policy follows any origin, GET only).
 * - log: the debug events, allow-listed (config/logging.ts).
 *
 * What a logical call carries through them (operation name, attempts, the decision) is its
 * `GraphExchange`, found from the request.
 */
import { PipelinePolicy, PipelineRequest, PipelineResponse, isRestError } from "@azure/core-rest-pipeline";
import { AccessTokenSource } from "../config/access-tokens";
import { Clock } from "../config/clock";
import { GraphConnectionError, OutcomeUnknownError } from "./errors";
import { TIMEOUT_CODE } from "./http-client";
import { RequestLimiter } from "./limiter";
import { DebugLogger, loggableHeaders } from "../config/logging";
import { RetryOptions } from "../config/retry-options";
import { RetryDecision, decide, parseRetryAfter, retryDelay } from "./retry-rules";

/** One logical Graph call, as the policies see it. */
export interface GraphExchange {
  operation: string;
  method: string;
  /** Path and query of the first URL, for messages. */
  displayPath: string;
  clientRequestId: string;
  /** The request body before serialization (logged: connector fields, no secret). */
  body: unknown;
  /** Clock time of the first attempt. */
  started: number;
  /** Attempts so far (a resend after a 401 counts as one). */
  attempts: number;
  /** Of which answered 429: they do not count against maxAttempts, only the deadline bounds them. */
  throttled: number;
  /** The retry policy's last decision: "return", "outcome-unknown", or "retry" when it gave up. */
  decision?: RetryDecision;
  /** " — gave up after N attempts in Xs" when retries ran out. */
  gaveUp?: string;
}

const exchanges = new WeakMap<PipelineRequest, GraphExchange>();

/** Ties a request to its exchange, for the policies below. */
export function beginExchange(request: PipelineRequest, exchange: GraphExchange): GraphExchange {
  exchanges.set(request, exchange);
  return exchange;
}

function exchangeOf(request: PipelineRequest): GraphExchange {
  const exchange = exchanges.get(request);
  if (!exchange) throw new Error("a Graph request was sent without its exchange (beginExchange)");
  return exchange;
}

/** Retries by the rules of retry-rules.ts; a transport failure becomes a GraphConnectionError here. */
export function graphRetryPolicy(options: {
  retry: RetryOptions;
  clock: Clock;
  random: () => number;
  logger: DebugLogger;
}): PipelinePolicy {
  const { retry, clock, random, logger } = options;
  return {
    name: "graphRetryPolicy",
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

/** The bearer token on every request; after a 401, one fresh token and one more send per call. */
export function tokenPolicy(tokens: AccessTokenSource): PipelinePolicy {
  return {
    name: "graphTokenPolicy",
    async sendRequest(request, next) {
      request.headers.set("Authorization", `Bearer ${await tokens.getToken()}`);
      const response = await next(request);
      if (response.status !== 401) return response;
      // The token may have been revoked or expired early.
      request.headers.set("Authorization", `Bearer ${await tokens.refresh()}`);
      return next(request);
    },
  };
}

/** Every request sent, resends included, waits for the shared limiter (writes: all but GET). */
export function limiterPolicy(limiter: RequestLimiter): PipelinePolicy {
  return {
    name: "graphLimiterPolicy",
    async sendRequest(request, next) {
      const settle = await limiter.acquire(request.method !== "GET");
      try {
        return await next(request);
      } finally {
        // Counted from the answer (or the failure), which comes after the service saw the request.
        settle();
      }
    },
  };
}

const MAX_REDIRECTS = 3;

/**
 * Sends only to URLs `resolve` accepts (it throws GraphRequestRefusedError otherwise), and follows
 * up to three redirects that it accepts; the fourth is returned as the answer.
 */
export function originLockPolicy(resolve: (url: string) => URL): PipelinePolicy {
  return {
    name: "graphOriginLockPolicy",
    async sendRequest(request, next) {
      const first = request.url;
      request.url = resolve(first).toString();
      try {
        for (let redirects = 0; ; redirects++) {
          const response = await next(request);
          const location = response.headers.get("location");
          if (response.status < 300 || response.status >= 400 || !location || redirects >= MAX_REDIRECTS) {
            return response;
          }
          request.url = resolve(new URL(location, request.url).toString()).toString();
        }
      } finally {
        // A retry starts again from the URL asked for.
        request.url = first;
      }
    },
  };
}

/** The debug events of each exchange on the wire: graph.request and graph.response. */
export function graphLogPolicy(logger: DebugLogger, clock: Clock): PipelinePolicy {
  return {
    name: "graphLogPolicy",
    async sendRequest(request, next) {
      const exchange = exchangeOf(request);
      const url = new URL(request.url);
      const path = url.pathname + url.search;
      logger.log("graph.request", {
        method: exchange.method,
        path,
        attempt: exchange.attempts,
        clientRequestId: exchange.clientRequestId,
        body: exchange.body,
      });
      const response = await next(request);
      logger.log("graph.response", {
        method: exchange.method,
        path,
        attempt: exchange.attempts,
        status: response.status,
        ms: clock.now() - exchange.started,
        headers: loggableHeaders(response.headers),
      });
      return response;
    },
  };
}
