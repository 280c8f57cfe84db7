/**
 * The live kit's probe: one Graph request, one answer, kept whole (status, headers, body). The
 * provider's Graph client is built to hide what the source table's rows are about — it retries
 * 429s and 5xx, reads a 204 PATCH back, unwraps `value` — so the rows are observed here, on the
 * provider's own transport, token source and rate limiter, and the connector life (life.ts) runs
 * through the provider's client as users run it.
 *
 * Every request passes `Ownership.check` first: reads go anywhere under the Graph origin; a write
 * goes only to a connector this run's own POST made, and a POST only names a connector under the
 * run's prefix. No other write can leave the kit.
 */
import { randomUUID } from "node:crypto";
import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import type { AccessTokenSource } from "pulumi-intune-domain-join/internal/config/access-tokens";
import type { RequestLimiter } from "pulumi-intune-domain-join/internal/graph/limiter";
import {
  ClosableHttpClient,
  createNodeFetchHttpClient,
} from "pulumi-intune-domain-join/internal/graph/http-client";

export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/** One request and its answer, as the wire had them. */
export interface Exchange {
  method: Method;
  /** Path and query as sent, without the origin. */
  path: string;
  /** The HTTP status. */
  status: number;
  /** Response headers, names in lower case. */
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON; undefined when empty or not JSON. */
  json: unknown;
  /** The client-request-id sent. */
  clientRequestId: string;
  ms: number;
}

/** A connector this run created: the only kind a write may target. */
export interface OwnedConnector {
  id: string;
  /** The name it was created with (under the run's prefix). */
  name: string;
  /** What made it: a check's id, "life", … */
  madeBy: string;
  /** True once a DELETE of it answered 2xx or 404. */
  deleted: boolean;
}

/** The kit refused to send a request: it would have written to something the run did not create. */
export class OwnershipError extends Error {
  override readonly name = "OwnershipError";
}

const CONNECTOR_PATH =
  /^\/(?:beta|v1\.0)\/deviceManagement\/domainJoinConnectors(?:\/([^/?]+)|\('([^')]*)'\))?(\/[^?]*)?$/;

/** The connectors this run created, and the rule that keeps every write on them. */
export class Ownership {
  private readonly owned = new Map<string, OwnedConnector>();

  /** `prefix`: every connector the run creates is named `<prefix>-<label>`. */
  constructor(readonly prefix: string) {}

  add(id: string, name: string, madeBy: string): OwnedConnector {
    const key = id.toLowerCase();
    const known = this.owned.get(key);
    if (known) return known;
    const connector: OwnedConnector = { id, name, madeBy, deleted: false };
    this.owned.set(key, connector);
    return connector;
  }

  get(id: string): OwnedConnector | undefined {
    return this.owned.get(id.toLowerCase());
  }

  all(): OwnedConnector[] {
    return [...this.owned.values()];
  }

  /** Throws OwnershipError unless this run created the connector (the provider-client writes). */
  assertOwned(id: string, what: string): OwnedConnector {
    const owned = this.get(id);
    if (!owned) throw new OwnershipError(`refused to ${what} connector ${id}: not created by this run`);
    return owned;
  }

  /** Whether a name is one this run gives (its prefix, then a dash). */
  isOurs(name: unknown): boolean {
    return typeof name === "string" && name.startsWith(`${this.prefix}-`);
  }

  /**
   * Throws OwnershipError unless the request may be sent: any GET; a POST to the collection whose
   * body names a connector under the prefix; any other method on a connector this run created.
   */
  check(method: Method, pathname: string, body: unknown): void {
    if (method === "GET") return;
    const match = CONNECTOR_PATH.exec(pathname);
    const refuse = (why: string) => {
      throw new OwnershipError(`refused to send ${method} ${pathname}: ${why}`);
    };
    if (!match || match[3] !== undefined) return refuse("the kit writes only to connectors");
    const key = match[1] ?? match[2];
    if (key === undefined) {
      if (method !== "POST") return refuse("the collection takes only POST");
      const name = (body as { displayName?: unknown } | undefined)?.displayName;
      if (!this.isOurs(name)) return refuse(`a new connector must be named ${this.prefix}-…`);
      return;
    }
    let id: string;
    try {
      id = decodeURIComponent(key);
    } catch {
      return refuse("its key is not a connector id");
    }
    if (!this.get(id)) return refuse(`connector ${id} was not created by this run`);
  }
}

export interface ProbeOptions {
  /** The Graph origin (the provider's resolved graphEndpoint). */
  origin: URL;
  tokens: AccessTokenSource;
  /** The provider's shared limiter; bypassed by `unlimited` requests (the throttling burst). */
  limiter: RequestLimiter;
  ownership: Ownership;
  userAgent: string;
  /** Time allowed for one request, body included. */
  timeoutMs: number;
}

export interface ProbeRequest {
  method: Method;
  /** `/beta/…` or `/v1.0/…` with its query, or an absolute URL on the Graph origin (a next link). */
  path: string;
  body?: unknown;
  /** Send no Authorization header (the 401 check). */
  anonymous?: boolean;
  /** Default application/json. */
  accept?: string;
  /** Skip the rate limiter: only the throttling checks, which mean to pass the limit. */
  unlimited?: boolean;
}

/** A request that got no answer (timeout, reset, TLS). */
export class NoAnswerError extends Error {
  override readonly name = "NoAnswerError";
}

/** Sends single requests to Graph and keeps each exchange; never retries. */
export class Probe {
  private readonly http: ClosableHttpClient = createNodeFetchHttpClient();
  /** Every exchange in the order sent (the report counts them). */
  readonly exchanges: Exchange[] = [];
  /** When the last write was answered (the throttling burst waits for a quiet window after it). */
  lastWriteAt = 0;

  constructor(readonly options: ProbeOptions) {}

  /** The URL of a request: on the Graph origin, under /beta or /v1.0. */
  resolve(pathOrUrl: string): URL {
    const { origin } = this.options;
    const url = /^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl) ? new URL(pathOrUrl) : new URL(pathOrUrl, origin);
    if (url.origin !== origin.origin)
      throw new OwnershipError(
        `refused to follow a link to ${url.origin}: not the Graph origin ${origin.origin}`,
      );
    if (!/^\/(beta|v1\.0)\//.test(url.pathname) || url.username || url.password)
      throw new OwnershipError(`refused to request ${url.pathname}: not under /beta or /v1.0`);
    return url;
  }

  async send(request: ProbeRequest): Promise<Exchange> {
    const url = this.resolve(request.path);
    this.options.ownership.check(request.method, url.pathname, request.body);
    const clientRequestId = randomUUID();
    const headers = createHttpHeaders({
      accept: request.accept ?? "application/json",
      "client-request-id": clientRequestId,
      "return-client-request-id": "true",
      "user-agent": this.options.userAgent,
    });
    if (!request.anonymous) headers.set("authorization", `Bearer ${await this.options.tokens.getToken()}`);
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers.set("content-type", "application/json");
    }
    const write = request.method !== "GET";
    const settle = request.unlimited ? () => undefined : await this.options.limiter.acquire(write);
    const started = performance.now();
    const shown = url.pathname + url.search;
    try {
      const response = await this.http.sendRequest(
        createPipelineRequest({
          url: url.toString(),
          method: request.method,
          headers,
          body,
          timeout: this.options.timeoutMs,
          allowInsecureConnection: url.protocol === "http:",
        }),
      );
      const text = response.bodyAsText ?? "";
      const exchange: Exchange = {
        method: request.method,
        path: shown,
        status: response.status,
        headers: Object.fromEntries(
          [...response.headers].map(([name, value]) => [name.toLowerCase(), value]),
        ),
        text,
        json: parseJson(text),
        clientRequestId,
        ms: Math.round(performance.now() - started),
      };
      this.exchanges.push(exchange);
      return exchange;
    } catch (error) {
      throw new NoAnswerError(
        `${request.method} ${shown} got no answer: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      settle();
      if (write) this.lastWriteAt = Date.now();
    }
  }

  close(): void {
    this.http.close();
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
