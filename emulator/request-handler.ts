// What every request goes through, whichever service it is for: which area it names (Entra, Graph
// or the admin API), the fault rules and the latency on its way in, the area's answer to a fault or
// to a failure inside the emulator, the standard headers and the request log on its way out. The
// areas' handlers only turn a call into a reply.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ADMIN_PREFIX } from "./admin";
import { isEntraPath } from "./entra/service";
import { entraErrorReply, entraFault } from "./entra/errors";
import { describeFault, type FaultInjector } from "./faults";
import { graphErrors, graphFaultReply } from "./graph/errors";
import {
  BodyTooLargeError,
  headerValue,
  readBody,
  sleep,
  writeReply,
  type IncomingCall,
  type Reply,
} from "./http";
import { newGuid } from "./ids";
import type { RequestLog } from "./request-log";
import type { FaultRule } from "./types";

export type Area = "token" | "graph" | "admin";

/** Graph's diagnostic header; clients log it, none parse it. */
const AGS_DIAGNOSTIC = JSON.stringify({
  ServerInfo: {
    DataCenter: "Local Emulator",
    Slice: "E",
    Ring: "0",
    ScaleUnit: "000",
    RoleInstance: "EMU127001",
  },
});

export interface RequestHandlerDeps {
  /** https://127.0.0.1:<port>, the origin requests are read against. */
  url: string;
  log: RequestLog;
  faults: FaultInjector;
  /** The cloud's login host, which Entra's error answers name. */
  loginHost: string;
  /** Read on each request: the options can change while the emulator runs. */
  latencyMs: () => number;
  /**
   * The tenant a request is for, when it names one of the emulator's (the authority's tenant, the
   * Graph token's `tid`): what a tenant's fault rules match and the log records.
   */
  tenantOf: (area: Area, call: IncomingCall) => string | undefined;
  /** Each area's handler. */
  areas: Readonly<Record<Area, (call: IncomingCall) => Promise<Reply>>>;
}

export class RequestHandler {
  constructor(private readonly deps: RequestHandlerDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { area, call } = this.describe(req);
    const tenantId = area === "admin" ? undefined : this.deps.tenantOf(area, call);
    const record = (status: number, fault?: FaultRule) => this.record(area, call, status, tenantId, fault);

    // Admin requests are the test harness talking: no faults, no latency, no throttling.
    const fault = area === "admin" ? undefined : this.deps.faults.take(call.method, call.path, tenantId);
    let reply: Reply;
    try {
      // The body is read before any delay: a slow service still has the request when the client
      // gives up waiting, and goes on to process it.
      call.body = await readBody(req);
      if (fault?.delayMs) await sleep(fault.delayMs);
      if (fault?.drop) {
        record(0, fault);
        req.socket.destroy();
        return;
      }
      if (fault?.status !== undefined) {
        reply = this.faultReply(area, call, fault.status, fault.retryAfter);
      } else {
        reply = await this.deps.areas[area](call);
      }
      if (fault?.applyThen !== undefined) {
        // The work above really happened; only the answer is lost or replaced.
        if (fault.applyThen === "drop") {
          record(0, fault);
          req.socket.destroy();
          return;
        }
        reply = this.faultReply(area, call, fault.applyThen, fault.retryAfter);
      }
    } catch (err) {
      if (req.destroyed && !(err instanceof BodyTooLargeError)) {
        // The client went away while sending its request: there is nobody to answer.
        record(0, fault);
        return;
      }
      reply = this.failure(area, call, err);
    }
    const latencyMs = this.deps.latencyMs();
    if (area !== "admin" && latencyMs > 0) await sleep(latencyMs);
    reply.headers = { ...reply.headers, ...standardHeaders(area, call) };
    record(reply.status, fault);
    if (!res.destroyed) writeReply(res, reply);
  }

  /** Which service a request is for, and the request as the handlers see it. */
  private describe(req: IncomingMessage): { area: Area; call: IncomingCall } {
    // Concatenated rather than resolved, so that "//beta/..." stays a path instead of becoming a host.
    const target = new URL(`${this.deps.url}${req.url ?? "/"}`);
    const area: Area = target.pathname.startsWith(ADMIN_PREFIX)
      ? "admin"
      : isEntraPath(target.pathname)
        ? "token"
        : "graph";
    // MSAL sends its correlation id as a query parameter rather than a header.
    const sentClientRequestId =
      headerValue(req.headers, "client-request-id") ??
      target.searchParams.get("client-request-id") ??
      undefined;
    const call: IncomingCall = {
      method: (req.method ?? "GET").toUpperCase(),
      path: target.pathname,
      query: target.searchParams,
      rawQuery: target.search.replace(/^\?/, ""),
      headers: req.headers,
      body: Buffer.alloc(0),
      requestId: newGuid(),
      clientRequestId: sentClientRequestId ?? newGuid(),
      sentClientRequestId,
      received: new Date(),
      note: {},
    };
    return { area, call };
  }

  private record(
    area: Area,
    call: IncomingCall,
    status: number,
    tenantId: string | undefined,
    fault?: FaultRule,
  ): void {
    this.deps.log.add(
      {
        kind: area,
        method: call.method,
        path: call.path,
        query: call.rawQuery,
        status,
        ...(call.note.appId !== undefined && { appId: call.note.appId }),
        ...(tenantId !== undefined && { tenantId }),
        requestId: call.requestId,
        ...(call.sentClientRequestId !== undefined && { clientRequestId: call.sentClientRequestId }),
        ...(call.note.body !== undefined && { body: call.note.body }),
        ...(fault && { fault: describeFault(fault) }),
        ...(fault?.label !== undefined && { faultLabel: fault.label }),
      },
      call.received,
    );
  }

  private faultReply(
    area: Area,
    call: IncomingCall,
    status: number,
    retryAfter: FaultRule["retryAfter"],
  ): Reply {
    const retry = retryAfter === null ? null : String(retryAfter ?? 1);
    if (area === "token") {
      const headers: Record<string, string> =
        retry !== null && (status === 429 || status === 503) ? { "Retry-After": retry } : {};
      return entraErrorReply(call, entraFault(status), this.deps.loginHost, headers);
    }
    return graphFaultReply(call, status, retry);
  }

  /** An unexpected failure inside the emulator: answer like the service's 500 and say why on stderr. */
  private failure(area: Area, call: IncomingCall, err: unknown): Reply {
    if (err instanceof BodyTooLargeError) {
      // The rest of the body is still on the wire: close the connection rather than parse it.
      const reply = graphErrors.badRequest(call, err.message);
      return { ...reply, status: 413, headers: { ...reply.headers, Connection: "close" } };
    }
    console.error(`emulator: ${call.method} ${call.path} failed:`, err);
    return area === "token"
      ? entraErrorReply(call, entraFault(500), this.deps.loginHost)
      : graphErrors.internal(call);
  }
}

function standardHeaders(area: Area, call: IncomingCall): Record<string, string> {
  if (area === "token") {
    return {
      "x-ms-request-id": call.requestId,
      "client-request-id": call.clientRequestId,
      "x-ms-ests-server": "2.1.emulator",
    };
  }
  const headers: Record<string, string> = {
    "request-id": call.requestId,
    "client-request-id": call.clientRequestId,
  };
  if (area === "graph") headers["x-ms-ags-diagnostic"] = AGS_DIAGNOSTIC;
  return headers;
}
