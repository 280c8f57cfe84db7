/**
 * The `intune` Pulumi package schema: what the plugin serves to the engine (`pulumi package
 * get-schema`), what YAML programs are checked against and what the SDK generators read. It is
 * built from the connector's definition (connector/definition.ts) and the settings (config/settings.ts):
 * this file only maps them to the schema's shapes.
 */
import { configSettings } from "../config/settings";
import {
  INFO_PROPERTIES,
  INPUT_PROPERTIES,
  MANAGED_PROPERTIES,
  OUTPUT_PROPERTIES,
  inputDefinition,
  propertyDefinition,
  type PropertyDefinition,
} from "../connector/definition";
import { CONNECTOR_STATES, PACKAGE_NAME, PLUGIN_RESOURCE_TYPE } from "../connector/constants";

export { PACKAGE_NAME };
export const GET_CONNECTOR = `${PACKAGE_NAME}:index:getConnector`;
export const GET_CONNECTORS = `${PACKAGE_NAME}:index:getConnectors`;
const CONNECTOR_INFO = `${PACKAGE_NAME}:index:ConnectorInfo`;

/** Where the generated SDKs are published from; their import paths and package names. */
export const SDK_NAMES = {
  nodejs: "@intune-odj/pulumi-intune",
  python: "pulumi_intune",
  goImportBasePath: "github.com/intune-odj/pulumi-intune/sdk/go/intune",
} as const;

interface PropertySpec {
  type: "string" | "boolean" | "number" | "integer" | "array" | "object";
  description: string;
  secret?: boolean;
  items?: { type?: string; $ref?: string };
  replaceOnChanges?: boolean;
  deprecationMessage?: string;
}

const string = (description: string): PropertySpec => ({ type: "string", description });

function configProperties(): Record<string, PropertySpec> {
  return Object.fromEntries(
    configSettings().map(([, setting]) => [
      setting.key,
      {
        type: setting.type ?? "string",
        description: `${setting.description} Environment: ${setting.env.join(" or ")}.`,
        ...(setting.secret && { secret: true }),
      },
    ]),
  );
}

function outputSpec(definition: PropertyDefinition): PropertySpec {
  return { type: definition.type, description: definition.output?.description ?? definition.description };
}

/** Inputs of the resource; the descriptions become each SDK's documentation. */
export const RESOURCE_INPUTS: Record<string, PropertySpec> = Object.fromEntries(
  INPUT_PROPERTIES.map((name) => {
    const definition = inputDefinition(name);
    const spec: PropertySpec = { type: definition.type, description: definition.description };
    if (definition.replaceOnChanges) spec.replaceOnChanges = true;
    if (definition.deprecationMessage) spec.deprecationMessage = definition.deprecationMessage;
    return [name, spec];
  }),
);

/** Outputs of the resource, as stored in state. */
export const RESOURCE_OUTPUTS: Record<string, PropertySpec> = Object.fromEntries(
  OUTPUT_PROPERTIES.map((name) => [name, outputSpec(propertyDefinition(name))]),
);

/** A connector as getConnector(s) return it. */
const CONNECTOR_INFO_PROPERTIES: Record<string, PropertySpec> = Object.fromEntries(
  INFO_PROPERTIES.map(({ property, info }) => [info, outputSpec(propertyDefinition(property))]),
);

/** The inputs a program must give, and the outputs every connector has. */
const REQUIRED_INPUTS = INPUT_PROPERTIES.filter((name) => inputDefinition(name).required);
const REQUIRED_OUTPUTS = OUTPUT_PROPERTIES.filter((name) => {
  const output = propertyDefinition(name).output;
  return output && !output.nullable && !output.optional;
});
const REQUIRED_INFO = INFO_PROPERTIES.filter(({ property }) => REQUIRED_OUTPUTS.includes(property)).map(
  ({ info }) => info,
);

/** The package schema, as the engine reads it. */
export function packageSchema(version: string): Record<string, unknown> {
  const config = configProperties();
  return {
    name: PACKAGE_NAME,
    displayName: "Intune domain join connectors",
    version,
    description:
      "Manage Microsoft Intune domain join connectors (Microsoft Graph beta, deviceManagementDomainJoinConnector) " +
      "declaratively: create, adopt, rename and retire them, with drift detected on refresh.",
    keywords: ["pulumi", "intune", "microsoft-graph", "domain-join", "category/utility", "kind/native"],
    license: "Apache-2.0",
    publisher: "pulumi-intune-domain-join",
    config: { variables: config },
    provider: {
      description:
        "The intune provider: one tenant and the credential to reach it. Each setting falls back to its environment variable.",
      inputProperties: config,
    },
    types: {
      [CONNECTOR_INFO]: {
        type: "object",
        description: "A connector as the tenant holds it.",
        properties: CONNECTOR_INFO_PROPERTIES,
        required: REQUIRED_INFO,
      },
    },
    resources: {
      [PLUGIN_RESOURCE_TYPE]: {
        description:
          "A Microsoft Intune domain join connector (Graph beta `deviceManagementDomainJoinConnector`). " +
          `It manages ${MANAGED_PROPERTIES.join(" and ")}; it creates a connector, or adopts one that exists ` +
          "(`connectorId`, `registeredName`, or `pulumi import`), and an adopted connector is released, not " +
          "deleted, on destroy unless `deleteOnDestroy` says so.",
        inputProperties: RESOURCE_INPUTS,
        requiredInputs: REQUIRED_INPUTS,
        properties: RESOURCE_OUTPUTS,
        required: REQUIRED_OUTPUTS,
      },
    },
    functions: {
      [GET_CONNECTOR]: {
        description:
          "The one connector with exactly this display name; fails when the tenant has none or several. " +
          "It asks Graph at every preview and up; to adopt by name, prefer the resource's `registeredName`.",
        inputs: {
          properties: { displayName: string("The display name, exactly as Intune has it.") },
          required: ["displayName"],
        },
        outputs: { properties: CONNECTOR_INFO_PROPERTIES, required: REQUIRED_INFO },
      },
      [GET_CONNECTORS]: {
        description:
          "The tenant's connectors that pass every filter given (all when none is), in Graph's order.",
        inputs: {
          properties: {
            displayName: string("Only connectors with exactly this display name."),
            displayNamePrefix: string("Only connectors whose display name starts with this."),
            states: {
              type: "array",
              items: { type: "string" },
              description: `Only connectors in one of these states (${CONNECTOR_STATES.join(", ")}).`,
            },
            minVersion: string("Lowest version, inclusive, compared numerically part by part."),
            maxVersion: string("Highest version, inclusive."),
          },
        },
        outputs: {
          properties: {
            connectors: {
              type: "array",
              items: { $ref: `#/types/${CONNECTOR_INFO}` },
              description: "The connectors found.",
            },
          },
          required: ["connectors"],
        },
      },
    },
    language: {
      nodejs: {
        packageName: SDK_NAMES.nodejs,
        packageDescription:
          "Intune domain join connectors for Pulumi: the generated SDK of the intune plugin.",
        dependencies: { "@pulumi/pulumi": "^3.276.0" },
        respectSchemaVersion: true,
      },
      python: {
        packageName: SDK_NAMES.python,
        requires: { pulumi: ">=3.0.0,<4.0.0" },
        respectSchemaVersion: true,
      },
      go: {
        importBasePath: SDK_NAMES.goImportBasePath,
        generateResourceContainerTypes: false,
        respectSchemaVersion: true,
      },
      csharp: { rootNamespace: "IntuneOdj", packageReferences: { Pulumi: "3.*" } },
    },
  };
}
