/**
 * The health of a stack on the package's program (the root stack's and each fleet tenant's): its
 * `health` config (the health rules' options, checked as every entry point checks them) and the
 * `health` output made from the verdict. Pure (no Pulumi), so it is unit-tested.
 */
import { ConfigurationError } from "../logic/errors";
import { HealthOptions, parseHealthOptions } from "../health/options";
import type { FleetHealth } from "../health/rules";
import { StackConfigError } from "./connector-entries";

/**
 * The `health` config: the options of the health rules (minimumHealthy, domains, domainPattern, …),
 * e.g. `intune-connectors:health: { domains: { corp.contoso.com: [ODJ-HQ-01, ODJ-HQ-02] } }`.
 */
export function parseHealthConfig(value: unknown, key = "health"): HealthOptions {
  try {
    return parseHealthOptions(value, { name: (option) => `${key}.${option}` });
  } catch (error) {
    if (error instanceof ConfigurationError) throw new StackConfigError(error.message);
    throw error;
  }
}

/** The `health` output: a value that changes when health does, never with the clock. */
export interface HealthOutput {
  healthy: boolean;
  healthyCount: number;
  /** By logical name, the rules each unhealthy connector breaks. */
  unhealthy: Record<string, string[]>;
  /** The rules the connectors together break (healthyCount, uniqueNames). */
  fleet: string[];
  /** With domains configured: each domain's healthy and total connectors. */
  domains?: Record<string, { healthy: number; total: number }>;
  /** With domains configured: the connectors (logical names) in no domain, which count for none. */
  unassigned?: string[];
  /** By logical name, advice that leaves the verdict alone (recommendedVersion). */
  advisories?: Record<string, string[]>;
}

/** The output for a fleet judged from the connectors of `names` (the same order). */
export function healthOutput(fleet: FleetHealth, names: readonly string[]): HealthOutput {
  const nameOf = new Map(fleet.connectors.map((h, i) => [h, names[i]]));
  const advised = fleet.connectors.flatMap((h, i) =>
    h.advisories.length ? [[names[i], h.advisories.map((a) => a.rule)] as const] : [],
  );
  return {
    healthy: fleet.healthy,
    healthyCount: fleet.healthyCount,
    unhealthy: Object.fromEntries(
      fleet.connectors.flatMap((h, i) => (h.healthy ? [] : [[names[i], h.findings.map((f) => f.rule)]])),
    ),
    fleet: fleet.findings.map((f) => f.rule),
    ...(fleet.perDomain
      ? {
          domains: Object.fromEntries(
            fleet.domains.map((d) => [d.domain, { healthy: d.healthyCount, total: d.connectors.length }]),
          ),
          unassigned: fleet.unassigned.map((u) => nameOf.get(u.connector) as string),
        }
      : {}),
    ...(advised.length ? { advisories: Object.fromEntries(advised) } : {}),
  };
}
