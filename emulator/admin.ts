// The admin API under /_emulator/: the library API over HTTP, for scripts, other languages and
// the CLI user; /_emulator/tenants/{id}/… is one tenant's, the top level the default tenant's. No authentication: the emulator listens on loopback only. It also serves the test
// OIDC issuer's discovery document and keys.
import { UnknownConnectorError } from "./connectors/model";
import { UnknownTenantError } from "./tenants/directory";
import { generateTenants } from "./tenants/options";
import { isPlainObject, jsonReply, parseJson, type IncomingCall, type Reply } from "./http";
import type { TestOidcIssuer } from "./entra/oidc-issuer";
import type {
  ConnectorPatch,
  ConnectorRecord,
  EmulatedTenant,
  Emulator,
  FaultRule,
  RequestLogEntry,
  RuntimeOptions,
  TenantConsent,
  TenantOptions,
} from "./types";

export const ADMIN_PREFIX = "/_emulator/";

/** A request the admin API refuses, with the status to answer. */
class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const LOG_KINDS = new Set<string>(["token", "graph", "admin"]);

export class AdminApi {
  constructor(
    private readonly emulator: Emulator,
    private readonly issuer: TestOidcIssuer,
  ) {}

  async handle(call: IncomingCall): Promise<Reply> {
    try {
      return await this.route(call);
    } catch (err) {
      const status =
        err instanceof AdminError
          ? err.status
          : err instanceof UnknownConnectorError || err instanceof UnknownTenantError
            ? 404
            : 400;
      const message = err instanceof Error ? err.message : String(err);
      return jsonReply(status, { error: { code: status === 404 ? "NotFound" : "BadRequest", message } });
    }
  }

  private async route(call: IncomingCall): Promise<Reply> {
    const emu = this.emulator;
    const route = call.path.slice(ADMIN_PREFIX.length).replace(/\/$/, "");
    const scoped = /^tenants\/([^/]+)(?:\/(.*))?$/.exec(route);
    if (scoped) return this.tenantRoute(call, emu.tenant(decodeURIComponent(scoped[1])), scoped[2] ?? "");
    const connectors = this.connectorRoute(call, emu.tenant(), route);
    if (connectors) return connectors;

    switch (`${call.method} ${route}`) {
      case "GET requests": {
        const tenantId = call.query.get("tenantId") ?? undefined;
        return jsonReply(
          200,
          emu.requestLog({ kind: logKind(call), ...(tenantId !== undefined && { tenantId }) }),
        );
      }
      case "DELETE requests":
        emu.clearLog();
        return { status: 204 };
      case "GET summary": {
        const filter = { tenantId: call.query.get("tenantId") ?? undefined };
        return jsonReply(200, { ...emu.summary(filter), line: emu.summaryLine(filter) });
      }
      case "POST reset": {
        const body = this.body(call);
        emu.reset(body.seed === undefined ? {} : { seed: seedArgument(body.seed) });
        return jsonReply(200, { connectors: emu.connectors() });
      }
      case "GET tenants":
        return jsonReply(
          200,
          emu.tenants().map((t) => t.info()),
        );
      case "POST tenants": {
        const added = emu.addTenants(this.tenantsToAdd(call));
        return jsonReply(201, { tenants: added.map((t) => t.info()) });
      }
      case "GET clock":
        return jsonReply(200, { now: emu.now().toISOString() });
      case "POST clock": {
        const { advanceMs } = this.body(call);
        if (typeof advanceMs !== "number")
          throw new AdminError(400, "give advanceMs, a number of milliseconds ≥ 0");
        return jsonReply(200, { now: emu.advanceClock(advanceMs).toISOString() });
      }
      case "POST faults": {
        const rules = this.faultRules(call);
        for (const rule of rules) emu.addFault(rule);
        return jsonReply(201, { added: rules.length });
      }
      case "DELETE faults":
        emu.clearFaults();
        return { status: 204 };
      case "PATCH options":
        emu.setOptions(this.body(call) as RuntimeOptions);
        return { status: 204 };
      case "GET info":
        return jsonReply(200, {
          url: emu.url,
          graphEndpoint: emu.graphEndpoint,
          authorityHost: emu.authorityHost,
          tenantId: emu.tenantId,
          cloud: emu.cloud,
          caCertPath: emu.caCertPath,
          issuer: emu.issuer,
          variants: emu.variants(),
          now: emu.now().toISOString(),
          // Never the secrets: anyone on the machine can read this endpoint.
          apps: emu.apps.map(({ clientId, displayName, roles, federated }) => ({
            clientId,
            displayName,
            roles,
            federated,
          })),
          tenants: emu.tenants().map((t) => t.info()),
        });
      case "POST oidc/mint": {
        const { subject, audience, lifetimeSeconds } = this.body(call);
        if (typeof subject !== "string") throw new AdminError(400, "subject must be a string");
        if (audience !== undefined && typeof audience !== "string")
          throw new AdminError(400, "audience must be a string");
        if (lifetimeSeconds !== undefined && typeof lifetimeSeconds !== "number") {
          throw new AdminError(400, "lifetimeSeconds must be a number");
        }
        return jsonReply(200, {
          token: await emu.mintFederatedToken({ subject, audience, lifetimeSeconds }),
        });
      }
      case "GET oidc/.well-known/openid-configuration":
        return jsonReply(200, this.issuer.discovery());
      case "GET oidc/jwks":
        return jsonReply(200, this.issuer.jwks());
      default:
        throw new AdminError(404, `no admin endpoint ${call.method} ${call.path}`);
    }
  }

  /** `/_emulator/tenants/{id}/…`: one tenant's connectors, consents, faults and log. */
  private tenantRoute(call: IncomingCall, tenant: EmulatedTenant, route: string): Reply {
    const connectors = this.connectorRoute(call, tenant, route);
    if (connectors) return connectors;
    const consent = /^consents\/([^/]+)$/.exec(route);
    if (consent && call.method === "DELETE") {
      tenant.revokeConsent(decodeURIComponent(consent[1]));
      return { status: 204 };
    }
    switch (`${call.method} ${route}`) {
      case "GET ":
        return jsonReply(200, tenant.info());
      case "POST consents": {
        const { clientId, roles } = this.body(call);
        tenant.consent(clientId as string, roles as string[] | undefined);
        return jsonReply(201, tenant.info().consents);
      }
      case "POST faults": {
        const rules = this.faultRules(call);
        for (const rule of rules) tenant.addFault(rule);
        return jsonReply(201, { added: rules.length });
      }
      case "GET requests":
        return jsonReply(200, tenant.requestLog({ kind: logKind(call) }));
      case "GET summary":
        return jsonReply(200, { ...tenant.summary(), line: tenant.summaryLine() });
      default:
        throw new AdminError(404, `no admin endpoint ${call.method} ${call.path}`);
    }
  }

  /** The routes of one tenant's connectors (the default tenant's at the top level), or undefined. */
  private connectorRoute(call: IncomingCall, tenant: EmulatedTenant, route: string): Reply | undefined {
    const connector = /^connectors\/([^/]+)(\/heartbeat)?$/.exec(route);
    const key = `${call.method} ${connector ? (connector[2] ? "connectors/{id}/heartbeat" : "connectors/{id}") : route}`;
    switch (key) {
      case "POST seed": {
        const body = this.body(call);
        const seed = body.connectors ?? body.count;
        if (seed === undefined) throw new AdminError(400, "give connectors (an array) or count (a number)");
        return jsonReply(201, { connectors: tenant.seed(seedArgument(seed)) });
      }
      case "GET connectors":
        return jsonReply(200, tenant.connectors());
      case "PATCH connectors/{id}":
        return jsonReply(
          200,
          tenant.editOutOfBand(connectorId(connector), this.body(call) as ConnectorPatch),
        );
      case "DELETE connectors/{id}":
        tenant.removeOutOfBand(connectorId(connector));
        return { status: 204 };
      case "POST connectors/{id}/heartbeat": {
        const { state, version } = this.body(call);
        return jsonReply(
          200,
          tenant.heartbeat(connectorId(connector), { state, version } as Parameters<
            Emulator["heartbeat"]
          >[1]),
        );
      }
      default:
        return undefined;
    }
  }

  private faultRules(call: IncomingCall): FaultRule[] {
    const parsed = this.json(call);
    const rules = Array.isArray(parsed) ? parsed : [parsed];
    if (!rules.every(isPlainObject)) throw new AdminError(400, "a fault rule must be an object");
    return rules as FaultRule[];
  }

  /**
   * What POST /_emulator/tenants adds: a tenant, an array of them, or `{count, seed?, consent?}`
   * for that many generated ones. The logged body keeps no secret.
   */
  private tenantsToAdd(call: IncomingCall): TenantOptions[] {
    const parsed = this.json(call);
    call.note.body = withoutSecrets(parsed);
    if (isPlainObject(parsed) && "count" in parsed) {
      const { count, seed, consent, ...rest } = parsed;
      if (Object.keys(rest).length > 0)
        throw new AdminError(
          400,
          `{count} takes seed and consent; not ${Object.keys(rest)
            .map((k) => `'${k}'`)
            .join(", ")}`,
        );
      if (typeof count !== "number")
        throw new AdminError(400, `count must be a whole number ≥ 0, got ${JSON.stringify(count)}`);
      return generateTenants(count, {
        ...(seed !== undefined && { seed: seedArgument(seed) }),
        ...(consent !== undefined && { consent: consent as TenantConsent[] }),
        first: this.emulator.tenants().length,
      });
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    if (!list.every(isPlainObject))
      throw new AdminError(400, "give a tenant, an array of tenants, or {count, seed?, consent?}");
    return list as TenantOptions[];
  }
  private json(call: IncomingCall): unknown {
    if (call.body.length === 0) return {};
    const parsed = parseJson(call.body);
    if (!parsed.ok) throw new AdminError(400, "the request body is not valid JSON");
    call.note.body = parsed.value;
    return parsed.value;
  }

  private body(call: IncomingCall): Record<string, unknown> {
    const parsed = this.json(call);
    if (!isPlainObject(parsed)) throw new AdminError(400, "the request body must be a JSON object");
    return parsed;
  }
}

function logKind(call: IncomingCall): RequestLogEntry["kind"] | undefined {
  const kind = call.query.get("kind");
  if (kind !== null && !LOG_KINDS.has(kind)) throw new AdminError(400, "kind must be token, graph or admin");
  return (kind ?? undefined) as RequestLogEntry["kind"] | undefined;
}

/** A tenants body as the request log keeps it: each app's secrets replaced. */
function withoutSecrets(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(withoutSecrets);
  if (!isPlainObject(body) || !Array.isArray(body.apps)) return body;
  return {
    ...body,
    apps: body.apps.map((app: unknown) =>
      isPlainObject(app) && Array.isArray(app.secrets)
        ? { ...app, secrets: app.secrets.map(() => "(hidden)") }
        : app,
    ),
  };
}

function connectorId(match: RegExpExecArray | null): string {
  return decodeURIComponent(match?.[1] ?? "");
}

function seedArgument(value: unknown): Partial<ConnectorRecord>[] | number {
  if (typeof value === "number") return value;
  if (Array.isArray(value) && value.every(isPlainObject)) return value as Partial<ConnectorRecord>[];
  throw new AdminError(400, "seed must be a number or an array of connector objects");
}
