/**
 * The one way to reach Graph: settings from stack config and the environment, the credential they
 * choose, a token source, the process's shared rate limiter and the HTTP client. The provider
 * builds its connection here, and so does every command that talks to a tenant.
 */
import { CredentialTokenSource, chooseAuthMethod, createCredential } from "./auth/credential";
import {
  AuthMethod,
  ConnectionSettings,
  createLookup,
  readSecrets,
  resolveSettings,
  secretValues,
} from "./config/settings";
import { GraphClient } from "./graph/client";
import { ConnectorsApi, ConnectorsApiOptions } from "./graph/connectors";
import { RequestLimiter } from "./graph/limiter";
import { createDebugLogger } from "./config/logging";
import { RetryOptions } from "./config/retry-options";
import { packageInfo } from "./version";

export interface ConnectionOptions {
  /** Stack config, by full key (`intune:clientId`). Default: none, the environment alone. */
  config?: (key: string) => string | undefined;
  /** The environment settings fall back to. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Overrides of the retry budget, over what the settings say (tests, benchmarks). */
  retry?: Partial<RetryOptions>;
  /** Overrides of the connectors API's timings (tests). */
  apiOptions?: ConnectorsApiOptions;
}

export interface Connection {
  settings: ConnectionSettings;
  /** The credential the settings chose. */
  method: AuthMethod;
  tokens: CredentialTokenSource;
  client: GraphClient;
  api: ConnectorsApi;
  /** The write limiter, shared by every connection of this process to the same app, tenant and Graph. */
  limiter: RequestLimiter;
  /** Closes kept-alive connections (so a process can exit promptly). */
  close(): void;
}

// One limiter per app, tenant and Graph origin, shared by every connection of this process: the
// limits Intune enforces are per app and tenant, whoever in the process sends.
const sharedLimiters = new Map<string, RequestLimiter>();

/** Builds a connection. Throws ConfigurationError for settings that are missing or wrong. */
export function connect(options: ConnectionOptions = {}): Connection {
  const env = options.env ?? process.env;
  const lookup = createLookup(options.config, env);
  const settings = resolveSettings(lookup);
  const method = chooseAuthMethod(settings, readSecrets(lookup), env);
  const tokens = new CredentialTokenSource(
    // Secrets are read here, when the credential is built, and handed straight to it.
    () => createCredential(settings, readSecrets(lookup), method, lookup),
    settings.scope,
    `${method}, tenant ${settings.tenantId ?? "(default)"}, client ${settings.clientId ?? "(default)"}, authority ${settings.authorityHost}`,
    () => secretValues(readSecrets(lookup)),
  );
  const limiterKey = `${settings.tenantId}|${settings.clientId}|${settings.graphEndpoint}`;
  let limiter = sharedLimiters.get(limiterKey);
  if (!limiter) {
    limiter = new RequestLimiter(settings.limits);
    sharedLimiters.set(limiterKey, limiter);
  }
  const info = packageInfo();
  const client = new GraphClient({
    endpoint: settings.graphEndpoint,
    tokens,
    retry: { ...settings.retry, ...options.retry },
    limiter,
    userAgent: `${info.name}/${info.version} (node ${process.version}; ${process.platform})`,
    logger: createDebugLogger(env),
  });
  const api = new ConnectorsApi(client, options.apiOptions);
  return { settings, method, tokens, client, api, limiter, close: () => client.close() };
}
