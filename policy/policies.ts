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
  ConfigurationError,
  HEALTH_OPTIONS,
  HealthOptionKey,
  HealthOptions,
  GraphConnector,
  MINIMUM_SUPPORTED_VERSION,
  RECOMMENDED_VERSION,
  RESOURCE_TYPES,
  connectorFromOutputs,
  connectorHealth,
  fleetHealth,
  optionKeys,
  parseHealthOptions,
  unsupportedVersion,
} from "pulumi-intune-domain-join/rules";

/** Policy names, as they appear in output and in a policy config file. */
export const POLICY_NAMES = {
  declaredVersion: "intune-connector-version",
  connectorHealth: "intune-connector-health",
  minimumHealthy: "intune-minimum-healthy-connectors",
  uniqueNames: "intune-unique-display-names",
  recommendedVersion: "intune-connector-recommended-version",
} as const;

/** The options each policy takes, by the rules it applies (a count needs each connector's verdict). */
export const POLICY_OPTIONS = {
  [POLICY_NAMES.declaredVersion]: ["minimumVersion"],
  [POLICY_NAMES.connectorHealth]: optionKeys("connector"),
  [POLICY_NAMES.minimumHealthy]: optionKeys("fleet", "connector"),
} as const satisfies Record<string, readonly HealthOptionKey[]>;

type ConfiguredPolicy = keyof typeof POLICY_OPTIONS;

/** A policy's config schema, from the options' one definition (their schema and description). */
function configSchema(policy: ConfiguredPolicy) {
  return {
    properties: Object.fromEntries(
      POLICY_OPTIONS[policy].map((key) => [
        key,
        { ...HEALTH_OPTIONS[key].schema, description: HEALTH_OPTIONS[key].description },
      ]),
    ),
  };
}

/**
 * A config the schema let through but the options' check refuses (a pattern that is not one, a
 * domain listed twice, a key no policy takes): it stops the preview, as the schema's refusals do,
 * with its message alone. The analyzer prints an error's stack, so the stack is the message.
 */
class PolicyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PolicyConfigError";
    this.stack = message;
  }
}

/** The options a policy's config gives, checked; `enforcementLevel` is the engine's, not an option. */
function options(policy: ConfiguredPolicy, config: Record<string, unknown>): HealthOptions {
  const { enforcementLevel: _level, ...given } = config ?? {};
  try {
    return parseHealthOptions(given, { accepted: POLICY_OPTIONS[policy], owner: "this policy" });
  } catch (error) {
    if (error instanceof ConfigurationError) {
      throw new PolicyConfigError(`the config of policy ${policy}: ${error.message}`);
    }
    throw error;
  }
}

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

/** The fleet's findings and notes for the stack's connectors, a config refused as a config. */
function judgeFleet(managed: readonly GraphConnector[], now: number, opts: HealthOptions) {
  try {
    return fleetHealth(managed, now, opts);
  } catch (error) {
    // One connector listed under two domains, once by name and once by id.
    if (error instanceof ConfigurationError) {
      throw new PolicyConfigError(`the config of policy ${POLICY_NAMES.minimumHealthy}: ${error.message}`);
    }
    throw error;
  }
}

/** The pack's policies; `now` is injectable so tests can stand at a window's edge. */
export function createPolicies(
  now: () => number = Date.now,
): [
  ResourceValidationPolicy,
  StackValidationPolicy,
  StackValidationPolicy,
  StackValidationPolicy,
  StackValidationPolicy,
] {
  return [
    {
      name: POLICY_NAMES.declaredVersion,
      description: `A declared connector version is at least the minimum: Microsoft deprecated the versions before ${MINIMUM_SUPPORTED_VERSION}, which can no longer process enrollment requests.`,
      enforcementLevel: "mandatory",
      configSchema: configSchema(POLICY_NAMES.declaredVersion),
      validateResource: (args, reportViolation) => {
        if (!RESOURCE_TYPES.includes(args.type)) return;
        const version: unknown = args.props.version;
        // Not declared: the connector reports its own version, which intune-connector-health judges.
        if (version === undefined || version === null) return;
        const { minimumVersion } = options(POLICY_NAMES.declaredVersion, args.getConfig());
        const problem = unsupportedVersion(String(version), minimumVersion);
        if (problem) reportViolation(`Declared ${problem}. Upgrade the connector on its server first.`);
      },
    },
    {
      name: POLICY_NAMES.connectorHealth,
      description:
        "Each managed connector runs a supported version, is active and checked in recently (as of the last refresh).",
      enforcementLevel: "advisory",
      configSchema: configSchema(POLICY_NAMES.connectorHealth),
      validateStack: (args, reportViolation) => {
        const opts = options(POLICY_NAMES.connectorHealth, args.getConfig());
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
        "Each domain the config names holds at least the minimum of healthy connectors (with no domains, the stack's " +
        "connectors count as one domain): a connector serves only its own server's domain, and more than one gives redundancy.",
      enforcementLevel: "advisory",
      configSchema: configSchema(POLICY_NAMES.minimumHealthy),
      validateStack: (args, reportViolation) => {
        const opts = options(POLICY_NAMES.minimumHealthy, args.getConfig());
        const managed = connectors(args.resources);
        if (managed.length === 0) args.notApplicable("the stack manages no connector yet");
        const fleet = judgeFleet(
          managed.map((c) => c.outputs),
          now(),
          opts,
        );
        // Connectors in no domain count for none: said with each shortfall, which they may explain.
        const note = fleet.unassigned.length
          ? ` (in no domain, so not counted: ${fleet.unassigned
              .map(({ connector, reason }) => `${JSON.stringify(connector.connector.displayName)}: ${reason}`)
              .join("; ")})`
          : "";
        for (const finding of fleet.findings.filter((f) => f.rule === "healthyCount")) {
          reportViolation(`The stack's connectors: ${finding.message}${note}`);
        }
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
    {
      name: POLICY_NAMES.recommendedVersion,
      description:
        `Each managed connector runs ${RECOMMENDED_VERSION} or later, which Microsoft asks to install to avoid issues with ` +
        "the Internet Explorer Enhanced Security Configuration setting. Advice only: an older supported connector is healthy, " +
        "and the other policies do not count this.",
      enforcementLevel: "advisory",
      validateStack: (args, reportViolation) => {
        for (const { resource, outputs } of connectors(args.resources)) {
          for (const advice of connectorHealth(outputs, now()).advisories) {
            reportViolation(`${JSON.stringify(outputs.displayName)}: ${advice.message}`, resource.urn);
          }
        }
      },
    },
  ];
}
