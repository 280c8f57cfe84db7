/**
 * Health rules for domain join connectors, pure: the policy pack, the health command and the
 * inventory all judge connectors here. Each finding says which rule, and why, in words an Intune
 * admin acts on. Each default's reason is on its option.
 */
import { displayNameKey, hasConnected, idKey } from "../connector/ownership";
import { versionReport, versionReportMessage } from "../connector/diff";
import { GraphConnector } from "../connector/definition";
import { DEFAULT_HEALTH_OPTIONS, HealthOptions } from "./options";
import { MINIMUM_SUPPORTED_VERSION, RECOMMENDED_VERSION, compareVersions } from "./versions";
import { assignDomains } from "./domains";

export { DEFAULT_HEALTH_OPTIONS, type HealthOptions } from "./options";
export { DOTTED_NUMBER, MINIMUM_SUPPORTED_VERSION, RECOMMENDED_VERSION, compareVersions } from "./versions";

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
export type FleetRule = "healthyCount" | "uniqueNames" | "unmanaged" | "declaredVersion";
/** What the rules say without calling a connector unhealthy. */
export type AdvisoryRule = "recommendedVersion";

export interface Finding<R extends string = ConnectorRule | FleetRule> {
  rule: R;
  /** What is wrong and why it matters, one sentence. */
  message: string;
  /** The connector concerned, when the finding is about one. */
  connectorId?: string;
  /** The domain concerned, when the finding is about one (healthyCount with domains given). */
  domain?: string;
}

export interface ConnectorHealth {
  connector: GraphConnector;
  healthy: boolean;
  findings: Finding<ConnectorRule>[];
  /** Advice that leaves the verdict alone: a supported version older than the recommended one. */
  advisories: Finding<AdvisoryRule>[];
  /** Hours since the last check-in, or undefined when it never checked in (or the date is unreadable). */
  silentHours?: number;
}

/**
 * Why a connector version is not supported (below `minimumVersion`, missing or not a dotted
 * number), or undefined when it is supported. Microsoft's reason is given only below the version
 * Microsoft names; a higher minimum of the options is the options' own.
 */
export function unsupportedVersion(
  version: string | null | undefined,
  minimumVersion: string = MINIMUM_SUPPORTED_VERSION,
): string | undefined {
  if (!version) return `reports no version, so whether it is older than ${minimumVersion} cannot be told`;
  const order = compareVersions(version, minimumVersion);
  if (order === undefined) return `version ${JSON.stringify(version)} is not a dotted version number`;
  if (order >= 0) return undefined;
  // Learn, autopilot/windows-autopilot-hybrid: "versions older than 6.2501.2000.5 are deprecated
  // and can no longer process enrollment requests".
  if ((compareVersions(version, MINIMUM_SUPPORTED_VERSION) as number) < 0) {
    return `version ${version} is older than ${minimumVersion}: Microsoft deprecated versions older than ${MINIMUM_SUPPORTED_VERSION}, which can no longer process enrollment requests`;
  }
  return `version ${version} is older than ${minimumVersion}, the minimum set`;
}

/**
 * The advice for a supported version older than the one Microsoft asks to install (Learn,
 * autopilot/windows-autopilot-hybrid: "Make sure to install version 6.2504.2001.8 or later … to
 * avoid issues with the Internet Explorer Enhanced Security Configuration setting"), or
 * undefined. From 6.2501.2000.5, the oldest version Microsoft supports, whatever minimum is set.
 */
export function belowRecommendedVersion(version: string | null | undefined): string | undefined {
  if (!version) return undefined;
  const fromSupported = compareVersions(version, MINIMUM_SUPPORTED_VERSION);
  const toRecommended = compareVersions(version, RECOMMENDED_VERSION);
  if (fromSupported === undefined || fromSupported < 0 || (toRecommended as number) >= 0) return undefined;
  return (
    `version ${version} is supported, but Microsoft asks to install ${RECOMMENDED_VERSION} or later to avoid ` +
    "issues with the Internet Explorer Enhanced Security Configuration setting (advice: the verdict does not change)"
  );
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
  const advice = belowRecommendedVersion(connector.version);
  const advisories: Finding<AdvisoryRule>[] = advice
    ? [{ rule: "recommendedVersion", message: advice, connectorId: connector.id }]
    : [];
  return { connector, healthy: findings.length === 0, findings, advisories, silentHours };
}

/** Why a state is not healthy, in Intune's meaning of it; undefined for `active`. */
function notActive(state: string | null, silentHours: number | undefined): string | undefined {
  if (state === "active") return undefined;
  const since = silentHours === undefined ? "" : ` (last check-in ${formatHours(silentHours)} ago)`;
  if (state === "error") {
    return `state is error: ${STATE_MEANINGS.error}${since}; its server or the connector service is down`;
  }
  if (state === "inactive") {
    // memdocs, autopilot/includes/intune-connector.md: "Inactive Intune connectors still appear in
    // the Intune Connectors page and will automatically be cleaned up after 30 days."
    return `state is inactive: ${STATE_MEANINGS.inactive}${since}; bring its server back, or leave it: Intune removes inactive connectors after 30 days`;
  }
  return `state is ${state ?? "unknown"}, not active: Autopilot does not use it`;
}

/** The connectors one domain counts, or the whole list counted as one domain. */
export interface DomainHealth {
  /** The domain as the options name it; undefined for the whole list, when no domains are given. */
  domain?: string;
  connectors: ConnectorHealth[];
  healthyCount: number;
  /** Display names or ids listed under the domain that match no connector given. */
  notFound: string[];
}

export interface FleetHealth {
  connectors: ConnectorHealth[];
  /** Findings about the connectors together. */
  findings: Finding<FleetRule>[];
  /** Healthy connectors in all. */
  healthyCount: number;
  /** Whether domains were given, so that each is counted on its own. */
  perDomain: boolean;
  /** Each domain given, in order; without domains, one entry: all the connectors, counted as one domain. */
  domains: DomainHealth[];
  /** Connectors no domain counts (only with domains), and why: a note, not a finding. */
  unassigned: { connector: ConnectorHealth; reason: string }[];
  healthy: boolean;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const nameOf = (h: ConnectorHealth) => h.connector.displayName ?? h.connector.id;

/**
 * The healthyCount finding of a domain short of the minimum, or of all the connectors counted
 * as one. Microsoft (Learn, autopilot/windows-autopilot-hybrid): "A connector can only process
 * enrollment requests for the same domain as the server it was installed on", and "Additional
 * servers per domain can be set up for redundancy".
 */
function shortOf(d: DomainHealth, minimum: number): Finding<FleetRule> {
  const total = d.connectors.length;
  const counted = `${plural(d.healthyCount, "healthy connector")} of ${total}`;
  if (d.domain === undefined) {
    const why = d.healthyCount === 0 ? ": none can process enrollment requests" : " for redundancy";
    return {
      rule: "healthyCount",
      message: `${counted}, fewer than the ${minimum} needed${why}; no domains were given, so all are counted as one domain`,
    };
  }
  const why =
    d.healthyCount === 0
      ? `: a connector processes enrollment requests only for its own server's domain, so none are processed for ${d.domain}`
      : " for redundancy";
  const healthy = d.connectors.filter((h) => h.healthy).map(nameOf);
  const unhealthy = d.connectors.filter((h) => !h.healthy).map(nameOf);
  const names = [
    ...(healthy.length ? [`healthy: ${healthy.join(", ")}`] : []),
    ...(unhealthy.length ? [`unhealthy: ${unhealthy.join(", ")}`] : []),
  ].join("; ");
  const notFound = d.notFound.length
    ? `; listed but not found: ${d.notFound.map((n) => JSON.stringify(n)).join(", ")}`
    : "";
  return {
    rule: "healthyCount",
    domain: d.domain,
    message:
      `domain ${d.domain} has ${total === 0 ? "no connector" : `${counted} (${names})`}, fewer than the ` +
      `${minimum} it needs${why}${notFound}`,
  };
}

/**
 * The connectors together: each one's health; then at least `minimumHealthy` healthy in each
 * domain given (or in all, counted as one domain, when none is given), display names unique,
 * and — when the ids a stack manages are given — none unmanaged.
 */
export function fleetHealth(
  connectors: readonly GraphConnector[],
  now: number,
  options: HealthOptions = DEFAULT_HEALTH_OPTIONS,
  managedIds?: Iterable<string>,
  declaredVersions?: ReadonlyMap<string, string>,
): FleetHealth {
  const each = connectors.map((c) => connectorHealth(c, now, options));
  const count = (list: readonly ConnectorHealth[]) => list.filter((h) => h.healthy).length;
  const healthyCount = count(each);
  const perDomain = options.domains !== undefined;
  let domains: DomainHealth[];
  let unassigned: FleetHealth["unassigned"] = [];
  if (perDomain) {
    const assignment = assignDomains(connectors, options);
    domains = assignment.domains.map(({ domain, members, notFound }) => {
      const counted = members.map((i) => each[i]);
      return { domain, connectors: counted, healthyCount: count(counted), notFound };
    });
    unassigned = assignment.unassigned.map(({ index, reason }) => ({ connector: each[index], reason }));
  } else {
    domains = [{ connectors: each, healthyCount, notFound: [] }];
  }
  const findings: Finding<FleetRule>[] = domains
    .filter((d) => d.healthyCount < options.minimumHealthy)
    .map((d) => shortOf(d, options.minimumHealthy));
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
  // A declared version the software does not run: the provider reports it and never writes it
  // (docs/reference.md, "What a declared version means"), so it is the stack's to settle.
  for (const c of connectors) {
    const report = versionReport(c, declaredVersions?.get(idKey(c.id)));
    if (report) {
      findings.push({
        rule: "declaredVersion",
        connectorId: c.id,
        message: versionReportMessage(c.id, c.displayName, report),
      });
    }
  }
  return {
    connectors: each,
    findings,
    healthyCount,
    perDomain,
    domains,
    unassigned,
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
