/**
 * What a check works with: the probe, the connectors the run creates for checks to look at or
 * change, list and read helpers that tolerate a real service's replication delay, and the answers
 * several checks share (a 404, the throttling burst), each sent once.
 *
 * Connectors: `subject()` is POSTed once without version or state and is only read afterwards (the
 * rows about a new connector look at it); `scratch()` takes the writes the rows say are refused;
 * `fresh(label)` is a new one for a check that changes what it reads back. Each is named
 * `<prefix>-<label>`, and the run deletes every one it created (kit.ts).
 */
import { randomUUID } from "node:crypto";
import { readClaims, type TokenClaims } from "pulumi-intune-domain-join/internal/logic/token-claims";
import { Exchange, Method, OwnedConnector, Ownership, Probe, ProbeRequest } from "./exchange";
import { Json, entity, itemsOf, observe } from "./judge";

export const CONNECTORS = "/beta/deviceManagement/domainJoinConnectors";
/** The type the sources name (resource page, SDK): written here, not taken from the provider. */
export const CONNECTOR_TYPE = "#microsoft.graph.deviceManagementDomainJoinConnector";

/** Intune's published limits for this entity: writes per app per 20 seconds (the throttling include). */
export const APP_WRITE_LIMIT = 100;
export const WINDOW_MS = 20_000;
/** The burst stops after this many writes, 429 or not. */
export const BURST_MAX = 110;
const BURST_WAVE = 10;
const MAX_PAGES = 200;

/** A check cannot run: something it needs failed (the run fails, the row is not checkable). */
export class Blocked extends Error {
  override readonly name = "Blocked";
}

export interface TrialOptions {
  /** How long a read of a connector just written may answer 404 before it counts (replication). */
  readAfterWriteMs: number;
  /** How long a connector just created may take to appear in the list, or a deleted one to go. */
  listSettleMs: number;
  /** Whether the throttling checks may send their burst. */
  throttle: boolean;
}

export interface Burst {
  /** The connector the burst renamed. */
  connector: OwnedConnector;
  /** Every answer, in the order sent. */
  exchanges: Exchange[];
  /** From the first request sent to the last answer. */
  ms: number;
}

export interface Listing {
  pages: Exchange[];
  items: Json[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A short account of an answer, for a Blocked message. */
export function describeAnswer(exchange: Exchange): string {
  const o = observe(exchange);
  return `${o.request} answered ${o.status}${o.code ? ` ${o.code}` : ""}${o.message ? `: ${o.message}` : ""}`;
}

export class Trial {
  private readonly once = new Map<string, Promise<unknown>>();

  constructor(
    readonly probe: Probe,
    readonly ownership: Ownership,
    readonly options: TrialOptions,
  ) {}

  /** `<prefix>-<label>`: the name of every connector the run creates. */
  name(label: string): string {
    return `${this.ownership.prefix}-${label}`;
  }

  item(id: string, query = ""): string {
    return `${CONNECTORS}/${encodeURIComponent(id)}${query}`;
  }

  send(request: ProbeRequest): Promise<Exchange> {
    return this.probe.send(request);
  }

  get(path: string, options: Omit<ProbeRequest, "method" | "path"> = {}): Promise<Exchange> {
    return this.probe.send({ method: "GET", path, ...options });
  }

  /** Shares one run of `make` among every check that asks for `key`. */
  shared<T>(key: string, make: () => Promise<T>): Promise<T> {
    let pending = this.once.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = make();
      this.once.set(key, pending);
    }
    return pending;
  }

  /**
   * POSTs a connector named `<prefix>-<label>` (the body's other properties from `extra`). The id
   * of a 2xx answer — from its body, else from its Location header — is the run's from then on.
   */
  async post(label: string, extra: Json = {}): Promise<{ exchange: Exchange; connector?: OwnedConnector }> {
    const displayName = this.name(label);
    const exchange = await this.probe.send({
      method: "POST",
      path: CONNECTORS,
      body: { "@odata.type": CONNECTOR_TYPE, displayName, ...extra },
    });
    if (exchange.status < 200 || exchange.status >= 300) return { exchange };
    const id = entity(exchange.json)?.id ?? idInLocation(exchange.headers.location);
    if (typeof id !== "string" || id === "") return { exchange };
    return { exchange, connector: this.ownership.add(id, displayName, label) };
  }

  /** A new connector for one check; Blocked when the POST is not taken. */
  async fresh(label: string, extra: Json = {}): Promise<OwnedConnector> {
    const { exchange, connector } = await this.post(label, extra);
    if (!connector)
      throw new Blocked(`could not create the connector this check works on: ${describeAnswer(exchange)}`);
    return connector;
  }

  /** The POST of the run's subject connector: no version, no state, never written again. */
  subjectPost(): Promise<{ exchange: Exchange; connector?: OwnedConnector }> {
    return this.shared("subject", () => this.post("subject"));
  }

  async subject(): Promise<OwnedConnector> {
    const { exchange, connector } = await this.subjectPost();
    if (!connector) throw new Blocked(`could not create the kit's connector: ${describeAnswer(exchange)}`);
    return connector;
  }

  /** The connector that takes the writes the rows say are refused. */
  scratch(): Promise<OwnedConnector> {
    return this.shared("scratch", () => this.fresh("scratch"));
  }

  patch(connector: OwnedConnector, body: unknown, options: Partial<ProbeRequest> = {}): Promise<Exchange> {
    return this.probe.send({ method: "PATCH", path: this.item(connector.id), body, ...options });
  }

  async remove(connector: OwnedConnector): Promise<Exchange> {
    const exchange = await this.probe.send({ method: "DELETE", path: this.item(connector.id) });
    if ((exchange.status >= 200 && exchange.status < 300) || exchange.status === 404)
      connector.deleted = true;
    return exchange;
  }

  /** A new connector of the run (`label`), PATCHed with `body`, then read back. */
  async rewrite(
    label: string,
    body: Json,
  ): Promise<{ connector: OwnedConnector; written: Exchange; got: Exchange }> {
    const connector = await this.fresh(label);
    const written = await this.patch(connector, body);
    return { connector, written, got: await this.readBack(connector) };
  }

  /** Another method on a connector of the run (405 and the like). */
  other(method: Method, connector: OwnedConnector, body?: unknown): Promise<Exchange> {
    return this.probe.send({ method, path: this.item(connector.id), body });
  }

  /** GET of a connector just written: a 404 is read again until `readAfterWriteMs` has passed. */
  async readBack(connector: OwnedConnector, query = ""): Promise<Exchange> {
    const deadline = Date.now() + this.options.readAfterWriteMs;
    for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
      const exchange = await this.get(this.item(connector.id, query));
      if (exchange.status !== 404 || Date.now() + delay > deadline) return exchange;
      await sleep(delay);
    }
  }

  /** The whole list from `path`, following @odata.nextLink; stops at a page that is not 200. */
  async list(path = CONNECTORS): Promise<Listing> {
    const pages: Exchange[] = [];
    const items: Json[] = [];
    let next: string | undefined = path;
    while (next !== undefined && pages.length < MAX_PAGES) {
      const page = await this.get(next);
      pages.push(page);
      if (page.status !== 200) break;
      items.push(...itemsOf(page));
      const link = (page.json as { "@odata.nextLink"?: unknown } | undefined)?.["@odata.nextLink"];
      next = typeof link === "string" ? link : undefined;
    }
    return { pages, items };
  }

  /** Lists until `done` holds of the items or `listSettleMs` has passed; the last listing. */
  async listUntil(done: (items: Json[]) => boolean): Promise<Listing> {
    const deadline = Date.now() + this.options.listSettleMs;
    for (let delay = 500; ; delay = Math.min(delay * 2, 4000)) {
      const listing = await this.list();
      if (done(listing.items) || Date.now() + delay > deadline) return listing;
      await sleep(delay);
    }
  }

  /** GET of a connector id no one has (a new random GUID): Graph's 404. */
  missing(): Promise<Exchange> {
    return this.shared("missing", () => this.get(this.item(randomUUID())));
  }

  /** The claims of the token the run uses (never the token itself). */
  async claims(): Promise<TokenClaims | undefined> {
    return readClaims(await this.probe.options.tokens.getToken());
  }

  /**
   * The throttling burst, sent once for every throttling check: after a quiet window (no write of
   * the run in the last 20 s), up to BURST_MAX renames of a connector of the run, ten at a time,
   * past the rate limiter, until a wave has had a 429.
   */
  burst(): Promise<Burst> {
    return this.shared("burst", async () => {
      if (!this.options.throttle) throw new Blocked("the throttling burst runs only with --throttle");
      const connector = await this.fresh("throttle");
      const quiet = this.probe.lastWriteAt + WINDOW_MS + 1000 - Date.now();
      if (quiet > 0) await sleep(quiet);
      const exchanges: Exchange[] = [];
      const started = Date.now();
      for (let sent = 0; sent < BURST_MAX;) {
        const wave = Array.from({ length: Math.min(BURST_WAVE, BURST_MAX - sent) }, (_, i) => sent + i);
        sent += wave.length;
        const answers = await Promise.all(
          wave.map((i) =>
            this.patch(connector, { displayName: this.name(`throttle-${i + 1}`) }, { unlimited: true }),
          ),
        );
        exchanges.push(...answers);
        if (answers.some((a) => a.status === 429)) break;
      }
      return { connector, exchanges, ms: Date.now() - started };
    });
  }
}

/** The id in a Location header: `…/domainJoinConnectors('<id>')` or `…/domainJoinConnectors/<id>`. */
export function idInLocation(location: string | undefined): string | undefined {
  if (!location) return undefined;
  const match = /domainJoinConnectors(?:\('([^')]+)'\)|\/([^/?#]+))/.exec(location);
  const raw = match?.[1] ?? match?.[2];
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
