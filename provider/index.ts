/**
 * pulumi-intune-domain-join: manage Microsoft Intune domain join connectors with Pulumi.
 */
export { DomainJoinConnector, DomainJoinConnectorArgs, DomainJoinConnectorState } from "./resource";
export { CLOUDS, CLOUD_NAMES, CloudName } from "./auth/clouds";
export { AUTH_METHODS, AuthMethod, SETTINGS } from "./auth/settings";
export { GraphError } from "./graph/errors";
export {
  ConnectorFilter,
  ConnectorInfo,
  ConnectorLookupError,
  InventoryOptions,
  getConnector,
  getConnectors,
} from "./inventory";
export {
  ConnectorHealth,
  DEFAULT_HEALTH_OPTIONS,
  FleetHealth,
  HealthOptions,
  MINIMUM_SUPPORTED_VERSION,
  compareVersions,
  connectorHealth,
  fleetHealth,
  unsupportedVersion,
} from "./logic/health";
