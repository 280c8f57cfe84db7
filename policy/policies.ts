/**
 * The pack's policies: the provider's health rules (pulumi-intune-domain-join/rules) applied to a
 * stack's DomainJoinConnector resources, in either form (the dynamic resource of TypeScript programs,
 * `intune:index:DomainJoinConnector` of the plugin). Nothing here judges a connector itself, so the pack,
 * `intune-health` and the stack's `health` output always agree.
 *
 * What each policy sees, by Pulumi's design: a resource policy sees a connector's inputs before
 * its step runs, so it can stop a write; a stack policy sees every connector's outputs as the
 * state holds them after the run (as of the last refresh or update — `--refresh` judges them as
 * they are now). Neither reads Graph, so the pack adds no request to a preview; connectors the
 * stack does not manage are `intune-health --stack`'s job.
 */
import {
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
  UnknownValueError,
} from "@pulumi/policy";
import {
  DEFAULT_HEALTH_OPTIONS,
  DOTTED_NUMBER,
  HealthOptions,
  GraphConnector,
  MINIMUM_SUPPORTED_VERSION,
  RESOURCE_TYPES,
  connectorFromOutputs,
  connectorHealth,
  fleetHealth,
  unsupportedVersion,
} from "pulumi-intune-domain-join/rules";

/** Policy names, as they appear in output and in a policy config file. */
export const POLICY_NAMES = {
  declaredVersion: "intune-connector-version",
  connectorHealth: "intune-connector-health",
  minimumHealthy: "intune-minimum-healthy-connectors",
  uniqueNames: "intune-unique-display-names",
} as const;

const minimumVersionSchema = {
  type: "string" as const,
  pattern: DOTTED_NUMBER.source,
  default: MINIMUM_SUPPORTED_VERSION,
  description: "Lowest supported connector version, compared part by part.",
};
const silentAfterHoursSchema = {
  type: "number" as const,
  minimum: 0,
  description:
    "Hours from the last check-in to the preview after which a connector counts as silent whatever its state says " +
    "(default: off; Intune turns a connector error after an hour without a heartbeat). Outputs are as of the last " +
    "refresh: set it above the refresh interval.",
};
const minimumHealthySchema = {
  type: "integer" as const,
  minimum: 0,
  default: DEFAULT_HEALTH_OPTIONS.minimumHealthy,
  description: "Healthy connectors the stack must hold.",
};

/**
 * The connector a resource's outputs describe, or undefined while any of them is unknown. One
 * without a display name (cleared outside the stack) waits for the next up: the pack names
 * connectors by their display name.
 */
function knownOutputs(resource: PolicyResource): GraphConnector | undefined {
  try {
    const connector = connectorFromOutputs(resource.props);
    return connector?.displayName === null ? undefined : connector;
  } catch (e) {
    // Computed during a preview: judged on the run that settles it.
    if (e instanceof UnknownValueError) return undefined;
    throw e;
  }
}

function connectors(resources: readonly PolicyResource[]) {
  return resources
    .filter((r) => RESOURCE_TYPES.includes(r.type))
    .map((resource) => ({ resource, outputs: knownOutputs(resource) }))
    .filter((c): c is { resource: PolicyResource; outputs: GraphConnector } => c.outputs !== undefined);
}

function options(config: Partial<HealthOptions>): HealthOptions {
  return { ...DEFAULT_HEALTH_OPTIONS, ...config };
}

/** The pack's policies; `now` is injectable so tests can stand at a window's edge. */
export function createPolicies(
  now: () => number = Date.now,
): [ResourceValidationPolicy, StackValidationPolicy, StackValidationPolicy, StackValidationPolicy] {
  return [
    {
      name: POLICY_NAMES.declaredVersion,
      description: `A declared connector version is at least the minimum: Microsoft deprecated versions before ${MINIMUM_SUPPORTED_VERSION}, and a deprecated connector still shows active while hybrid join fails.`,
      enforcementLevel: "mandatory",
      configSchema: { properties: { minimumVersion: minimumVersionSchema } },
      validateResource: (args, reportViolation) => {
        if (!RESOURCE_TYPES.includes(args.type)) return;
        const version: unknown = args.props.version;
        // Not declared: the connector reports its own version, which intune-connector-health judges.
        if (version === undefined || version === null) return;
        const { minimumVersion } = options(args.getConfig<Partial<HealthOptions>>());
        const problem = unsupportedVersion(String(version), minimumVersion);
        if (problem) reportViolation(`Declared ${problem}. Upgrade the connector on its server first.`);
      },
    },
    {
      name: POLICY_NAMES.connectorHealth,
      description:
        "Each managed connector runs a supported version, is active and checked in recently (as of the last refresh).",
      enforcementLevel: "advisory",
      configSchema: {
        properties: { minimumVersion: minimumVersionSchema, silentAfterHours: silentAfterHoursSchema },
      },
      validateStack: (args, reportViolation) => {
        const opts = options(args.getConfig<Partial<HealthOptions>>());
        for (const { resource, outputs } of connectors(args.resources)) {
          for (const finding of connectorHealth(outputs, now(), opts).findings) {
            reportViolation(`${JSON.stringify(outputs.displayName)}: ${finding.message}`, resource.urn);
          }
        }
      },
    },
    {
      name: POLICY_NAMES.minimumHealthy,
      description:
        "The stack holds at least the minimum of healthy connectors, so hybrid join survives one server going down.",
      enforcementLevel: "advisory",
      configSchema: {
        properties: {
          minimumHealthy: minimumHealthySchema,
          minimumVersion: minimumVersionSchema,
          silentAfterHours: silentAfterHoursSchema,
        },
      },
      validateStack: (args, reportViolation) => {
        const managed = connectors(args.resources);
        if (managed.length === 0) args.notApplicable("the stack manages no connector yet");
        const fleet = fleetHealth(
          managed.map((c) => c.outputs),
          now(),
          options(args.getConfig<Partial<HealthOptions>>()),
        );
        const finding = fleet.findings.find((f) => f.rule === "healthyCount");
        if (finding) reportViolation(`The stack's connectors: ${finding.message}`);
      },
    },
    {
      name: POLICY_NAMES.uniqueNames,
      description: "No two managed connectors share a display name, so admins can tell them apart.",
      enforcementLevel: "advisory",
      validateStack: (args, reportViolation) => {
        const fleet = fleetHealth(
          connectors(args.resources).map((c) => c.outputs),
          now(),
        );
        for (const finding of fleet.findings.filter((f) => f.rule === "uniqueNames")) {
          reportViolation(`The stack's connectors: ${finding.message}`);
        }
      },
    },
  ];
}
