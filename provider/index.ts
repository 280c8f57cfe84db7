/**
 * pulumi-intune-domain-join: manage Microsoft Intune domain join connectors with Pulumi.
 */
export { DomainJoinConnector, DomainJoinConnectorArgs, DomainJoinConnectorState } from "./connector/resource";
// The connector's definition, for programs and tools that walk its properties.
export {
  CONNECTOR_PROPERTIES,
  ConnectorOutputs,
  INPUT_PROPERTIES,
  OUTPUT_PROPERTIES,
  PropertyDefinition,
} from "./connector/definition";
export { connectorFromOutputs } from "./connector/outputs";
export { CLOUDS, CLOUD_NAMES, CloudName } from "./logic/clouds";
export { AUTH_METHODS, AuthMethod, SETTINGS } from "./config/settings";
// Every error the package throws (errors.ts lists what raises each); all are IntuneErrors, which
// Pulumi prints as their message alone.
export * from "./errors";
export {
  ConnectorFilter,
  ConnectorInfo,
  InventoryOptions,
  getConnector,
  getConnectors,
} from "./inventory/lookup";
export {
  ConnectorHealth,
  DEFAULT_HEALTH_OPTIONS,
  DomainHealth,
  FleetHealth,
  HealthOptions,
  MINIMUM_SUPPORTED_VERSION,
  RECOMMENDED_VERSION,
  compareVersions,
  connectorHealth,
  fleetHealth,
  unsupportedVersion,
} from "./health/rules";
export { DomainConnectors, parseHealthOptions } from "./health/options";
