// Public types of the emulator's library API. Other parts of the project (the provider's tests,
// the demo scripts) depend on exactly these shapes, so change them only together with them.
import type { JSONWebKeySet } from "jose";
import type { ServiceVariants } from "./graph/variants";

export type { ServiceVariants } from "./graph/variants";

export type CloudName = "global" | "usgov" | "usgovdod" | "china";
export type ConnectorState = "active" | "error" | "inactive";

export interface FederatedCredential {
  /** The issuer URL, or "{emulator}" (EMULATOR_ISSUER) for the emulator's own test issuer. */
  issuer: string;
  subject: string;
  /** Default `api://AzureADTokenExchange`, as in Entra. */
  audience?: string;
}

export interface AppRegistration {
  /** A GUID. */
  clientId: string;
  displayName: string;
  /** Client secrets the token endpoint accepts. */
  secrets?: string[];
  /** PEM certificates whose keys may sign client assertions (ClientCertificateCredential). */
  certificates?: string[];
  federated?: FederatedCredential[];
  /** App roles put in the token's `roles` claim, e.g. ["DeviceManagementConfiguration.ReadWrite.All"]. */
  roles: string[];
  /**
   * Default false (Entra's default: "Accounts in this organizational directory only"). true: other
   * tenants may consent to it (TenantOptions.consent) and then issue it tokens with the roles they
   * granted; a single-tenant app works only in its home tenant.
   */
  multiTenant?: boolean;
}

/**
 * An admin's consent, in one tenant, to a multi-tenant app registered in another: the app's client
 * id, and the application permissions (roles) granted. A bare client id grants every role the app
 * asks for; `roles: []` installs the app (its service principal) without granting any.
 */
export type TenantConsent = string | { clientId: string; roles?: string[] };

/** A tenant besides the default one (EmulatorOptions.tenantId), or one added at run time. */
export interface TenantOptions {
  /** A GUID. Default: a new random one (addTenant), or one derived from the tenant's place in `tenants`. */
  tenantId?: string;
  /** The directory's display name, which Entra's messages name. Default "Tenant <n> (emulated)". */
  name?: string;
  /** A verified domain, e.g. "fabrikam.onmicrosoft.com": an authority may name it instead of the GUID. */
  domain?: string;
  /** Initial connectors, as EmulatorOptions.seed. Default none. */
  seed?: Partial<ConnectorRecord>[] | number;
  /** Apps registered in this tenant (their home). Default none: the default apps live in the default tenant. */
  apps?: AppRegistration[];
  /** Multi-tenant apps of other tenants this tenant's admin consented to. Default none. */
  consent?: TenantConsent[];
  /**
   * Whether this tenant has an active Intune licence (a licence is bought per tenant). Default:
   * the emulator's option `intuneLicensed`, which setOptions changes for every tenant that does
   * not say.
   */
  intuneLicensed?: boolean;
}

export interface ConnectorRecord {
  id: string;
  /** Nullable in the metadata: a tenant can hold a connector without a name. */
  displayName: string | null;
  /** Never null by default (the metadata: `Nullable="false"`); null only under variant createdVersion "null". */
  version: string | null;
  /** Intune's verdict on the heartbeats at the emulator's clock (see connectors/state.ts). */
  state: ConnectorState;
  lastConnectionDateTime: string;
}

export interface ThrottleOptions {
  /** Default true. */
  enabled?: boolean;
  /** Default 20000 (the Intune ODJ limits are per 20 s). */
  windowMs?: number;
  /** Writes per app per tenant per window, default 100. */
  appWrites?: number;
  /** Requests per app per tenant per window, default 1000. */
  appAll?: number;
  /** Writes per tenant (all apps) per window, default 200. */
  tenantWrites?: number;
  /** Requests per tenant (all apps) per window, default 2000. */
  tenantAll?: number;
  /**
   * Default true: send Retry-After on 429, as throttling.md says this resource does. false: the
   * robustness case of a 429 without one (docs/emulator.md).
   */
  retryAfter?: boolean;
}

export interface EmulatorOptions {
  /** Default 0 (a free port). The emulator always binds 127.0.0.1. */
  port?: number;
  /** Where ca.pem / ca-key.pem live; default "<cwd>/.emulator". The CA is created once and reused. */
  stateDir?: string;
  /** Default "global": decides the token audience Graph accepts. */
  cloud?: CloudName;
  /** Default a fixed GUID. */
  tenantId?: string;
  /** Default: "writer" (ReadWrite.All), "reader" (Read.All), "no-roles" ([]), each with a random secret. */
  apps?: AppRegistration[];
  /** Initial connectors; a number = that many realistic generated ones. */
  seed?: Partial<ConnectorRecord>[] | number;
  /**
   * More tenants, each with its own connectors, app registrations, consents, throttling windows
   * and request log entries (tenantId, apps and seed above are the default tenant's). Default none.
   */
  tenants?: TenantOptions[];
  /**
   * List page size, default 100, and the largest $top takes (then @odata.nextLink, with an opaque
   * $skiptoken or a $skip: variant paging). Not documented.
   */
  pageSize?: number;
  /**
   * Behaviours Microsoft's sources leave open, each with a default and its alternatives
   * (graph/variants.ts; docs/emulator.md lists them). Default: every variant's default.
   */
  variants?: Partial<ServiceVariants>;
  /**
   * @deprecated Use `variants: { patchResponse }`. true = "body" (the documented 200 with the
   * object, now the default), false = "no-content" (204).
   */
  patchReturnsBody?: boolean;
  /** Added to every Graph and token response, default 0. */
  latencyMs?: number;
  /**
   * A service that does not take some properties: PATCH leaves these unchanged yet answers as if
   * it had applied them (204, or 200 with the unchanged object). Default none.
   */
  ignoredPatchProperties?: ("displayName" | "version" | "state")[];
  /**
   * Replication lag: after a connector is created or changed through Graph, reading it by id
   * answers 404 until `reads` such reads have been answered 404 and `ms` have passed (each
   * default 0). Lists are not affected. Default: no lag.
   */
  replicationLag?: { reads?: number; ms?: number };
  /**
   * Default true. false: the tenant has no active Intune licence ("The Microsoft Graph API for
   * Intune requires an active Intune license for the tenant."), and every request for the
   * connectors is answered 403 with Intune's message naming the licence.
   */
  intuneLicensed?: boolean;
  /** Default 3599. */
  tokenLifetimeSeconds?: number;
  throttle?: ThrottleOptions;
  /** When set, active connectors heartbeat on that interval (moves lastConnectionDateTime). */
  heartbeatMs?: number;
  /**
   * When set, inactive connectors are removed this long after `removeInactiveFrom`, on the
   * emulator's clock. Microsoft: "Inactive Intune connectors still appear in the Intune Connectors
   * page and will automatically be cleaned up after 30 days." Default: never.
   */
  removeInactiveAfterMs?: number;
  /**
   * Where removeInactiveAfterMs counts from, which Microsoft's sentence leaves open: "last-contact"
   * (default: the last heartbeat) or "inactive" (when the connector became inactive, five days of
   * silence later). A connector that never connected counts from its creation either way.
   */
  removeInactiveFrom?: "last-contact" | "inactive";
  /** When set, connectors are loaded from and saved to this JSON file. */
  persistFile?: string;
  /**
   * Extra OIDC issuers whose tokens may be exchanged through federated credentials, with their
   * key sets (issuer URL → JWKS). The emulator's own test issuer is always trusted.
   */
  trustedIssuers?: Record<string, JSONWebKeySet>;
}

export interface TokenRequestSummary {
  grant_type?: string;
  client_id?: string;
  scope?: string;
  assertion_type?: string;
}

export interface RequestLogEntry {
  seq: number;
  time: string;
  kind: "token" | "graph" | "admin";
  method: string;
  path: string;
  query: string;
  /** 0 when the connection was dropped without an answer. */
  status: number;
  appId?: string;
  /**
   * The tenant the request was for: the authority's tenant for Entra, the token's `tid` for Graph
   * (when it names a tenant of the emulator). None for admin requests.
   */
  tenantId?: string;
  requestId: string;
  clientRequestId?: string;
  /** Parsed JSON request body; for token requests only the non-secret fields. */
  body?: unknown;
  /** Which fault rule shaped this request, if any. */
  fault?: string;
  /** That rule's label, when it was given one. */
  faultLabel?: string;
}

export interface FaultRule {
  /** Match the method (default any). */
  method?: string;
  /**
   * Match a substring of the path, or a regular expression when written /source/flags with valid
   * flags (so "/oauth2/v2.0/token" is a substring: "token" is not a set of flags).
   */
  path?: string;
  /** How many matching requests it hits (default 1). */
  count?: number;
  /**
   * Instead of a count: every matching request for this many milliseconds from the first one it
   * hits (a throttling storm, an outage), then the rule is gone.
   */
  forMs?: number;
  /** Answer with this status and a Graph-shaped (token endpoint: Entra-shaped) error body. */
  status?: number;
  /** With status 429/503: the Retry-After value; null = omit it; default 1. */
  retryAfter?: number | string | null;
  /** Delay before handling (a slow service; the client may time out). */
  delayMs?: number;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /** Process the request for real, then answer with this status or drop: the unknown-outcome case. */
  applyThen?: number | "drop";
  /** A name for the rule, copied to the log entries of the requests it shapes (faultLabel). */
  label?: string;
  /**
   * Only requests for this tenant (a GUID or a domain of one): its authority's token requests and
   * Graph requests whose token names it. Default: every tenant.
   */
  tenantId?: string;
}

/** Which entries of the request log: of one kind, of one tenant. */
export interface RequestLogFilter {
  kind?: RequestLogEntry["kind"];
  tenantId?: string;
}

export interface RequestSummary {
  token: number;
  GET: number;
  POST: number;
  PATCH: number;
  DELETE: number;
  throttled: number;
  errors: number;
}

/**
 * An out-of-band edit or a seed entry. `state` is the heartbeats' verdict: given alone it moves the
 * last contact to a time that gives it (error: two hours ago); given with a last contact, the two
 * must agree.
 */
export type ConnectorPatch = Partial<Omit<ConnectorRecord, "id">>;
export type RuntimeOptions = Partial<
  Pick<
    EmulatorOptions,
    | "pageSize"
    | "variants"
    | "patchReturnsBody"
    | "latencyMs"
    | "throttle"
    | "ignoredPatchProperties"
    | "replicationLag"
    | "intuneLicensed"
  >
>;

/**
 * An app as one tenant sees it: registered there, or a multi-tenant app consented there. `roles`
 * are what that tenant's tokens for it carry; `secret` is its first secret ("" without one).
 */
export type TenantAppView = AppRegistration & { secret: string; homeTenantId: string };

/** A tenant as `GET /_emulator/info` lists it: never a secret. */
export interface TenantInfo {
  tenantId: string;
  name: string;
  domain?: string;
  /** The tenant of EmulatorOptions.tenantId, which the top-level methods act on. */
  isDefault: boolean;
  /** The apps registered here. */
  apps: Pick<AppRegistration, "clientId" | "displayName" | "roles" | "multiTenant" | "federated">[];
  /** The multi-tenant apps of other tenants consented here, with the roles granted. */
  consents: { clientId: string; displayName: string; homeTenantId: string; roles: string[] }[];
  connectors: number;
  /** Its own licence, when its options say (else the emulator's option intuneLicensed decides). */
  intuneLicensed?: boolean;
}

/**
 * One tenant of the emulator: its connectors, apps and consents, and its share of the request log
 * and of the fault rules. `emu.tenant(id)`; the top-level connector methods are the default tenant's.
 */
export interface EmulatedTenant {
  readonly tenantId: string;
  readonly name: string;
  readonly domain?: string;
  /** The emulator's origin, as on Emulator: every tenant is served there (Entra at /{tenant}/...). */
  readonly url: string;
  readonly graphEndpoint: string;
  readonly authorityHost: string;
  readonly caCertPath: string;
  /** The apps registered here, with their (generated) secrets. */
  readonly apps: AppRegistration[];
  /** An app registered or consented here, by display name or client id. */
  app(name: string): TenantAppView;
  /** Grants (or changes) this tenant's admin consent to a multi-tenant app of another tenant. */
  consent(clientId: string, roles?: string[]): void;
  /** Removes the app's service principal from this tenant: its tokens here are refused again. */
  revokeConsent(clientId: string): void;
  info(): TenantInfo;
  connectors(): ConnectorRecord[];
  seed(connectors: Partial<ConnectorRecord>[] | number): ConnectorRecord[];
  editOutOfBand(id: string, patch: ConnectorPatch): ConnectorRecord;
  removeOutOfBand(id: string): void;
  heartbeat(id: string, opts?: { version?: string; state?: "active" }): ConnectorRecord;
  /** This tenant's running connectors check in now (Emulator.heartbeatRunning). */
  heartbeatRunning(): number;
  /** A fault rule for this tenant's requests only. */
  addFault(rule: FaultRule): void;
  /** This tenant's entries of the request log. */
  requestLog(filter?: { kind?: RequestLogEntry["kind"] }): RequestLogEntry[];
  summary(): RequestSummary;
  summaryLine(): string;
}

export interface Emulator {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  /** Same origin as url (Graph at /beta/...). */
  readonly graphEndpoint: string;
  /** Same origin as url (Entra at /{tenant}/...). */
  readonly authorityHost: string;
  readonly caCertPath: string;
  /** The default tenant's: the top-level connector and app methods act on it. */
  readonly tenantId: string;
  readonly cloud: string;
  /** The default tenant's apps, with their (generated) secrets. */
  readonly apps: AppRegistration[];
  /** By displayName, e.g. app("writer"); `secret` is the first secret ("" for an app without one). */
  app(name: string): AppRegistration & { secret: string };
  /** The default tenant (no argument), or the tenant with this GUID or domain. */
  tenant(tenantId?: string): EmulatedTenant;
  /** Every tenant, the default one first. */
  tenants(): EmulatedTenant[];
  /** A tenant more, at run time (a new GUID unless given). reset() removes it again. */
  addTenant(options?: TenantOptions): EmulatedTenant;
  /** Many tenants at once, all or none (persisted once): the cheap way to a large fleet. */
  addTenants(options: TenantOptions[]): EmulatedTenant[];
  /** The default tenant's connectors. */
  connectors(): ConnectorRecord[];
  /** Every tenant's requests, or those the filter names. */
  requestLog(filter?: RequestLogFilter): RequestLogEntry[];
  clearLog(): void;
  /** Admin requests are not counted; with a tenantId, only that tenant's requests. */
  summary(filter?: { tenantId?: string }): RequestSummary;
  /** e.g. "Graph: 1 token, 2 GET, 1 PATCH, 1 POST". */
  summaryLine(filter?: { tenantId?: string }): string;
  /**
   * Clears connectors, log, faults, throttle windows, runtime options and the clock; reseeds every
   * tenant; removes the tenants added at run time and the consents changed at run time.
   */
  reset(opts?: { seed?: EmulatorOptions["seed"] }): void;
  seed(connectors: Partial<ConnectorRecord>[] | number): ConnectorRecord[];
  /** An admin editing the connector in the portal (default tenant; `tenant(id)` for another). */
  editOutOfBand(id: string, patch: ConnectorPatch): ConnectorRecord;
  removeOutOfBand(id: string): void;
  /**
   * The connector software checking in: lastConnectionDateTime = the emulator's now, state active
   * ("actively pinging"), and the version it reports if given. A heartbeat cannot report another
   * state: silence does that (editOutOfBand with a last contact, or advanceClock).
   */
  heartbeat(id: string, opts?: { version?: string; state?: "active" }): ConnectorRecord;
  /**
   * Every server of the default tenant whose connector software runs checks in now: the active
   * connectors, and, under variant deleteRegistered "reappears", those a DELETE removed while their
   * software ran (what the heartbeatMs timer does, in every tenant). Returns how many checked in.
   */
  heartbeatRunning(): number;
  /** The variants in force now (graph/variants.ts). */
  variants(): ServiceVariants;
  /** The emulator's clock (connector time): real time plus what advanceClock added. */
  now(): Date;
  /** Moves the connector clock forward (silence turns connectors error, then inactive); returns the new now. */
  advanceClock(ms: number): Date;
  /** A fault rule for every tenant's requests, or for the tenant it names. */
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Empties the throttling windows, as if the last 20 s had been quiet (benchmarks between steps). */
  resetThrottle(): void;
  setOptions(patch: RuntimeOptions): void;
  /** A JWT from the emulator's own test OIDC issuer. */
  mintFederatedToken(opts: { subject: string; audience?: string; lifetimeSeconds?: number }): Promise<string>;
  /** That issuer's URL. */
  readonly issuer: string;
  /** Closes the server and all keep-alive sockets, stops timers. */
  close(): Promise<void>;
}
