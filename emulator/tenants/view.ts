// The library's handle on one tenant (emu.tenant(id)): its connectors, apps and consents, and its
// share of the request log and of the fault rules. The emulator's top-level connector methods are
// the default tenant's handle.
import { UnknownConnectorError, editFields } from "../connectors/model";
import type { FaultInjector } from "../faults";
import type { RequestLog } from "../request-log";
import type { ServiceClock } from "../time";
import type {
  AppRegistration,
  ConnectorPatch,
  ConnectorRecord,
  EmulatedTenant,
  FaultRule,
  RequestLogEntry,
  RequestSummary,
  TenantAppView,
  TenantInfo,
} from "../types";
import type { KnownClient, TenantDirectory } from "./directory";
import type { Tenant } from "./tenant";

/** What every tenant's handle reaches: the origin, the directory, the clock, the log and the faults. */
export interface TenantViewParts {
  url: string;
  caCertPath: string;
  directory: TenantDirectory;
  clock: ServiceClock;
  faults: FaultInjector;
  log: RequestLog;
  /** Removes the inactive connectors due for removal, when removal is on. */
  sweep: () => void;
}

export class TenantView implements EmulatedTenant {
  constructor(
    private readonly held: Tenant,
    private readonly parts: TenantViewParts,
  ) {}

  get tenantId(): string {
    return this.held.id;
  }

  get name(): string {
    return this.held.name;
  }

  get domain(): string | undefined {
    return this.held.domain;
  }

  get url(): string {
    return this.parts.url;
  }

  get graphEndpoint(): string {
    return this.parts.url;
  }

  get authorityHost(): string {
    return this.parts.url;
  }

  get caCertPath(): string {
    return this.parts.caCertPath;
  }

  get apps(): AppRegistration[] {
    return this.tenant.apps.map((a) => structuredClone(a.registration));
  }

  app(name: string): TenantAppView {
    const known = this.knownApps();
    const found = known.filter(
      ({ app }) => app.registration.displayName === name || app.registration.clientId === name.toLowerCase(),
    );
    if (found.length === 0) {
      const names = known.map(({ app }) => app.registration.displayName).join(", ");
      throw new Error(`no app named '${name}' (apps: ${names})`);
    }
    if (found.length > 1)
      throw new Error(
        `${found.length} apps named '${name}' are known to tenant ${this.tenantId}: name it by client id (${found.map(({ app }) => app.registration.clientId).join(", ")})`,
      );
    const [{ app, home, roles }] = found;
    const registration = structuredClone(app.registration);
    return {
      ...registration,
      roles: [...roles],
      secret: registration.secrets?.[0] ?? "",
      homeTenantId: home.id,
    };
  }

  consent(clientId: string, roles?: string[]): void {
    this.parts.directory.consent(this.tenant, clientId, roles);
  }

  revokeConsent(clientId: string): void {
    const key = typeof clientId === "string" ? clientId.toLowerCase() : "";
    if (!this.tenant.consents.delete(key))
      throw new Error(
        `tenant ${this.tenantId} has not consented to an app with client id ${JSON.stringify(clientId)}`,
      );
  }

  info(): TenantInfo {
    const tenant = this.tenant;
    return {
      tenantId: tenant.id,
      name: tenant.name,
      ...(tenant.domain !== undefined && { domain: tenant.domain }),
      isDefault: this.parts.directory.list()[0] === tenant,
      // Never the secrets: anyone on the machine can read GET /_emulator/info.
      apps: tenant.apps.map(({ registration: { clientId, displayName, roles, multiTenant, federated } }) => ({
        clientId,
        displayName,
        roles: [...roles],
        multiTenant: multiTenant === true,
        ...(federated !== undefined && { federated: structuredClone(federated) }),
      })),
      consents: this.consented().map(({ app, home, roles }) => ({
        clientId: app.registration.clientId,
        displayName: app.registration.displayName,
        homeTenantId: home.id,
        roles: [...roles],
      })),
      connectors: tenant.store.size,
      ...(tenant.graph.intuneLicensed !== undefined && { intuneLicensed: tenant.graph.intuneLicensed }),
    };
  }

  connectors(): ConnectorRecord[] {
    const tenant = this.tenant;
    this.parts.sweep();
    return tenant.store.list();
  }

  seed(connectors: Partial<ConnectorRecord>[] | number): ConnectorRecord[] {
    return this.tenant.seedConnectors(connectors);
  }

  editOutOfBand(id: string, patch: ConnectorPatch): ConnectorRecord {
    const { store } = this.tenant;
    const { id: _ignored, ...fields } = patch as ConnectorPatch & { id?: unknown };
    const current = store.get(id);
    if (!current) throw new UnknownConnectorError(id);
    const updated = store.update(
      id,
      editFields(fields, this.parts.clock.now(), current.lastConnectionDateTime),
    );
    if (!updated) throw new UnknownConnectorError(id);
    return updated;
  }

  removeOutOfBand(id: string): void {
    if (!this.tenant.store.remove(id)) throw new UnknownConnectorError(id);
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
    const updated = this.tenant.store.heartbeat(id, version);
    if (!updated) throw new UnknownConnectorError(id);
    return updated;
  }

  heartbeatRunning(): number {
    return this.tenant.store.heartbeatActive();
  }

  addFault(rule: FaultRule): void {
    const named = (rule as Partial<FaultRule> | null)?.tenantId;
    if (named !== undefined && this.parts.directory.resolve(String(named)) !== this.tenant)
      throw new Error(
        `fault tenantId ${JSON.stringify(named)} is not tenant ${this.tenantId}: add the rule on the tenant it names, or leave tenantId out`,
      );
    this.parts.faults.add({ ...rule, tenantId: this.tenant.id });
  }

  requestLog(filter: { kind?: RequestLogEntry["kind"] } = {}): RequestLogEntry[] {
    return this.parts.log.list({ ...filter, tenantId: this.tenantId });
  }

  summary(): RequestSummary {
    return this.parts.log.summary({ tenantId: this.tenantId });
  }

  summaryLine(): string {
    return this.parts.log.summaryLine({ tenantId: this.tenantId });
  }

  /** The tenant, while it is one of the emulator's: reset() removes those added at run time. */
  private get tenant(): Tenant {
    if (this.parts.directory.resolve(this.held.id) !== this.held)
      throw new Error(`tenant ${this.held.id} is gone: reset() removes the tenants added at run time`);
    return this.held;
  }

  /** The apps registered here, then those consented here. */
  private knownApps(): KnownClient[] {
    const tenant = this.tenant;
    const own = tenant.apps.map((app) => ({ app, home: tenant, roles: app.registration.roles }));
    return [...own, ...this.consented()];
  }

  private consented(): KnownClient[] {
    const tenant = this.tenant;
    return [...tenant.consents.keys()].flatMap((clientId) => {
      const known = this.parts.directory.client(tenant, clientId);
      return known ? [known] : [];
    });
  }
}
