/**
 * A connector's outputs, derived from the definition: what state stores after each step, what
 * getConnector(s) return, and the connector that state describes (for the health rules of the
 * policy pack and the root stack). Pure.
 */
import {
  GRAPH_OUTPUTS,
  IMPORTED_INPUTS,
  INFO_PROPERTIES,
  PROVIDER_OUTPUTS,
  propertyDefinition,
  type ConnectorInfo,
  type ConnectorOutputs,
  type GraphConnector,
  type Ownership,
} from "./definition";

/**
 * The outputs stored in state; absent values are null, since state cannot hold undefined, and an
 * optional output without a value (registeredName of a resource that did not adopt by name) is
 * left out.
 */
export function toOutputs(connector: GraphConnector, ownership: Ownership): ConnectorOutputs {
  const outputs: Record<string, unknown> = {};
  const graph = connector as unknown as Record<string, unknown>;
  for (const { property, graphName } of GRAPH_OUTPUTS) outputs[property] = graph[graphName] ?? null;
  for (const property of PROVIDER_OUTPUTS) {
    const value = ownership[property];
    if (value !== undefined || !propertyDefinition(property).output?.optional) outputs[property] = value;
  }
  return outputs as ConnectorOutputs;
}

/** A connector as getConnector(s) return it. */
export function toInfo(connector: GraphConnector): ConnectorInfo {
  const graph = connector as unknown as Record<string, unknown>;
  return Object.fromEntries(
    INFO_PROPERTIES.map(({ info, graphName }) => [info, graph[graphName] ?? null]),
  ) as ConnectorInfo;
}

/**
 * The connector a resource's outputs describe, as the health rules judge it; undefined until the
 * provider has read the connector (a resource about to be created or adopted carries only its
 * inputs so far: the provider's own outputs, `adopted` among them, appear once it has read it).
 */
export function connectorFromOutputs(props: Record<string, unknown>): GraphConnector | undefined {
  if (PROVIDER_OUTPUTS.some((p) => !propertyDefinition(p).output?.optional && props[p] === undefined)) {
    return undefined;
  }
  const connector: Record<string, unknown> = {};
  for (const { property, graphName } of GRAPH_OUTPUTS) {
    const value = props[property];
    connector[graphName] = typeof value === "string" ? value : null;
  }
  return typeof connector.id === "string" ? (connector as unknown as GraphConnector) : undefined;
}

/** A bag as state can hold it: a Struct holds no undefined, so absent values are left out. */
export function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The inputs `pulumi import` writes into the program it prints: each imported input that has a value. */
export function importedInputs(outputs: ConnectorOutputs): Record<string, unknown> {
  const values = outputs as unknown as Record<string, unknown>;
  return Object.fromEntries(
    IMPORTED_INPUTS.flatMap((name) =>
      values[name] === null || values[name] === undefined ? [] : [[name, values[name]]],
    ),
  );
}
