// Requests to an emulator over real HTTPS, for the tests that check what it answers: Graph calls
// with a token, raw token requests, the shapes of the answers, and waiting for a condition.
import fetch, { type RequestInit, type Response } from "node-fetch";
import { type Emulator } from "intune-graph-emulator";

export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
export const CONNECTORS = "/beta/deviceManagement/domainJoinConnectors";
export const CONNECTOR_TYPE = "#microsoft.graph.deviceManagementDomainJoinConnector";

export interface GraphErrorBody {
  error: { code: string; message: string; innerError: Record<string, string> };
}

export interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
}

export interface ConnectorBody {
  "@odata.context"?: string;
  "@odata.type": string;
  id: string;
  displayName: string;
  version: string | null;
  state: string;
  lastConnectionDateTime: string;
}

export interface ListBody {
  "@odata.context": string;
  "@odata.nextLink"?: string;
  value: ConnectorBody[];
}

export interface Reply<T> {
  status: number;
  headers: Response["headers"];
  body: T;
  text: string;
}

/** Send a request and parse a JSON answer (body is undefined when there is none). */
export async function send<T = unknown>(url: string, init: RequestInit = {}): Promise<Reply<T>> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: (text ? JSON.parse(text) : undefined) as T };
}

/** A Graph call with a bearer token (or none). */
export function graph<T = unknown>(
  emu: Emulator,
  method: string,
  pathAndQuery: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.Authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
  }
  return send<T>(`${emu.url}${pathAndQuery}`, { method, headers, body });
}

/** A raw client-credentials token request (no MSAL cache in the way). */
export function requestToken<T = { access_token: string; expires_in: number; token_type: string }>(
  emu: Emulator,
  form: Record<string, string>,
  tenant: string = emu.tenantId,
): Promise<Reply<T>> {
  return send<T>(`${emu.url}/${tenant}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
}

/** An access token for one of the emulator's apps, by its display name. */
export async function tokenFor(emu: Emulator, appName: string, scope = GRAPH_SCOPE): Promise<string> {
  const app = emu.app(appName);
  const res = await requestToken(emu, {
    grant_type: "client_credentials",
    client_id: app.clientId,
    client_secret: app.secret,
    scope,
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.text}`);
  return res.body.access_token;
}

/** Intune's error message is a JSON string; this is what clients unwrap. */
export function intuneMessage(body: GraphErrorBody): {
  _version: number;
  Message: string;
  RetryAfter: unknown;
} {
  return JSON.parse(body.error.message) as { _version: number; Message: string; RetryAfter: unknown };
}

/** The claims of a JWT, without verifying it. */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8")) as Record<string, unknown>;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll until check() is true or the time is up. */
export async function eventually(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await delay(10);
  }
}
