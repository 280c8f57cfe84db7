/**
 * The repair tool's decisions, pure: which connector each create that a killed `pulumi up` left
 * pending made, and the outputs a failed create stored without the provider. The tool
 * (command.ts) reads the state and the tenant and applies them.
 */
import {
  CreateFields,
  adopts,
  createCandidates,
  effectiveDeleteOnDestroy,
  idKey,
  namesakes,
  sameCreateFields,
} from "../connector/ownership";
import { PROVIDER_KEY, RESOURCE_TYPE, RESOURCE_TYPES } from "../connector/constants";
import { GraphConnector } from "../connector/definition";

export { RESOURCE_TYPE, RESOURCE_TYPES };

/** A note the provider writes before each POST (connector/create-journal.ts keeps them on disk). */
export interface CreateIntent extends CreateFields {
  /** Ids (lower case) of the connectors that existed before the POST. */
  before: string[];
  /** When the POST was about to be sent (ISO 8601). */
  at: string;
  /** The id of the connector the POST made, once known. */
  made?: string;
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
}

export interface PendingDecision {
  urn: string;
  action: "import" | "clear" | "ambiguous";
  id?: string;
  candidates: string[];
}

/**
 * Pure decision: which connector each pending create made. Candidates already held by the
 * stack, or claimed by an earlier pending create, are never chosen twice. A create is matched
 * only against connectors that did not exist before its POST, as the provider noted them on
 * this machine (see create-journal.ts), or taken by the id the note records. With no note, the
 * POST is taken as never sent: the pending entry is cleared and, were a connector made after
 * all, the next `up` refuses the duplicate name and names it for adoption. Nothing the stack
 * does not own is ever recorded.
 */
export function decide(
  pending: StateResource[],
  tracked: Set<string>,
  tenant: GraphConnector[],
  intents: CreateIntent[] = [],
): PendingDecision[] {
  const claimed = new Set([...tracked].map(idKey));
  return pending.map((op) => {
    const inputs = op.inputs ?? {};
    const adoptId = typeof inputs.connectorId === "string" ? idKey(inputs.connectorId) : undefined;
    const byName = typeof inputs.registeredName === "string" ? inputs.registeredName : undefined;
    const fields = inputs as CreateFields;
    const notes = intents.filter((i) => sameCreateFields(i, fields));
    // A note that names the connector its POST made, when that connector is there and free.
    const made = notes
      .map((i) => (i.made ? idKey(i.made) : undefined))
      .filter((id): id is string => id !== undefined && !claimed.has(id))
      .flatMap((id) => tenant.filter((c) => idKey(c.id) === id));
    const open = notes.find((i) => !i.made);
    const candidates = adoptId
      ? tenant.filter((c) => idKey(c.id) === adoptId && !claimed.has(adoptId))
      : byName !== undefined
        ? registeredCandidates(tenant, byName, inputs.displayName, claimed)
        : made.length > 0
          ? made
          : open
            ? createCandidates(tenant, fields, { before: new Set(open.before.map(idKey)), held: claimed })
            : [];
    if (candidates.length === 1) {
      claimed.add(idKey(candidates[0].id));
      return { urn: op.urn, action: "import", id: candidates[0].id, candidates: [candidates[0].id] };
    }
    return {
      urn: op.urn,
      action: candidates.length === 0 ? "clear" : "ambiguous",
      candidates: candidates.map((c) => c.id),
    };
  });
}

/**
 * An adoption by registered name that a kill interrupted: the connector still under that name, or,
 * when none is (the killed run's PATCH may already have renamed it), the one under the display name
 * the stack gives it. Never one the stack holds.
 */
function registeredCandidates(
  tenant: GraphConnector[],
  registeredName: string,
  displayName: unknown,
  claimed: ReadonlySet<string>,
): GraphConnector[] {
  const free = (list: GraphConnector[]) => list.filter((c) => !claimed.has(idKey(c.id)));
  const registered = free(namesakes(tenant, registeredName));
  if (registered.length > 0 || typeof displayName !== "string") return registered;
  return free(namesakes(tenant, displayName));
}

export interface StateEntry extends StateResource {
  outputs?: Record<string, unknown>;
}

/**
 * Outputs of a DomainJoinConnector without `__provider` (a failed create stored them so) break
 * refresh and destroy; the resource's own inputs hold the same provider. Returns the repaired
 * list (input untouched) and the URNs repaired.
 */
export function restoreProviderOutputs(resources: StateEntry[]): {
  resources: StateEntry[];
  fixed: string[];
} {
  const fixed: string[] = [];
  const out = resources.map((r) => {
    if (
      r.type !== RESOURCE_TYPE ||
      r.outputs?.[PROVIDER_KEY] !== undefined ||
      r.inputs?.[PROVIDER_KEY] === undefined
    )
      return r;
    fixed.push(r.urn);
    return { ...r, outputs: { ...r.outputs, [PROVIDER_KEY]: r.inputs[PROVIDER_KEY] } };
  });
  return { resources: out, fixed };
}

/** The state entry recorded for a pending create settled as `import`: inputs plus the outputs the provider would have stored (completed by the refresh that follows). */
export function settledResource(op: StateResource, id: string): StateEntry {
  const inputs = op.inputs ?? {};
  const adopted = adopts(inputs as Parameters<typeof adopts>[0]);
  const deleteOnDestroy = effectiveDeleteOnDestroy(inputs as Parameters<typeof effectiveDeleteOnDestroy>[0]);
  return { ...op, id, outputs: { ...inputs, connectorId: id, adopted, deleteOnDestroy } };
}

/** The ids of the DomainJoinConnector resources among a state's resources, in either form. */
export function managedConnectorIds(resources: readonly { type?: string; id?: string }[]): string[] {
  return resources
    .filter((r) => RESOURCE_TYPES.includes(r.type ?? "") && typeof r.id === "string" && r.id !== "")
    .map((r) => r.id as string);
}
