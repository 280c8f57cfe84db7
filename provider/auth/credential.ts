/**
 * Choosing the @azure/identity credential from the settings, and a token source that reuses one
 * token until it nears expiry. Order when no method is named (first whose settings are present):
 *   1. clientSecret       — tenant, client id, client secret
 *   2. clientCertificate  — tenant, client id, certificate file (PEM with key, or PFX)
 *   3. workloadIdentity   — tenant, client id, federated token file (Kubernetes, pipelines)
 *   4. githubActions      — tenant, client id, and a GitHub Actions job that can hand out ID tokens
 *                           (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN)
 *   5. azurePipelines     — tenant, client id, an Azure Pipelines job (SYSTEM_OIDCREQUESTURI) and a
 *                           service connection id (SYSTEM_ACCESSTOKEN is then required)
 *   6. managedIdentity    — on Azure hosts (IDENTITY_ENDPOINT / MSI_ENDPOINT present)
 *   7. azureCli           — a person at a desk after `az login`
 */
import {
  AzureCliCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  TokenCredential,
  WorkloadIdentityCredential,
} from "@azure/identity";
import { AccessTokenSource } from "../config/access-tokens";
import { Clock, realClock } from "../config/clock";
import { scrubSecrets } from "../config/logging";
import { AuthenticationError } from "./errors";
import {
  azurePipelinesAvailable,
  azurePipelinesCredential,
  githubActionsAvailable,
  githubActionsCredential,
} from "./federated";
import {
  AuthMethod,
  ConfigurationError,
  ConnectionSettings,
  SETTINGS,
  SettingLookup,
  Secrets,
  fromEnvironment,
  readSecrets,
} from "../config/settings";

export function chooseAuthMethod(
  settings: ConnectionSettings,
  secrets: Secrets,
  env: NodeJS.ProcessEnv = process.env,
): AuthMethod {
  if (settings.authMethod) return settings.authMethod;
  if (secrets.clientSecret) return "clientSecret";
  if (secrets.clientCertificatePath) return "clientCertificate";
  if (secrets.federatedTokenFile) return "workloadIdentity";
  // A CI job's variables alone do not choose a method: the app (tenant and client id) must be named.
  const appNamed = !!(settings.tenantId && settings.clientId);
  if (appNamed && githubActionsAvailable(secrets)) return "githubActions";
  if (appNamed && azurePipelinesAvailable(secrets)) return "azurePipelines";
  if (fromEnvironment(SETTINGS.managedIdentityEndpoint, env) !== undefined) return "managedIdentity";
  return "azureCli";
}

function required(
  value: string | undefined,
  setting: { key: string; env: readonly string[] },
  method: AuthMethod,
): string {
  if (!value) {
    throw new ConfigurationError(
      `authentication with ${method} needs intune:${setting.key} (or ${setting.env.join(", ")})`,
    );
  }
  return value;
}

/**
 * Builds the credential; secrets go into it and nowhere else. With `lookup`, the GitHub Actions
 * callback reads its two variables again each time it fetches an ID token; without it, it uses
 * the values in `secrets` (read when this credential was built).
 */
export function createCredential(
  settings: ConnectionSettings,
  secrets: Secrets,
  method: AuthMethod,
  lookup?: SettingLookup,
): TokenCredential {
  const options = {
    authorityHost: settings.authorityHost,
    // A custom authority (emulator, sovereign proxy) is not known to the public cloud's discovery.
    disableInstanceDiscovery: settings.customEndpoints,
  };
  switch (method) {
    case "clientSecret":
      return new ClientSecretCredential(
        required(settings.tenantId, SETTINGS.tenantId, method),
        required(settings.clientId, SETTINGS.clientId, method),
        required(secrets.clientSecret, SETTINGS.clientSecret, method),
        options,
      );
    case "clientCertificate":
      return new ClientCertificateCredential(
        required(settings.tenantId, SETTINGS.tenantId, method),
        required(settings.clientId, SETTINGS.clientId, method),
        {
          certificatePath: required(secrets.clientCertificatePath, SETTINGS.clientCertificatePath, method),
          certificatePassword: secrets.clientCertificatePassword,
        },
        options,
      );
    case "workloadIdentity":
      return new WorkloadIdentityCredential({
        ...options,
        tenantId: required(settings.tenantId, SETTINGS.tenantId, method),
        clientId: required(settings.clientId, SETTINGS.clientId, method),
        tokenFilePath: required(secrets.federatedTokenFile, SETTINGS.federatedTokenFile, method),
      });
    case "githubActions":
      return githubActionsCredential(
        required(settings.tenantId, SETTINGS.tenantId, method),
        required(settings.clientId, SETTINGS.clientId, method),
        lookup ? () => readSecrets(lookup) : () => secrets,
        options,
      );
    case "azurePipelines":
      return azurePipelinesCredential(
        required(settings.tenantId, SETTINGS.tenantId, method),
        required(settings.clientId, SETTINGS.clientId, method),
        secrets,
        options,
      );
    case "managedIdentity":
      return settings.clientId
        ? new ManagedIdentityCredential({ clientId: settings.clientId })
        : new ManagedIdentityCredential();
    case "azureCli":
      return new AzureCliCredential(settings.tenantId ? { tenantId: settings.tenantId } : {});
  }
}

/**
 * Tokens for one scope from one credential. A token is reused until `refreshMarginMs` before it
 * expires; concurrent callers share one request; `refresh` starts over with a new credential
 * (so no library cache can hand back the token Graph just refused).
 */
export class CredentialTokenSource implements AccessTokenSource {
  private credential: TokenCredential | undefined;
  private cached: { token: string; refreshAt: number } | undefined;
  private pending: Promise<string> | undefined;
  /** Tokens obtained from the credential so far (for tests and benchmarks). */
  tokensIssued = 0;

  constructor(
    private readonly makeCredential: () => TokenCredential,
    private readonly scope: string,
    private readonly describe: string,
    private readonly secretsToScrub: () => readonly (string | undefined)[] = () => [],
    private readonly refreshMarginMs = 5 * 60_000,
    private readonly clock: Clock = realClock,
  ) {}

  getToken(): Promise<string> {
    if (this.cached && this.clock.now() < this.cached.refreshAt) return Promise.resolve(this.cached.token);
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  refresh(): Promise<string> {
    this.cached = undefined;
    this.credential = undefined;
    return this.getToken();
  }

  private async fetchToken(): Promise<string> {
    let result;
    try {
      this.credential ??= this.makeCredential();
      result = await this.credential.getToken(this.scope);
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new AuthenticationError(
        `authentication failed (${this.describe}): ${scrubSecrets(message, this.secretsToScrub())}`,
      );
    }
    if (!result)
      throw new AuthenticationError(`authentication failed (${this.describe}): no token was returned`);
    this.tokensIssued++;
    const lifetime = result.expiresOnTimestamp - this.clock.now();
    // Short-lived tokens (tests, emulators) are refreshed at half-life instead of 5 minutes before.
    const margin = Math.min(this.refreshMarginMs, lifetime / 2);
    this.cached = { token: result.token, refreshAt: result.expiresOnTimestamp - margin };
    return result.token;
  }
}
