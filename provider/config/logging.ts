/**
 * Debug logging of Graph traffic, off by default. What is logged is chosen by allow-list (a few
 * response headers, the method, path and status, request bodies of connector writes, which
 * hold no secret), never by deny-list, so a token or secret cannot slip through by a new name.
 * Enabled by INTUNE_DEBUG=1 (or DEBUG containing "intune"), written to stderr; or by the Azure
 * SDK's AZURE_LOG_LEVEL=info (or verbose), written through @azure/logger as `azure:intune:info`,
 * beside the SDK's own lines (@azure/identity's token requests).
 *
 * Below auth/ and graph/, which both use it: graph/ logs its traffic here, auth/ scrubs secrets
 * from the errors of libraries it calls (scrubSecrets).
 */
import { AzureLogger, createClientLogger } from "@azure/logger";
import { SETTINGS, fromEnvironment } from "./settings";

const LOGGED_HEADERS = [
  "request-id",
  "client-request-id",
  "retry-after",
  "content-type",
  "date",
  "location",
  "x-ms-ags-diagnostic",
];

export interface DebugLogger {
  readonly enabled: boolean;
  log(event: string, fields: Record<string, unknown>): void;
}

export const silentLogger: DebugLogger = { enabled: false, log: () => undefined };

export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const flag = fromEnvironment(SETTINGS.debug, env)?.toLowerCase();
  const namespaces = fromEnvironment(SETTINGS.debugNamespaces, env);
  return flag === "1" || flag === "true" || (namespaces !== undefined && /(^|,)\s*intune\b/.test(namespaces));
}

/** A logger writing one JSON line per event to stderr (Pulumi shows it with --logtostderr -v). */
export function createDebugLogger(
  env: NodeJS.ProcessEnv = process.env,
  write: (line: string) => void = (line) => process.stderr.write(line + "\n"),
): DebugLogger {
  const line = (event: string, fields: Record<string, unknown>) =>
    JSON.stringify({ time: new Date().toISOString(), event, ...fields });
  if (debugEnabled(env))
    return { enabled: true, log: (event, fields) => write(`[intune] ${line(event, fields)}`) };
  const azure: AzureLogger = createClientLogger("intune");
  if (!azure.info.enabled) return silentLogger;
  return { enabled: true, log: (event, fields) => azure.info(line(event, fields)) };
}

/** The allow-listed response headers. */
export function loggableHeaders(headers: {
  get(name: string): string | null | undefined;
}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of LOGGED_HEADERS) {
    const value = headers.get(name);
    if (value !== null && value !== undefined) out[name] = value;
  }
  return out;
}

// Compact JWS (access tokens, client assertions, federated tokens): three base64url segments.
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

/**
 * Removes anything that looks like a token, and the given secret values, from text that may
 * reach a person (error messages from libraries we do not control).
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text.replace(JWT_PATTERN, "[redacted token]");
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  return out;
}
