/**
 * A list of connectors in stack config (the root stack's, each fleet tenant's stack), validated
 * with messages that name the entry, the key and what is accepted. Pure (no Pulumi), so it is
 * unit-tested; the fleet file's check runs it too, so a fleet's mistakes are found before any stack.
 */

import type { ConnectorInputs } from "../connector/definition";
import { displayNameKey, idKey } from "../connector/ownership";

/**
 * One connector of the list: the resource's arguments and its logical name. Anything else is
 * passed on, so the resource's own check reports it with a suggestion.
 */
export type ConnectorEntry = Partial<ConnectorInputs> & {
  /** Logical name of the resource in the stack. Stable: renaming it would replace the resource. */
  name: string;
  [key: string]: unknown;
};

/**
 * Each connector of a fleet stack's `connectors` output, in both forms' programs: the output's
 * field, and the resource's output it holds.
 */
export const CONNECTOR_OUTPUT_FIELDS = {
  id: "connectorId",
  displayName: "displayName",
  state: "state",
  lastConnectionDateTime: "lastConnectionDateTime",
} as const;

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export class StackConfigError extends Error {
  override readonly name = "StackConfigError";
}

/**
 * Reads the `connectors` list. `name` may be left out for adopted connectors (the connector id,
 * or the registered name, is then the name); created ones need it, since a name derived from the
 * display name would turn every rename into a replacement.
 */
export function parseConnectorEntries(value: unknown, key = "connectors"): ConnectorEntry[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new StackConfigError(
      `${key} must be a list of connectors, e.g.\n  ${key}:\n    - name: branch\n      displayName: ODJ Connector – Branch; got ${typeof value}`,
    );
  }
  const seen = new Set<string>();
  const ids = new Map<string, string>();
  return value.map((entry: unknown, index) => {
    const where = `${key}[${index}]`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      throw new StackConfigError(
        `${where} must be an object with displayName (and name, version, connectorId or registeredName)`,
      );
    }
    const record = entry as Record<string, unknown>;
    const name = record.name ?? record.connectorId ?? record.registeredName;
    if (name === undefined) {
      throw new StackConfigError(
        `${where} needs a name: a stable logical name for the resource (display names can change), e.g. name: branch-office`,
      );
    }
    if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
      throw new StackConfigError(
        `${where}.name must be letters, digits, '.', '_' or '-' (at most 100), starting with a letter or digit; got ${JSON.stringify(name)}`,
      );
    }
    if (seen.has(name))
      throw new StackConfigError(`${where}.name ${JSON.stringify(name)} is used twice; names must be unique`);
    seen.add(name);
    if (typeof record.connectorId === "string") {
      // One entry per connector, whatever the letter case: two would fight over it on every run.
      const other = ids.get(idKey(record.connectorId));
      if (other !== undefined) {
        throw new StackConfigError(
          `${where}.connectorId ${JSON.stringify(record.connectorId)} is also the connectorId of ${other}: ` +
            "a connector can be listed once only; remove one of the two entries",
        );
      }
      ids.set(idKey(record.connectorId), `${where} (${JSON.stringify(name)})`);
    }
    if (typeof record.registeredName === "string") {
      // The same connector twice, by the name it registered under (compared as the provider does).
      const key = `name:${displayNameKey(record.registeredName)}`;
      const other = ids.get(key);
      if (other !== undefined) {
        throw new StackConfigError(
          `${where}.registeredName ${JSON.stringify(record.registeredName)} is also the registeredName of ${other}: ` +
            "a connector can be listed once only; remove one of the two entries",
        );
      }
      ids.set(key, `${where} (${JSON.stringify(name)})`);
    }
    const { name: _name, ...rest } = record;
    return { ...rest, name } as ConnectorEntry;
  });
}
