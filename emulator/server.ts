// Assembles the emulator: one HTTPS origin on 127.0.0.1 serving Entra (/{tenant}/...), Graph
// (/beta/...) and the admin API (/_emulator/...) for every tenant, plus the timers that make
// connectors live. What every request goes through on the way to one of them is
// request-handler.ts; the tenants are tenants/.
import * as https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AdminApi } from "./admin";
import { defaultApps } from "./entra/apps";
import { ensureCa, issueServerCertificate, loadCa } from "./clients/ca";
import { ClientAuthenticator } from "./entra/client-auth";
import { cloudProfile, graphAudiences } from "./clouds";
import { EntraService } from "./entra/service";
import { FaultInjector } from "./faults";
import { GraphService } from "./graph/service";
import { GraphTokenValidator, tenantNamedBy } from "./graph/auth";
import { headerValue, type IncomingCall } from "./http";
import { SigningKey, TrustedIssuers } from "./entra/keys";
import { TestOidcIssuer } from "./entra/oidc-issuer";
import {
  RUNTIME_OPTION_KEYS,
  applyRuntimeOptions,
  checkStartOptions,
  type RuntimeSettings,
  type StartSettings,
} from "./options";
import { loadConnectors, saveConnectors, type PersistedState } from "./connectors/persistence";
import { RequestHandler, type Area } from "./request-handler";
import { RequestLog } from "./request-log";
import { ServiceClock } from "./time";
import { INACTIVE_AFTER_MS } from "./connectors/state";
import { TenantDirectory, type TenantEntry } from "./tenants/directory";
import { checkTenantOptions, placedTenantName } from "./tenants/options";
import { TenantView, type TenantViewParts } from "./tenants/view";
import type { ServiceVariants } from "./graph/variants";
import type { StoredRecord } from "./connectors/store";
import type {
  AppRegistration,
  ConnectorPatch,
  ConnectorRecord,
  EmulatedTenant,
  Emulator,
  EmulatorOptions,
  FaultRule,
  RequestLogEntry,
  RequestLogFilter,
  RequestSummary,
  RuntimeOptions,
  TenantOptions,
} from "./types";

/** The default tenant's directory name, which Entra's messages show. */
const DEFAULT_TENANT_NAME = "Contoso (emulated)";
/** How often inactive connectors are looked for when removal is on (requests also trigger it). */
const REMOVAL_SWEEP_MS = 1000;

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  // Everything that can be wrong with the options fails here, before a port is taken: the tenants
  // are made once without a server (apps, consents and seeds checked), then for real.
  const settings = checkStartOptions(options);
  const tenants = tenantEntries(options, settings.tenantId);
  new TenantDirectory(
    {
      clock: new ServiceClock(),
      variants: () => settings.runtime.variants,
      throttle: () => settings.runtime.throttle,
      changed: () => {},
    },
    "",
  ).add(tenants);
  const saved = options.persistFile ? loadConnectors(options.persistFile, Date.now()) : undefined;
  const caFiles = await ensureCa(options.stateDir);
  const [serverCert, tokenKey] = await Promise.all([
    loadCa(caFiles).then(issueServerCertificate),
    SigningKey.generate(),
  ]);

  const server = https.createServer({ cert: serverCert.cert, key: serverCert.key });
  const port = await listen(server, settings.port);
  const url = `https://127.0.0.1:${port}`;
  const issuer = await TestOidcIssuer.create(`${url}/_emulator/oidc`);
  const emulator = new LocalEmulator({
    server,
    url,
    caCertPath: caFiles.certPath,
    tokenKey,
    oidc: issuer,
    options,
    settings,
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    // Last resort: a bug in a handler must cost one request, not the process.
    emulator.handleRequest(req, res).catch((err: unknown) => {
      console.error(`emulator: ${req.method} ${req.url} failed:`, err);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  try {
    emulator.load(tenants, saved);
  } catch (err) {
    await emulator.close();
    throw err;
  }
  return emulator;
}

/** The default tenant (the options' tenantId, apps and seed), then the options' other tenants. */
function tenantEntries(options: EmulatorOptions, defaultTenantId: string): TenantEntry[] {
  const given: unknown = options.tenants ?? [];
  if (!Array.isArray(given))
    throw new Error(
      `tenants must be an array of tenants such as [{ tenantId, seed, consent }], got ${JSON.stringify(given)}`,
    );
  const home: TenantEntry = {
    spec: {
      tenantId: defaultTenantId,
      name: DEFAULT_TENANT_NAME,
      ...(options.seed !== undefined && { seed: options.seed }),
      apps: options.apps ?? defaultApps(),
      consent: [],
    },
    where: "",
  };
  return [
    home,
    ...given.map((entry, i) => {
      const where = `tenants[${i}]`;
      const spec = checkTenantOptions(entry, where, { place: i + 1 });
      if (spec.tenantId === defaultTenantId)
        throw new Error(
          `${where}.tenantId ${spec.tenantId} is the default tenant's (option tenantId): list only the other tenants`,
        );
      return { spec, where };
    }),
  ];
}

function listen(server: https.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(new Error(`cannot listen on 127.0.0.1:${port}: ${err.message}`));
    server.once("error", onError);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** What startEmulator has made ready for a LocalEmulator: the listening server and its identities. */
interface LocalEmulatorParts {
  server: https.Server;
  /** https://127.0.0.1:<port>, the origin of every endpoint. */
  url: string;
  caCertPath: string;
  /** Signs the access tokens Entra issues and Graph checks. */
  tokenKey: SigningKey;
  /** The emulator's own OIDC issuer, for federated credentials. */
  oidc: TestOidcIssuer;
  options: EmulatorOptions;
  /** The start options, checked. */
  settings: StartSettings;
}

class LocalEmulator implements Emulator {
  readonly url: string;
  readonly caCertPath: string;
  readonly graphEndpoint: string;
  readonly authorityHost: string;
  readonly tenantId: string;
  readonly cloud: string;
  readonly issuer: string;

  private readonly server: https.Server;
  private readonly oidc: TestOidcIssuer;
  private readonly options: EmulatorOptions;
  private readonly startSettings: StartSettings;
  private readonly clock = new ServiceClock();
  private readonly log = new RequestLog();
  private readonly faults = new FaultInjector();
  private readonly directory: TenantDirectory;
  private readonly views: TenantViewParts;
  private readonly entra: EntraService;
  private readonly graph: GraphService;
  private readonly admin: AdminApi;
  private readonly requests: RequestHandler;
  private readonly initialRuntime: RuntimeSettings;
  private runtime: RuntimeSettings;
  private readonly timers: NodeJS.Timeout[] = [];
  private closed?: Promise<void>;
  /** While above 0, changes are not saved one by one (a batch saves once at its end). */
  private holdSaves = 0;
  /** A change was held back by a batch. */
  private unsaved = false;

  constructor({ server, url, caCertPath, tokenKey, oidc, options, settings }: LocalEmulatorParts) {
    this.server = server;
    this.url = url;
    this.caCertPath = caCertPath;
    this.oidc = oidc;
    this.options = options;
    this.startSettings = settings;
    this.graphEndpoint = url;
    this.authorityHost = url;
    this.tenantId = settings.tenantId;
    this.cloud = settings.cloud;
    this.issuer = oidc.issuer;
    this.initialRuntime = settings.runtime;
    this.runtime = settings.runtime;

    this.directory = new TenantDirectory(
      {
        clock: this.clock,
        variants: () => this.runtime.variants,
        throttle: () => this.runtime.throttle,
        changed: () => this.changed(),
      },
      oidc.issuer,
    );
    this.views = {
      url,
      caCertPath,
      directory: this.directory,
      clock: this.clock,
      faults: this.faults,
      log: this.log,
      sweep: () => this.sweep(),
    };

    const profile = cloudProfile(settings.cloud);
    const trusted = new TrustedIssuers();
    trusted.trust(oidc.issuer, oidc.jwks());
    for (const [iss, jwks] of Object.entries(options.trustedIssuers ?? {})) trusted.trust(iss, jwks);
    this.entra = new EntraService({
      origin: url,
      cloud: profile,
      directory: this.directory,
      tokenKey,
      clients: new ClientAuthenticator(trusted),
      tokenLifetimeSeconds: settings.tokenLifetimeSeconds,
    });
    this.graph = new GraphService({
      origin: url,
      tokens: new GraphTokenValidator(
        tokenKey,
        (tid) => (this.directory.resolve(tid)?.id === tid ? `https://${profile.stsHost}/${tid}/` : undefined),
        graphAudiences(profile),
      ),
      tenant: (tid) => this.directory.resolve(tid)?.graph,
      now: () => this.clock.now(),
      settings: () => ({
        pageSize: this.runtime.pageSize,
        variants: this.runtime.variants,
        retryAfter: this.runtime.throttle.retryAfter,
        ignoredPatchProperties: this.runtime.ignoredPatchProperties,
        replicationLag: this.runtime.replicationLag,
        intuneLicensed: this.runtime.intuneLicensed,
      }),
    });
    this.admin = new AdminApi(this, oidc);
    this.requests = new RequestHandler({
      url,
      log: this.log,
      faults: this.faults,
      loginHost: profile.loginHost,
      latencyMs: () => this.runtime.latencyMs,
      tenantOf: (area, call) => this.tenantOf(area, call),
      areas: {
        admin: (call) => this.admin.handle(call),
        token: (call) => this.entra.handle(call),
        graph: (call) => {
          this.sweep();
          return this.graph.handle(call);
        },
      },
    });

    if (settings.heartbeatMs)
      this.every(settings.heartbeatMs, () =>
        this.batch(() => {
          for (const tenant of this.directory.list()) tenant.store.heartbeatActive();
        }),
      );
    if (settings.removeInactiveAfterMs)
      this.every(Math.min(settings.removeInactiveAfterMs, REMOVAL_SWEEP_MS), () => this.sweep());
  }

  /**
   * The tenants, each with its connectors: those the persisted file kept (a tenant it names that
   * the options do not is made from the file: id, name, domain and connectors, without apps), else
   * its seed.
   */
  load(entries: TenantEntry[], saved: PersistedState<StoredRecord> | undefined): void {
    const kept = new Map<string, StoredRecord[]>();
    const restored: TenantEntry[] = [];
    if (saved) {
      kept.set(this.tenantId, saved.connectors);
      for (const tenant of saved.tenants ?? []) {
        kept.set(tenant.tenantId, tenant.connectors);
        if (entries.some((e) => e.spec.tenantId === tenant.tenantId)) continue;
        const { tenantId, name, domain } = tenant;
        restored.push({
          spec: { tenantId, name, ...(domain !== undefined && { domain }), apps: [], consent: [] },
          where: `${this.options.persistFile}, tenant ${tenantId}`,
        });
      }
    }
    this.batch(() => this.directory.add([...entries, ...restored], kept));
  }

  // ---- library API -------------------------------------------------------------------------

  get apps(): AppRegistration[] {
    return this.tenant().apps;
  }

  app(name: string): AppRegistration & { secret: string } {
    const { homeTenantId: _home, ...app } = this.tenant().app(name);
    return app;
  }

  tenant(tenantId?: string): EmulatedTenant {
    const tenant =
      tenantId === undefined ? this.directory.list()[0] : this.directory.require(tenantId, "tenantId");
    return new TenantView(tenant, this.views);
  }

  tenants(): EmulatedTenant[] {
    return this.directory.list().map((tenant) => new TenantView(tenant, this.views));
  }

  addTenant(options: TenantOptions = {}): EmulatedTenant {
    const spec = checkTenantOptions(options, "addTenant", { name: placedTenantName(this.directory.size) });
    const [added] = this.addChecked([{ spec, where: "addTenant" }]);
    return added;
  }

  addTenants(options: TenantOptions[]): EmulatedTenant[] {
    if (!Array.isArray(options))
      throw new Error("addTenants takes an array of tenants, e.g. generateTenants(200)");
    return this.addChecked(
      options.map((entry, i) => ({
        spec: checkTenantOptions(entry, `addTenants[${i}]`, {
          name: placedTenantName(this.directory.size + i),
        }),
        where: `addTenants[${i}]`,
      })),
    );
  }

  connectors(): ConnectorRecord[] {
    return this.tenant().connectors();
  }

  requestLog(filter: RequestLogFilter = {}): RequestLogEntry[] {
    return this.log.list(this.logFilter(filter));
  }

  clearLog(): void {
    this.log.clear();
  }

  summary(filter: { tenantId?: string } = {}): RequestSummary {
    return this.log.summary(this.logFilter(filter));
  }

  summaryLine(filter: { tenantId?: string } = {}): string {
    return this.log.summaryLine(this.logFilter(filter));
  }

  reset(opts: { seed?: EmulatorOptions["seed"] } = {}): void {
    this.batch(() => {
      for (const tenant of this.directory.list()) if (tenant.addedAtRunTime) this.directory.remove(tenant);
      this.log.clear();
      this.faults.clear();
      this.clock.reset();
      // Runtime options go back to the start values too, so one test's setOptions cannot leak into
      // the next test that resets.
      this.runtime = this.initialRuntime;
      const [home, ...others] = this.directory.list();
      home.reset(opts.seed ?? this.options.seed);
      for (const tenant of others) tenant.reset();
      for (const tenant of this.directory.list()) tenant.configureThrottle(this.runtime.throttle);
    });
  }

  seed(connectors: Partial<ConnectorRecord>[] | number): ConnectorRecord[] {
    return this.tenant().seed(connectors);
  }

  editOutOfBand(id: string, patch: ConnectorPatch): ConnectorRecord {
    return this.tenant().editOutOfBand(id, patch);
  }

  removeOutOfBand(id: string): void {
    this.tenant().removeOutOfBand(id);
  }

  heartbeat(id: string, opts: { version?: string; state?: "active" } = {}): ConnectorRecord {
    return this.tenant().heartbeat(id, opts);
  }

  heartbeatRunning(): number {
    return this.tenant().heartbeatRunning();
  }

  variants(): ServiceVariants {
    return { ...this.runtime.variants };
  }

  now(): Date {
    return new Date(this.clock.now());
  }

  advanceClock(ms: number): Date {
    const now = this.clock.advance(ms);
    this.sweep();
    return new Date(now);
  }

  addFault(rule: FaultRule): void {
    const named = (rule as Partial<FaultRule> | null)?.tenantId;
    if (named === undefined) this.faults.add(rule);
    else this.tenant(this.directory.require(named, "fault tenantId").id).addFault(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  resetThrottle(): void {
    for (const tenant of this.directory.list()) tenant.graph.throttle.reset();
  }

  setOptions(patch: RuntimeOptions): void {
    for (const key of Object.keys(patch)) {
      if (!RUNTIME_OPTION_KEYS.has(key)) throw new Error(`unknown or fixed option '${key}'`);
    }
    this.runtime = applyRuntimeOptions(this.runtime, patch);
    for (const tenant of this.directory.list()) tenant.configureThrottle(this.runtime.throttle);
  }

  mintFederatedToken(opts: {
    subject: string;
    audience?: string;
    lifetimeSeconds?: number;
  }): Promise<string> {
    return this.oidc.mint(opts);
  }

  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      for (const timer of this.timers) clearInterval(timer);
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closed;
  }

  /** Handles one request to the emulator's origin: what startEmulator's server calls. */
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return this.requests.handle(req, res);
  }

  // ---- tenants -------------------------------------------------------------------------------

  private addChecked(entries: TenantEntry[]): EmulatedTenant[] {
    const added = this.batch(() => this.directory.add(entries, new Map(), true));
    return added.map((tenant) => new TenantView(tenant, this.views));
  }

  /**
   * The tenant a request is for: the authority's (a GUID or a domain) for Entra, the tenant the
   * bearer token names for Graph, when it is one of the emulator's.
   */
  private tenantOf(area: Area, call: IncomingCall): string | undefined {
    if (area === "token") return this.directory.resolve(call.path.split("/")[1] ?? "")?.id;
    const named = tenantNamedBy(headerValue(call.headers, "authorization"));
    return named === undefined ? undefined : this.directory.resolve(named)?.id;
  }

  /** A filter's tenant, by GUID or domain, checked: a tenant the emulator does not have is an error. */
  private logFilter<F extends { tenantId?: string }>(filter: F): F {
    if (filter.tenantId === undefined) return filter;
    return { ...filter, tenantId: this.directory.require(filter.tenantId, "tenantId").id };
  }

  // ---- persistence ---------------------------------------------------------------------------

  /** Runs `work` with saving held, then saves once if anything changed meanwhile. */
  private batch<T>(work: () => T): T {
    this.holdSaves++;
    try {
      return work();
    } finally {
      this.holdSaves--;
      if (this.holdSaves === 0 && this.unsaved) this.save();
    }
  }

  /** A tenant's connectors changed: saved now, or at the end of the batch under way. */
  private changed(): void {
    if (this.holdSaves > 0) this.unsaved = true;
    else this.save();
  }

  private save(): void {
    this.unsaved = false;
    const file = this.options.persistFile;
    if (!file) return;
    const [home, ...others] = this.directory.list();
    const state: PersistedState = { connectors: home?.store.list() ?? [] };
    if (others.length > 0)
      state.tenants = others.map((tenant) => ({
        tenantId: tenant.id,
        name: tenant.name,
        ...(tenant.domain !== undefined && { domain: tenant.domain }),
        connectors: tenant.store.list(),
      }));
    saveConnectors(file, state);
  }

  // ---- time ----------------------------------------------------------------------------------

  /**
   * Remove inactive connectors removeInactiveAfterMs after their last contact or, with
   * removeInactiveFrom "inactive", after they became inactive (five days of silence later).
   */
  private sweep(): void {
    const { removeInactiveAfterMs: maxAge, removeInactiveFrom } = this.startSettings;
    if (!maxAge) return;
    const cutoff = this.clock.now() - maxAge;
    this.batch(() => {
      for (const tenant of this.directory.list())
        tenant.store.removeInactiveSince(
          removeInactiveFrom === "inactive" ? cutoff - INACTIVE_AFTER_MS : cutoff,
          cutoff,
        );
    });
  }

  /** A repeating timer that does not keep the process alive and stops at close(). */
  private every(ms: number, task: () => void): void {
    const timer = setInterval(task, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
