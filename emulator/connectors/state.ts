// A connector's state as Intune documents it: a verdict on the connector's heartbeats, not a value
// anyone sets. The enum page (microsoft-graph-docs-contrib, api-reference/beta/resources/
// intune-odj-devicemanagementdomainjoinconnectorstate.md) and the metadata's descriptions:
//   active    "Connector is actively pinging Intune."
//   error     "There is no heart-beat from connector from last one hour."
//   inactive  "There is no heart-beat from connector from last 5 days."
import { isNeverConnected, serviceTimestamp, timestampMs } from "../time";
import type { ConnectorState } from "../types";

/** Silence after which Intune reports `error`: one hour (the enum page). */
export const ERROR_AFTER_MS = 3_600_000;
/** Silence after which Intune reports `inactive`: five days (the enum page). */
export const INACTIVE_AFTER_MS = 5 * 24 * 3_600_000;

/**
 * The state the heartbeats give at `now`. A connector that never sent one has had none in the last
 * five days either, so it is `inactive` (the sources say nothing more specific about a connector
 * that never checked in).
 */
export function stateFromHeartbeats(lastConnectionDateTime: string, now: number): ConnectorState {
  if (isNeverConnected(lastConnectionDateTime)) return "inactive";
  const silentMs = now - timestampMs(lastConnectionDateTime);
  if (silentMs > INACTIVE_AFTER_MS) return "inactive";
  if (silentMs > ERROR_AFTER_MS) return "error";
  return "active";
}

/**
 * A last contact that gives `state` at `now`, for a seed or an edit that names a state without a
 * time: active checked in just now, error two hours ago (its server went down), inactive six days
 * ago (a leftover that stopped long ago).
 */
export function lastContactFor(state: ConnectorState, now: number): string {
  switch (state) {
    case "active":
      return serviceTimestamp(now);
    case "error":
      return serviceTimestamp(now - 2 * ERROR_AFTER_MS);
    default:
      return serviceTimestamp(now - INACTIVE_AFTER_MS - 24 * 3_600_000);
  }
}

/** How long ago, for messages: "3 d 2 h", "2 h 5 min", "12 min". */
export function ago(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ""}`;
  return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ""}`;
}
