/**
 * Connection settings: which cloud, tenant and app, where Graph and Entra ID are, and the retry
 * and rate budgets. Each setting comes from stack config (namespace `intune:`) or else from an
 * environment variable. Secrets are never part of these settings: `readSecrets` fetches them
 * at the moment a credential is built, so nothing holding them is ever serialized.
 */
import { ConfigurationError } from "../logic/errors";

export { ConfigurationError };
import { CLOUDS, CLOUD_NAMES, CloudName, parseCloud } from "../logic/clouds";
import { INTUNE_ODJ_LIMITS, RateLimits } from "../logic/limits";
import { DEFAULT_RETRY_OPTIONS, RetryOptions } from "./retry-options";
import { PACKAGE_NAME } from "../connector/constants";
import { isAllowedEndpoint } from "../logic/endpoint";

export const AUTH_METHODS = [
  "clientSecret",
  "clientCertificate",
  "workloadIdentity",
  "githubActions",
  "azurePipelines",
  "managedIdentity",
  "azureCli",
] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/**
 * One setting: its stack config key (under `intune:`), the environment variables it falls back to,
 * and what it does. The package schema's config and the reference's table are built from these.
 */
export interface SettingDefinition {
  key: string;
  env: readonly string[];
  /** What the setting does, with its default; the schema's and the docs' text. */
  description: string;
  /** How the schema types the value. Default: string. */
  type?: "number";
  secret?: boolean;
  /**
   * Set by a CI system in the job's environment only (GitHub Actions, Azure Pipelines): never read
   * from stack config, and named in messages by its variable alone.
   */
  envOnly?: boolean;
}

const quoted = (values: readonly string[]) => values.map((v) => `\`${v}\``).join(", ");

export const SETTINGS = {
  cloud: {
    key: "cloud",
    env: ["INTUNE_CLOUD"],
    description:
      `The Microsoft cloud: ${quoted(CLOUD_NAMES)} (default \`${CLOUD_NAMES[0]}\`, also GCC; \`usgov\` is GCC High, ` +
      "`usgovdod` DoD, `china` 21Vianet). Login and Graph are always chosen together.",
  },
  tenantId: {
    key: "tenantId",
    env: ["AZURE_TENANT_ID"],
    description: "The Entra ID tenant: its id (a GUID) or a domain such as `contoso.onmicrosoft.com`.",
  },
  clientId: {
    key: "clientId",
    env: ["AZURE_CLIENT_ID"],
    description: "The application (client) id the provider signs in as.",
  },
  authMethod: {
    key: "authMethod",
    env: ["INTUNE_AUTH_METHOD"],
    description: `How to sign in: ${quoted(AUTH_METHODS)}. Default: the first whose settings are present.`,
  },
  graphEndpoint: {
    key: "graphEndpoint",
    env: ["INTUNE_GRAPH_ENDPOINT"],
    description:
      "The Microsoft Graph endpoint, for a proxy or the emulator: https, or http on a loopback address only. " +
      "Default: the cloud's.",
  },
  authorityHost: {
    key: "authorityHost",
    env: ["AZURE_AUTHORITY_HOST"],
    description: "The Entra ID authority: https, or http on a loopback address only. Default: the cloud's.",
  },
  clientSecret: {
    key: "clientSecret",
    env: ["AZURE_CLIENT_SECRET"],
    secret: true,
    description: "The application's client secret.",
  },
  clientCertificatePath: {
    key: "clientCertificatePath",
    env: ["AZURE_CLIENT_CERTIFICATE_PATH"],
    description: "A PEM file with the application's certificate and private key.",
  },
  clientCertificatePassword: {
    key: "clientCertificatePassword",
    env: ["AZURE_CLIENT_CERTIFICATE_PASSWORD"],
    secret: true,
    description: "The password of the certificate's private key.",
  },
  federatedTokenFile: {
    key: "federatedTokenFile",
    env: ["AZURE_FEDERATED_TOKEN_FILE"],
    description: "A file holding a federated (workload identity) token, read again at every sign-in.",
  },
  serviceConnectionId: {
    key: "serviceConnectionId",
    env: ["AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"],
    description:
      "Azure Pipelines: the id of the workload identity service connection (AzureCLI@2 sets the variable).",
  },
  actionsIdTokenRequestUrl: {
    key: "actionsIdTokenRequestUrl",
    env: ["ACTIONS_ID_TOKEN_REQUEST_URL"],
    envOnly: true,
    description: "GitHub Actions: where the job asks for its OIDC ID token (`permissions: id-token: write`).",
  },
  actionsIdTokenRequestToken: {
    key: "actionsIdTokenRequestToken",
    env: ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"],
    secret: true,
    envOnly: true,
    description: "GitHub Actions: the token that asks for the job's OIDC ID token.",
  },
  systemOidcRequestUri: {
    key: "systemOidcRequestUri",
    env: ["SYSTEM_OIDCREQUESTURI"],
    envOnly: true,
    description: "Azure Pipelines: the job's OIDC endpoint.",
  },
  systemAccessToken: {
    key: "systemAccessToken",
    env: ["SYSTEM_ACCESSTOKEN"],
    secret: true,
    envOnly: true,
    description: "Azure Pipelines: `$(System.AccessToken)`, mapped into the step.",
  },
  maxAttempts: {
    key: "maxAttempts",
    env: ["INTUNE_MAX_ATTEMPTS"],
    type: "number",
    description:
      `Attempts per Graph request, the first included. Default ${DEFAULT_RETRY_OPTIONS.maxAttempts}. Answers 429 ` +
      "do not count: they are retried as told until the deadline.",
  },
  requestTimeoutSeconds: {
    key: "requestTimeoutSeconds",
    env: ["INTUNE_REQUEST_TIMEOUT_SECONDS"],
    type: "number",
    description: `Time allowed for one attempt, its body included. Default ${DEFAULT_RETRY_OPTIONS.requestTimeoutMs / 1000}.`,
  },
  deadlineSeconds: {
    key: "deadlineSeconds",
    env: ["INTUNE_DEADLINE_SECONDS"],
    type: "number",
    description: `Time allowed for one operation, its retries included. Default ${DEFAULT_RETRY_OPTIONS.deadlineMs / 1000}.`,
  },
  writesPer20Seconds: {
    key: "writesPer20Seconds",
    env: ["INTUNE_WRITES_PER_20_SECONDS"],
    type: "number",
    description:
      `Writes per ${INTUNE_ODJ_LIMITS.windowMs / 1000} seconds, shared by every resource of the deployment ` +
      "(one provider process). " +
      `Default ${INTUNE_ODJ_LIMITS.writes}, Intune's published limit.`,
  },
  // Switches of the provider process, read from its environment only.
  debug: {
    key: "debug",
    env: ["INTUNE_DEBUG"],
    envOnly: true,
    description: "Debug logging of Graph traffic (allow-listed headers only): `1` or `true`.",
  },
  debugNamespaces: {
    key: "debugNamespaces",
    env: ["DEBUG"],
    envOnly: true,
    description: "The `debug` package's convention: debug logging is on when the list names `intune`.",
  },
  createJournal: {
    key: "createJournal",
    env: ["INTUNE_CREATE_JOURNAL"],
    envOnly: true,
    description:
      "Where notes of POSTs in flight are kept, for `intune-repair-pending`. Default: a folder in the temp dir.",
  },
  managedIdentityEndpoint: {
    key: "managedIdentityEndpoint",
    env: ["IDENTITY_ENDPOINT", "MSI_ENDPOINT"],
    envOnly: true,
    description: "Set by Azure hosts that offer a managed identity (App Service, Functions, Arc, VMs).",
  },
} as const satisfies Record<string, SettingDefinition>;

/** The settings a stack or an explicit provider may configure: every one not read from the environment alone. */
export function configSettings(): [string, SettingDefinition][] {
  return (Object.entries(SETTINGS) as [string, SettingDefinition][]).filter(
    ([, setting]) => !setting.envOnly,
  );
}

/** What finding a setting's value needs: its key and variables. */
export type SettingRef = Pick<SettingDefinition, "key" | "env" | "envOnly">;

/** Looks a setting up: stack config first, then the environment. */
export type SettingLookup = (setting: SettingRef) => string | undefined;

export interface ConnectionSettings {
  cloud: CloudName;
  tenantId?: string;
  clientId?: string;
  /** An explicit choice; otherwise the first method whose settings are present is used. */
  authMethod?: AuthMethod;
  graphEndpoint: string;
  authorityHost: string;
  /** True when Graph or the authority were overridden (emulator, proxy): no instance discovery then. */
  customEndpoints: boolean;
  /** Token scope: the cloud's Graph resource, also when the endpoint is overridden. */
  scope: string;
  retry: Partial<RetryOptions>;
  limits: RateLimits;
}

export interface Secrets {
  clientSecret?: string;
  clientCertificatePath?: string;
  clientCertificatePassword?: string;
  federatedTokenFile?: string;
  serviceConnectionId?: string;
  actionsIdTokenRequestUrl?: string;
  actionsIdTokenRequestToken?: string;
  systemOidcRequestUri?: string;
  systemAccessToken?: string;
}

/**
 * Where a setting's value comes from: the stack config key first, then each environment variable
 * in order; an empty value counts as unset. Undefined when the setting is not set at all.
 */
export function findSetting(
  setting: SettingRef,
  config: ((key: string) => string | undefined) | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { value: string; from: string } | undefined {
  const key = `${PACKAGE_NAME}:${setting.key}`;
  const fromConfig = setting.envOnly ? undefined : config?.(key);
  if (fromConfig !== undefined && fromConfig !== "") return { value: fromConfig, from: key };
  for (const name of setting.env) {
    const value = env[name];
    if (value !== undefined && value !== "") return { value, from: name };
  }
  return undefined;
}

/** A lookup over a stack config getter and an environment. */
export function createLookup(
  config: ((key: string) => string | undefined) | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SettingLookup {
  return (setting) => findSetting(setting, config, env)?.value;
}

/** A setting read from an environment alone (the switches of the provider process). */
export function fromEnvironment(
  setting: SettingRef,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return createLookup(undefined, env)(setting);
}

/** How a setting is named in messages: `intune:key (or ENV)`, or the variable alone for CI-only ones. */
export function where(setting: SettingRef): string {
  if (setting.envOnly) return setting.env.join(", ");
  return `${PACKAGE_NAME}:${setting.key} (or ${setting.env.join(", ")})`;
}

/**
 * The rule for every URL a token or Graph request goes to: https, or http on a loopback address
 * only (emulators, local stand-ins). Returns the parsed URL; the message names the setting.
 */
export function checkEndpointUrl(raw: string, setting: SettingRef, example: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(
      `${where(setting)} must be a URL such as ${example}, got ${JSON.stringify(raw)}`,
    );
  }
  if (!isAllowedEndpoint(url)) {
    throw new ConfigurationError(
      `${where(setting)} must use https (http only on loopback addresses), got ${JSON.stringify(raw)}`,
    );
  }
  return url;
}

function positiveNumber(lookup: SettingLookup, setting: SettingRef): number | undefined {
  const raw = lookup(setting);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(`${where(setting)} must be a positive number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function endpoint(lookup: SettingLookup, setting: SettingRef, fallback: string): string {
  const raw = lookup(setting);
  if (raw === undefined) return fallback;
  return checkEndpointUrl(raw, setting, fallback).origin;
}

const TENANT_PATTERN =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9.-]+\.[a-z]{2,})$/i;

export function resolveSettings(lookup: SettingLookup): ConnectionSettings {
  const cloudText = lookup(SETTINGS.cloud);
  const cloud = cloudText === undefined ? "global" : parseCloud(cloudText);
  if (!cloud) {
    throw new ConfigurationError(
      `${where(SETTINGS.cloud)} is ${JSON.stringify(cloudText)}; accepted: ${CLOUD_NAMES.join(", ")}`,
    );
  }
  const tenantId = lookup(SETTINGS.tenantId);
  if (tenantId !== undefined && !TENANT_PATTERN.test(tenantId)) {
    throw new ConfigurationError(
      `${where(SETTINGS.tenantId)} must be a tenant GUID or a domain such as contoso.onmicrosoft.com, got ${JSON.stringify(tenantId)}`,
    );
  }
  const methodText = lookup(SETTINGS.authMethod);
  if (methodText !== undefined && !(AUTH_METHODS as readonly string[]).includes(methodText)) {
    throw new ConfigurationError(
      `${where(SETTINGS.authMethod)} is ${JSON.stringify(methodText)}; accepted: ${AUTH_METHODS.join(", ")}`,
    );
  }
  const defaults = CLOUDS[cloud];
  const graphEndpoint = endpoint(lookup, SETTINGS.graphEndpoint, defaults.graphEndpoint);
  const authorityHost = endpoint(lookup, SETTINGS.authorityHost, defaults.authorityHost);
  const maxAttempts = positiveNumber(lookup, SETTINGS.maxAttempts);
  const timeout = positiveNumber(lookup, SETTINGS.requestTimeoutSeconds);
  const deadline = positiveNumber(lookup, SETTINGS.deadlineSeconds);
  const writes = positiveNumber(lookup, SETTINGS.writesPer20Seconds);
  const retry: Partial<RetryOptions> = {};
  if (maxAttempts !== undefined) retry.maxAttempts = Math.floor(maxAttempts);
  if (timeout !== undefined) retry.requestTimeoutMs = timeout * 1000;
  if (deadline !== undefined) retry.deadlineMs = deadline * 1000;
  return {
    cloud,
    tenantId,
    clientId: lookup(SETTINGS.clientId),
    authMethod: methodText as AuthMethod | undefined,
    graphEndpoint,
    authorityHost,
    customEndpoints: graphEndpoint !== defaults.graphEndpoint || authorityHost !== defaults.authorityHost,
    scope: `${defaults.graphResource}/.default`,
    retry,
    limits: writes === undefined ? INTUNE_ODJ_LIMITS : { ...INTUNE_ODJ_LIMITS, writes: Math.floor(writes) },
  };
}

/** Secrets, read when a credential is built and passed straight to it. */
export function readSecrets(lookup: SettingLookup): Secrets {
  return {
    clientSecret: lookup(SETTINGS.clientSecret),
    clientCertificatePath: lookup(SETTINGS.clientCertificatePath),
    clientCertificatePassword: lookup(SETTINGS.clientCertificatePassword),
    federatedTokenFile: lookup(SETTINGS.federatedTokenFile),
    serviceConnectionId: lookup(SETTINGS.serviceConnectionId),
    actionsIdTokenRequestUrl: lookup(SETTINGS.actionsIdTokenRequestUrl),
    actionsIdTokenRequestToken: lookup(SETTINGS.actionsIdTokenRequestToken),
    systemOidcRequestUri: lookup(SETTINGS.systemOidcRequestUri),
    systemAccessToken: lookup(SETTINGS.systemAccessToken),
  };
}

/**
 * The values in `secrets` that are secret (for scrubbing error text). The CI values beside them —
 * token endpoint URLs, the service connection id — are not, and stay readable in messages.
 */
export function secretValues(secrets: Secrets): string[] {
  return [
    secrets.clientSecret,
    secrets.clientCertificatePassword,
    secrets.actionsIdTokenRequestToken,
    secrets.systemAccessToken,
  ].filter((v): v is string => !!v);
}
