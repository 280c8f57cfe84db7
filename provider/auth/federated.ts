/**
 * Federated credentials for pipelines: the job's own OIDC token is exchanged with Entra ID as a
 * client assertion, so no client secret is stored anywhere.
 *
 * - GitHub Actions: the runner sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN
 *   when the job has `permissions: id-token: write`. The ID token is fetched with
 *   `GET <url>&audience=api://AzureADTokenExchange` and `Authorization: Bearer <request token>`,
 *   answered `{"value": "<jwt>"}`; @azure/identity's ClientAssertionCredential calls back for it
 *   whenever it needs a new access token. The request goes through an @azure/core-rest-pipeline
 *   pipeline on its default Node transport (the one @azure/identity uses): proxy settings,
 *   sanitized logging; no retry, no redirect, bounded in time (body included) and size.
 * - Azure Pipelines: @azure/identity's AzurePipelinesCredential POSTs to
 *   `$SYSTEM_OIDCREQUESTURI?api-version=7.1&serviceConnectionId=<id>` with the job's
 *   `$(System.AccessToken)` and reads `{"oidcToken": "<jwt>"}`. It reads SYSTEM_OIDCREQUESTURI from
 *   `process.env` in its constructor, and its HTTP pipeline refuses plain http for that request.
 */
import {
  HttpClient,
  Pipeline,
  PipelineResponse,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
} from "@azure/core-rest-pipeline";
import { AzurePipelinesCredential, ClientAssertionCredential, TokenCredential } from "@azure/identity";
import { scrubSecrets } from "../config/logging";
import {
  ConfigurationError,
  SETTINGS,
  SettingDefinition,
  Secrets,
  checkEndpointUrl,
  where,
} from "../config/settings";

/** The audience Entra expects in federated tokens (the federated credential's default). */
export const FEDERATED_AUDIENCE = "api://AzureADTokenExchange";
const MAX_RESPONSE_BYTES = 64 * 1024;
// Built on first use: only a GitHub Actions job asks for ID tokens, so no other provider process
// pays for it. The transport is the pipeline's own Node one, which @azure/identity uses for Entra.
let idTokenTransport: { pipeline: Pipeline; client: HttpClient } | undefined;
function idTokenPipeline(): { pipeline: Pipeline; client: HttpClient } {
  return (idTokenTransport ??= {
    pipeline: createPipelineFromOptions({
      retryOptions: { maxRetries: 0 },
      redirectOptions: { maxRetries: 0 },
    }),
    client: createDefaultHttpClient(),
  });
}

export interface IdTokenRequestOptions {
  /** The audience asked for. Default api://AzureADTokenExchange. */
  audience?: string;
  /** Time allowed for the whole exchange. Default 30 s. */
  timeoutMs?: number;
}

export interface FederatedOptions {
  authorityHost: string;
  disableInstanceDiscovery: boolean;
}

type Method = "githubActions" | "azurePipelines";

const HINTS: Partial<Record<keyof typeof SETTINGS, string>> = {
  actionsIdTokenRequestUrl: "set by GitHub Actions when the job has `permissions: id-token: write`",
  actionsIdTokenRequestToken: "set by GitHub Actions when the job has `permissions: id-token: write`",
  systemOidcRequestUri: "set by Azure Pipelines in every job",
  systemAccessToken: "map it into the step: `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`",
  serviceConnectionId: "the workload identity service connection's id; AzureCLI@2 sets the variable",
};

/** A ConfigurationError naming the missing setting, for the given method. */
export function need(value: string | undefined, name: keyof typeof SETTINGS, method: string): string {
  if (value) return value;
  const setting: SettingDefinition = SETTINGS[name];
  const hint = HINTS[name];
  throw new ConfigurationError(
    `authentication with ${method} needs ${where(setting)}${hint ? ` (${hint})` : ""}`,
  );
}

/** True when a GitHub Actions job can hand out ID tokens (both variables present). */
export function githubActionsAvailable(secrets: Secrets): boolean {
  return !!(secrets.actionsIdTokenRequestUrl && secrets.actionsIdTokenRequestToken);
}

/** True when this runs in an Azure Pipelines job with a service connection named. */
export function azurePipelinesAvailable(secrets: Secrets): boolean {
  return !!(secrets.systemOidcRequestUri && secrets.serviceConnectionId);
}

/**
 * GitHub Actions: a ClientAssertionCredential whose callback fetches the job's ID token. The two
 * variables are read through `current` on every call (the request token can change between runs
 * of a long-lived process), and checked once up front so a misconfiguration fails before Entra.
 */
export function githubActionsCredential(
  tenantId: string,
  clientId: string,
  current: () => Secrets,
  options: FederatedOptions,
): TokenCredential {
  const method: Method = "githubActions";
  const initial = current();
  checkEndpointUrl(
    need(initial.actionsIdTokenRequestUrl, "actionsIdTokenRequestUrl", method),
    SETTINGS.actionsIdTokenRequestUrl,
    "https://pipelines.actions.githubusercontent.com/…/idtoken?api-version=2.0",
  );
  need(initial.actionsIdTokenRequestToken, "actionsIdTokenRequestToken", method);
  return new ClientAssertionCredential(
    tenantId,
    clientId,
    () => {
      const now = current();
      return fetchGithubIdToken(
        need(now.actionsIdTokenRequestUrl, "actionsIdTokenRequestUrl", method),
        need(now.actionsIdTokenRequestToken, "actionsIdTokenRequestToken", method),
      );
    },
    options,
  );
}

/** Fetches the job's ID token for Entra's audience. Nothing secret goes into its errors. */
export async function fetchGithubIdToken(
  requestUrl: string,
  requestToken: string,
  { audience = FEDERATED_AUDIENCE, timeoutMs = 30_000 }: IdTokenRequestOptions = {},
): Promise<string> {
  const url = checkEndpointUrl(requestUrl, SETTINGS.actionsIdTokenRequestUrl, "https://…/idtoken");
  url.searchParams.set("audience", audience);
  const shown = `${url.origin}${url.pathname}`;
  // One exchange through the Azure SDK pipeline (proxy settings, user agent, sanitized logging),
  // with its retries and redirects off: the credential asks again when it needs a token.
  const timer = new AbortController();
  let timedOut = false;
  const timeout = setTimeout(() => {
    timedOut = true;
    timer.abort();
  }, timeoutMs);
  let response: PipelineResponse;
  let body: string;
  try {
    const { pipeline, client } = idTokenPipeline();
    response = await pipeline.sendRequest(
      client,
      createPipelineRequest({
        url: url.toString(),
        method: "GET",
        headers: createHttpHeaders({
          authorization: `Bearer ${requestToken}`,
          accept: "application/json; api-version=2.0",
        }),
        abortSignal: timer.signal,
        // checkEndpointUrl accepts http on loopback only.
        allowInsecureConnection: url.protocol === "http:",
        // The body is read here, bounded in size, whatever the status.
        streamResponseStatusCodes: new Set([Number.POSITIVE_INFINITY]),
      }),
    );
    // Every status is streamed (streamResponseStatusCodes above), so the stream is always there.
    body = await readBounded(response.readableStreamBody as NodeJS.ReadableStream, MAX_RESPONSE_BYTES);
  } catch (error) {
    const reason = timedOut
      ? `no answer within ${timeoutMs} ms`
      : error instanceof Error
        ? error.message
        : String(error);
    // No `cause`: the failed request carries the request token in its headers.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(
      `GitHub Actions ID token request to ${shown} failed: ${scrubSecrets(reason, [requestToken])}`,
    );
  } finally {
    clearTimeout(timeout);
  }
  const { status } = response;
  if (status !== 200) {
    throw new Error(
      `GitHub Actions ID token request to ${shown} answered ${status}: ${scrubSecrets(body.slice(0, 300), [requestToken])}` +
        (status === 401 || status === 403
          ? " (is ACTIONS_ID_TOKEN_REQUEST_TOKEN from this job, and does the job have `permissions: id-token: write`?)"
          : ""),
    );
  }
  let value: unknown;
  try {
    value = (JSON.parse(body) as { value?: unknown }).value;
  } catch {
    // Not JSON: refused just below, like JSON without a token.
  }
  if (typeof value !== "string" || value === "") {
    throw new Error(`GitHub Actions ID token request to ${shown} answered 200 without a "value" token`);
  }
  return value;
}

/**
 * Azure Pipelines through @azure/identity's AzurePipelinesCredential. The provider's environment
 * may differ from `process.env` (tests, embedding); the library reads SYSTEM_OIDCREQUESTURI from
 * `process.env` synchronously in its constructor only, so it is put there for that call and
 * restored right after.
 */
export function azurePipelinesCredential(
  tenantId: string,
  clientId: string,
  secrets: Secrets,
  options: FederatedOptions,
): TokenCredential {
  const method: Method = "azurePipelines";
  const serviceConnectionId = need(secrets.serviceConnectionId, "serviceConnectionId", method);
  const oidcUri = need(secrets.systemOidcRequestUri, "systemOidcRequestUri", method);
  const systemAccessToken = need(secrets.systemAccessToken, "systemAccessToken", method);
  const url = checkEndpointUrl(oidcUri, SETTINGS.systemOidcRequestUri, "https://dev.azure.com/…/oidctoken");
  if (url.protocol !== "https:") {
    // @azure/identity sends this request without allowInsecureConnection: http is refused there.
    throw new ConfigurationError(
      `${where(SETTINGS.systemOidcRequestUri)} must use https (@azure/identity refuses http for it), got ${JSON.stringify(oidcUri)}`,
    );
  }
  const previous = process.env.SYSTEM_OIDCREQUESTURI;
  process.env.SYSTEM_OIDCREQUESTURI = oidcUri;
  try {
    return new AzurePipelinesCredential(tenantId, clientId, serviceConnectionId, systemAccessToken, options);
  } finally {
    if (previous === undefined) delete process.env.SYSTEM_OIDCREQUESTURI;
    else process.env.SYSTEM_OIDCREQUESTURI = previous;
  }
}

/** Reads a response body as text, failing once it passes `limit` bytes. */
function readBounded(stream: NodeJS.ReadableStream, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
        reject(new Error(`response larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
}
