/**
 * The five connector operations on top of the Graph client, with the service's quirks handled:
 * paging through `@odata.nextLink`, PATCH answering 204 (then read back), DELETE of a missing
 * connector counting as done, and a POST with an unknown outcome reconciled rather than resent.
 */
import type { CreateBody } from "../connector/diff";
import { isGuid } from "../connector/constants";
import { GraphConnector } from "../connector/definition";
import { createCandidates, createFieldsKey, idKey } from "../connector/ownership";
import { Clock, realClock } from "../config/clock";
import { GraphClient } from "./client";
import {
  CreateReconciliationError,
  GraphError,
  GraphRequestRefusedError,
  OutcomeUnknownError,
} from "./errors";

export { CreateReconciliationError };

export const CONNECTORS_PATH = "/deviceManagement/domainJoinConnectors";

/** Upper bound on pages followed, so a service that links in a circle cannot loop forever. */
const MAX_PAGES = 1000;

export interface ConnectorsApiOptions {
  /** Reads of a just-written connector that answer 404 are retried this long (replication delay). Default 5 s. */
  readAfterWriteMs?: number;
  /** After a POST with an unknown outcome, how long the connector may take to appear in the list. Default 4 s. */
  reconcileMs?: number;
  /**
   * How long a listing taken before a create serves later creates too. Default 10 s. Creates of
   * the same process are tracked apart (they are never another create's outcome), so a reused
   * listing only misses connectors that someone else made within that time.
   */
  listReuseMs?: number;
  clock?: Clock;
}

export type { CreateBody } from "../connector/diff";

/**
 * What a create knows about the tenant, so that a POST with an unknown outcome is matched only
 * against connectors it could have made.
 */
export interface CreateContext {
  /** Ids (lower case) of the connectors that existed before the POST. Unset: any match counts. */
  before?: ReadonlySet<string>;
  /**
   * Ids (lower case) held by other resources of this deployment: never this create's. A
   * reconciled create adds the id it takes, so that two lost creates never take the same one.
   */
  held?: Set<string>;
}

/** The path of one connector; the id must be a GUID, so no input can reach another Graph path. */
export function connectorPath(id: string): string {
  if (typeof id !== "string" || !isGuid(id)) {
    throw new GraphRequestRefusedError(
      `connector id ${JSON.stringify(id)} is not a GUID; refusing to build a Graph path from it`,
    );
  }
  return `${CONNECTORS_PATH}/${encodeURIComponent(id)}`;
}

/**
 * The connector in a GET's body. OData, the get page's prose and the generated SDKs give the object
 * itself; the get page's example wraps it in `value`. Both are read.
 */
export function entityOf(
  body: GraphConnector | { value?: GraphConnector } | undefined,
): GraphConnector | undefined {
  if (body && !("id" in body) && typeof body.value === "object" && body.value !== null) return body.value;
  return body as GraphConnector | undefined;
}

export class ConnectorsApi {
  private readonly readAfterWriteMs: number;
  private readonly reconcileMs: number;
  private readonly clock: Clock;
  private readonly listReuseMs: number;
  private listing: Promise<GraphConnector[]> | undefined;
  private listed: { startedAt: number; connectors: GraphConnector[] } | undefined;
  // Creates of this process whose outcome is being settled, by the fields they sent.
  private readonly unsettled = new Map<string, number>();

  constructor(
    readonly client: GraphClient,
    options: ConnectorsApiOptions = {},
  ) {
    this.readAfterWriteMs = options.readAfterWriteMs ?? 5000;
    this.reconcileMs = options.reconcileMs ?? 4000;
    this.listReuseMs = options.listReuseMs ?? 10_000;
    this.clock = options.clock ?? realClock;
  }

  /** Every connector of the tenant, following `@odata.nextLink` to the last page. */
  async list(): Promise<GraphConnector[]> {
    const all: GraphConnector[] = [];
    let next: string | undefined = CONNECTORS_PATH;
    for (let page = 0; next !== undefined; page++) {
      if (page >= MAX_PAGES) throw new Error(`list connectors: more than ${MAX_PAGES} pages; stopping`);
      const response: { body?: { value?: GraphConnector[]; "@odata.nextLink"?: string } } =
        await this.client.send({
          operation: "list connectors",
          method: "GET",
          path: next,
        });
      all.push(...(response.body?.value ?? []));
      next = response.body?.["@odata.nextLink"];
    }
    return all;
  }

  /**
   * The tenant's connectors as they were before the caller's next write. The creates of one
   * deployment start together: they share a listing under way, or one that started less than
   * `listReuseMs` ago, instead of paging through the tenant once each.
   */
  async listShared(): Promise<GraphConnector[]> {
    if (this.listed && this.clock.now() - this.listed.startedAt <= this.listReuseMs) {
      return this.listed.connectors;
    }
    if (!this.listing) {
      const startedAt = this.clock.now();
      this.listing = this.list()
        .then((connectors) => {
          this.listed = { startedAt, connectors };
          return connectors;
        })
        .finally(() => {
          this.listing = undefined;
        });
    }
    return this.listing;
  }

  /** One connector, or undefined when Graph answers 404. */
  async get(id: string, operation = `read connector ${id}`): Promise<GraphConnector | undefined> {
    try {
      const response = await this.client.send<GraphConnector | { value?: GraphConnector }>({
        operation,
        method: "GET",
        path: connectorPath(id),
      });
      return entityOf(response.body);
    } catch (error) {
      if (error instanceof GraphError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Reads a connector that was just written; a 404 is retried briefly, since replicas may lag. */
  async getAfterWrite(id: string, operation: string): Promise<GraphConnector> {
    const deadline = this.clock.now() + this.readAfterWriteMs;
    for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
      const connector = await this.get(id, operation);
      if (connector) return connector;
      if (this.clock.now() + delay > deadline) {
        throw new Error(
          `${operation}: connector ${id} was written but reading it back answered 404 for ${this.readAfterWriteMs} ms`,
        );
      }
      await this.clock.sleep(delay);
    }
  }

  /**
   * POST a new connector. When the answer is lost or a 5xx (the service may have applied it), the
   * connectors are listed: exactly one matching the body, new since `context.before` and held by
   * no other resource, is the one this POST made; none or several fail with the candidates named,
   * and nothing is sent twice.
   */
  async create(
    body: CreateBody,
    context: CreateContext = {},
  ): Promise<{ connector: GraphConnector; reconciled: boolean }> {
    const operation = `create connector ${JSON.stringify(body.displayName)}`;
    try {
      const response = await this.client.send<GraphConnector>({
        operation,
        method: "POST",
        path: CONNECTORS_PATH,
        body,
      });
      if (!response.body?.id)
        throw new Error(`${operation}: Graph answered ${response.status} without the new connector`);
      return { connector: response.body, reconciled: false };
    } catch (error) {
      if (!(error instanceof OutcomeUnknownError)) throw error;
      const key = createFieldsKey(body);
      this.unsettled.set(key, (this.unsettled.get(key) ?? 0) + 1);
      try {
        return { connector: await this.reconcileCreate(body, context, error, key), reconciled: true };
      } finally {
        this.unsettled.set(key, (this.unsettled.get(key) ?? 1) - 1);
      }
    }
  }

  private async reconcileCreate(
    body: CreateBody,
    context: CreateContext,
    unknown: OutcomeUnknownError,
    key: string,
  ): Promise<GraphConnector> {
    const deadline = this.clock.now() + this.reconcileMs;
    let matches: GraphConnector[];
    for (let delay = 500; ; delay *= 2) {
      const listed = await this.list();
      // Re-read after the await: a sibling create may have taken one meanwhile.
      matches = createCandidates(listed, body, context);
      // One candidate; or identical ones, no more than this process's own lost creates of those
      // fields: they are all ours, and which one each create takes does not matter.
      if (matches.length > 0 && matches.length <= Math.max(1, this.unsettled.get(key) ?? 0)) {
        const taken = [...matches].sort((a, b) => a.id.localeCompare(b.id))[0];
        context.held?.add(idKey(taken.id));
        return taken;
      }
      if (matches.length > 0 || this.clock.now() + delay > deadline) break;
      await this.clock.sleep(delay);
    }
    const name = JSON.stringify(body.displayName);
    const message =
      matches.length === 0
        ? `${unknown.message}. No new connector named ${name} appeared after the failed create, so nothing was created; ` +
          "running the deployment again is safe"
        : `${unknown.message}. ${matches.length} new connectors are named ${name} (${matches.map((c) => c.id).join(", ")}); ` +
          "one of them may have been created by this request. Adopt the right one with connectorId, or delete the extra one, then run again";
    throw new CreateReconciliationError(
      message,
      matches.map((c) => c.id),
      unknown,
    );
  }

  /** PATCH the given properties; the result is the connector as the service now has it. */
  async update(id: string, body: Record<string, unknown>): Promise<GraphConnector> {
    const operation = `update connector ${id}`;
    const response = await this.client.send<GraphConnector>({
      operation,
      method: "PATCH",
      path: connectorPath(id),
      body,
    });
    // The update page documents 200 with the object; some Intune entities answer 204 No Content
    // (not documented for this one): read it back then.
    if (response.status === 200 && response.body?.id) return response.body;
    return this.getAfterWrite(id, `read connector ${id} after update`);
  }

  /** DELETE; a connector already gone counts as deleted. */
  async delete(id: string): Promise<"deleted" | "already-gone"> {
    try {
      await this.client.send({
        operation: `delete connector ${id}`,
        method: "DELETE",
        path: connectorPath(id),
      });
      return "deleted";
    } catch (error) {
      if (error instanceof GraphError && error.status === 404) return "already-gone";
      throw error;
    }
  }
}
