/**
 * Ownership: which connectors a stack may rename or delete, and which connector a create made.
 * The promise is that a stack only ever touches a connector it created or explicitly adopted, so
 * every rule about that lives here, pure, and is shared by the provider and the repair tool.
 */
import {
  ConnectorInputs,
  ConnectorOutputs,
  GraphConnector,
  MANAGED_PROPERTIES,
  ManagedProperty,
  inputDefinition,
} from "./definition";

/**
 * The deleteOnDestroy setting: the one given, else the default — delete a connector the stack
 * created, release (leave in Intune) one it adopted. Every rule that needs it asks here.
 */
export function deleteOnDestroyFor(given: boolean | undefined, adopted: boolean): boolean {
  return given ?? !adopted;
}

/** The deleteOnDestroy in effect for new inputs (a create or an adoption). */
export function effectiveDeleteOnDestroy(
  inputs: Pick<ConnectorInputs, "connectorId" | "registeredName" | "deleteOnDestroy">,
): boolean {
  return deleteOnDestroyFor(inputs.deleteOnDestroy, adopts(inputs));
}

/**
 * Who owns the connector after an update: as recorded (an update never changes whether the
 * connector was adopted), with the inputs' deleteOnDestroy, or else the default for how it came.
 */
export function ownershipAfterUpdate(
  recorded: Partial<ConnectorOutputs>,
  desired: Pick<ConnectorInputs, "deleteOnDestroy">,
): { adopted: boolean; deleteOnDestroy: boolean } {
  const { adopted } = recordedOwnership(recorded);
  return { adopted, deleteOnDestroy: deleteOnDestroyFor(desired.deleteOnDestroy, adopted) };
}

/** Whether the inputs adopt a connector that exists (by id or by the name it registered under). */
export function adopts(inputs: Pick<ConnectorInputs, "connectorId" | "registeredName">): boolean {
  return inputs.connectorId !== undefined || inputs.registeredName !== undefined;
}

/**
 * What state says about ownership. Outputs written before `adopted` existed count as adopted
 * when they lack a display name (a bare `get`), so an unknown connector is never deleted.
 */
export function recordedOwnership(outputs: Partial<ConnectorOutputs>): {
  adopted: boolean;
  deleteOnDestroy: boolean;
} {
  const adopted = outputs.adopted ?? outputs.displayName === undefined;
  return { adopted, deleteOnDestroy: deleteOnDestroyFor(outputs.deleteOnDestroy, adopted) };
}

/** Display names as admins read them: letter case and surrounding spaces do not make a new name. */
export function displayNameKey(displayName: string): string {
  return displayName.trim().toLowerCase();
}

/** Connector ids compare without letter case (Graph returns them lower case). */
export function idKey(id: string): string {
  return id.toLowerCase();
}

/** Connectors of the tenant that already carry this display name: a create would duplicate them. */
export function namesakes(tenant: readonly GraphConnector[], displayName: string): GraphConnector[] {
  const key = displayNameKey(displayName);
  return tenant.filter((c) => typeof c.displayName === "string" && displayNameKey(c.displayName) === key);
}

/**
 * The properties a create sends (the managed ones), which the connector it made must carry
 * exactly. `state` is only in notes and pending creates written before 0.3, when a create could
 * send it.
 */
export type CreateFields = { state?: string | null } & Partial<Record<ManagedProperty, string | null>>;

/** The fields a create may have sent: the managed properties, then the `state` of older notes. */
const CREATE_FIELDS = [...MANAGED_PROPERTIES, "state"] as const;

/** The fields a create sends, as one key (to count a process's creates of the same fields). */
export function createFieldsKey(fields: CreateFields): string {
  return JSON.stringify(CREATE_FIELDS.map((p) => fields[p]));
}

/** Only the fields a create sends, from a bag that may hold more (inputs, a note). */
export function createFieldsOf(bag: CreateFields): CreateFields {
  return Object.fromEntries(CREATE_FIELDS.flatMap((p) => (bag[p] === undefined ? [] : [[p, bag[p]]])));
}

/** Whether two creates send the same fields (a pending create and the note of its POST). */
export function sameCreateFields(a: CreateFields, b: CreateFields): boolean {
  return CREATE_FIELDS.every((p) => a[p] === b[p]);
}

/**
 * Whether a connector is one that a create of `fields` would have made: it carries every field
 * the create sent (a required one always, an optional one when it was sent).
 */
export function matchesCreate(connector: GraphConnector, fields: CreateFields): boolean {
  return CREATE_FIELDS.every(
    (p) => (fields[p] === undefined && !inputDefinition(p).required) || connector[p] === fields[p],
  );
}

/** Whether the connector ever contacted Intune (no date, or Intune's year-1 date, means never). */
export function hasConnected(connector: Partial<Pick<GraphConnector, "lastConnectionDateTime">>): boolean {
  const at = connector.lastConnectionDateTime;
  return typeof at === "string" && !at.startsWith("0001-01-01");
}

/**
 * Whether a connector may be one that a POST of `fields` made rather than one the connector
 * software registered. Software checks in, so Intune shows its connector `active` ("actively
 * pinging Intune", the state's documented meaning) with a recent last contact, and it reports the
 * version it runs. A POSTed object has no software behind it, but what it shows is not documented:
 * Intune's year-one date and `inactive` are observed, and under other readings (the emulator's
 * variants newConnectorContact "created-at" with newConnectorState "active") it shows a recent
 * contact and `active` too. Its version still tells: exactly what the POST sent, or none when it
 * sent none, where the software's shows the release it runs. So a connector is set apart only
 * when all three say registered — missing a lost create's connector would make a rerun create a
 * second one.
 */
export function mayBeFromPost(
  connector: Pick<GraphConnector, "lastConnectionDateTime" | "state" | "version">,
  fields: Pick<CreateFields, "version"> = {},
): boolean {
  const sentVersion = (connector.version ?? "") === (fields.version ?? "");
  return !hasConnected(connector) || connector.state !== "active" || sentVersion;
}

/**
 * The connectors a create whose outcome is unknown may have made: those matching its fields
 * that were not in the tenant before it (when that is known), that no resource holds, and that
 * no connector software registered (mayBeFromPost).
 */
export function createCandidates(
  tenant: readonly GraphConnector[],
  fields: CreateFields,
  excluded: { before?: ReadonlySet<string>; held?: ReadonlySet<string> } = {},
): GraphConnector[] {
  return tenant.filter(
    (c) =>
      matchesCreate(c, fields) &&
      mayBeFromPost(c, fields) &&
      !excluded.before?.has(idKey(c.id)) &&
      !excluded.held?.has(idKey(c.id)),
  );
}

/** The error text when a create would duplicate a display name the tenant already has. */
export function duplicateNameMessage(displayName: string, existing: readonly GraphConnector[]): string {
  const list = existing.map((c) => `${c.id} (${JSON.stringify(c.displayName)})`).join(", ");
  const first = existing[0]?.id ?? "<id>";
  return (
    `create connector ${JSON.stringify(displayName)}: the tenant already has ` +
    `${existing.length === 1 ? "a connector" : `${existing.length} connectors`} with this display name: ${list}. ` +
    `Nothing was created. To manage ${existing.length === 1 ? "it" : "one of them"}, adopt it: ` +
    `connectorId: "${first}". To create a second connector with the same name anyway, set ` +
    "allowDuplicateDisplayName: true"
  );
}
