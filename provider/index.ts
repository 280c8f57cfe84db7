/**
 * pulumi-intune-domain-join: manage Microsoft Intune domain join connectors with Pulumi.
 */
export { DomainJoinConnector, DomainJoinConnectorArgs, DomainJoinConnectorState } from "./resource";
export { CLOUDS, CLOUD_NAMES, CloudName } from "./logic/clouds";
export { AUTH_METHODS, AuthMethod, ConfigurationError, SETTINGS } from "./config/settings";
// The errors a program can catch (from getConnector and getConnectors); all are IntuneErrors,
// which Pulumi prints as their message alone.
export { IntuneError } from "./logic/errors";
export { AuthenticationError } from "./auth/errors";
export { GraphConnectionError, GraphError, GraphRequestRefusedError } from "./graph/errors";
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
