// Connectors saved to a JSON file so that a demo's tenant survives an emulator restart. Writes are
// synchronous and atomic (temporary file, then rename): a reader or a crash never sees half a file,
// and two quick changes cannot finish out of order.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { completeSeed } from "./model";
import type { StoredRecord } from "./store";
import type { ConnectorRecord } from "../types";

interface PersistedState {
  connectors: ConnectorRecord[];
}

/**
 * The saved connectors, or undefined when the file does not exist yet. A saved `state` is what the
 * heartbeats gave when the file was written; it is left out, so that the time that has passed
 * since moves the state on, as it would in the service.
 */
export function loadConnectors(file: string, now: number): StoredRecord[] | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const connectors = (parsed as Partial<PersistedState> | null)?.connectors;
  if (!Array.isArray(connectors)) throw new Error(`${file} has no "connectors" array`);
  // Run the entries through the seed rules so a hand-edited file cannot put bad objects in service.
  return connectors.map((entry: Partial<ConnectorRecord>, i) => {
    try {
      if (typeof entry !== "object" || entry === null) throw new Error("is not an object");
      const { state: _saved, ...fields } = entry;
      return completeSeed(fields, i, now);
    } catch (err) {
      throw new Error(`${file}, connector ${i}: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
  });
}

export function saveConnectors(file: string, connectors: ConnectorRecord[]): void {
  const state: PersistedState = { connectors };
  const tmp = `${file}.${process.pid}.tmp`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}
