/**
 * Diffing desired inputs against the last known outputs, and turning the difference into the
 * smallest PATCH body. Pure: no network, so preview costs zero Graph requests.
 */
import {
  ConnectorInputs,
  ConnectorOutputs,
  GraphConnector,
  MANAGED_PROPERTIES,
  ManagedProperty,
} from "./definition";
import { CONNECTOR_ODATA_TYPE, UNKNOWN_VALUE } from "./constants";
import { describeValue } from "./values";
import { displayNameKey, hasConnected, idKey, ownershipAfterUpdate, recordedOwnership } from "./ownership";

export interface ConnectorDiff {
  /** Properties whose change needs a write or a state update. */
  changed: string[];
  /** Properties whose change needs a new resource. */
  replaces: string[];
}

function sameId(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" && idKey(a) === idKey(b);
}

/**
 * The managed properties the provider writes to a connector as it is. `version` is "the version of
 * the connector" (the resource page): once the connector software has checked in, it reports the
 * version it runs (the emulator's variant heartbeatVersion "reported"), so a written version would
 * last until its next check-in and every run would write it again — a write war with the software.
 * So `version` is written only to a connector no software has checked in to (one a stack created);
 * on one that has, a declared version is compared, and a difference reported (versionReport).
 */
export function writableProperties(
  connector: Partial<Pick<GraphConnector, "lastConnectionDateTime">>,
): ManagedProperty[] {
  return hasConnected(connector)
    ? MANAGED_PROPERTIES.filter((p) => p !== "version")
    : [...MANAGED_PROPERTIES];
}

/** A declared version that differs from the one the connector's software reports. */
export interface VersionReport {
  declared: string;
  reported: string | null | undefined;
}

/**
 * The declared version when the connector's software reports another one (the provider does not
 * write it, see writableProperties); undefined when they agree, when none is declared or known yet,
 * or when the version is still the provider's to write.
 */
export function versionReport(
  connector: Partial<Pick<GraphConnector, "lastConnectionDateTime" | "version">>,
  declared: unknown,
): VersionReport | undefined {
  if (typeof declared !== "string" || declared === UNKNOWN_VALUE) return undefined;
  if (writableProperties(connector).includes("version") || connector.version === declared) return undefined;
  return { declared, reported: connector.version };
}

/** What the user is told of a version report: both versions, what the provider does, what to do. */
export function versionReportMessage(
  connectorId: string,
  displayName: unknown,
  report: VersionReport,
): string {
  return (
    `connector ${connectorId} (${describeValue(displayName)}): its software reports version ${describeValue(report.reported)}, ` +
    `the stack declares ${JSON.stringify(report.declared)}. The provider does not write version to a connector whose ` +
    "software has checked in: the software reports the version it runs at every check-in, so a write would not last. " +
    `Declare ${describeValue(report.reported)} (or remove version), or install version ${JSON.stringify(report.declared)} ` +
    "of the Intune Connector on the server"
  );
}

/**
 * Compares the new inputs with the old outputs. Properties the stack does not set are reported by
 * the service, not managed, so they never diff; nor do lastConnectionDateTime or the provider code.
 */
export function diffConnector(
  olds: Partial<ConnectorOutputs>,
  news: Partial<ConnectorInputs>,
): ConnectorDiff {
  const changed: string[] = [];
  const replaces: string[] = [];

  const newId: unknown = news.connectorId;
  if (newId !== undefined && (newId === UNKNOWN_VALUE || !sameId(newId, olds.connectorId))) {
    replaces.push("connectorId");
    changed.push("connectorId");
  }
  // registeredName says which connector to adopt, once: another name is another connector. A
  // resource adopted by id that now names the connector it holds is the same one (recorded, no write).
  const wantedName: unknown = news.registeredName;
  if (wantedName === UNKNOWN_VALUE) {
    replaces.push("registeredName");
    changed.push("registeredName");
  } else if (typeof wantedName === "string") {
    const recorded = olds.registeredName;
    const another =
      recorded !== undefined
        ? displayNameKey(recorded) !== displayNameKey(wantedName)
        : !recordedOwnership(olds).adopted;
    if (another) replaces.push("registeredName");
    if (another || recorded === undefined) changed.push("registeredName");
  }
  for (const property of writableProperties(olds)) {
    const desired: unknown = news[property];
    if (desired === undefined) continue;
    if (desired === UNKNOWN_VALUE || desired !== olds[property]) changed.push(property);
  }
  const desiredDelete: unknown = news.deleteOnDestroy;
  if (desiredDelete === UNKNOWN_VALUE) {
    changed.push("deleteOnDestroy");
  } else {
    const wanted = ownershipAfterUpdate(olds, news).deleteOnDestroy;
    if (olds.deleteOnDestroy !== undefined && wanted !== olds.deleteOnDestroy)
      changed.push("deleteOnDestroy");
  }
  return { changed, replaces };
}

/** How one property changes, as the engine's detailed diff says it (against the old outputs). */
export type PropertyChangeKind = "add" | "add-replace" | "update" | "update-replace";

/**
 * The diff, property by property, for the engine's detailed diff: each is compared with what state
 * holds — the tenant as of the last refresh — so a preview shows the value the tenant has and the
 * one the stack will write, drift included.
 */
export function detailedDiff(
  olds: Partial<ConnectorOutputs>,
  diff: ConnectorDiff,
): Record<string, PropertyChangeKind> {
  const recorded = olds as Record<string, unknown>;
  return Object.fromEntries(
    diff.changed.map((property) => {
      const kind = recorded[property] === undefined || recorded[property] === null ? "add" : "update";
      return [property, diff.replaces.includes(property) ? `${kind}-replace` : kind];
    }),
  );
}

/** A write the diff implies: a managed property from what the tenant has to what the stack declares. */
export interface ProposedWrite {
  property: ManagedProperty;
  /** What state holds: the tenant's value as of the last refresh (or the last write). */
  from: unknown;
  /** What the stack declares; UNKNOWN_VALUE while a preview cannot know it. */
  to: unknown;
}

/** The managed properties a diff will write, each from the tenant's value to the declared one. */
export function proposedWrites(
  olds: Partial<ConnectorOutputs>,
  news: Partial<ConnectorInputs>,
  diff: ConnectorDiff,
): ProposedWrite[] {
  return MANAGED_PROPERTIES.filter((p) => diff.changed.includes(p) && !diff.replaces.length).map((p) => ({
    property: p,
    from: olds[p],
    to: news[p],
  }));
}

/** Managed properties the provider writes whose desired value differs from the connector as it is. */
export function driftedProperties(
  desired: Partial<Pick<ConnectorInputs, ManagedProperty>>,
  actual: Partial<Pick<GraphConnector, ManagedProperty | "lastConnectionDateTime">>,
): ManagedProperty[] {
  return writableProperties(actual).filter((p) => desired[p] !== undefined && desired[p] !== actual[p]);
}

/** What a create sends: the managed properties the stack declares (a display name always). */
export type CreateBody = { "@odata.type": string } & Pick<ConnectorInputs, ManagedProperty>;

/**
 * The POST body of a new connector: the managed properties the stack declares, plus `@odata.type`
 * as Graph's own examples send it. Never `state`, which Intune sets from heartbeats.
 */
export function createBody(desired: Pick<ConnectorInputs, ManagedProperty>): CreateBody {
  const body: Record<string, unknown> = { "@odata.type": CONNECTOR_ODATA_TYPE };
  for (const p of MANAGED_PROPERTIES) if (desired[p] !== undefined) body[p] = desired[p];
  return body as CreateBody;
}

/**
 * The PATCH body that brings `actual` to `desired`: only the managed properties that differ,
 * plus `@odata.type` as Graph's own examples send it. Undefined when nothing differs, because
 * Intune refuses an empty PATCH with 400.
 */
export function patchBody(
  desired: Partial<Pick<ConnectorInputs, ManagedProperty>>,
  actual: Partial<Pick<GraphConnector, ManagedProperty | "lastConnectionDateTime">>,
): Record<string, unknown> | undefined {
  const properties = driftedProperties(desired, actual);
  if (properties.length === 0) return undefined;
  const body: Record<string, unknown> = { "@odata.type": CONNECTOR_ODATA_TYPE };
  for (const p of properties) body[p] = desired[p];
  return body;
}
