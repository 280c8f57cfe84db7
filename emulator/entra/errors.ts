// Entra's error answers: `error`, `error_description` starting with the AADSTS code and ending with
// the trace trailer, `error_codes`, `timestamp`, `trace_id`, `correlation_id`, `error_uri`.
import type { IncomingCall, Reply } from "../http";
import { jsonReply } from "../http";
import { entraTimestamp } from "../time";

export interface EntraError {
  status: number;
  error: string;
  code: number;
  message: string;
}

type ErrorCall = Pick<IncomingCall, "requestId" | "clientRequestId" | "received">;

export function entraErrorReply(
  call: ErrorCall,
  err: EntraError,
  loginHost: string,
  headers: Record<string, string> = {},
): Reply {
  const timestamp = entraTimestamp(call.received);
  return jsonReply(
    err.status,
    {
      error: err.error,
      error_description: `AADSTS${err.code}: ${err.message}\r\nTrace ID: ${call.requestId}\r\nCorrelation ID: ${call.clientRequestId}\r\nTimestamp: ${timestamp}`,
      error_codes: [err.code],
      timestamp,
      trace_id: call.requestId,
      correlation_id: call.clientRequestId,
      error_uri: `https://${loginHost}/error?code=${err.code}`,
    },
    { "Cache-Control": "no-store, no-cache", Pragma: "no-cache", ...headers },
  );
}

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export const entraErrors = {
  unknownTenant: (tenant: string): EntraError => ({
    status: 400,
    error: "invalid_tenant",
    code: 90002,
    message: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  }),
  noTenant: (): EntraError => ({
    status: 400,
    error: "invalid_request",
    code: 50059,
    message:
      "No tenant-identifying information found in either the request or implied by any provided credentials.",
  }),
  onlyPost: (): EntraError => ({
    status: 400,
    error: "invalid_request",
    code: 900561,
    message: "The endpoint only accepts POST requests. Received a GET request.",
  }),
  missingParameter: (name: string): EntraError => ({
    status: 400,
    error: "invalid_request",
    code: 900144,
    message: `The request body must contain the following parameter: '${name}'.`,
  }),
  unsupportedGrant: (grant: string): EntraError => ({
    status: 400,
    error: "unsupported_grant_type",
    code: 70003,
    message: `The app requested an unsupported grant type '${grant}'.`,
  }),
  unknownClient: (clientId: string, tenant: string): EntraError => ({
    status: 400,
    error: "unauthorized_client",
    code: 700016,
    message: `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  }),
  scopeWithoutDefault: (scope: string): EntraError => ({
    status: 400,
    error: "invalid_scope",
    code: 1002012,
    message: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  }),
  invalidScope: (scope: string): EntraError => ({
    status: 400,
    error: "invalid_scope",
    code: 70011,
    message: `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
  }),
  noCredential: (): EntraError => ({
    status: 401,
    error: "invalid_client",
    code: 7000218,
    message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  }),
  badSecret: (clientId: string): EntraError => ({
    status: 401,
    error: "invalid_client",
    code: 7000215,
    message: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  }),
  badAssertionType: (): EntraError => ({
    status: 400,
    error: "invalid_request",
    code: 50027,
    message: `Invalid client_assertion_type. Expected '${ASSERTION_TYPE}'.`,
  }),
  malformedAssertion: (): EntraError => ({
    status: 401,
    error: "invalid_client",
    code: 50027,
    message: "JWT token is invalid or is malformed.",
  }),
  unknownCertificate: (clientId: string, thumbprint: string): EntraError => ({
    status: 401,
    error: "invalid_client",
    code: 700027,
    message: `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'.]`,
  }),
  badAssertion: (reason: string): EntraError => ({
    status: 401,
    error: "invalid_client",
    code: 700027,
    message: `Client assertion failed signature validation. [Reason - ${reason}]`,
  }),
  expiredAssertion: (now: Date, notBefore: number | undefined, expiry: number | undefined): EntraError => ({
    status: 401,
    error: "invalid_client",
    code: 700024,
    message: `Client assertion is not within its valid time range. Current time: ${now.toISOString()}, assertion valid from ${
      notBefore === undefined ? "unknown" : new Date(notBefore * 1000).toISOString()
    }, expiry time of assertion ${expiry === undefined ? "unknown" : new Date(expiry * 1000).toISOString()}.`,
  }),
  unknownIssuer: (issuer: string): EntraError => ({
    status: 400,
    error: "invalid_request",
    code: 700211,
    message: `No matching federated identity record found for presented assertion issuer '${issuer}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
  }),
  unknownAudience: (audience: string): EntraError => ({
    status: 400,
    error: "invalid_request",
    code: 700212,
    message: `No matching federated identity record found for presented assertion audience '${audience}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
  }),
  unknownSubject: (subject: string): EntraError => ({
    status: 400,
    error: "invalid_request",
    code: 700213,
    message: `No matching federated identity record found for presented assertion subject '${subject}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
  }),
  issuerKeysUnavailable: (issuer: string): EntraError => ({
    status: 400,
    error: "invalid_request",
    code: 50166,
    message: `Request to External OIDC endpoint failed. The signing keys of issuer '${issuer}' could not be retrieved.`,
  }),
} as const;

/** The error a fault rule injects on the token endpoint for a given status. */
export function entraFault(status: number): EntraError {
  switch (status) {
    case 400:
      return { status, error: "invalid_request", code: 900144, message: "Injected fault: invalid request." };
    case 401:
      return { status, error: "invalid_client", code: 7000215, message: "Injected fault: invalid client." };
    case 429:
      return {
        status,
        error: "temporarily_unavailable",
        code: 90055,
        message: "There are too many incoming requests. Please retry later.",
      };
    case 500:
      return {
        status,
        error: "server_error",
        code: 50000,
        message: "There was an error issuing a token or an issue with our sign-in service.",
      };
    default:
      return {
        status,
        error: "temporarily_unavailable",
        code: 90033,
        message: "A transient error has occurred. Please try again.",
      };
  }
}
