// Graph's error answers. Two layers answer in practice: the Graph front end (401, routing 400s,
// 429) with plain messages, and Intune behind it (403, 404, 500...) whose message is itself a JSON
// string that clients have to unwrap. The emulator reproduces both so the unwrapping gets tested.
import { CONNECTOR_TYPE } from "../connectors/model";
import { newGuid } from "../ids";
import type { IncomingCall, Reply } from "../http";
import { innerErrorDate } from "../time";

/** Graph's real value, naming the app that Graph is. */
const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

/** The Intune front end that serves this resource, as it appears in Intune's messages. */
const INTUNE_URL_BASE = "https://fef.msua06.manage.microsoft.com/DeviceFE/StatelessDeviceFEService";
const INTUNE_API_VERSION = "5025-01-01";

type ErrorCall = Pick<IncomingCall, "requestId" | "clientRequestId" | "received">;
type ErrorCallWithRoute = ErrorCall & Pick<IncomingCall, "method" | "path">;

/** The inner error's own fields, where an answer has them (throttling.md's 429 sample). */
export interface InnerFields {
  code?: string;
  message?: string;
  status?: string;
}

/**
 * A Graph error reply: `{"error":{"code","message","innerError":{[code], date, [message],
 * request-id, [status], client-request-id}}}`, the inner fields in the order of throttling.md's
 * sample.
 */
export function graphError(
  call: ErrorCall,
  status: number,
  code: string,
  message: string,
  options: { headers?: Record<string, string>; inner?: InnerFields } = {},
): Reply {
  const { inner = {} } = options;
  const innerError: Record<string, string> = {};
  if (inner.code) innerError.code = inner.code;
  innerError.date = innerErrorDate(call.received);
  if (inner.message) innerError.message = inner.message;
  innerError["request-id"] = call.requestId;
  if (inner.status) innerError.status = inner.status;
  innerError["client-request-id"] = call.clientRequestId;
  return {
    status,
    headers: { "Content-Type": "application/json", ...options.headers },
    body: { error: { code, message, innerError } },
  };
}

/**
 * Intune's wrapped message: a JSON string whose `Message` carries the text, an operation id, the
 * activity id (Graph's request-id) and the Intune URL for the resource.
 */
export function intuneMessage(call: ErrorCall, resource: string, text = "An error has occurred"): string {
  const url = `${INTUNE_URL_BASE}/${resource}?api-version=${INTUNE_API_VERSION}`;
  return JSON.stringify({
    _version: 3,
    Message: `${text} - Operation ID (for customer support): ${newGuid()} - Activity ID: ${call.requestId} - Url: ${url}`,
    CustomApiErrorPhrase: "",
    RetryAfter: null,
    ErrorSourceService: "",
    HttpHeaders: "{}",
  });
}

/** Intune's 403: `Forbidden` with its wrapped message. */
function intuneForbidden(call: ErrorCall, resource: string, text: string): Reply {
  return graphError(call, 403, "Forbidden", intuneMessage(call, resource, text));
}

/** The Intune resource path named in wrapped messages. */
export function intuneResource(id?: string): string {
  return id === undefined
    ? "deviceManagement/domainJoinConnectors"
    : `deviceManagement/domainJoinConnectors('${id}')`;
}

export const graphErrors = {
  unauthorized: (call: ErrorCall, message: string) =>
    graphError(call, 401, "InvalidAuthenticationToken", message, {
      headers: { "WWW-Authenticate": WWW_AUTHENTICATE },
    }),

  forbidden: (call: ErrorCall, scopes: readonly string[], resource: string) =>
    intuneForbidden(
      call,
      resource,
      `Application is not authorized to perform this operation. Application must have one of the following scopes: ${scopes.join(", ")}`,
    ),

  /**
   * A tenant without an Intune licence: errors.md's 403 ("might not have a required license"), in
   * Intune's wrapped form. The words are the emulator's, built on the ODJ pages' note.
   */
  unlicensed: (call: ErrorCall, resource: string) =>
    intuneForbidden(
      call,
      resource,
      "The tenant does not have an active Intune license. The Microsoft Graph API for Intune requires an active Intune license for the tenant.",
    ),

  notFound: (call: ErrorCall, resource: string) =>
    graphError(call, 404, "ResourceNotFound", intuneMessage(call, resource)),

  /** Intune's answer to a key that is not a GUID. */
  badKey: (call: ErrorCall, resource: string) =>
    graphError(call, 400, "BadRequest", intuneMessage(call, resource)),

  badRequest: (call: ErrorCall, message: string) => graphError(call, 400, "BadRequest", message),

  segmentNotFound: (call: ErrorCall, segment: string) =>
    graphError(call, 400, "BadRequest", `Resource not found for the segment '${segment}'.`),

  invalidVersion: (call: ErrorCall, version: string) =>
    graphError(call, 400, "BadRequest", `Invalid version: ${version}`),

  /**
   * errors.md's 405: "The HTTP method in the request is not allowed on the resource." The code is
   * the emulator's (the status's name); `Allow` lists the methods the route takes (RFC 9110).
   */
  methodNotAllowed: (call: ErrorCall, allowed: readonly string[]) =>
    graphError(
      call,
      405,
      "MethodNotAllowed",
      "The HTTP method in the request is not allowed on the resource.",
      {
        headers: { Allow: allowed.join(", ") },
      },
    ),

  /** Intune's answer to a method the route does not take, as observed (variant unsupportedMethod "400"). */
  noMethodMatch: (call: ErrorCallWithRoute, template: string) =>
    graphError(
      call,
      400,
      "BadRequest",
      `No method match route template. No OData route exists that match template ${template} with http verb ${call.method} for request /DeviceFE/StatelessDeviceFEService${call.path.replace(/^\/beta/, "")}.`,
    ),

  invalidJson: (call: ErrorCall) =>
    graphError(
      call,
      400,
      "BadRequest",
      "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
    ),

  unknownProperty: (call: ErrorCall, property: string) =>
    graphError(
      call,
      400,
      "BadRequest",
      `The property '${property}' does not exist on type '${CONNECTOR_TYPE}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
    ),

  /** throttling.md's sample, field for field. */
  tooManyRequests: (call: ErrorCall, retryAfter: string | null) =>
    graphError(call, 429, "TooManyRequests", "Please retry again later.", {
      inner: { code: "429", message: "Please retry after", status: "429" },
      headers: retryAfter === null ? {} : { "Retry-After": retryAfter },
    }),

  internal: (call: ErrorCall) =>
    graphError(
      call,
      500,
      "InternalError",
      intuneMessage(call, intuneResource(), "An internal server error has occurred"),
    ),
} as const;

/** The error a fault rule injects for a given status: what Graph would say with that status. */
export function graphFaultReply(call: ErrorCall, status: number, retryAfter: string | null): Reply {
  const withRetry: Record<string, string> = retryAfter === null ? {} : { "Retry-After": retryAfter };
  switch (status) {
    case 400:
      return graphErrors.badRequest(call, "Bad request.");
    case 401:
      return graphErrors.unauthorized(call, "Access token validation failure.");
    case 403:
      return graphErrors.forbidden(call, ["DeviceManagementConfiguration.ReadWrite.All"], intuneResource());
    case 404:
      return graphErrors.notFound(call, intuneResource());
    case 429:
      return graphErrors.tooManyRequests(call, retryAfter);
    case 500:
      return graphErrors.internal(call);
    case 502:
      return graphError(call, 502, "BadGateway", "The service encountered an error processing the request.");
    case 503:
      return graphError(
        call,
        503,
        "ServiceUnavailable",
        "The service is temporarily unavailable. Please retry later.",
        {
          headers: withRetry,
        },
      );
    case 504:
      return graphError(call, 504, "GatewayTimeout", "The operation has timed out.");
    default:
      return graphError(
        call,
        status,
        status >= 500 ? "UnknownError" : "BadRequest",
        `Injected fault (HTTP ${status}).`,
      );
  }
}
