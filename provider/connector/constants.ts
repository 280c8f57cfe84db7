/**
 * Graph's and Pulumi's constants about a domain join connector: its OData type, the resource's type
 * tokens, the permissions, the states, the patterns and limits of its values. Pure data. What the
 * connector's properties are is declared in definition.ts.
 */

/** The OData type Graph puts on every connector and that we send back on writes. */
export const CONNECTOR_ODATA_TYPE = "#microsoft.graph.deviceManagementDomainJoinConnector";

/** The Pulumi package both forms belong to, and the resource's name in it. */
export const PACKAGE_NAME = "intune";
export const RESOURCE_NAME = "DomainJoinConnector";

/**
 * The type token of DomainJoinConnector resources in a stack: Pulumi's dynamic provider derives it
 * from the module and type resource.ts registers (`PACKAGE_NAME`, `RESOURCE_NAME`).
 */
export const RESOURCE_TYPE = `pulumi-nodejs:dynamic/${PACKAGE_NAME}:${RESOURCE_NAME}`;

/** The same resource served by the `intune` package's plugin (plugin/), for every Pulumi language. */
export const PLUGIN_RESOURCE_TYPE = `${PACKAGE_NAME}:index:${RESOURCE_NAME}`;

/** Both forms of the resource: what a policy pack or a report judges as a connector. */
export const RESOURCE_TYPES: readonly string[] = [RESOURCE_TYPE, PLUGIN_RESOURCE_TYPE];

/** The Graph permission that manages connectors, and the one that only reads them. */
export const WRITE_PERMISSION = "DeviceManagementConfiguration.ReadWrite.All";
export const READ_PERMISSION = "DeviceManagementConfiguration.Read.All";

/** Values of `deviceManagementDomainJoinConnectorState`. */
export const CONNECTOR_STATES = ["active", "error", "inactive"] as const;
export type ConnectorState = (typeof CONNECTOR_STATES)[number];

/**
 * What every connector Graph returns carries besides the properties of the definition
 * (definition.ts derives `GraphConnector` from both). The metadata declares displayName nullable
 * and the rest `Nullable="false"`; the definition keeps them nullable, so that a service that
 * does not keep to its metadata is read, not crashed on.
 */
export interface GraphConnectorBase {
  "@odata.type"?: string;
  id: string;
}

/**
 * Why a declared `state` is ignored, in one line. The enum page defines each state by the
 * connector's heartbeats (active: "actively pinging Intune"; error: none "from last one hour";
 * inactive: none "from last 5 days"), so a state written through Graph lasts until the next
 * heartbeat at best, and `refresh` would find drift on every run.
 */
export const STATE_INPUT_IGNORED =
  "state is ignored and no longer managed: Intune sets it from the connector's heartbeats (active while it " +
  "checks in, error after an hour without one, inactive after five days), so a declared state cannot hold. " +
  "Remove it; read the state output, or judge it with intune-health or the policy pack";

/** Prefix under which the resource class carries `id` / `urn` inputs, which Pulumi would drop. */
export const OUTPUT_ONLY_PREFIX = "__given_";

/**
 * The input under which the TypeScript resource passes its name to the provider, which the
 * dynamic protocol does not carry (the plugin knows it from each call's URN): ownership errors name
 * resources by it. Never checked, diffed or stored as an output.
 */
export const RESOURCE_NAME_INPUT = "__resourceName";

/** Pulumi's own key for the serialized provider, present in every input and output bag. */
export const PROVIDER_KEY = "__provider";

/** What Pulumi sends for a value that is not known yet during preview. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Connector software versions are dotted numbers, e.g. 6.2504.2001.8. */
export const VERSION_PATTERN = /^\d{1,10}(\.\d{1,10}){1,3}$/;

/** Limits beyond which a value is surely a mistake (Graph itself would refuse or truncate). */
export const LIMITS = { displayNameLength: 256, versionLength: 43 } as const;

export function isGuid(value: string): boolean {
  return GUID_PATTERN.test(value);
}
