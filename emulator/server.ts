// Assembles the emulator: one HTTPS origin on 127.0.0.1 serving Entra (/{tenant}/...), Graph
// (/beta/...) and the admin API (/_emulator/...), plus the timers that make connectors live. What
// every request goes through on the way to one of them is request-handler.ts.
import * as https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AdminApi } from "./admin";
import { prepareApps, type TenantApp } from "./entra/apps";
import { ensureCa, issueServerCertificate, loadCa } from "./clients/ca";
import { ClientAuthenticator } from "./entra/client-auth";
import { cloudProfile, graphAudiences } from "./clouds";
import { UnknownConnectorError, completeSeed, editFields, generateSeeds } from "./connectors/model";
import { ConnectorStore } from "./connectors/store";
import { EntraService } from "./entra/service";
import { FaultInjector } from "./faults";
import { GraphService } from "./graph/service";
import { GraphTokenValidator } from "./graph/auth";
import { SigningKey, TrustedIssuers } from "./entra/keys";
import { TestOidcIssuer } from "./entra/oidc-issuer";
import {
  RUNTIME_OPTION_KEYS,
  applyRuntimeOptions,
  checkStartOptions,
  type RuntimeSettings,
  type StartSettings,
} from "./options";
import { loadConnectors, saveConnectors } from "./connectors/persistence";
import { RequestHandler } from "./request-handler";
import { RequestLog } from "./request-log";
import { Throttle } from "./graph/throttle";
import { ServiceClock } from "./time";
import { INACTIVE_AFTER_MS } from "./connectors/state";
import type { ServiceVariants } from "./graph/variants";
import type { StoredRecord } from "./connectors/store";
import type {
  AppRegistration,
  ConnectorPatch,
  ConnectorRecord,
  Emulator,
  EmulatorOptions,
  FaultRule,
  RequestLogEntry,
  RequestSummary,
  RuntimeOptions,
} from "./types";

const TENANT_NAME = "Contoso (emulated)";
/** How often inactive connectors are looked for when removal is on (requests also trigger it). */
const REMOVAL_SWEEP_MS = 1000;

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  // Everything that can be wrong with the options fails here, before a port is taken.
  const settings = checkStartOptions(options);
  prepareApps(options.apps, ""); // prepared for real once the issuer URL is known
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
  const apps = prepareApps(options.apps, issuer.issuer);
  const emulator = new LocalEmulator({
    server,
    url,
    caCertPath: caFiles.certPath,
    apps,
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
    emulator.load(saved);
  } catch (err) {
    await emulator.close();
    throw err;
  }
  return emulator;
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
  /** The tenant's app registrations, with their secrets and credentials. */
  apps: TenantApp[];
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
  private readonly tenantApps: TenantApp[];
  private readonly oidc: TestOidcIssuer;
  private readonly options: EmulatorOptions;
  private readonly startSettings: StartSettings;
  private readonly store: ConnectorStore;
  private readonly clock = new ServiceClock();
  private readonly log = new RequestLog();
  private readonly faults = new FaultInjector();
  private readonly throttle: Throttle;
  private readonly entra: EntraService;
  private readonly graph: GraphService;
  private readonly admin: AdminApi;
  private readonly requests: RequestHandler;
  private readonly initialRuntime: RuntimeSettings;
  private runtime: RuntimeSettings;
  private readonly timers: NodeJS.Timeout[] = [];
  private closed?: Promise<void>;

  constructor({ server, url, caCertPath, apps, tokenKey, oidc, options, settings }: LocalEmulatorParts) {
    this.server = server;
    this.url = url;
    this.caCertPath = caCertPath;
    this.tenantApps = apps;
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
    this.throttle = new Throttle(settings.runtime.throttle);

    const persistFile = options.persistFile;
    this.store = new ConnectorStore(this.clock, {
      onChange: persistFile ? () => saveConnectors(persistFile, this.store.list()) : undefined,
      variants: () => this.runtime.variants,
    });

    const profile = cloudProfile(settings.cloud);
    const trusted = new TrustedIssuers();
    trusted.trust(oidc.issuer, oidc.jwks());
    for (const [iss, jwks] of Object.entries(options.trustedIssuers ?? {})) trusted.trust(iss, jwks);
    const tenantBase = `${url}/${this.tenantId}`;
    const clients = new ClientAuthenticator(trusted, [
      `${tenantBase}/oauth2/v2.0/token`,
      `${tenantBase}/v2.0`,
      tenantBase,
      `${tenantBase}/`,
    ]);
    this.entra = new EntraService({
      origin: url,
      tenantId: this.tenantId,
      tenantName: TENANT_NAME,
      cloud: profile,
      apps,
      tokenKey,
      clients,
      tokenLifetimeSeconds: settings.tokenLifetimeSeconds,
    });
    this.graph = new GraphService({
      origin: url,
      store: this.store,
      tokens: new GraphTokenValidator(
        tokenKey,
        `https://${profile.stsHost}/${this.tenantId}/`,
        graphAudiences(profile),
      ),
      throttle: this.throttle,
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
      areas: {
        admin: (call) => this.admin.handle(call),
        token: (call) => this.entra.handle(call),
        graph: (call) => {
          this.sweep();
          return this.graph.handle(call);
        },
      },
    });

    if (settings.heartbeatMs) this.every(settings.heartbeatMs, () => this.store.heartbeatActive());
    if (settings.removeInactiveAfterMs)
      this.every(Math.min(settings.removeInactiveAfterMs, REMOVAL_SWEEP_MS), () => this.sweep());
  }

  /** The initial connectors: the persisted ones if there are any, else the seed. */
  load(saved: StoredRecord[] | undefined): void {
    if (saved) this.store.insert(saved);
    else if (this.options.seed !== undefined) this.seed(this.options.seed);
  }

  // ---- library API -------------------------------------------------------------------------

  get apps(): AppRegistration[] {
    return this.tenantApps.map((a) => structuredClone(a.registration));
  }

  app(name: string): AppRegistration & { secret: string } {
    const found = this.tenantApps.find((a) => a.registration.displayName === name);
    if (!found) {
      const names = this.tenantApps.map((a) => a.registration.displayName).join(", ");
      throw new Error(`no app named '${name}' (apps: ${names})`);
    }
    const registration = structuredClone(found.registration);
    return { ...registration, secret: registration.secrets?.[0] ?? "" };
  }

  connectors(): ConnectorRecord[] {
    this.sweep();
    return this.store.list();
  }

  requestLog(filter?: { kind?: RequestLogEntry["kind"] }): RequestLogEntry[] {
    return this.log.list(filter);
  }

  clearLog(): void {
    this.log.clear();
  }

  summary(): RequestSummary {
    return this.log.summary();
  }

  summaryLine(): string {
    return this.log.summaryLine();
  }

  reset(opts: { seed?: EmulatorOptions["seed"] } = {}): void {
    this.store.clear();
    this.log.clear();
    this.faults.clear();
    this.throttle.reset();
    this.graph.reset();
    this.clock.reset();
    // Runtime options go back to the start values too, so one test's setOptions cannot leak into
    // the next test that resets.
    this.runtime = this.initialRuntime;
    this.throttle.configure(this.runtime.throttle);
    const seed = opts.seed ?? this.options.seed;
    if (seed !== undefined) this.seed(seed);
  }

  seed(connectors: Partial<ConnectorRecord>[] | number): ConnectorRecord[] {
    const offset = this.store.size;
    const partials = typeof connectors === "number" ? generateSeeds(connectors, offset) : connectors;
    if (!Array.isArray(partials)) throw new Error("seed must be a number or an array of connectors");
    const now = this.clock.now();
    return this.store.insert(partials.map((p, i) => completeSeed(p, offset + i, now)));
  }

  editOutOfBand(id: string, patch: ConnectorPatch): ConnectorRecord {
    const { id: _ignored, ...fields } = patch as ConnectorPatch & { id?: unknown };
    const current = this.store.get(id);
    if (!current) throw new UnknownConnectorError(id);
    const updated = this.store.update(
      id,
      editFields(fields, this.clock.now(), current.lastConnectionDateTime),
    );
    if (!updated) throw new UnknownConnectorError(id);
    return updated;
  }

  removeOutOfBand(id: string): void {
    if (!this.store.remove(id)) throw new UnknownConnectorError(id);
  }

  heartbeat(id: string, opts: { version?: string; state?: "active" } = {}): ConnectorRecord {
    const { version, state } = opts as { version?: unknown; state?: unknown };
    if (state !== undefined && state !== "active") {
      throw new Error(
        `a heartbeat makes a connector active (Intune: "actively pinging"), so it cannot report ${JSON.stringify(state)}: ` +
          "a connector turns error after an hour without one and inactive after five days (advanceClock, or editOutOfBand with lastConnectionDateTime)",
      );
    }
    if (version !== undefined && typeof version !== "string") throw new Error("version must be a string");
    const updated = this.store.heartbeat(id, version);
    if (!updated) throw new UnknownConnectorError(id);
    return updated;
  }

  heartbeatRunning(): number {
    return this.store.heartbeatActive();
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
    this.faults.add(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  resetThrottle(): void {
    this.throttle.reset();
  }

  setOptions(patch: RuntimeOptions): void {
    for (const key of Object.keys(patch)) {
      if (!RUNTIME_OPTION_KEYS.has(key)) throw new Error(`unknown or fixed option '${key}'`);
    }
    this.runtime = applyRuntimeOptions(this.runtime, patch);
    this.throttle.configure(this.runtime.throttle);
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

  // ---- time ----------------------------------------------------------------------------------

  /**
   * Remove inactive connectors removeInactiveAfterMs after their last contact or, with
   * removeInactiveFrom "inactive", after they became inactive (five days of silence later).
   */
  private sweep(): void {
    const { removeInactiveAfterMs: maxAge, removeInactiveFrom } = this.startSettings;
    if (!maxAge) return;
    const cutoff = this.clock.now() - maxAge;
    this.store.removeInactiveSince(
      removeInactiveFrom === "inactive" ? cutoff - INACTIVE_AFTER_MS : cutoff,
      cutoff,
    );
  }

  /** A repeating timer that does not keep the process alive and stops at close(). */
  private every(ms: number, task: () => void): void {
    const timer = setInterval(task, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
