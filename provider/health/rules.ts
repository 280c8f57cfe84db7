/**
 * Health rules for domain join connectors, pure: the policy pack, the health command and the
 * inventory all judge connectors here. Each finding says which rule, and why, in words an Intune
 * admin acts on. Each default's reason is on its option.
 */
import { displayNameKey, hasConnected, idKey } from "../connector/ownership";
import { GraphConnector } from "../connector/definition";

/**
 * The oldest connector version that still processes enrollment requests: Microsoft deprecated
 * every Intune Connector for Active Directory before 6.2501.2000.5 (enforced from June 2025), and
 * a deprecated connector still reports `active`.
 */
export const MINIMUM_SUPPORTED_VERSION = "6.2501.2000.5";

export interface HealthOptions {
  /** Lowest version that counts as supported. Default 6.2501.2000.5. */
  minimumVersion: string;
  /**
   * Hours without a check-in, counted to the moment of judging, after which a connector counts as
   * silent whatever its state says. Default: off. Intune already turns a connector `error` after an
   * hour without a heartbeat and `inactive` after five days (the state's documented meanings), so
   * on a fresh reading this rule could only repeat the state rule or contradict it. It is for
   * readings that age: the policy pack and the stack's `health` output judge outputs as of the
   * last refresh; set it above the refresh interval (e.g. 25 for a nightly refresh).
   */
  silentAfterHours?: number;
  /** Healthy connectors the tenant needs (Microsoft recommends more than one). Default 2. */
  minimumHealthy: number;
}

export const DEFAULT_HEALTH_OPTIONS: HealthOptions = {
  minimumVersion: MINIMUM_SUPPORTED_VERSION,
  minimumHealthy: 2,
};

/**
 * What each state says, in Intune's words (the enum page,
 * intune-odj-devicemanagementdomainjoinconnectorstate.md): the service's own verdict on heartbeats.
 */
export const STATE_MEANINGS = {
  active: "actively pinging Intune",
  error: "no heartbeat for more than an hour",
  inactive: "no heartbeat for more than five days",
} as const;

export type ConnectorRule = "version" | "state" | "contact";
export type FleetRule = "healthyCount" | "uniqueNames" | "unmanaged";

export interface Finding<R extends string = ConnectorRule | FleetRule> {
  rule: R;
  /** What is wrong and why it matters, one sentence. */
  message: string;
  /** The connector concerned, when the finding is about one. */
  connectorId?: string;
}

export interface ConnectorHealth {
  connector: GraphConnector;
  healthy: boolean;
  findings: Finding<ConnectorRule>[];
  /** Hours since the last check-in, or undefined when it never checked in (or the date is unreadable). */
  silentHours?: number;
}

/**
 * A version the rules compare: dotted numbers, any count of parts (a threshold such as 6.2600
 * included). Inputs of the resource are checked more strictly (schema.ts, VERSION_PATTERN).
 */
export const DOTTED_NUMBER = /^\d+(\.\d+)*$/;

/**
 * Compares dotted versions numerically, part by part (6.10 > 6.9); a missing part counts as 0.
 * Returns -1, 0 or 1, or undefined when either is not a dotted number.
 */
export function compareVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  const parse = (v: string) => (DOTTED_NUMBER.test(v) ? v.split(".").map(Number) : undefined);
  const left = parse(a);
  const right = parse(b);
  if (!left || !right) return undefined;
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return Math.sign(difference) as 1 | -1;
  }
  return 0;
}

/**
 * Why a connector version is not supported (below `minimumVersion`, missing or not a dotted
 * number), or undefined when it is supported.
 */
export function unsupportedVersion(
  version: string | null | undefined,
  minimumVersion: string = MINIMUM_SUPPORTED_VERSION,
): string | undefined {
  if (!version) return `reports no version, so whether it is older than ${minimumVersion} cannot be told`;
  const order = compareVersions(version, minimumVersion);
  if (order === undefined) return `version ${JSON.stringify(version)} is not a dotted version number`;
  if (order < 0) {
    return `version ${version} is older than ${minimumVersion}: deprecated, it no longer processes enrollment requests, even while it shows active`;
  }
  return undefined;
}

/** One connector against the version, state and contact rules. */
export function connectorHealth(
  connector: GraphConnector,
  now: number,
  options: HealthOptions = DEFAULT_HEALTH_OPTIONS,
): ConnectorHealth {
  const findings: Finding<ConnectorRule>[] = [];
  const add = (rule: ConnectorRule, message: string) =>
    findings.push({ rule, message, connectorId: connector.id });

  const versionProblem = unsupportedVersion(connector.version, options.minimumVersion);
  if (versionProblem) add("version", versionProblem);

  const connected = hasConnected(connector);
  const at = connected ? Date.parse(connector.lastConnectionDateTime as string) : NaN;
  const silentHours = Number.isNaN(at) ? undefined : Math.max(0, (now - at) / 3_600_000);

  const stateProblem = notActive(connector.state, silentHours);
  if (stateProblem) add("state", stateProblem);

  if (!connected) {
    add("contact", "has never checked in with Intune");
  } else if (silentHours === undefined) {
    add("contact", `last check-in ${JSON.stringify(connector.lastConnectionDateTime)} is not a date`);
  } else if (options.silentAfterHours !== undefined && silentHours > options.silentAfterHours) {
    add(
      "contact",
      `silent for ${formatHours(silentHours)} (more than ${options.silentAfterHours} h): its server or service is down`,
    );
  }
  return { connector, healthy: findings.length === 0, findings, silentHours };
}

/** Why a state is not healthy, in Intune's meaning of it; undefined for `active`. */
function notActive(state: string | null, silentHours: number | undefined): string | undefined {
  if (state === "active") return undefined;
  const since = silentHours === undefined ? "" : ` (last check-in ${formatHours(silentHours)} ago)`;
  if (state === "error") {
    return `state is error: ${STATE_MEANINGS.error}${since}; its server or the connector service is down`;
  }
  if (state === "inactive") {
    return `state is inactive: ${STATE_MEANINGS.inactive}${since}; bring its server back, or remove the leftover`;
  }
  return `state is ${state ?? "unknown"}, not active: Autopilot does not use it`;
}

export interface FleetHealth {
  connectors: ConnectorHealth[];
  /** Findings about the tenant as a whole. */
  findings: Finding<FleetRule>[];
  healthyCount: number;
  healthy: boolean;
}

/**
 * The tenant's connectors together: each one's health, then at least `minimumHealthy` healthy,
 * display names unique, and — when the ids a stack manages are given — none unmanaged.
 */
export function fleetHealth(
  connectors: readonly GraphConnector[],
  now: number,
  options: HealthOptions = DEFAULT_HEALTH_OPTIONS,
  managedIds?: Iterable<string>,
): FleetHealth {
  const each = connectors.map((c) => connectorHealth(c, now, options));
  const healthyCount = each.filter((h) => h.healthy).length;
  const findings: Finding<FleetRule>[] = [];
  if (healthyCount < options.minimumHealthy) {
    findings.push({
      rule: "healthyCount",
      message: `${healthyCount} healthy connector${healthyCount === 1 ? "" : "s"} of ${connectors.length}, fewer than the ${options.minimumHealthy} needed for hybrid join to survive one server going down`,
    });
  }
  // Names compare as the create guard compares them: letter case and surrounding spaces aside.
  const byName = new Map<string, GraphConnector[]>();
  for (const c of connectors) {
    // A connector without a name (nullable in the metadata) shares a name with none.
    if (c.displayName === null) continue;
    const key = displayNameKey(c.displayName);
    byName.set(key, [...(byName.get(key) ?? []), c]);
  }
  for (const same of byName.values()) {
    if (same.length < 2) continue;
    const spellings = [...new Set(same.map((c) => c.displayName as string))];
    const named =
      spellings.length === 1
        ? `are named ${JSON.stringify(spellings[0])}`
        : `share a name, letter case and surrounding spaces aside (${spellings.map((s) => JSON.stringify(s)).join(", ")})`;
    findings.push({
      rule: "uniqueNames",
      message: `${same.length} connectors ${named} (${same.map((c) => c.id).join(", ")}): admins cannot tell them apart`,
    });
  }
  if (managedIds) {
    const managed = new Set([...managedIds].map(idKey));
    for (const c of connectors) {
      if (managed.has(idKey(c.id))) continue;
      findings.push({
        rule: "unmanaged",
        connectorId: c.id,
        message: `${JSON.stringify(c.displayName)} (${c.id}) is not managed by the stack: adopt it with connectorId, or remove a leftover`,
      });
    }
  }
  return {
    connectors: each,
    findings,
    healthyCount,
    healthy: findings.length === 0 && each.every((h) => h.healthy),
  };
}

/** "12 min", "3 h 20 min", "2 d 4 h": how long, for people (minutes below two days). */
export function formatHours(hours: number): string {
  const minutes = Math.round(hours * 60);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) {
    const rest = minutes % 60;
    return `${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ""}`;
  }
  const days = Math.floor(minutes / (24 * 60));
  const restHours = Math.floor((minutes % (24 * 60)) / 60);
  return restHours ? `${days} d ${restHours} h` : `${days} d`;
}
