/**
 * The checks of single input values, each returning the sentence a person reads when a value is
 * refused (the property, the value it got, what would be accepted), or undefined when it is fine.
 * Pure. The definition (definition.ts) gives each input property its check; `checkInputs`
 * (check.ts) runs them.
 */
import { CONNECTOR_STATES, LIMITS, VERSION_PATTERN, isGuid } from "./constants";

/** The check of one input value: the reason it is refused, or undefined. */
export type ValueCheck = (value: unknown) => string | undefined;

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

/** Whether a value is missing (undefined or null), which an optional property may be. */
export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

/** The rules of a display name, for displayName and for registeredName (a display name to look up). */
export function checkName(property: string): ValueCheck {
  return (value) => {
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
  };
}

export const checkDisplayName: ValueCheck = (value) =>
  isAbsent(value)
    ? "displayName is required: give the connector's display name as a non-empty string"
    : checkName("displayName")(value);

export const checkVersion: ValueCheck = (value) => {
  if (typeof value !== "string") {
    return `version must be a string such as "6.2504.2001.8", got ${describeValue(value)}`;
  }
  if (value.length > LIMITS.versionLength || !VERSION_PATTERN.test(value)) {
    return `version must be a dotted version number such as "6.2504.2001.8", got ${describeValue(value)}`;
  }
  return undefined;
};

export const checkState: ValueCheck = (value) =>
  typeof value !== "string" || !(CONNECTOR_STATES as readonly string[]).includes(value)
    ? `state must be one of ${CONNECTOR_STATES.join(", ")}; got ${describeValue(value)}`
    : undefined;

export const checkConnectorId: ValueCheck = (value) =>
  typeof value !== "string" || !isGuid(value)
    ? `connectorId must be the GUID of an existing connector (e.g. "3fa85f64-5717-4562-b3fc-2c963f66afa6"), ` +
      `got ${describeValue(value)}`
    : undefined;

export function checkBoolean(property: string): ValueCheck {
  return (value) =>
    typeof value === "boolean" ? undefined : `${property} must be true or false, got ${describeValue(value)}`;
}
