// One tenant: its directory side (the apps registered here, the consents to other tenants' apps)
// and its Intune side (connectors, throttling windows, what its writes left behind for Graph).
import { completeSeed, generateSeeds } from "../connectors/model";
import { ConnectorStore, type StoreVariants, type StoredRecord } from "../connectors/store";
import type { TenantApp } from "../entra/apps";
import { GraphTenant } from "../graph/service";
import { Throttle, type ThrottleSettings } from "../graph/throttle";
import type { ServiceClock } from "../time";
import type { ConnectorRecord, TenantOptions } from "../types";

/** What every tenant shares with the others: the clock, the variants, the throttling settings. */
export interface TenantContext {
  clock: ServiceClock;
  variants: () => StoreVariants;
  throttle: () => ThrottleSettings;
  /** Called after a change to any tenant's connectors (persistence). */
  changed: () => void;
}

export interface TenantParts {
  id: string;
  name: string;
  domain?: string;
  apps: TenantApp[];
  /** clientId → the roles granted. */
  consents: Map<string, string[]>;
  /** What reset() seeds it with. */
  seed?: TenantOptions["seed"];
  /** Added at run time: reset() removes it. */
  addedAtRunTime: boolean;
  /** Its own licence, when its options say. */
  intuneLicensed?: boolean;
}

export class Tenant {
  readonly id: string;
  readonly name: string;
  readonly domain?: string;
  /** The apps registered here (their home tenant). */
  readonly apps: TenantApp[];
  /** Multi-tenant apps of other tenants consented here: clientId → the roles granted. */
  consents: Map<string, string[]>;
  readonly store: ConnectorStore;
  readonly graph: GraphTenant;
  readonly seed?: TenantOptions["seed"];
  readonly addedAtRunTime: boolean;
  /** The consents it started with, which reset() brings back. */
  private readonly startConsents: Map<string, string[]>;

  constructor(
    parts: TenantParts,
    private readonly context: TenantContext,
  ) {
    this.id = parts.id;
    this.name = parts.name;
    if (parts.domain !== undefined) this.domain = parts.domain;
    this.apps = parts.apps;
    this.consents = parts.consents;
    this.startConsents = new Map(parts.consents);
    this.seed = parts.seed;
    this.addedAtRunTime = parts.addedAtRunTime;
    this.store = new ConnectorStore(context.clock, { onChange: context.changed, variants: context.variants });
    this.graph = new GraphTenant(this.store, new Throttle(context.throttle()), parts.intuneLicensed);
  }

  /** Adds connectors: generated ones (a number) or the fields given, completed as a seed. */
  seedConnectors(connectors: Partial<ConnectorRecord>[] | number): ConnectorRecord[] {
    const offset = this.store.size;
    const partials = typeof connectors === "number" ? generateSeeds(connectors, offset) : connectors;
    if (!Array.isArray(partials)) throw new Error("seed must be a number or an array of connectors");
    const now = this.context.clock.now();
    return this.store.insert(partials.map((p, i) => completeSeed(p, offset + i, now)));
  }

  /** The connectors it starts with: those a persisted file kept for it, else its seed. */
  load(saved: StoredRecord[] | undefined, seed = this.seed): void {
    if (saved) this.store.insert(saved);
    else if (seed !== undefined) this.seedConnectors(seed);
  }

  /** Back to how it started: its seed (or the one given), its start consents, no writes, quiet windows. */
  reset(seed = this.seed): void {
    this.store.clear();
    this.graph.forgetWrites();
    this.graph.throttle.reset();
    this.consents = new Map(this.startConsents);
    if (seed !== undefined) this.seedConnectors(seed);
  }

  configureThrottle(settings: ThrottleSettings): void {
    this.graph.throttle.configure(settings);
  }
}
