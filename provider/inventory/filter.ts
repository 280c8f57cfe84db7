/**
 * Which connectors an inventory lookup returns, pure: filters by display name (exact, prefix or
 * pattern), state and version range, and the one-by-name rule a program adopts by.
 */
import { namesakes } from "../connector/ownership";
import { DOTTED_NUMBER, compareVersions } from "../health/rules";
import { CONNECTOR_STATES, ConnectorState } from "../connector/constants";
import { describeValue } from "../connector/values";
import type { ConnectorInfo, GraphConnector } from "../connector/definition";
import { toInfo } from "../connector/outputs";

export { toInfo, type ConnectorInfo };

/** What `getConnectors` selects; every condition given must hold. */
export interface ConnectorFilter {
  /** An exact display name, `{ prefix }`, or a regular expression. */
  displayName?: string | { prefix: string } | RegExp;
  /** One state, or any of several. */
  state?: ConnectorState | readonly ConnectorState[];
  /** Lowest version, inclusive, compared numerically part by part. */
  minVersion?: string;
  /** Highest version, inclusive. */
  maxVersion?: string;
}

/** Whether a connector passes the filter. A version bound excludes connectors without a version. */
export function matchesFilter(c: GraphConnector, filter: ConnectorFilter): boolean {
  const name = filter.displayName;
  // A connector without a name matches no name filter.
  if (name !== undefined && c.displayName === null) return false;
  const displayName = c.displayName ?? "";
  if (typeof name === "string" && displayName !== name) return false;
  // A copy: a global pattern's test() would otherwise start where the last one stopped.
  if (name instanceof RegExp && !new RegExp(name).test(displayName)) {
    return false;
  }
  if (name && typeof name === "object" && !(name instanceof RegExp) && !displayName.startsWith(name.prefix)) {
    return false;
  }
  if (filter.state !== undefined) {
    const states: readonly string[] = typeof filter.state === "string" ? [filter.state] : filter.state;
    // A connector without a state (null) matches no state asked for.
    if (!states.includes(c.state as string)) return false;
  }
  for (const [bound, atLeast] of [
    [filter.minVersion, true],
    [filter.maxVersion, false],
  ] as const) {
    if (bound === undefined) continue;
    const order = c.version ? compareVersions(c.version, bound) : undefined;
    if (order === undefined || (atLeast ? order < 0 : order > 0)) return false;
  }
  return true;
}

/**
 * Checks a filter's values before any request, naming what is wrong and what is accepted. The
 * values may come from any language (the plugin's getConnectors), so nothing about their types is
 * taken on trust.
 */
export function filterProblems(filter: ConnectorFilter): string[] {
  const problems: string[] = [];
  for (const key of ["minVersion", "maxVersion"] as const) {
    const value: unknown = filter[key];
    if (value !== undefined && (typeof value !== "string" || !DOTTED_NUMBER.test(value))) {
      problems.push(
        `${key} must be a dotted version number such as "6.2501.2000.5", got ${describeValue(value)}`,
      );
    }
  }
  const name: unknown = filter.displayName;
  const isPrefix = (v: unknown) =>
    typeof v === "object" && v !== null && typeof (v as { prefix?: unknown }).prefix === "string";
  if (name !== undefined && typeof name !== "string" && !(name instanceof RegExp) && !isPrefix(name)) {
    problems.push(`displayName must be a string, { prefix: string } or a RegExp`);
  }
  const state: unknown = filter.state;
  if (state !== undefined) {
    const states: unknown[] = Array.isArray(state) ? state : [state];
    const wrong = states.filter((s) => !(CONNECTOR_STATES as readonly unknown[]).includes(s));
    if (states.length === 0) {
      problems.push(`state must name at least one of ${CONNECTOR_STATES.join(", ")}; got an empty list`);
    } else if (wrong.length) {
      problems.push(
        `state must be one of ${CONNECTOR_STATES.join(", ")} (or a list of them); got ${wrong.map(describeValue).join(", ")}`,
      );
    }
  }
  return problems;
}

/** The one connector named `displayName`, or an error message saying why there is none. */
export function onlyNamed(
  connectors: readonly GraphConnector[],
  displayName: string,
): { connector: GraphConnector } | { problem: string } {
  const named = connectors.filter((c) => c.displayName === displayName);
  if (named.length === 1) return { connector: named[0] };
  const near = namesakes(connectors, displayName);
  if (named.length === 0 && near.length > 0) {
    return {
      problem:
        `no connector is named exactly ${JSON.stringify(displayName)}; ${near
          .map((c) => `${JSON.stringify(c.displayName)} (${c.id})`)
          .join(", ")} differ${near.length === 1 ? "s" : ""} only in letter case or surrounding spaces: ` +
        "write the name as the tenant has it",
    };
  }
  if (named.length === 0) {
    return {
      problem:
        `no connector is named ${JSON.stringify(displayName)} (the tenant has ${connectors.length}${
          connectors.length ? `: ${connectors.map((c) => JSON.stringify(c.displayName)).join(", ")}` : ""
        }). To adopt a connector by the name it registered under and rename it, give the resource ` +
        `registeredName: ${JSON.stringify(displayName)} instead of a connectorId from getConnector: ` +
        "the name is then looked up once, when the resource is created",
    };
  }
  return {
    problem: `${named.length} connectors are named ${JSON.stringify(displayName)} (${named
      .map((c) => c.id)
      .join(", ")}): pick one by its id with connectorId`,
  };
}
