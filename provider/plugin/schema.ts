/**
 * The `intune` Pulumi package schema: what the plugin serves to the engine (`pulumi package
 * get-schema`), what YAML programs are checked against and what the SDK generators read. It is
 * built from the same definitions the provider validates with (logic/schema.ts, the settings), so
 * a property, a limit or a secret setting is declared once.
 */
import { DEFAULT_RETRY_OPTIONS } from "../config/retry-options";
import { AUTH_METHODS, SETTINGS, type SettingDefinition } from "../config/settings";
import { CLOUD_NAMES } from "../logic/clouds";
import { INTUNE_ODJ_LIMITS } from "../logic/limits";
import { CONNECTOR_STATES, LIMITS, MANAGED_PROPERTIES, PLUGIN_RESOURCE_TYPE } from "../logic/schema";

export const PACKAGE_NAME = "intune";
export const GET_CONNECTOR = "intune:index:getConnector";
export const GET_CONNECTORS = "intune:index:getConnectors";
const CONNECTOR_INFO = "intune:index:ConnectorInfo";

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
const boolean = (description: string): PropertySpec => ({ type: "boolean", description });

const quoted = (values: readonly string[]) => values.map((v) => `\`${v}\``).join(", ");

/** The provider settings a stack or an explicit provider may give, with what each does. */
const CONFIG_DESCRIPTIONS = {
  cloud: `The Microsoft cloud: ${quoted(CLOUD_NAMES)} (default \`${CLOUD_NAMES[0]}\`).`,
  tenantId: "The Entra ID tenant (directory) id.",
  clientId: "The application (client) id the provider signs in as.",
  authMethod: `How to sign in: ${quoted(AUTH_METHODS)}. Default: the first whose settings are present.`,
  graphEndpoint: "The Microsoft Graph endpoint, for a proxy or the emulator. Default: the cloud's.",
  authorityHost: "The Entra ID authority. Default: the cloud's.",
  clientSecret: "The application's client secret.",
  clientCertificatePath: "A PEM file with the application's certificate and private key.",
  clientCertificatePassword: "The password of the certificate's private key.",
  federatedTokenFile: "A file holding a federated (workload identity) token, read again at every sign-in.",
  serviceConnectionId: "Azure Pipelines: the id of the workload identity service connection.",
  maxAttempts: `Attempts per Graph request, the first included. Default ${DEFAULT_RETRY_OPTIONS.maxAttempts}.`,
  requestTimeoutSeconds: `Time allowed for one attempt, its body included. Default ${DEFAULT_RETRY_OPTIONS.requestTimeoutMs / 1000}.`,
  deadlineSeconds: `Time allowed for one operation, its retries included. Default ${DEFAULT_RETRY_OPTIONS.deadlineMs / 1000}.`,
  writesPerWindow:
    `Writes per ${INTUNE_ODJ_LIMITS.windowMs / 1000} seconds, shared by every resource of the deployment. ` +
    `Default ${INTUNE_ODJ_LIMITS.writes}, Intune's published limit.`,
} as const;

type ConfigSettingName = keyof typeof CONFIG_DESCRIPTIONS;
const NUMBER_SETTINGS: readonly ConfigSettingName[] = [
  "maxAttempts",
  "requestTimeoutSeconds",
  "deadlineSeconds",
  "writesPerWindow",
];

/** The settings a stack may configure: every setting that is not read from the environment alone. */
export function configSettings(): [ConfigSettingName, SettingDefinition][] {
  return (Object.entries(SETTINGS) as [string, SettingDefinition][])
    .filter(([, setting]) => !setting.envOnly)
    .map(([name, setting]) => [name as ConfigSettingName, setting]);
}

function configProperties(): Record<string, PropertySpec> {
  return Object.fromEntries(
    configSettings().map(([name, setting]) => [
      setting.key,
      {
        type: NUMBER_SETTINGS.includes(name) ? "number" : "string",
        description: `${CONFIG_DESCRIPTIONS[name]} Environment: ${setting.env.join(" or ")}.`,
        ...(setting.secret && { secret: true }),
      },
    ]),
  );
}

const STATE_DESCRIPTION =
  `Intune's verdict on the connector's heartbeats: ${CONNECTOR_STATES.map((s) => `\`${s}\``).join(", ")} ` +
  "(active while it checks in, error after an hour without a heartbeat, inactive after five days). An output only.";

/** Inputs of the resource; the descriptions become each SDK's documentation. */
export const RESOURCE_INPUTS: Record<string, PropertySpec> = {
  displayName: string(
    `The connector's display name in Intune (1–${LIMITS.displayNameLength} characters, no control characters). ` +
      "Managed: a change is applied with a PATCH of this property alone.",
  ),
  version: string(
    "The connector software version, a dotted number such as `6.2504.2001.8`. Optional: when omitted it is " +
      "reported by the connector and never causes a change.",
  ),
  connectorId: {
    ...string(
      "The id (GUID) of a connector that already exists, usually registered by the Intune Connector for Active " +
        "Directory. When set, the resource adopts that connector instead of creating one; changing it replaces the resource.",
    ),
    replaceOnChanges: true,
  },
  registeredName: {
    ...string(
      "The display name under which the connector is registered (the connector software registers with its " +
        "server's name): the resource adopts the one connector the tenant holds under this name, letter case and " +
        "surrounding spaces ignored. Looked up once, at create; the id is kept in state, so a later rename keeps " +
        "the connector. Give `connectorId` or `registeredName`, not both.",
    ),
    replaceOnChanges: true,
  },
  deleteOnDestroy: boolean(
    "Whether destroying this resource deletes the connector from Intune. Default: `true` for a connector this " +
      "resource created, `false` for an adopted one, which is released (left in Intune) with a warning.",
  ),
  allowDuplicateDisplayName: boolean(
    "Whether a new connector may take a display name that another connector in the tenant already has. " +
      "Default `false`: the create is refused, naming the existing ids, so that a registered connector is adopted " +
      "instead of duplicated.",
  ),
};

/** Outputs of the resource, as stored in state. */
export const RESOURCE_OUTPUTS: Record<string, PropertySpec> = {
  connectorId: string("The connector's id in Intune."),
  displayName: string("The display name Intune has (null only when cleared outside the stack)."),
  version: string("The connector software version Intune has."),
  state: string(STATE_DESCRIPTION),
  lastConnectionDateTime: string("When the connector last checked in (ISO 8601, UTC). An output only."),
  adopted: boolean(
    "True when the connector existed before this resource and was adopted rather than created.",
  ),
  deleteOnDestroy: boolean("Whether destroying the resource deletes the connector from Intune."),
  registeredName: string(
    "The name the connector was adopted by, when the resource adopted it by registeredName.",
  ),
};

const CONNECTOR_INFO_PROPERTIES: Record<string, PropertySpec> = {
  id: string("The connector's id."),
  displayName: string("Its display name (null for a connector without one)."),
  version: string("Its software version."),
  state: string(STATE_DESCRIPTION),
  lastConnectionDateTime: string("When it last checked in."),
};

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
        required: ["id"],
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
        requiredInputs: ["displayName"],
        properties: RESOURCE_OUTPUTS,
        required: ["connectorId", "adopted", "deleteOnDestroy"],
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
        outputs: { properties: CONNECTOR_INFO_PROPERTIES, required: ["id"] },
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
