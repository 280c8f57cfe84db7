// The tenant's connectors, in creation order (the order Graph lists them in). A connector's state
// is not stored: it is read off its heartbeats at the service clock's now (state.ts), so
// that silence turns it error and then inactive as Intune documents. Every change calls onChange,
// which is how persistence keeps its file current.
import { stateFromHeartbeats } from "./state";
import { CURRENT_CONNECTOR_VERSION } from "./model";
import { isNeverConnected, serviceTimestamp, timestampMs, type ServiceClock } from "../time";
import type { ConnectorRecord, ConnectorState } from "../types";
import { DEFAULT_VARIANTS, type ServiceVariants } from "../graph/variants";

/** A connector as stored: everything but the state, which the heartbeats give. */
export type StoredRecord = Omit<ConnectorRecord, "state">;

/** The fields a write may change. The last contact changes through heartbeats (and seeds, edits). */
export type StoredPatch = Partial<Omit<StoredRecord, "id">>;

interface StoredConnector {
  record: StoredRecord;
  /** Whether the connector software ever checked in (a POSTed connector has not, whatever its date says). */
  heartbeated: boolean;
  /** When the object appeared here, on the service clock: the age of a connector that never checked in. */
  createdMs: number;
  /** A state written through Graph (variant stateWrite "until-heartbeat"), and the state it was written over. */
  written?: { state: ConnectorState; over: ConnectorState };
  /**
   * The version the connector software runs, once it has checked in (seeded as registered, or a
   * heartbeat); an upgrade changes it. Unset for an object only Graph wrote, whatever date it was
   * given: no software stands behind it, to check in again or to keep it from being removed.
   */
  softwareVersion?: string;
}

/** The readings (graph/variants.ts) that decide what a check-in and silence do to a connector. */
export type StoreVariants = Pick<ServiceVariants, "heartbeatVersion" | "newConnectorState">;

export interface ConnectorStoreOptions {
  /** Called after every change (persistence keeps its file current). */
  onChange?: () => void;
  /** The variants in force now (they can change at run time). Default: the defaults. */
  variants?: () => StoreVariants;
}

export class ConnectorStore {
  private readonly items = new Map<string, StoredConnector>();
  /**
   * Connectors a DELETE removed while their software still runs (variant deleteRegistered
   * "reappears"): the next check-in lists them again.
   */
  private readonly running = new Map<string, StoredConnector>();
  private readonly onChange: () => void;
  private readonly variants: () => StoreVariants;

  constructor(
    private readonly clock: ServiceClock,
    options: ConnectorStoreOptions = {},
  ) {
    this.onChange = options.onChange ?? (() => {});
    this.variants = options.variants ?? (() => DEFAULT_VARIANTS);
  }

  list(): ConnectorRecord[] {
    const now = this.clock.now();
    return [...this.items.values()].map((item) => this.view(item, now));
  }

  get size(): number {
    return this.items.size;
  }

  /** Ids are GUIDs, which the service matches without regard to case. */
  get(id: string): ConnectorRecord | undefined {
    const item = this.items.get(id.toLowerCase());
    return item && this.view(item, this.clock.now());
  }

  /**
   * Add records (seeding, loading, POST); all or nothing if an id is already taken. A record whose
   * last contact is Intune's year-one value, or that `neverConnected` names, has never checked in.
   * One that has, unless `byGraph` (a POST that wrote a last contact), was registered by software.
   */
  insert(
    records: StoredRecord[],
    neverConnected: ReadonlySet<string> = new Set(),
    byGraph = false,
  ): ConnectorRecord[] {
    const ids = new Set<string>();
    for (const record of records) {
      const id = record.id.toLowerCase();
      if (this.items.has(id) || ids.has(id)) throw new Error(`a connector with id ${id} already exists`);
      ids.add(id);
    }
    const now = this.clock.now();
    const added = records.map((r) => {
      const item: StoredConnector = {
        record: { ...r, id: r.id.toLowerCase() },
        heartbeated: !isNeverConnected(r.lastConnectionDateTime) && !neverConnected.has(r.id),
        createdMs: now,
      };
      if (item.heartbeated && !byGraph) item.softwareVersion = installedVersion(item.record.version);
      this.items.set(item.record.id, item);
      return this.view(item, now);
    });
    if (records.length > 0) this.onChange();
    return added;
  }

  update(id: string, patch: StoredPatch): ConnectorRecord | undefined {
    const item = this.items.get(id.toLowerCase());
    if (!item) return undefined;
    item.record = { ...item.record, ...patch };
    if (patch.lastConnectionDateTime !== undefined) {
      item.heartbeated = !isNeverConnected(patch.lastConnectionDateTime);
      item.written = undefined;
    }
    this.onChange();
    return this.view(item, this.clock.now());
  }

  /** A state written through Graph: shown until a heartbeat or silence moves the state on. */
  writeState(id: string, state: ConnectorState): void {
    const item = this.items.get(id.toLowerCase());
    if (!item) return;
    item.written = { state, over: this.heartbeatState(item, this.clock.now()) };
    this.onChange();
  }

  /**
   * The connector software checking in now; `version` when it was upgraded (or installed) to it.
   * A connector a DELETE removed while its software ran is listed again.
   */
  heartbeat(id: string, version?: string): ConnectorRecord | undefined {
    const key = id.toLowerCase();
    const item = this.items.get(key) ?? this.running.get(key);
    if (!item) return undefined;
    this.reinstate(key, item);
    this.beat(item, this.clock.now(), version);
    this.onChange();
    return this.view(item, this.clock.now());
  }

  /** Whether software has checked in to the connector: what a DELETE of it may meet. */
  isRegistered(id: string): boolean {
    return this.items.get(id.toLowerCase())?.softwareVersion !== undefined;
  }

  /**
   * Remove a connector. `softwareRuns`: its software keeps running (variant deleteRegistered
   * "reappears"), so its next check-in brings it back.
   */
  remove(id: string, options: { softwareRuns?: boolean } = {}): boolean {
    const key = id.toLowerCase();
    const item = this.items.get(key);
    this.running.delete(key);
    if (!item) return false;
    this.items.delete(key);
    if (options.softwareRuns && item.softwareVersion !== undefined) this.running.set(key, item);
    this.onChange();
    return true;
  }

  clear(): void {
    const hadItems = this.items.size > 0;
    this.items.clear();
    this.running.clear();
    if (hadItems) this.onChange();
  }

  /** Every connector that is active now checks in again (its server keeps running); returns how many. */
  heartbeatActive(): number {
    const now = this.clock.now();
    let count = 0;
    for (const [key, item] of [...this.items, ...this.running]) {
      if (this.view(item, now).state !== "active" || item.softwareVersion === undefined) continue;
      this.reinstate(key, item);
      this.beat(item, now);
      count++;
    }
    if (count > 0) this.onChange();
    return count;
  }

  /** A removed connector whose software still runs is listed again, where it was last. */
  private reinstate(key: string, item: StoredConnector): void {
    if (!this.running.delete(key)) return;
    this.items.set(key, item);
  }

  /**
   * Remove inactive connectors last seen before cutoffMs (Microsoft: inactive connectors "will
   * automatically be cleaned up after 30 days"). One that never connected is aged from when it was
   * created, against `neverConnectedCutoffMs`.
   */
  removeInactiveSince(cutoffMs: number, neverConnectedCutoffMs = cutoffMs): string[] {
    const now = this.clock.now();
    const removed: string[] = [];
    for (const [id, item] of this.items) {
      if (this.view(item, now).state !== "inactive") continue;
      const [lastSeen, cutoff] = item.heartbeated
        ? [timestampMs(item.record.lastConnectionDateTime), cutoffMs]
        : [item.createdMs, neverConnectedCutoffMs];
      if (lastSeen < cutoff) removed.push(id);
    }
    for (const id of removed) this.items.delete(id);
    if (removed.length > 0) this.onChange();
    return removed;
  }

  private beat(item: StoredConnector, now: number, version?: string): void {
    item.softwareVersion = version ?? item.softwareVersion ?? installedVersion(item.record.version);
    const reported =
      version ?? (this.variants().heartbeatVersion === "reported" ? item.softwareVersion : undefined);
    item.record = {
      ...item.record,
      lastConnectionDateTime: serviceTimestamp(now),
      ...(reported !== undefined && { version: reported }),
    };
    item.heartbeated = true;
    item.written = undefined;
  }

  private heartbeatState(item: StoredConnector, now: number): ConnectorState {
    return item.heartbeated
      ? stateFromHeartbeats(item.record.lastConnectionDateTime, now)
      : this.variants().newConnectorState;
  }

  private view(item: StoredConnector, now: number): ConnectorRecord {
    const fromHeartbeats = this.heartbeatState(item, now);
    const state = item.written?.over === fromHeartbeats ? item.written.state : fromHeartbeats;
    return { ...item.record, state };
  }
}

/**
 * The software version of a connector first heard from: the version its object shows, or, for an
 * object made by POST without a usable one, the current release.
 */
function installedVersion(version: string | null): string {
  return version ? version : CURRENT_CONNECTOR_VERSION;
}
