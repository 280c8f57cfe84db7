/**
 * The shape of a domain join connector as Graph beta describes it, and which of its properties this
 * provider manages. Pure data: no I/O, no Pulumi.
 */

/** The OData type Graph puts on every connector and that we send back on writes. */
export const CONNECTOR_ODATA_TYPE = "#microsoft.graph.deviceManagementDomainJoinConnector";

/**
 * The type token of DomainJoinConnector resources in a stack (resource.ts registers module
 * "intune", type "DomainJoinConnector" under Pulumi's dynamic provider).
 */
export const RESOURCE_TYPE = "pulumi-nodejs:dynamic/intune:DomainJoinConnector";

/** The same resource served by the `intune` package's plugin (plugin/), for every Pulumi language. */
export const PLUGIN_RESOURCE_TYPE = "intune:index:DomainJoinConnector";

/** Both forms of the resource: what a policy pack or a report judges as a connector. */
export const RESOURCE_TYPES: readonly string[] = [RESOURCE_TYPE, PLUGIN_RESOURCE_TYPE];

/** The Graph permission that manages connectors, and the one that only reads them. */
export const WRITE_PERMISSION = "DeviceManagementConfiguration.ReadWrite.All";
export const READ_PERMISSION = "DeviceManagementConfiguration.Read.All";

/** Values of `deviceManagementDomainJoinConnectorState`. */
export const CONNECTOR_STATES = ["active", "error", "inactive"] as const;
export type ConnectorState = (typeof CONNECTOR_STATES)[number];

/**
 * A connector as Graph returns it. The metadata declares displayName nullable and the rest
 * `Nullable="false"`; version and state stay nullable here, so that a service that does not keep to
 * its metadata is read, not crashed on.
 */
export interface GraphConnector {
  "@odata.type"?: string;
  id: string;
  displayName: string | null;
  version: string | null;
  state: ConnectorState | string | null;
  lastConnectionDateTime: string | null;
}

/**
 * Properties a stack may manage; everything else on the object is the service's. `state` is not
 * one: Intune sets it from the connector's heartbeats (see STATE_INPUT_IGNORED).
 */
export const MANAGED_PROPERTIES = ["displayName", "version"] as const;
export type ManagedProperty = (typeof MANAGED_PROPERTIES)[number];

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

/** Inputs of the resource after `check` has validated them. */
export interface ConnectorInputs {
  displayName: string;
  version?: string;
  /** Set when the resource adopts a connector that already exists. */
  connectorId?: string;
  /**
   * Adopt the one connector the tenant holds under this display name (the name the connector
   * software registered it under). Looked up once, when the resource is created; the id it finds
   * is kept in state, so a later rename does not lose the connector.
   */
  registeredName?: string;
  /** Whether destroying the resource deletes the connector (default: true when created, false when adopted). */
  deleteOnDestroy?: boolean;
  /** Create even when the tenant already has a connector with this display name (default false). */
  allowDuplicateDisplayName?: boolean;
}

/** Outputs stored in state. */
export interface ConnectorOutputs {
  connectorId: string;
  /** Null only when someone cleared it outside the stack (the metadata allows it); the next up sets it. */
  displayName: string | null;
  version: string | null;
  state: string | null;
  lastConnectionDateTime: string | null;
  /** True when the connector existed before this resource and was adopted rather than created. */
  adopted: boolean;
  /** Whether destroying the resource deletes the connector from Intune. */
  deleteOnDestroy: boolean;
  /** The name the connector was adopted by, when the resource adopted it with registeredName. */
  registeredName?: string;
}

/** Every input key `check` accepts. */
export const INPUT_PROPERTIES = [
  "displayName",
  "version",
  "state",
  "connectorId",
  "registeredName",
  "deleteOnDestroy",
  "allowDuplicateDisplayName",
] as const;

/** Inputs still accepted so that older programs run, but ignored with a warning (not listed as accepted). */
export const DEPRECATED_INPUTS: readonly string[] = ["state"];

/** Keys the service or this provider owns; given as inputs they are an error, not silently ignored. */
export const OUTPUT_ONLY_PROPERTIES = ["lastConnectionDateTime", "id", "adopted", "urn"] as const;

/** Prefix under which the resource class carries `id` / `urn` inputs, which Pulumi would drop. */
export const OUTPUT_ONLY_PREFIX = "__given_";

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
