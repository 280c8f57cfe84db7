/**
 * Who owns which connector, learned from what happened rather than from what the stack's state
 * claims (state is what a bug would corrupt). A connector is the stack's when it appeared in the
 * tenant during a stack command (only the stack writes then) or when the user named its id in
 * `connectorId`. Everything else (the seeded tenant, connectors added out of band) belongs to
 * someone else, whatever the state says.
 */
import type { ConnectorRecord } from "intune-graph-emulator";
import type { Bag, Program } from "./engine";

/** The tenant at one moment, by lower-case id. */
export type Tenant = Map<string, ConnectorRecord>;

export function tenantOf(connectors: readonly ConnectorRecord[]): Tenant {
  return new Map(connectors.map((c) => [c.id.toLowerCase(), { ...c }]));
}

/** The stack's state as both levels see it (engine stand-in, or `pulumi stack export`). */
export interface StateView {
  resources: { name: string; id: string; inputs: Bag; outputs: Bag; pendingDelete: boolean }[];
  pendingCreates: { name: string; inputs: Bag }[];
}

/** The facts of one stack command (up, refresh, destroy, killed up + repair). */
export interface StepFacts {
  label: string;
  program: Program;
  before: Tenant;
  after: Tenant;
  state: StateView;
  /** Creates that ran, with the id their result named when one came back (even if then lost). */
  creates: { name: string; displayName: string; id?: string }[];
  /** Successful deletes; `release` when the stack meant to leave the connector in Intune. */
  deleted: { name: string; id: string; release: boolean }[];
  errors: { name?: string; kind: string; message: string }[];
  /** Everything a person may read: warnings, error messages, debug logs, CLI output. */
  texts: string[];
}

interface Created {
  /** The logical resource whose create made it, when that can be told. */
  name?: string;
  /** Deleted by the stack on purpose but kept by Intune (deleteOnDestroy false): no longer the stack's. */
  released: boolean;
  /**
   * Deleted by the stack. If it is listed again, its software brought it back (variant
   * deleteRegistered "reappears"): the service's doing, which the provider cannot prevent.
   */
  deleted?: boolean;
}

export class OwnershipLedger {
  private readonly created = new Map<string, Created>();
  private readonly adopted = new Set<string>();
  private readonly disputed = new Set<string>();

  /** The user adopting a connector by id makes it the stack's (cumulative over a sequence). */
  noteProgram(program: Program): void {
    for (const desired of program.values()) {
      if (desired.connectorId) this.adopted.add(desired.connectorId.toLowerCase());
    }
  }

  owns(id: string): boolean {
    const key = id.toLowerCase();
    return this.created.has(key) || this.adopted.has(key);
  }

  createdByStack(id: string): boolean {
    return this.created.has(id.toLowerCase());
  }

  /**
   * Candidates that intune-repair-pending reported as ambiguous: it names them and exits 1, and
   * only a person can tell which one the killed create made. That is the promised clear error, so
   * they count neither as duplicates nor as leaks.
   */
  dispute(ids: readonly string[]): void {
    for (const id of ids) this.disputed.add(id.toLowerCase());
  }

  /** Learns which connectors the command created (and for which resource), and which it released. */
  record(facts: StepFacts): void {
    for (const [id, connector] of facts.after) {
      if (facts.before.has(id)) continue;
      this.created.set(id, { name: attribute(id, connector.displayName, facts.creates), released: false });
    }
    for (const { id, release } of facts.deleted) {
      const entry = this.created.get(id.toLowerCase());
      if (entry && release) entry.released = true;
      else if (entry) entry.deleted = true;
    }
  }

  /** Connectors the stack created that still exist and that it did not give up, by resource. */
  liveCreated(tenant: Tenant): { id: string; name?: string }[] {
    return [...this.created]
      .filter(([id, entry]) => !entry.released && !entry.deleted && !this.disputed.has(id) && tenant.has(id))
      .map(([id, entry]) => ({ id, name: entry.name }));
  }
}

/**
 * The resource a new connector was created for: the create whose result named it, else the only
 * resource of the command that tried to create that display name without learning an id.
 */
function attribute(
  id: string,
  displayName: string | null,
  creates: StepFacts["creates"],
): string | undefined {
  const named = creates.find((c) => c.id?.toLowerCase() === id);
  if (named) return named.name;
  const blind = new Set(creates.filter((c) => !c.id && c.displayName === displayName).map((c) => c.name));
  return blind.size === 1 ? [...blind][0] : undefined;
}
