/**
 * Validation of resource inputs (`check`). Pure: every failure names the property, the value it got
 * and what would be accepted, so a typo is caught in preview before anything reaches Graph.
 */
import { idKey } from "./ownership";
import {
  CONNECTOR_STATES,
  ConnectorInputs,
  DEPRECATED_INPUTS,
  INPUT_PROPERTIES,
  LIMITS,
  OUTPUT_ONLY_PREFIX,
  OUTPUT_ONLY_PROPERTIES,
  PROVIDER_KEY,
  UNKNOWN_VALUE,
  VERSION_PATTERN,
  isGuid,
} from "./schema";

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckResult {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
}

// C0/C1 control characters (tab, newline, NUL, ...): never part of a real display name.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** How a value is shown in a message: quoted, shortened, control characters escaped. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `${JSON.stringify(shown)}${value.length > 40 ? ` (${value.length} characters)` : ""}`;
  }
  return `${typeof value} ${String(value)}`;
}

function isUnknown(value: unknown): boolean {
  return value === UNKNOWN_VALUE;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

/** Edit distance, to suggest the known property nearest to a typo. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

export function nearestProperty(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const known of INPUT_PROPERTIES) {
    const d = editDistance(name.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** The rules of a display name, for displayName and for registeredName (a display name to look up). */
function checkName(property: string, value: unknown): string | undefined {
  if (typeof value !== "string") return `${property} must be a string, got ${describeValue(value)}`;
  if (value.trim().length === 0) {
    return `${property} must not be empty or only whitespace, got ${describeValue(value)}`;
  }
  if (value.length > LIMITS.displayNameLength) {
    return `${property} is ${value.length} characters long; at most ${LIMITS.displayNameLength} are accepted`;
  }
  if (CONTROL_CHARACTERS.test(value)) {
    return `${property} must not contain control characters (newline, tab, NUL, ...), got ${describeValue(value)}`;
  }
  return undefined;
}

function checkDisplayName(value: unknown): string | undefined {
  if (isAbsent(value))
    return "displayName is required: give the connector's display name as a non-empty string";
  return checkName("displayName", value);
}

function checkVersion(value: unknown): string | undefined {
  if (typeof value !== "string") {
    return `version must be a string such as "6.2504.2001.8", got ${describeValue(value)}`;
  }
  if (value.length > LIMITS.versionLength || !VERSION_PATTERN.test(value)) {
    return `version must be a dotted version number such as "6.2504.2001.8", got ${describeValue(value)}`;
  }
  return undefined;
}

function checkState(value: unknown): string | undefined {
  if (typeof value !== "string" || !(CONNECTOR_STATES as readonly string[]).includes(value)) {
    return `state must be one of ${CONNECTOR_STATES.join(", ")}; got ${describeValue(value)}`;
  }
  return undefined;
}

function checkConnectorId(value: unknown): string | undefined {
  if (typeof value !== "string" || !isGuid(value)) {
    return (
      `connectorId must be the GUID of an existing connector (e.g. "3fa85f64-5717-4562-b3fc-2c963f66afa6"), ` +
      `got ${describeValue(value)}`
    );
  }
  return undefined;
}

function checkBoolean(property: string): (value: unknown) => string | undefined {
  return (value) =>
    typeof value === "boolean" ? undefined : `${property} must be true or false, got ${describeValue(value)}`;
}

const CHECKERS: Record<string, (value: unknown) => string | undefined> = {
  version: checkVersion,
  state: checkState,
  connectorId: checkConnectorId,
  registeredName: (value) => checkName("registeredName", value),
  deleteOnDestroy: checkBoolean("deleteOnDestroy"),
  allowDuplicateDisplayName: checkBoolean("allowDuplicateDisplayName"),
};

/**
 * Validates the new inputs. Values not known yet (preview) pass untouched; absent optional
 * properties are left out of the returned inputs; a connectorId is normalised to lower case,
 * as Graph returns ids, so a differently cased id never looks like a replacement.
 */
export function checkInputs(news: Record<string, unknown>): CheckResult {
  const failures: CheckFailure[] = [];
  const inputs: Record<string, unknown> = {};

  for (const [givenKey, value] of Object.entries(news)) {
    const key = givenKey.startsWith(OUTPUT_ONLY_PREFIX)
      ? givenKey.slice(OUTPUT_ONLY_PREFIX.length)
      : givenKey;
    if (key === PROVIDER_KEY) {
      inputs[key] = value;
      continue;
    }
    if ((OUTPUT_ONLY_PROPERTIES as readonly string[]).includes(key)) {
      if (!isAbsent(value)) {
        failures.push({
          property: key,
          reason: `${key} is set by the service and cannot be given as an input (got ${describeValue(value)}); remove it`,
        });
      }
      continue;
    }
    if (!(INPUT_PROPERTIES as readonly string[]).includes(key)) {
      if (isAbsent(value)) continue;
      const nearest = nearestProperty(key);
      failures.push({
        property: key,
        reason:
          `${key} is not a property of DomainJoinConnector` +
          (nearest ? `; did you mean ${nearest}?` : "") +
          ` Accepted: ${INPUT_PROPERTIES.filter((p) => !DEPRECATED_INPUTS.includes(p)).join(", ")}`,
      });
      continue;
    }
    if (isUnknown(value)) {
      if (key !== "state") inputs[key] = value;
      continue;
    }
    if (key === "displayName") continue; // checked below, also when missing
    if (isAbsent(value)) continue;
    const reason = CHECKERS[key](value);
    if (reason) failures.push({ property: key, reason });
    // A valid state is accepted, so that older programs keep working, and left out: Intune sets it
    // (STATE_INPUT_IGNORED; the resource class warns in the program).
    else if (key !== "state") inputs[key] = key === "connectorId" ? idKey(value as string) : value;
  }

  const displayName = news.displayName;
  if (!isUnknown(displayName)) {
    const reason = checkDisplayName(displayName);
    if (reason) failures.push({ property: "displayName", reason });
    else inputs.displayName = displayName;
  }
  if (!isAbsent(news.connectorId) && !isAbsent(news.registeredName)) {
    failures.push({
      property: "registeredName",
      reason:
        `give connectorId or registeredName, not both (got connectorId ${describeValue(news.connectorId)} and ` +
        `registeredName ${describeValue(news.registeredName)}): each says which connector to adopt`,
    });
  }
  return { inputs, failures };
}

/** The validated inputs as a typed object (call only when `checkInputs` reported no failure). */
export function asConnectorInputs(inputs: Record<string, unknown>): ConnectorInputs {
  return inputs as unknown as ConnectorInputs;
}
