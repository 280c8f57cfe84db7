/**
 * The health rules, the resource type and the keys names and ids compare by, without any of the
 * provider's I/O: what a policy pack, a report or a stack's config check needs, loadable without
 * @azure/identity or a Graph client.
 */
export { PLUGIN_RESOURCE_TYPE, RESOURCE_TYPE, RESOURCE_TYPES } from "./connector/constants";
export { displayNameKey, idKey } from "./connector/ownership";
export { connectorFromOutputs } from "./connector/outputs";
export type { ConnectorInputs, ConnectorOutputs, GraphConnector } from "./connector/definition";
export {
  AdvisoryRule,
  ConnectorHealth,
  ConnectorRule,
  DEFAULT_HEALTH_OPTIONS,
  DOTTED_NUMBER,
  DomainHealth,
  FleetHealth,
  FleetRule,
  Finding,
  HealthOptions,
  MINIMUM_SUPPORTED_VERSION,
  RECOMMENDED_VERSION,
  compareVersions,
  connectorHealth,
  fleetHealth,
  formatHours,
  unsupportedVersion,
} from "./health/rules";
export {
  DomainConnectors,
  HEALTH_OPTIONS,
  HealthOptionDefinition,
  HealthOptionKey,
  OptionsSource,
  optionKeys,
  parseHealthOptions,
} from "./health/options";
export { ConfigurationError } from "./logic/errors";
