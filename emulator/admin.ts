// The admin API under /_emulator/: the library API over HTTP, for scripts, other languages and
// the CLI user. No authentication: the emulator listens on loopback only. It also serves the test
// OIDC issuer's discovery document and keys.
import { UnknownConnectorError } from "./connectors/model";
import { isPlainObject, jsonReply, parseJson, type IncomingCall, type Reply } from "./http";
import type { TestOidcIssuer } from "./entra/oidc-issuer";
import type {
  ConnectorPatch,
  ConnectorRecord,
  Emulator,
  FaultRule,
  RequestLogEntry,
  RuntimeOptions,
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
        err instanceof AdminError ? err.status : err instanceof UnknownConnectorError ? 404 : 400;
      const message = err instanceof Error ? err.message : String(err);
      return jsonReply(status, { error: { code: status === 404 ? "NotFound" : "BadRequest", message } });
    }
  }

  private async route(call: IncomingCall): Promise<Reply> {
    const emu = this.emulator;
    const route = call.path.slice(ADMIN_PREFIX.length).replace(/\/$/, "");
    const connector = /^connectors\/([^/]+)(\/heartbeat)?$/.exec(route);
    const key = `${call.method} ${connector ? (connector[2] ? "connectors/{id}/heartbeat" : "connectors/{id}") : route}`;

    switch (key) {
      case "GET requests": {
        const kind = call.query.get("kind");
        if (kind !== null && !LOG_KINDS.has(kind))
          throw new AdminError(400, "kind must be token, graph or admin");
        return jsonReply(200, emu.requestLog(kind ? { kind: kind as RequestLogEntry["kind"] } : {}));
      }
      case "DELETE requests":
        emu.clearLog();
        return { status: 204 };
      case "GET summary":
        return jsonReply(200, { ...emu.summary(), line: emu.summaryLine() });
      case "POST reset": {
        const body = this.body(call);
        emu.reset(body.seed === undefined ? {} : { seed: seedArgument(body.seed) });
        return jsonReply(200, { connectors: emu.connectors() });
      }
      case "POST seed": {
        const body = this.body(call);
        const seed = body.connectors ?? body.count;
        if (seed === undefined) throw new AdminError(400, "give connectors (an array) or count (a number)");
        return jsonReply(201, { connectors: emu.seed(seedArgument(seed)) });
      }
      case "GET connectors":
        return jsonReply(200, emu.connectors());
      case "PATCH connectors/{id}":
        return jsonReply(200, emu.editOutOfBand(connectorId(connector), this.body(call) as ConnectorPatch));
      case "DELETE connectors/{id}":
        emu.removeOutOfBand(connectorId(connector));
        return { status: 204 };
      case "POST connectors/{id}/heartbeat": {
        const { state, version } = this.body(call);
        return jsonReply(
          200,
          emu.heartbeat(connectorId(connector), { state, version } as Parameters<Emulator["heartbeat"]>[1]),
        );
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
        const parsed = this.json(call);
        const rules = Array.isArray(parsed) ? parsed : [parsed];
        if (!rules.every(isPlainObject)) throw new AdminError(400, "a fault rule must be an object");
        for (const rule of rules) emu.addFault(rule as FaultRule);
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

function connectorId(match: RegExpExecArray | null): string {
  return decodeURIComponent(match?.[1] ?? "");
}

function seedArgument(value: unknown): Partial<ConnectorRecord>[] | number {
  if (typeof value === "number") return value;
  if (Array.isArray(value) && value.every(isPlainObject)) return value as Partial<ConnectorRecord>[];
  throw new AdminError(400, "seed must be a number or an array of connector objects");
}
