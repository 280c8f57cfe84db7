/**
 * The Graph HTTP client: one logical call = one or more attempts through an
 * @azure/core-rest-pipeline pipeline — client-request-id → tracing → retry → token (401 refresh)
 * → limiter → origin lock → log → node-fetch (keep-alive, timeout). The pipeline and its order are
 * in pipeline.ts; the policies that are ours, and why, each in its own file in policies/. It only
 * ever talks to the configured Graph origin, over HTTPS (plain http only on loopback).
 */
import { randomUUID } from "node:crypto";
// The reason phrase the transport does not carry: HTTP/1.1 servers send the standard one.
import { STATUS_CODES } from "node:http";
import { Pipeline, createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { AccessTokenSource } from "../config/access-tokens";
import { Clock, realClock } from "../config/clock";
import { RequestLimiter } from "./limiter";
import { DebugLogger, silentLogger } from "../config/logging";
import { isAllowedEndpoint } from "../logic/endpoint";
import { GraphError, GraphRequestRefusedError, OutcomeUnknownError, parseGraphError } from "./errors";
import { ClosableHttpClient, createNodeFetchHttpClient } from "./http-client";
import { createGraphPipeline } from "./pipeline";
import { beginExchange } from "./policies/exchange";
import { DEFAULT_RETRY_OPTIONS, RetryOptions } from "../config/retry-options";
import { parseRetryAfter } from "./retry-rules";

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
  private readonly httpClient: ClosableHttpClient;
  private readonly pipeline: Pipeline;
  private readonly clock: Clock;

  constructor(private readonly options: GraphClientOptions) {
    this.origin = parseGraphEndpoint(options.endpoint);
    this.apiPrefix = `/${options.apiVersion ?? "beta"}`;
    this.retry = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };
    this.clock = options.clock ?? realClock;
    const logger: DebugLogger = options.logger ?? silentLogger;
    this.httpClient = createNodeFetchHttpClient();
    this.pipeline = createGraphPipeline({
      tokens: options.tokens,
      retry: this.retry,
      limiter: options.limiter,
      resolve: (url) => this.resolve(url),
      logger,
      clock: this.clock,
      random: options.random ?? Math.random,
    });
  }

  /** Closes idle keep-alive connections (so a process can exit promptly). */
  close(): void {
    this.httpClient.close();
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
    const headers = createHttpHeaders({ Accept: "application/json", "return-client-request-id": "true" });
    if (this.options.userAgent) headers.set("User-Agent", this.options.userAgent);
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers.set("Content-Type", "application/json");
    }
    const pipelineRequest = createPipelineRequest({
      url: url.toString(),
      method: request.method,
      headers,
      body,
      requestId: clientRequestId,
      timeout: this.retry.requestTimeoutMs,
      allowInsecureConnection: this.origin.protocol === "http:",
    });
    const exchange = beginExchange(pipelineRequest, {
      operation: request.operation,
      method: request.method,
      displayPath,
      clientRequestId,
      body: request.body,
      started: this.clock.now(),
      attempts: 0,
      throttled: 0,
    });
    const response = await this.pipeline.sendRequest(this.httpClient, pipelineRequest);
    const text = response.bodyAsText ?? "";
    const { status } = response;
    if (status >= 200 && status < 300) {
      return {
        status,
        body: text ? (JSON.parse(text) as T) : undefined,
        requestId: response.headers.get("request-id") ?? undefined,
        clientRequestId,
        attempts: exchange.attempts,
      };
    }
    const error = new GraphError(
      parseGraphError(
        {
          operation: request.operation,
          method: request.method,
          path: displayPath,
          status,
          statusText: STATUS_CODES[status],
        },
        text,
        response.headers,
        parseRetryAfter(response.headers.get("retry-after"), this.clock.now()),
      ),
    );
    if (exchange.decision === "outcome-unknown") throw new OutcomeUnknownError(request.operation, error);
    if (exchange.gaveUp) error.message += exchange.gaveUp;
    throw error;
  }
}
