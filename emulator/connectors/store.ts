// The tenant's connectors, in creation order (the order Graph lists them in). A connector's state
// is not stored: it is read off its heartbeats at the service clock's now (state.ts), so
// that silence turns it error and then inactive as Intune documents. Every change calls onChange,
// which is how persistence keeps its file current.
import { stateFromHeartbeats } from "./state";
import { isNeverConnected, serviceTimestamp, timestampMs, type ServiceClock } from "../time";
import type { ConnectorRecord, ConnectorState } from "../types";

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
}

export class ConnectorStore {
  private readonly items = new Map<string, StoredConnector>();

  constructor(
    private readonly clock: ServiceClock,
    private readonly onChange: () => void = () => {},
  ) {}

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
   */
  insert(records: StoredRecord[], neverConnected: ReadonlySet<string> = new Set()): ConnectorRecord[] {
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

  /** The connector software checking in now, reporting its version if it gives one. */
  heartbeat(id: string, version?: string): ConnectorRecord | undefined {
    const item = this.items.get(id.toLowerCase());
    if (!item) return undefined;
    this.beat(item, this.clock.now(), version);
    this.onChange();
    return this.view(item, this.clock.now());
  }

  remove(id: string): boolean {
    const removed = this.items.delete(id.toLowerCase());
    if (removed) this.onChange();
    return removed;
  }

  clear(): void {
    const hadItems = this.items.size > 0;
    this.items.clear();
    if (hadItems) this.onChange();
  }

  /** Every connector that is active now checks in again (its server keeps running); returns how many. */
  heartbeatActive(): number {
    const now = this.clock.now();
    let count = 0;
    for (const item of this.items.values()) {
      if (this.view(item, now).state !== "active" || !item.heartbeated) continue;
      this.beat(item, now);
      count++;
    }
    if (count > 0) this.onChange();
    return count;
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
    item.record = {
      ...item.record,
      lastConnectionDateTime: serviceTimestamp(now),
      ...(version !== undefined && { version }),
    };
    item.heartbeated = true;
    item.written = undefined;
  }

  private heartbeatState(item: StoredConnector, now: number): ConnectorState {
    return item.heartbeated ? stateFromHeartbeats(item.record.lastConnectionDateTime, now) : "inactive";
  }

  private view(item: StoredConnector, now: number): ConnectorRecord {
    const fromHeartbeats = this.heartbeatState(item, now);
    const state = item.written?.over === fromHeartbeats ? item.written.state : fromHeartbeats;
    return { ...item.record, state };
  }
}
