/**
 * The health rules and the resource type without any of the provider's I/O: what a policy pack
 * or a report needs, loadable without @azure/identity or a Graph client.
 */
export { RESOURCE_TYPE } from "./logic/schema";
export {
  ConnectorHealth,
  ConnectorRule,
  DEFAULT_HEALTH_OPTIONS,
  DOTTED_NUMBER,
  FleetHealth,
  FleetRule,
  Finding,
  HealthOptions,
  MINIMUM_SUPPORTED_VERSION,
  compareVersions,
  connectorHealth,
  fleetHealth,
  formatHours,
  unsupportedVersion,
} from "./logic/health";
