/**
 * Connection settings: which cloud, tenant and app, where Graph and Entra ID are, and the retry
 * and rate budgets. Each setting comes from stack config (namespace `intune:`) or else from an
 * environment variable. Secrets are never part of these settings: `readSecrets` fetches them
 * at the moment a credential is built, so nothing holding them is ever serialized.
 */
import { IntuneError } from "../logic/errors";
import { CLOUDS, CLOUD_NAMES, CloudName, parseCloud } from "../logic/clouds";
import { INTUNE_ODJ_LIMITS, RateLimits } from "../logic/limits";
import { RetryOptions } from "./retry-options";
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

/** One setting: its stack config key (under `intune:`) and the environment variables it falls back to. */
export interface SettingDefinition {
  key: string;
  env: readonly string[];
  secret?: boolean;
  /**
   * Set by a CI system in the job's environment only (GitHub Actions, Azure Pipelines): never read
   * from stack config, and named in messages by its variable alone.
   */
  envOnly?: boolean;
}

export const SETTINGS = {
  cloud: { key: "cloud", env: ["INTUNE_CLOUD"] },
  tenantId: { key: "tenantId", env: ["AZURE_TENANT_ID"] },
  clientId: { key: "clientId", env: ["AZURE_CLIENT_ID"] },
  authMethod: { key: "authMethod", env: ["INTUNE_AUTH_METHOD"] },
  graphEndpoint: { key: "graphEndpoint", env: ["INTUNE_GRAPH_ENDPOINT"] },
  authorityHost: { key: "authorityHost", env: ["AZURE_AUTHORITY_HOST"] },
  clientSecret: { key: "clientSecret", env: ["AZURE_CLIENT_SECRET"], secret: true },
  clientCertificatePath: { key: "clientCertificatePath", env: ["AZURE_CLIENT_CERTIFICATE_PATH"] },
  clientCertificatePassword: {
    key: "clientCertificatePassword",
    env: ["AZURE_CLIENT_CERTIFICATE_PASSWORD"],
    secret: true,
  },
  federatedTokenFile: { key: "federatedTokenFile", env: ["AZURE_FEDERATED_TOKEN_FILE"] },
  /** Azure Pipelines: the workload identity service connection (AzureCLI@2 sets the variable). */
  serviceConnectionId: {
    key: "serviceConnectionId",
    env: ["AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"],
  },
  /** GitHub Actions: where the job asks for its OIDC ID token (`permissions: id-token: write`). */
  actionsIdTokenRequestUrl: {
    key: "actionsIdTokenRequestUrl",
    env: ["ACTIONS_ID_TOKEN_REQUEST_URL"],
    envOnly: true,
  },
  actionsIdTokenRequestToken: {
    key: "actionsIdTokenRequestToken",
    env: ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"],
    secret: true,
    envOnly: true,
  },
  /** Azure Pipelines: the job's OIDC endpoint, and `$(System.AccessToken)` mapped into the step. */
  systemOidcRequestUri: { key: "systemOidcRequestUri", env: ["SYSTEM_OIDCREQUESTURI"], envOnly: true },
  systemAccessToken: { key: "systemAccessToken", env: ["SYSTEM_ACCESSTOKEN"], secret: true, envOnly: true },
  maxAttempts: { key: "maxAttempts", env: ["INTUNE_MAX_ATTEMPTS"] },
  requestTimeoutSeconds: { key: "requestTimeoutSeconds", env: ["INTUNE_REQUEST_TIMEOUT_SECONDS"] },
  deadlineSeconds: { key: "deadlineSeconds", env: ["INTUNE_DEADLINE_SECONDS"] },
  writesPerWindow: { key: "writesPer20Seconds", env: ["INTUNE_WRITES_PER_20_SECONDS"] },
  // Switches of the provider process, read from its environment only.
  /** Debug logging of Graph traffic: 1 or true (see config/logging.ts). */
  debug: { key: "debug", env: ["INTUNE_DEBUG"], envOnly: true },
  /** The `debug` package's convention: debug logging is on when the list names intune. */
  debugNamespaces: { key: "debugNamespaces", env: ["DEBUG"], envOnly: true },
  /** Where notes of POSTs in flight are kept (see glue/create-journal.ts). */
  createJournal: { key: "createJournal", env: ["INTUNE_CREATE_JOURNAL"], envOnly: true },
  /** Set by Azure hosts that offer a managed identity (App Service, Functions, Arc, VMs). */
  managedIdentityEndpoint: {
    key: "managedIdentityEndpoint",
    env: ["IDENTITY_ENDPOINT", "MSI_ENDPOINT"],
    envOnly: true,
  },
} as const satisfies Record<string, SettingDefinition>;

/** Looks a setting up: stack config first, then the environment. */
export type SettingLookup = (setting: SettingDefinition) => string | undefined;

export class ConfigurationError extends IntuneError {
  override readonly name = "ConfigurationError";
}

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
  setting: SettingDefinition,
  config: ((key: string) => string | undefined) | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { value: string; from: string } | undefined {
  const key = `intune:${setting.key}`;
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
  setting: SettingDefinition,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return createLookup(undefined, env)(setting);
}

/** How a setting is named in messages: `intune:key (or ENV)`, or the variable alone for CI-only ones. */
export function where(setting: SettingDefinition): string {
  if (setting.envOnly) return setting.env.join(", ");
  return `intune:${setting.key} (or ${setting.env.join(", ")})`;
}

/**
 * The rule for every URL a token or Graph request goes to: https, or http on a loopback address
 * only (emulators, local stand-ins). Returns the parsed URL; the message names the setting.
 */
export function checkEndpointUrl(raw: string, setting: SettingDefinition, example: string): URL {
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

function positiveNumber(lookup: SettingLookup, setting: SettingDefinition): number | undefined {
  const raw = lookup(setting);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(`${where(setting)} must be a positive number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function endpoint(lookup: SettingLookup, setting: SettingDefinition, fallback: string): string {
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
  const writes = positiveNumber(lookup, SETTINGS.writesPerWindow);
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
