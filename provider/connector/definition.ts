/**
 * What a domain join connector is, declared once: each property with its type, its role, its
 * check, whether it is required or replaces the resource, how it is stored, and the description
 * people read. Everything else is derived from this table — the inputs `check` accepts, the
 * managed properties a diff compares, the create body and the fields a lost POST is matched by,
 * the outputs stored in state, what getConnector(s) return, the package schema (and so the SDKs),
 * the TypeScript resource's `Args` and outputs (provider/connector/resource-types.ts, generated) and the
 * reference tables in docs/. Pure data.
 *
 * Adding a property is one entry here (with its check, from values.ts); `npm run sdks` then writes
 * the generated files, and tests/unit/definition.test.ts fails while any derived place misses it.
 */
import {
  CONNECTOR_STATES,
  LIMITS,
  STATE_INPUT_IGNORED,
  type ConnectorState,
  type GraphConnectorBase,
} from "./constants";
import {
  checkBoolean,
  checkConnectorId,
  checkDisplayName,
  checkName,
  checkState,
  checkVersion,
  type ValueCheck,
} from "./values";

/**
 * What a property is for:
 * - `managed`: the stack declares it; sent on create, PATCHed when it changes, read back;
 * - `adoption`: says which existing connector the resource adopts; another value is another
 *   connector (a replacement);
 * - `option`: how the provider behaves for this resource; never sent to Graph;
 * - `ignored`: still accepted so that older programs run, checked, then ignored with a warning;
 * - `output`: set by the service or the provider; refused as an input.
 */
export type PropertyRole = "managed" | "adoption" | "option" | "ignored" | "output";

/** How a property is stored in state (its output). */
export interface OutputDefinition {
  /** Where the value comes from: a property of Graph's connector, or the provider's own record. */
  from: "graph" | "provider";
  /** The description of the output, when it says something else than the input's. */
  description?: string;
  /** Null when the service has none (state cannot hold undefined). */
  nullable?: true;
  /** Left out of state when the resource has no value for it. */
  optional?: true;
  /** Graph's name for it, when that is not the property's own (`id` for `connectorId`). */
  graphName?: string;
  /** The name getConnector(s) return it under; absent when they do not return it. */
  info?: string;
}

interface PropertyBase {
  type: "string" | "boolean";
  /** Markdown; the first sentence stands alone (it is what an IDE shows first). */
  description: string;
  /** The values a string may take (documentation and typing; the check enforces it). */
  enum?: readonly string[];
  output?: OutputDefinition;
}

/** A property a program may give. Its check is required: a property without one does not compile. */
export interface InputPropertyDefinition extends PropertyBase {
  role: Exclude<PropertyRole, "output">;
  check: ValueCheck;
  /** Checked even when absent (its check says what to give). */
  required?: true;
  /** A change makes a new resource. */
  replaceOnChanges?: true;
  /** Why it is deprecated and what to do instead (role `ignored`). */
  deprecationMessage?: string;
  /**
   * Part of the program `pulumi import` prints: the inputs that lead to the connector as it is,
   * adopted (so that it is released, not deleted, on destroy).
   */
  imported?: true;
}

/** A property only the service or the provider sets. */
export interface OutputPropertyDefinition extends PropertyBase {
  role: "output";
  output: OutputDefinition;
}

export type PropertyDefinition = InputPropertyDefinition | OutputPropertyDefinition;

const STATE_MEANING =
  `Intune's verdict on the connector's heartbeats: ${CONNECTOR_STATES.map((s) => `\`${s}\``).join(", ")} ` +
  "(active while it checks in, error after an hour without a heartbeat, inactive after five days).";

/** The connector's properties, in the order people read them. */
export const CONNECTOR_PROPERTIES = {
  displayName: {
    type: "string",
    role: "managed",
    required: true,
    imported: true,
    check: checkDisplayName,
    description:
      `The connector's display name in Intune (1–${LIMITS.displayNameLength} characters, no control characters). ` +
      "Managed: a change is applied with a PATCH of this property alone.",
    output: {
      from: "graph",
      nullable: true,
      info: "displayName",
      description: "The display name Intune has (null only when someone cleared it outside the stack).",
    },
  },
  version: {
    type: "string",
    role: "managed",
    check: checkVersion,
    description:
      "The connector software version the stack expects, a dotted number such as `6.2504.2001.8`. It is written " +
      "to a connector no software has checked in to (one the stack creates). Once the connector's software has " +
      "checked in, it reports the version it runs at every check-in: a declared version that differs is then " +
      "reported in the preview and by intune-health, never written, so runs do not fight the software. Optional: " +
      "when omitted it is reported by the connector and never causes a change.",
    output: {
      from: "graph",
      nullable: true,
      info: "version",
      description:
        "The connector software version Intune has: what its software reports once it has checked in; for a " +
        "connector created without one, an empty string until then.",
    },
  },
  state: {
    type: "string",
    role: "ignored",
    enum: CONNECTOR_STATES,
    check: checkState,
    deprecationMessage: STATE_INPUT_IGNORED,
    description:
      "Ignored, with a warning: Intune sets the state from the connector's heartbeats, so a declared state cannot " +
      "hold. Read the `state` output instead, or judge it with `intune-health` or the policy pack.",
    output: { from: "graph", nullable: true, info: "state", description: `${STATE_MEANING} An output only.` },
  },
  connectorId: {
    type: "string",
    role: "adoption",
    replaceOnChanges: true,
    imported: true,
    check: checkConnectorId,
    description:
      "The id (GUID) of a connector that already exists, usually registered by the Intune Connector for Active " +
      "Directory: the resource adopts it instead of creating one. Changing it replaces the resource.",
    output: {
      from: "graph",
      graphName: "id",
      info: "id",
      description: "The connector's id in Intune (a GUID); also the resource's id.",
    },
  },
  registeredName: {
    type: "string",
    role: "adoption",
    replaceOnChanges: true,
    check: checkName("registeredName"),
    description:
      "The display name under which the connector is registered (the connector software registers with its " +
      "server's name, e.g. `ODJ-HQ-SRV01`): the resource adopts the one connector the tenant holds under this " +
      "name, letter case and surrounding spaces ignored. Looked up once, when the resource is created; the id is " +
      "kept in state, so a later rename keeps the connector. Give `connectorId` or `registeredName`, not both.",
    output: {
      from: "provider",
      optional: true,
      description: "The name the connector was adopted by, when the resource adopted it by `registeredName`.",
    },
  },
  deleteOnDestroy: {
    type: "boolean",
    role: "option",
    check: checkBoolean("deleteOnDestroy"),
    description:
      "Whether destroying this resource deletes the connector from Intune. Default: `true` for a connector this " +
      "resource created, `false` for an adopted one, which is released (left in Intune) with a warning.",
    output: {
      from: "provider",
      description:
        "Whether destroying the resource deletes the connector from Intune: the setting in effect.",
    },
  },
  allowDuplicateDisplayName: {
    type: "boolean",
    role: "option",
    check: checkBoolean("allowDuplicateDisplayName"),
    description:
      "Whether a new connector may take a display name that another connector in the tenant already has. " +
      "Default `false`: the create is refused, naming the existing ids, so that a registered connector is " +
      "adopted instead of duplicated.",
  },
  lastConnectionDateTime: {
    type: "string",
    role: "output",
    description:
      "When the connector last checked in with Intune (ISO 8601, UTC). Set by the service; never diffed.",
    output: { from: "graph", nullable: true, info: "lastConnectionDateTime" },
  },
  adopted: {
    type: "boolean",
    role: "output",
    description: "True when the connector existed before this resource and was adopted rather than created.",
    output: { from: "provider" },
  },
  tenantId: {
    type: "string",
    role: "output",
    description:
      "The Entra ID tenant the connector lives in (its id, from the token that reached it). A stack whose provider " +
      "points at another tenant is refused before any request, so a connector is never looked for, written or " +
      "dropped in the wrong tenant.",
    output: { from: "provider", optional: true },
  },
  cloud: {
    type: "string",
    role: "output",
    description: "The Microsoft cloud of that tenant (`global`, `usgov`, `usgovdod`, `china`).",
    output: { from: "provider", optional: true },
  },
} as const satisfies Record<string, PropertyDefinition>;

type Definitions = typeof CONNECTOR_PROPERTIES;
type Name = keyof Definitions;
type NamesWhere<Condition> = { [K in Name]: Definitions[K] extends Condition ? K : never }[Name];
type Flatten<T> = { [K in keyof T]: T[K] };
type ValueOf<D> = D extends { enum: readonly (infer E)[] }
  ? E
  : D extends { type: "boolean" }
    ? boolean
    : string;

/** Every property a program may give (the ignored `state` included). */
export type InputProperty = NamesWhere<{ role: InputPropertyDefinition["role"] }>;
/** The properties the stack manages on the connector itself. */
export type ManagedProperty = NamesWhere<{ role: "managed" }>;
/** The properties stored in state. */
export type OutputProperty = NamesWhere<{ output: OutputDefinition }>;
/** The outputs read from Graph's connector. */
export type GraphProperty = NamesWhere<{ output: { from: "graph" } }>;
/** The outputs the provider records itself. */
export type ProviderProperty = NamesWhere<{ output: { from: "provider" } }>;

type ValidInput = NamesWhere<{ role: "managed" | "adoption" | "option" }>;
type RequiredInput = NamesWhere<{ required: true }>;

/** Inputs of the resource after `check` has validated them (an ignored input is left out). */
export type ConnectorInputs = Flatten<
  { [K in Extract<ValidInput, RequiredInput>]: ValueOf<Definitions[K]> } & {
    [K in Exclude<ValidInput, RequiredInput>]?: ValueOf<Definitions[K]>;
  }
>;

type OutputValue<K extends OutputProperty> = Definitions[K]["output"] extends { nullable: true }
  ? // What Graph returns may be outside the enum (a newer service): stored as it came.
    (K extends "state" ? string : ValueOf<Definitions[K]>) | null
  : ValueOf<Definitions[K]>;
type OptionalOutput = NamesWhere<{ output: { optional: true } }>;

/** Outputs stored in state. */
export type ConnectorOutputs = Flatten<
  { [K in Exclude<OutputProperty, OptionalOutput>]: OutputValue<K> } & {
    [K in OptionalOutput]?: OutputValue<K>;
  }
>;

type InfoProperty = NamesWhere<{ output: { info: string } }>;
type InfoName<K extends InfoProperty> = Definitions[K]["output"] extends { info: infer N extends string }
  ? N
  : never;

/** A connector as getConnector(s) return it. */
export type ConnectorInfo = Flatten<{ [K in InfoProperty as InfoName<K>]: OutputValue<K> }>;

/** The outputs the provider records itself (how the resource holds the connector). */
export type Ownership = Pick<ConnectorOutputs, ProviderProperty>;

/** A connector as Graph returns it: its id, and the properties the definition reads from it. */
export type GraphConnector = GraphConnectorBase & {
  [K in Exclude<GraphProperty, "connectorId">]: K extends "state"
    ? ConnectorState | string | null
    : string | null;
};

function namesWhere<K extends Name>(test: (definition: PropertyDefinition) => boolean): K[] {
  return (Object.keys(CONNECTOR_PROPERTIES) as Name[]).filter((name) =>
    test(CONNECTOR_PROPERTIES[name] as PropertyDefinition),
  ) as K[];
}

/** Every input key `check` accepts. */
export const INPUT_PROPERTIES: readonly InputProperty[] = namesWhere((d) => d.role !== "output");

/** The inputs a program should give: every input but the ignored ones (what messages list as accepted). */
export const ACCEPTED_INPUTS: readonly InputProperty[] = namesWhere(
  (d) => d.role !== "output" && d.role !== "ignored",
);

/** Inputs still accepted so that older programs run, but ignored with a warning. */
export const IGNORED_INPUTS: readonly InputProperty[] = namesWhere((d) => d.role === "ignored");

/** Properties a stack may manage; everything else on the object is the service's. */
export const MANAGED_PROPERTIES: readonly ManagedProperty[] = namesWhere((d) => d.role === "managed");

/** The outputs stored in state, in the definition's order. */
export const OUTPUT_PROPERTIES: readonly OutputProperty[] = namesWhere((d) => d.output !== undefined);

/**
 * Keys the service or this provider owns; given as inputs they are an error, not silently ignored.
 * `id` and `urn` are Pulumi's own names for the resource.
 */
export const OUTPUT_ONLY_PROPERTIES: readonly string[] = [
  ...namesWhere((d) => d.role === "output"),
  "id",
  "urn",
];

/** The definition of an input property. */
export function inputDefinition(name: InputProperty): InputPropertyDefinition {
  return CONNECTOR_PROPERTIES[name];
}

/** The definition of any property, for code that walks the table. */
export function propertyDefinition(name: Name): PropertyDefinition {
  return CONNECTOR_PROPERTIES[name];
}

export type ConnectorProperty = Name;

/** The outputs read from Graph's connector, with Graph's name for each. */
export const GRAPH_OUTPUTS: readonly { property: GraphProperty; graphName: string }[] =
  namesWhere<GraphProperty>((d) => d.output?.from === "graph").map((property) => ({
    property,
    graphName: propertyDefinition(property).output?.graphName ?? property,
  }));

/** The outputs the provider records itself. */
export const PROVIDER_OUTPUTS: readonly ProviderProperty[] = namesWhere((d) => d.output?.from === "provider");

/** What getConnector(s) return of each connector: Graph's outputs that have an `info` name. */
export const INFO_PROPERTIES: readonly { property: GraphProperty; info: string; graphName: string }[] =
  GRAPH_OUTPUTS.flatMap(({ property, graphName }) => {
    const info = propertyDefinition(property).output?.info;
    return info === undefined ? [] : [{ property, info, graphName }];
  });

/** The inputs `pulumi import` writes into the program it prints. */
export const IMPORTED_INPUTS: readonly InputProperty[] = namesWhere(
  (d) => d.role !== "output" && d.imported === true,
);
