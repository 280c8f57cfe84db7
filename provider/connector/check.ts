/**
 * Validation of resource inputs (`check`). Pure: every failure names the property, the value it got
 * and what would be accepted, so a typo is caught in preview before anything reaches Graph.
 */
import { idKey } from "./ownership";
import {
  ACCEPTED_INPUTS,
  ConnectorInputs,
  IGNORED_INPUTS,
  INPUT_PROPERTIES,
  OUTPUT_ONLY_PROPERTIES,
  inputDefinition,
  type InputProperty,
} from "./definition";
import { OUTPUT_ONLY_PREFIX, PROVIDER_KEY, RESOURCE_NAME_INPUT, UNKNOWN_VALUE } from "./constants";
import { describeValue, isAbsent } from "./values";

export { describeValue };

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckResult {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
}

function isUnknown(value: unknown): boolean {
  return value === UNKNOWN_VALUE;
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

function isInputProperty(key: string): key is InputProperty {
  return (INPUT_PROPERTIES as readonly string[]).includes(key);
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
    if (key === PROVIDER_KEY || key === RESOURCE_NAME_INPUT) {
      inputs[key] = value;
      continue;
    }
    if (OUTPUT_ONLY_PROPERTIES.includes(key)) {
      if (!isAbsent(value)) {
        failures.push({
          property: key,
          reason: `${key} is set by the service and cannot be given as an input (got ${describeValue(value)}); remove it`,
        });
      }
      continue;
    }
    if (!isInputProperty(key)) {
      if (isAbsent(value)) continue;
      const nearest = nearestProperty(key);
      failures.push({
        property: key,
        reason:
          `${key} is not a property of DomainJoinConnector` +
          (nearest ? `; did you mean ${nearest}?` : "") +
          ` Accepted: ${ACCEPTED_INPUTS.join(", ")}`,
      });
      continue;
    }
    const definition = inputDefinition(key);
    // An ignored input (state) is checked, so that a typo still fails, and then left out: older
    // programs keep working, and the provider warns (IGNORED_INPUTS).
    const kept = definition.role !== "ignored";
    if (isUnknown(value)) {
      if (kept) inputs[key] = value;
      continue;
    }
    if (definition.required) continue; // checked below, also when missing
    if (isAbsent(value)) continue;
    const reason = definition.check(value);
    if (reason) failures.push({ property: key, reason });
    else if (kept) inputs[key] = key === "connectorId" ? idKey(value as string) : value;
  }

  for (const key of INPUT_PROPERTIES) {
    const definition = inputDefinition(key);
    const value = news[key];
    if (!definition.required || isUnknown(value)) continue;
    const reason = definition.check(value);
    if (reason) failures.push({ property: key, reason });
    else inputs[key] = value;
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

/**
 * The warnings a program gets for inputs that are accepted but ignored (`state`): one line each,
 * saying what to do instead. Each form delivers them where its user sees them: the TypeScript
 * resource in the program, the plugin through the engine when it checks the inputs.
 */
export function ignoredInputWarnings(news: Record<string, unknown>): string[] {
  return IGNORED_INPUTS.flatMap((name) => {
    const message = inputDefinition(name).deprecationMessage;
    return isAbsent(news[name]) || message === undefined ? [] : [message];
  });
}

/** The validated inputs as a typed object (call only when `checkInputs` reported no failure). */
export function asConnectorInputs(inputs: Record<string, unknown>): ConnectorInputs {
  return inputs as unknown as ConnectorInputs;
}
