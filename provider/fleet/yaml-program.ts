/**
 * The project file of a tenant's stack in the fleet's `plugin` form: a Pulumi YAML program whose
 * resources are the tenant's connectors on the `intune` plugin, and whose `connectors` output is
 * the one the dynamic form's program exports. Pure: the fleet writes what this returns as the
 * tenant's `Pulumi.yaml`.
 *
 * YAML has no loops over config, so the connectors are written into the program itself, each
 * string escaped (`$` → `$$`) so that a display name holding `${…}` stays text and is never read
 * as an interpolation; outputs name each resource by a string subscript (`${["site.lyon"].…}`),
 * which takes any logical name, dots and leading digits included.
 */
import { PLUGIN_RESOURCE_TYPE } from "../connector/constants";
import { CONNECTOR_OUTPUT_FIELDS, type ConnectorEntry } from "./connector-entries";

/** A value as literal YAML-program text: no `${…}` in it is ever evaluated. */
function literal(value: unknown): unknown {
  // A function, not "$$": in a replacement string, "$$" is itself one "$".
  if (typeof value === "string") return value.replaceAll("$", () => "$$");
  if (Array.isArray(value)) return value.map(literal);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literal(v)]));
  return value;
}

/** `${["name"].property}`: a resource's output, whatever characters its name has. */
const reference = (name: string, property: string) => `\${[${JSON.stringify(name)}].${property}}`;

export interface YamlProgram {
  runtime: "yaml";
  resources: Record<string, { type: string; properties: Record<string, unknown> }>;
  outputs: { connectors: Record<string, Record<keyof typeof CONNECTOR_OUTPUT_FIELDS, string>> };
}

/** The program's part of the project file: `runtime`, `resources` and `outputs`. */
export function yamlProgram(connectors: readonly ConnectorEntry[]): YamlProgram {
  const resources: YamlProgram["resources"] = {};
  const outputs: YamlProgram["outputs"] = { connectors: {} };
  for (const { name, ...properties } of connectors) {
    resources[name] = {
      type: PLUGIN_RESOURCE_TYPE,
      properties: literal(properties) as Record<string, unknown>,
    };
    outputs.connectors[name] = Object.fromEntries(
      Object.entries(CONNECTOR_OUTPUT_FIELDS).map(([field, property]) => [field, reference(name, property)]),
    ) as Record<keyof typeof CONNECTOR_OUTPUT_FIELDS, string>;
  }
  return { runtime: "yaml", resources, outputs };
}
