// The tenant's connectors, in creation order (the order Graph lists them in). Every change calls
// onChange, which is how persistence keeps its file current.
import { isNeverConnected, serviceTimestamp, timestampMs } from "./time";
import type { ConnectorPatch, ConnectorRecord } from "./types";

interface StoredConnector {
  record: ConnectorRecord;
  /** When the object appeared here: the age of a connector that never checked in. */
  createdMs: number;
}

export class ConnectorStore {
  private readonly items = new Map<string, StoredConnector>();

  constructor(private readonly onChange: () => void = () => {}) {}

  list(): ConnectorRecord[] {
    return [...this.items.values()].map((item) => ({ ...item.record }));
  }

  get size(): number {
    return this.items.size;
  }

  /** Ids are GUIDs, which the service matches without regard to case. */
  get(id: string): ConnectorRecord | undefined {
    const item = this.items.get(id.toLowerCase());
    return item && { ...item.record };
  }

  /** Add complete records (seeding, loading); all or nothing if an id is already taken. */
  insert(records: ConnectorRecord[]): ConnectorRecord[] {
    const ids = new Set<string>();
    for (const record of records) {
      const id = record.id.toLowerCase();
      if (this.items.has(id) || ids.has(id)) throw new Error(`a connector with id ${id} already exists`);
      ids.add(id);
    }
    const now = Date.now();
    for (const record of records) {
      this.items.set(record.id.toLowerCase(), {
        record: { ...record, id: record.id.toLowerCase() },
        createdMs: now,
      });
    }
    if (records.length > 0) this.onChange();
    return records.map((r) => ({ ...r, id: r.id.toLowerCase() }));
  }

  update(id: string, patch: ConnectorPatch): ConnectorRecord | undefined {
    const item = this.items.get(id.toLowerCase());
    if (!item) return undefined;
    item.record = { ...item.record, ...patch };
    this.onChange();
    return { ...item.record };
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

  /** Every active connector checks in now; returns how many did. */
  heartbeatActive(now = Date.now()): number {
    let count = 0;
    for (const item of this.items.values()) {
      if (item.record.state !== "active") continue;
      item.record = { ...item.record, lastConnectionDateTime: serviceTimestamp(now) };
      count++;
    }
    if (count > 0) this.onChange();
    return count;
  }

  /**
   * Remove inactive connectors last seen before cutoffMs, as the service does after 30 days. One that
   * never connected is aged from when it was created.
   */
  removeInactiveSince(cutoffMs: number): string[] {
    const removed: string[] = [];
    for (const [id, item] of this.items) {
      if (item.record.state !== "inactive") continue;
      const { lastConnectionDateTime } = item.record;
      const lastSeen = isNeverConnected(lastConnectionDateTime)
        ? item.createdMs
        : timestampMs(lastConnectionDateTime);
      if (lastSeen < cutoffMs) removed.push(id);
    }
    for (const id of removed) this.items.delete(id);
    if (removed.length > 0) this.onChange();
    return removed;
  }
}
