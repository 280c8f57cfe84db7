// Connectors saved to a JSON file so that a demo's tenants survive an emulator restart: the default
// tenant's in `connectors` (the file of a single-tenant emulator is unchanged), every other
// tenant's, with its id, name and domain, in `tenants`. Never an app or a secret. Writes are
// synchronous and atomic (temporary file, then rename): a reader or a crash never sees half a file,
// and two quick changes cannot finish out of order.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { isGuid } from "../ids";
import { completeSeed } from "./model";
import type { StoredRecord } from "./store";
import type { ConnectorRecord } from "../types";

/** Another tenant's connectors, as saved. */
export interface PersistedTenant<C = ConnectorRecord> {
  tenantId: string;
  name: string;
  domain?: string;
  connectors: C[];
}

export interface PersistedState<C = ConnectorRecord> {
  /** The default tenant's. */
  connectors: C[];
  /** The other tenants'; left out when there are none. */
  tenants?: PersistedTenant<C>[];
}

/**
 * The saved connectors, or undefined when the file does not exist yet. A saved `state` is what the
 * heartbeats gave when the file was written; it is left out, so that the time that has passed
 * since moves the state on, as it would in the service.
 */
export function loadConnectors(file: string, now: number): PersistedState<StoredRecord> | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const state = parsed as Partial<PersistedState> | null;
  if (!Array.isArray(state?.connectors)) throw new Error(`${file} has no "connectors" array`);
  const tenants = state.tenants ?? [];
  if (!Array.isArray(tenants)) throw new Error(`${file}: "tenants" must be an array`);
  return {
    connectors: loadRecords(state.connectors, now, `${file}, connector`),
    tenants: tenants.map((tenant: Partial<PersistedTenant>, t) => {
      const where = `${file}, tenants[${t}]`;
      if (typeof tenant !== "object" || tenant === null || !Array.isArray(tenant.connectors))
        throw new Error(`${where} must be an object with tenantId, name and a "connectors" array`);
      const { tenantId, name, domain } = tenant;
      if (typeof tenantId !== "string" || !isGuid(tenantId))
        throw new Error(`${where}.tenantId must be a GUID`);
      if (typeof name !== "string") throw new Error(`${where}.name must be a string`);
      if (domain !== undefined && typeof domain !== "string")
        throw new Error(`${where}.domain must be a string`);
      return {
        tenantId: tenantId.toLowerCase(),
        name,
        ...(domain !== undefined && { domain }),
        connectors: loadRecords(tenant.connectors, now, `${where}, connector`),
      };
    }),
  };
}

/** Runs the entries through the seed rules, so a hand-edited file cannot put bad objects in service. */
function loadRecords(connectors: unknown[], now: number, where: string): StoredRecord[] {
  return connectors.map((entry, i) => {
    try {
      if (typeof entry !== "object" || entry === null) throw new Error("is not an object");
      const { state: _saved, ...fields } = entry as Partial<ConnectorRecord>;
      return completeSeed(fields, i, now);
    } catch (err) {
      throw new Error(`${where} ${i}: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
  });
}

export function saveConnectors(file: string, state: PersistedState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}
