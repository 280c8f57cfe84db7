// Microsoft Graph beta's /deviceManagement/domainJoinConnectors, checked in the order the real
// service checks: version, token (Graph front end) and the tenant it names, throttling, route,
// method, then Intune: the tenant's licence, permission, key, body, and then the operation. Each
// tenant has its own connectors and throttling windows (GraphTenant).
import { toGraphObject } from "../connectors/model";
import type { ConnectorStore } from "../connectors/store";
import { graphErrors, intuneResource } from "./errors";
import { READ_SCOPES, WRITE_SCOPES, hasAnyPermission, type GraphTokenValidator } from "./auth";
import { checkConnectorBody } from "./validation";
import { headerValue, parseJson, type IncomingCall, type Reply } from "../http";
import {
  IssuedSkipLinks,
  cutPage,
  decodeSkipToken,
  encodeSkipToken,
  firstCursor,
  nextLinkQuery,
  skipTokenOf,
  withoutOption,
  type PageCursor,
} from "./paging";
import { checkCountQuery, parseItemQuery, parseListQuery, selectProperties, type ListQuery } from "./query";
import { isGuid, newGuid } from "../ids";
import { NEVER_CONNECTED, serviceTimestamp } from "../time";
import { formatRetryAfter, type Throttle } from "./throttle";
import type { ConnectorRecord } from "../types";
import type { ServiceVariants } from "./variants";

export interface GraphSettings {
  pageSize: number;
  /** Behaviours Microsoft's sources leave open (graph/variants.ts). */
  variants: ServiceVariants;
  retryAfter: boolean;
  /** Properties a PATCH leaves unchanged while answering as if it took them. */
  ignoredPatchProperties: readonly string[];
  /** After a write, reads by id answer 404 for this many reads and this long. */
  replicationLag: { reads: number; ms: number };
  /** false: the tenant has no active Intune licence, and Intune refuses every request (403). */
  intuneLicensed: boolean;
}

/**
 * What Graph serves one tenant from: its connectors, its throttling windows (Intune's limits are
 * per app per tenant and per tenant), and what its recent writes left behind.
 */
export class GraphTenant {
  /** Connectors written recently, not yet visible to reads by id (replication lag). */
  readonly lagging = new Map<string, { reads: number; until: number }>();
  /** The `$skip` next links issued (variant paging "skip"). */
  readonly skipLinks = new IssuedSkipLinks();

  /**
   * @param intuneLicensed the tenant's own licence, when its options say; else the emulator's
   *   option `intuneLicensed` decides
   */
  constructor(
    readonly store: ConnectorStore,
    readonly throttle: Throttle,
    readonly intuneLicensed?: boolean,
  ) {}

  /** Forgets the replication lag of earlier writes and the next links issued (emulator reset). */
  forgetWrites(): void {
    this.lagging.clear();
    this.skipLinks.clear();
  }
}

export interface GraphDeps {
  origin: string;
  tokens: GraphTokenValidator;
  /** The tenant a valid token names (its `tid`). */
  tenant: (tenantId: string) => GraphTenant | undefined;
  /** The service clock's now (connector time). */
  now: () => number;
  /** Read on each request: the options can change while the emulator runs. */
  settings: () => GraphSettings;
}

const TEXT_HEADERS = { "Content-Type": "text/plain;charset=utf-8", "OData-Version": "4.0" };
const SUCCESS_HEADERS = {
  "Content-Type":
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
  "OData-Version": "4.0",
};
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const COLLECTION_TEMPLATE = "~/singleton/navigation";
const ITEM_TEMPLATE = "~/singleton/navigation/key";
const COUNT_TEMPLATE = "~/singleton/navigation/$count";

type Target =
  | { kind: "collection" }
  | { kind: "count" }
  | { kind: "item"; id: string }
  | { kind: "unknown"; segment: string };

export class GraphService {
  constructor(private readonly deps: GraphDeps) {}

  async handle(call: IncomingCall): Promise<Reply> {
    const segments = call.path.split("/").filter(Boolean).map(safeDecode);
    const version = segments[0] ?? "";
    if (version !== "beta" && version !== "v1.0") return graphErrors.invalidVersion(call, version);

    const auth = await this.deps.tokens.check(headerValue(call.headers, "authorization"));
    if (auth.appId) call.note.appId = auth.appId;
    if (!auth.ok) return graphErrors.unauthorized(call, auth.message);
    const tenant = this.deps.tenant(auth.tenantId);
    if (!tenant) return graphErrors.unauthorized(call, "Access token validation failure. Invalid issuer.");

    const settings = this.deps.settings();
    const decision = tenant.throttle.admit(auth.appId, WRITE_METHODS.has(call.method));
    if (decision.throttled) {
      return graphErrors.tooManyRequests(
        call,
        settings.retryAfter ? formatRetryAfter(decision.retryAfterMs) : null,
      );
    }

    // This resource exists in beta only; v1.0 does not know the navigation property.
    const target: Target =
      version === "v1.0" &&
      segments[1] === "deviceManagement" &&
      segments[2]?.startsWith("domainJoinConnectors")
        ? { kind: "unknown", segment: "domainJoinConnectors" }
        : parseTarget(segments.slice(1));
    if (target.kind === "unknown") return graphErrors.segmentNotFound(call, target.segment);

    const allowed =
      target.kind === "collection"
        ? ["GET", "POST"]
        : target.kind === "count"
          ? ["GET"]
          : ["GET", "PATCH", "DELETE"];
    if (!allowed.includes(call.method)) {
      if (settings.variants.unsupportedMethod === "405") return graphErrors.methodNotAllowed(call, allowed);
      return graphErrors.noMethodMatch(
        call,
        target.kind === "item"
          ? ITEM_TEMPLATE
          : target.kind === "count"
            ? COUNT_TEMPLATE
            : COLLECTION_TEMPLATE,
      );
    }

    const resource = intuneResource(target.kind === "item" ? target.id : undefined);
    if (!(tenant.intuneLicensed ?? settings.intuneLicensed)) return graphErrors.unlicensed(call, resource);
    const required = call.method === "GET" ? READ_SCOPES : WRITE_SCOPES;
    if (!hasAnyPermission(auth.permissions, required)) return graphErrors.forbidden(call, required, resource);

    if (target.kind === "collection")
      return call.method === "GET" ? this.list(call, tenant, settings) : this.create(call, tenant, settings);
    if (target.kind === "count") return this.count(call, tenant, settings);
    if (!isGuid(target.id)) return graphErrors.badKey(call, resource);
    switch (call.method) {
      case "GET":
        return this.get(call, tenant, target.id, settings);
      case "PATCH":
        return this.update(call, tenant, target.id, settings);
      default:
        return this.remove(call, tenant, target.id, settings);
    }
  }

  /**
   * The list, in creation order, a page at a time: $top sets the page size (query-parameters.md),
   * up to the service's (option pageSize). The next link carries the request's other query options
   * (paging.md) and an opaque $skiptoken or, under variant paging "skip", a $skip.
   */
  private list(call: IncomingCall, tenant: GraphTenant, settings: GraphSettings): Reply {
    const { paging, listQuery } = settings.variants;
    // A $skip link this service issued is its own paging; any other $skip is the client's option.
    const issuedSkip = tenant.skipLinks.offsetOf(call.query);
    const params = issuedSkip === undefined ? call.query : withoutOption(call.query, "$skip");
    const parsed = parseListQuery(params, listQuery);
    if (!parsed.ok) return graphErrors.badRequest(call, parsed.message);
    const query: ListQuery = parsed.value;
    const token = skipTokenOf(params);
    const cursor: PageCursor | undefined =
      issuedSkip !== undefined
        ? { offset: issuedSkip, empty: false }
        : token === undefined
          ? firstCursor(paging)
          : decodeSkipToken(token);
    if (cursor === undefined)
      return graphErrors.badRequest(call, `The $skiptoken value '${token}' is not valid.`);
    const all = tenant.store.list();
    const size = Math.min(query.top ?? settings.pageSize, settings.pageSize);
    const { page, next } = cutPage(all, cursor, size, paging);
    const body: Record<string, unknown> = {
      "@odata.context": `${this.deps.origin}/beta/$metadata#deviceManagement/domainJoinConnectors${query.select ? `(${query.select.join(",")})` : ""}`,
    };
    if (query.count) body["@odata.count"] = all.length;
    body.value = page.map((r) => selectProperties(toGraphObject(r), query.select));
    if (next) {
      let link: string;
      if (paging === "skip" && !next.empty) {
        link = nextLinkQuery(params, String(next.offset), "$skip");
        tenant.skipLinks.remember(link);
      } else {
        link = nextLinkQuery(params, encodeSkipToken(next));
      }
      body["@odata.nextLink"] = `${this.deps.origin}/beta/deviceManagement/domainJoinConnectors?${link}`;
    }
    return { status: 200, headers: SUCCESS_HEADERS, body };
  }

  /** `/$count`: the number of connectors, as plain text. */
  private count(call: IncomingCall, tenant: GraphTenant, settings: GraphSettings): Reply {
    const checked = checkCountQuery(call.query, settings.variants.listQuery);
    if (!checked.ok) return graphErrors.badRequest(call, checked.message);
    return { status: 200, headers: TEXT_HEADERS, body: String(tenant.store.size) };
  }

  private get(call: IncomingCall, tenant: GraphTenant, id: string, settings: GraphSettings): Reply {
    const parsed = parseItemQuery(call.query);
    if (!parsed.ok) return graphErrors.badRequest(call, parsed.message);
    const record = tenant.store.get(id);
    if (!record || stillLagging(tenant, id)) return graphErrors.notFound(call, intuneResource(id));
    const object = selectProperties(toGraphObject(record), parsed.value.select);
    if (settings.variants.getResponse === "value-wrapped") {
      return {
        status: 200,
        headers: SUCCESS_HEADERS,
        body: { "@odata.context": this.entityContext(), value: object },
      };
    }
    return {
      status: 200,
      headers: SUCCESS_HEADERS,
      body: { "@odata.context": this.entityContext(), ...object },
    };
  }

  private create(call: IncomingCall, tenant: GraphTenant, settings: GraphSettings): Reply {
    const parsed = this.parseBody(call);
    if (!parsed.ok) return graphErrors.invalidJson(call);
    const check = checkConnectorBody(parsed.value, "create");
    if (!check.ok) return graphErrors.badRequest(call, check.message);
    const { variants } = settings;
    if (check.input.state !== undefined && variants.stateWrite === "refused") return stateRefused(call);
    const sent = parsed.value as Record<string, unknown>;
    const missing = REQUIRED_ON_CREATE[variants.createRequires].find(
      (property) => sent[property] === undefined,
    );
    if (missing) return requiredMissing(call, missing);
    const id = newGuid();
    // A connector object created through Graph has not been claimed by any server yet, unless the
    // POST wrote a last contact that the service takes (variant contactWrite).
    const contact = variants.contactWrite === "echoed" ? check.input.lastConnectionDateTime : undefined;
    const [inserted] = tenant.store.insert(
      [
        {
          id,
          displayName: check.input.displayName ?? null,
          version: check.input.version ?? (variants.createdVersion === "null" ? null : ""),
          lastConnectionDateTime:
            contact ??
            (variants.newConnectorContact === "created-at"
              ? serviceTimestamp(this.deps.now())
              : NEVER_CONNECTED),
        },
      ],
      contact === undefined ? new Set([id]) : new Set(),
      true,
    );
    const record = takeState(tenant, inserted, check.input.state, variants) ?? inserted;
    written(tenant, record.id, settings);
    const reply = this.entity(201, record);
    if (variants.createLocation === "header") {
      reply.headers = {
        ...reply.headers,
        Location: `${this.deps.origin}/beta/deviceManagement/domainJoinConnectors('${record.id}')`,
      };
    }
    return reply;
  }

  private update(call: IncomingCall, tenant: GraphTenant, id: string, settings: GraphSettings): Reply {
    const parsed = this.parseBody(call);
    if (!parsed.ok) return graphErrors.invalidJson(call);
    const check = checkConnectorBody(parsed.value, "update", id);
    if (!check.ok) return graphErrors.badRequest(call, check.message);
    const { variants } = settings;
    if (check.input.state !== undefined && variants.stateWrite === "refused") return stateRefused(call);
    const { state, ...fields } = Object.fromEntries(
      Object.entries(check.input).filter(
        ([key]) =>
          !settings.ignoredPatchProperties.includes(key) &&
          !(key === "lastConnectionDateTime" && variants.contactWrite === "ignored"),
      ),
    ) as typeof check.input;
    const updated = tenant.store.update(id, fields);
    if (!updated) return graphErrors.notFound(call, intuneResource(id));
    const record = takeState(tenant, updated, state, variants) ?? updated;
    written(tenant, id, settings);
    return variants.patchResponse === "body" ? this.entity(200, record) : { status: 204 };
  }

  private remove(call: IncomingCall, tenant: GraphTenant, id: string, settings: GraphSettings): Reply {
    const { deleteRegistered } = settings.variants;
    const registered = tenant.store.isRegistered(id);
    if (registered && deleteRegistered === "refused") return removalRefused(call);
    const softwareRuns = registered && deleteRegistered === "reappears";
    if (!tenant.store.remove(id, { softwareRuns })) return graphErrors.notFound(call, intuneResource(id));
    return { status: 204 };
  }

  private entity(status: number, record: ConnectorRecord): Reply {
    return {
      status,
      headers: SUCCESS_HEADERS,
      body: { "@odata.context": this.entityContext(), ...toGraphObject(record) },
    };
  }

  private entityContext(): string {
    return `${this.deps.origin}/beta/$metadata#deviceManagement/domainJoinConnectors/$entity`;
  }

  /** Parse the JSON body and note it for the request log. */
  private parseBody(call: IncomingCall): ReturnType<typeof parseJson> {
    const parsed = parseJson(call.body);
    if (parsed.ok) call.note.body = parsed.value;
    return parsed;
  }
}

/** Starts the replication lag of a connector just written, when the settings ask for one. */
function written(tenant: GraphTenant, id: string, settings: GraphSettings): void {
  const { reads, ms } = settings.replicationLag;
  if (reads > 0 || ms > 0) tenant.lagging.set(id.toLowerCase(), { reads, until: Date.now() + ms });
}

/** Whether a read by id still misses a recent write; counts the read when it does. */
function stillLagging(tenant: GraphTenant, id: string): boolean {
  const lag = tenant.lagging.get(id.toLowerCase());
  if (!lag) return false;
  if (lag.reads <= 0 && Date.now() >= lag.until) {
    tenant.lagging.delete(id.toLowerCase());
    return false;
  }
  lag.reads--;
  return true;
}

/** A written state, as the variant takes it; the record as it now reads, or undefined if unchanged. */
function takeState(
  tenant: GraphTenant,
  record: ConnectorRecord,
  state: ConnectorRecord["state"] | undefined,
  variants: ServiceVariants,
): ConnectorRecord | undefined {
  if (state === undefined || variants.stateWrite !== "until-heartbeat") return undefined;
  tenant.store.writeState(record.id, state);
  return tenant.store.get(record.id);
}

/** Variant stateWrite "refused": the wording is the emulator's own; no source gives Intune's. */
function stateRefused(call: IncomingCall): Reply {
  return graphErrors.badRequest(
    call,
    "The property 'state' cannot be written: Intune sets it from the connector's heartbeats.",
  );
}

/**
 * What a POST must carry under each reading of the create page's "required" table (variant
 * createRequires); `id` never, since the service assigns it.
 */
const REQUIRED_ON_CREATE: Record<ServiceVariants["createRequires"], readonly string[]> = {
  nothing: [],
  version: ["displayName", "version"],
  listed: ["displayName", "lastConnectionDateTime", "state", "version"],
};

/** Variant createRequires: the wording is the emulator's own; no source gives Intune's. */
function requiredMissing(call: IncomingCall, property: string): Reply {
  return graphErrors.badRequest(
    call,
    `The property '${property}' is required when creating a deviceManagementDomainJoinConnector.`,
  );
}

/**
 * Variant deleteRegistered "refused". The reason is Intune's product docs' ("The Intune Connector
 * for Active Directory can't be removed through the Intune portal or through a graph API call");
 * the wording of the answer is the emulator's own.
 */
function removalRefused(call: IncomingCall): Reply {
  return graphErrors.badRequest(
    call,
    "The Intune Connector for Active Directory can't be removed through a graph API call while its server is registered. " +
      "Uninstall the connector from the server; Intune removes an inactive connector after 30 days.",
  );
}

/** Segments after the version: deviceManagement/domainJoinConnectors[/{id}] or ...Connectors('{id}'). */
function parseTarget(segments: string[]): Target {
  const [singleton, navigation, key, ...rest] = segments;
  if (singleton !== "deviceManagement") return { kind: "unknown", segment: singleton ?? "" };
  if (navigation === undefined) return { kind: "unknown", segment: singleton };
  const keyed = /^domainJoinConnectors\('?([^')]*)'?\)$/.exec(navigation);
  if (keyed) return key === undefined ? { kind: "item", id: keyed[1] } : { kind: "unknown", segment: key };
  if (navigation !== "domainJoinConnectors") return { kind: "unknown", segment: navigation };
  if (key === undefined) return { kind: "collection" };
  if (rest.length > 0) return { kind: "unknown", segment: rest[0] };
  // OData's count segment (the generated SDKs' Count() builder), not a key.
  if (key === "$count") return { kind: "count" };
  return { kind: "item", id: key };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
