// The connector object's rules that hold everywhere (Graph writes, seeding, out-of-band edits),
// and realistic generated connectors for seeding.
import { isGuid, newGuid } from "./ids";
import { normalizeTimestamp, serviceTimestamp } from "./time";
import type { ConnectorPatch, ConnectorRecord, ConnectorState } from "./types";

export const CONNECTOR_TYPE = "microsoft.graph.deviceManagementDomainJoinConnector";
export const CONNECTOR_ODATA_TYPE = `#${CONNECTOR_TYPE}`;
export const STATE_TYPE = "microsoft.graph.deviceManagementDomainJoinConnectorState";
export const CONNECTOR_STATES: readonly ConnectorState[] = ["active", "error", "inactive"];
/** A current Intune Connector for Active Directory build. */
export const CURRENT_CONNECTOR_VERSION = "6.2504.2001.8";

export function isConnectorState(value: unknown): value is ConnectorState {
  return typeof value === "string" && (CONNECTOR_STATES as readonly string[]).includes(value);
}

/** The object as Graph serialises it: `@odata.type` first, then the properties. */
export function toGraphObject(record: ConnectorRecord): Record<string, unknown> {
  return {
    "@odata.type": CONNECTOR_ODATA_TYPE,
    id: record.id,
    displayName: record.displayName,
    lastConnectionDateTime: record.lastConnectionDateTime,
    state: record.state,
    version: record.version,
  };
}

/**
 * Check the fields of an out-of-band edit or a seed entry; throws an Error naming the problem. These
 * come from tests and admins, not from Graph clients, so plain errors are the right answer here.
 */
export function checkConnectorPatch(patch: ConnectorPatch): ConnectorPatch {
  const out: ConnectorPatch = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    switch (key) {
      case "displayName":
        if (typeof value !== "string" || value.trim() === "")
          throw new Error("displayName must be a non-empty string");
        out.displayName = value;
        break;
      case "version":
        if (value !== null && typeof value !== "string") throw new Error("version must be a string or null");
        out.version = value;
        break;
      case "state":
        if (!isConnectorState(value)) throw new Error(`state must be one of ${CONNECTOR_STATES.join(", ")}`);
        out.state = value;
        break;
      case "lastConnectionDateTime":
        if (typeof value !== "string") throw new Error("lastConnectionDateTime must be an ISO 8601 string");
        out.lastConnectionDateTime = normalizeTimestamp(value);
        break;
      default:
        throw new Error(`unknown connector property '${key}'`);
    }
  }
  return out;
}

/**
 * Complete a partial seed entry. Seeded connectors stand for ones the connector software
 * registered itself, so they default to active, current and recently seen.
 */
export function completeSeed(partial: Partial<ConnectorRecord>, index: number): ConnectorRecord {
  const { id, ...fields } = partial;
  if (id !== undefined && (typeof id !== "string" || !isGuid(id)))
    throw new Error(`seed id '${String(id)}' is not a GUID`);
  const checked = checkConnectorPatch(fields);
  return {
    id: (id ?? newGuid()).toLowerCase(),
    displayName: checked.displayName ?? generatedName(index),
    version: checked.version === undefined ? CURRENT_CONNECTOR_VERSION : checked.version,
    state: checked.state ?? "active",
    // Staggered over the last few minutes, as heartbeats from several servers would be.
    lastConnectionDateTime:
      checked.lastConnectionDateTime ?? serviceTimestamp(Date.now() - (index % 60) * 3_000),
  };
}

export function generateSeeds(count: number, firstIndex = 0): Partial<ConnectorRecord>[] {
  if (!Number.isInteger(count) || count < 0)
    throw new Error(`seed count must be a whole number ≥ 0, got ${count}`);
  return Array.from({ length: count }, (_, i) => ({ displayName: generatedName(firstIndex + i) }));
}

/** Connector display names are the Windows Server's host name in practice. */
function generatedName(index: number): string {
  const sites = ["HQ", "BRANCH", "DC", "LAB"];
  return `ODJ-${sites[index % sites.length]}-SRV${String(index + 1).padStart(2, "0")}`;
}

/** Thrown by the library API for an id the tenant does not have (the admin API answers 404). */
export class UnknownConnectorError extends Error {
  constructor(readonly id: string) {
    super(`no connector with id ${id}`);
    this.name = "UnknownConnectorError";
  }
}

/**
 * A tenant as admins find it, one connector of each kind the health rules tell apart: current and
 * checking in (two, so the fleet has its redundancy), deprecated yet still active (older than
 * 6.2501.2000.5), silent for three days, in error, and a never-connected leftover of an old install.
 */
export function mixedFleet(now: number = Date.now()): Partial<ConnectorRecord>[] {
  const ago = (hours: number) => serviceTimestamp(now - hours * 3_600_000);
  return [
    {
      displayName: "SRV-ODJ-01",
      version: CURRENT_CONNECTOR_VERSION,
      state: "active",
      lastConnectionDateTime: ago(0.1),
    },
    {
      displayName: "SRV-ODJ-02",
      version: CURRENT_CONNECTOR_VERSION,
      state: "active",
      lastConnectionDateTime: ago(0.3),
    },
    {
      displayName: "SRV-ODJ-03",
      version: "6.2409.1000.1",
      state: "active",
      lastConnectionDateTime: ago(0.2),
    },
    {
      displayName: "SRV-ODJ-04",
      version: CURRENT_CONNECTOR_VERSION,
      state: "active",
      lastConnectionDateTime: ago(72),
    },
    {
      displayName: "SRV-ODJ-05",
      version: CURRENT_CONNECTOR_VERSION,
      state: "error",
      lastConnectionDateTime: ago(1),
    },
    {
      displayName: "SRV-OLD-DC",
      version: "6.2312.1000.2",
      state: "inactive",
      lastConnectionDateTime: "0001-01-01T00:00:00Z",
    },
  ];
}
