/**
 * The Graph HTTP client: one logical call = one or more attempts through the pipeline
 * limiter → token → fetch (keep-alive, timeout) → 401 refresh → retry policy.
 * It only ever talks to the configured Graph origin, over HTTPS (plain http only on loopback).
 */
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import fetch from "node-fetch";
import { Clock, RequestLimiter, realClock } from "./limiter";
import { DebugLogger, loggableHeaders, silentLogger } from "./logging";
import { isAllowedEndpoint } from "../logic/endpoint";
import {
  GraphConnectionError,
  GraphError,
  GraphRequestRefusedError,
  OutcomeUnknownError,
  parseGraphError,
} from "./errors";
import {
  AttemptOutcome,
  DEFAULT_RETRY_OPTIONS,
  RetryOptions,
  decide,
  parseRetryAfter,
  retryDelay,
} from "./retryPolicy";

/** Where access tokens come from; `refresh` discards any cached token. */
export interface AccessTokenSource {
  getToken(): Promise<string>;
  refresh(): Promise<string>;
}

export type GraphMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface GraphRequest {
  /** What the caller was doing, for error messages: e.g. "update connector 3fa8…". */
  operation: string;
  method: GraphMethod;
  /** A path under the API version (`/deviceManagement/...`), or an absolute `@odata.nextLink`. */
  path: string;
  body?: unknown;
}

export interface GraphResponse<T> {
  status: number;
  body: T | undefined;
  requestId?: string;
  clientRequestId: string;
  /** Attempts this logical call took (1 when nothing was retried). */
  attempts: number;
}

export interface GraphClientOptions {
  /** Graph origin, e.g. https://graph.microsoft.com. */
  endpoint: string;
  /** API version segment. Default "beta" (the connector API exists only there). */
  apiVersion?: string;
  tokens: AccessTokenSource;
  /** Retry budget; see DEFAULT_RETRY_OPTIONS for defaults. */
  retry?: Partial<RetryOptions>;
  /** Shared rate limiter. Default: none (each provider process passes its shared one). */
  limiter?: RequestLimiter;
  userAgent?: string;
  logger?: DebugLogger;
  clock?: Clock;
  random?: () => number;
}

const MAX_REDIRECTS = 3;

/** Validates a Graph origin: https, or http on loopback only; no path, query or credentials. */
export function parseGraphEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new GraphRequestRefusedError(`graphEndpoint ${JSON.stringify(endpoint)} is not a URL`);
  }
  if (!isAllowedEndpoint(url)) {
    throw new GraphRequestRefusedError(
      `graphEndpoint ${JSON.stringify(endpoint)} must use https (plain http is accepted only for loopback addresses)`,
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new GraphRequestRefusedError(
      `graphEndpoint ${JSON.stringify(endpoint)} must be an origin such as https://graph.microsoft.com`,
    );
  }
  return new URL(url.origin);
}

export class GraphClient {
  readonly origin: URL;
  private readonly apiPrefix: string;
  private readonly retry: RetryOptions;
  private readonly agent: http.Agent;
  private readonly logger: DebugLogger;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(private readonly options: GraphClientOptions) {
    this.origin = parseGraphEndpoint(options.endpoint);
    this.apiPrefix = `/${options.apiVersion ?? "beta"}`;
    this.retry = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };
    // Keep-alive: one TLS handshake serves many requests of a stack.
    this.agent =
      this.origin.protocol === "https:"
        ? new https.Agent({ keepAlive: true, maxSockets: 16 })
        : new http.Agent({ keepAlive: true, maxSockets: 16 });
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
  }

  /** Closes idle keep-alive connections (so a process can exit promptly). */
  close(): void {
    this.agent.destroy();
  }

  /**
   * The absolute URL of a request. Relative paths are joined under the API version; absolute
   * ones (`@odata.nextLink`, redirects) must stay on the configured origin and API version.
   */
  resolve(pathOrUrl: string): URL {
    const absolute = /^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl);
    const url = absolute ? new URL(pathOrUrl) : new URL(this.apiPrefix + pathOrUrl, this.origin);
    if (url.origin !== this.origin.origin) {
      throw new GraphRequestRefusedError(
        `refused to follow a link to ${url.origin}: requests only go to the configured Graph origin ${this.origin.origin}`,
      );
    }
    if (!url.pathname.startsWith(this.apiPrefix + "/") || url.username || url.password) {
      throw new GraphRequestRefusedError(`refused to request ${url.pathname}: outside ${this.apiPrefix}/`);
    }
    return url;
  }

  async send<T>(request: GraphRequest): Promise<GraphResponse<T>> {
    const url = this.resolve(request.path);
    const displayPath = url.pathname + url.search;
    const clientRequestId = randomUUID();
    const started = this.clock.now();
    const isWrite = request.method !== "GET";
    let refreshedToken = false;
    let attempt = 0;

    for (;;) {
      attempt++;
      if (this.options.limiter) await this.options.limiter.acquire(isWrite);
      const token = await this.options.tokens.getToken();
      let response: RawResponse;
      try {
        response = await this.fetchFollowingSameOrigin(url, { request, token, clientRequestId, attempt });
      } catch (error) {
        if (error instanceof GraphRequestRefusedError) throw error;
        const timedOut = (error as { name?: string }).name === "AbortError";
        const failure = new GraphConnectionError(
          request.operation,
          request.method,
          displayPath,
          clientRequestId,
          error,
          timedOut,
        );
        const outcome: AttemptOutcome = {
          kind: "connection",
          code: (error as { code?: string }).code,
          timedOut,
        };
        this.logger.log("graph.connection-error", {
          method: request.method,
          path: displayPath,
          attempt,
          clientRequestId,
          error: failure.message,
        });
        await this.afterFailure(request, outcome, failure, attempt, started, undefined);
        continue;
      }

      const { status, text } = response;
      this.logger.log("graph.response", {
        method: request.method,
        path: displayPath,
        attempt,
        status,
        ms: this.clock.now() - started,
        headers: loggableHeaders(response.headers),
      });
      if (status >= 200 && status < 300) {
        return {
          status,
          body: text ? (JSON.parse(text) as T) : undefined,
          requestId: response.headers.get("request-id") ?? undefined,
          clientRequestId,
          attempts: attempt,
        };
      }
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), this.clock.now());
      const error = new GraphError(
        parseGraphError(
          {
            operation: request.operation,
            method: request.method,
            path: displayPath,
            status,
            statusText: response.statusText,
          },
          text,
          response.headers,
          retryAfterMs,
        ),
      );
      if (status === 401 && !refreshedToken) {
        // The token may have been revoked or expired early: one fresh token, one more try.
        refreshedToken = true;
        await this.options.tokens.refresh();
        continue;
      }
      await this.afterFailure(request, { kind: "response", status }, error, attempt, started, retryAfterMs);
    }
  }

  /** Throws when the failure is final; otherwise waits the retry delay and returns. */
  private async afterFailure(
    request: GraphRequest,
    outcome: AttemptOutcome,
    failure: GraphError | GraphConnectionError,
    attempt: number,
    started: number,
    retryAfterMs: number | undefined,
  ): Promise<void> {
    const decision = decide(request.method, outcome);
    if (decision === "return") throw failure;
    if (decision === "outcome-unknown") throw new OutcomeUnknownError(request.operation, failure);
    const delay = retryDelay(attempt, retryAfterMs, this.retry, this.random);
    const elapsed = this.clock.now() - started;
    if (attempt >= this.retry.maxAttempts || elapsed + delay > this.retry.deadlineMs) {
      failure.message += ` — gave up after ${attempt} attempt${attempt === 1 ? "" : "s"} in ${Math.round(elapsed / 100) / 10}s`;
      throw failure;
    }
    this.logger.log("graph.retry", { method: request.method, attempt, delayMs: delay });
    await this.clock.sleep(delay);
  }

  private async fetchFollowingSameOrigin(url: URL, exchange: Exchange): Promise<RawResponse> {
    let target = url;
    for (let redirects = 0; ; redirects++) {
      const response = await this.fetchOnce(target, exchange);
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || !location || redirects >= MAX_REDIRECTS) {
        return response;
      }
      target = this.resolve(new URL(location, target).toString());
    }
  }

  /** One HTTP exchange, body included, within the per-attempt timeout. */
  private async fetchOnce(
    url: URL,
    { request, token, clientRequestId, attempt }: Exchange,
  ): Promise<RawResponse> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.retry.requestTimeoutMs);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: "application/json",
      "client-request-id": clientRequestId,
      "return-client-request-id": "true",
    };
    if (this.options.userAgent) headers["User-Agent"] = this.options.userAgent;
    if (attempt > 1) headers["Retry-Attempt"] = String(attempt - 1);
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers["Content-Type"] = "application/json";
    }
    this.logger.log("graph.request", {
      method: request.method,
      path: url.pathname + url.search,
      attempt,
      clientRequestId,
      body: request.body,
    });
    try {
      const response = await fetch(url.toString(), {
        method: request.method,
        headers,
        body,
        agent: this.agent,
        redirect: "manual",
        signal: controller.signal as never,
      });
      const text = await response.text();
      return { status: response.status, statusText: response.statusText, headers: response.headers, text };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** What one attempt sends, whichever URL it ends up at. */
interface Exchange {
  request: GraphRequest;
  token: string;
  clientRequestId: string;
  attempt: number;
}

interface RawResponse {
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  text: string;
}
