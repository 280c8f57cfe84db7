/**
 * The product's promises as checks over the facts of one step (I1, I2, I3, I5) and over the
 * settling run at the end of a sequence (I4). Pure: the worlds (provider level, CLI level)
 * gather the facts, these decide.
 *
 * I1 ownership   no connector outside the stack's created-or-adopted set is renamed or deleted
 * I2 duplicates  no two live connectors created by the stack for one logical resource
 * I3 loadable    every stored output bag has `__provider`; refresh/destroy never fail to load it
 * I4 convergence once faults stop, refresh + up reach the desired tenant, a second up sends nothing
 * I5 secrets     no client secret or bearer token in state, warnings, errors or logs
 */
import type { DesiredResource, Program } from "./engine";
import { OwnershipLedger, StateView, StepFacts, Tenant } from "./ledger";

export type InvariantId = "I1" | "I2" | "I3" | "I4" | "I5";
export const ALL_INVARIANTS: readonly InvariantId[] = ["I1", "I2", "I3", "I4", "I5"];

export interface Violation {
  invariant: InvariantId;
  message: string;
}

/** Thrown by a world when a step breaks an invariant; fast-check then shrinks the sequence. */
export class ModelViolation extends Error {
  override readonly name = "ModelViolation";
  constructor(readonly violations: Violation[]) {
    super(violations.map((v) => `${v.invariant} ${v.message}`).join("\n"));
  }
}

// Compact JWS: what an access token (or any JWT) looks like in text.
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/;

/** I1, I2, I3 and I5 after one stack command (the ledger has already recorded it). */
export function checkStep(
  facts: StepFacts,
  ledger: OwnershipLedger,
  secrets: readonly string[],
): Violation[] {
  return [
    ...ownership(facts, ledger),
    ...duplicates(facts.label, facts.after, facts.state, ledger),
    ...loadable(facts),
    ...noSecrets(facts, secrets),
  ];
}

function ownership(facts: StepFacts, ledger: OwnershipLedger): Violation[] {
  const out: Violation[] = [];
  for (const [id, was] of facts.before) {
    if (ledger.owns(id)) continue;
    const now = facts.after.get(id);
    if (!now) {
      out.push({
        invariant: "I1",
        message: `${facts.label} deleted ${id} ("${was.displayName}"), not the stack's`,
      });
    } else if (now.displayName !== was.displayName || now.version !== was.version) {
      out.push({
        invariant: "I1",
        message:
          `${facts.label} changed ${id}, not the stack's: "${was.displayName}" ${was.version} → ` +
          `"${now.displayName}" ${now.version}`,
      });
    }
  }
  return out;
}

function duplicates(label: string, tenant: Tenant, state: StateView, ledger: OwnershipLedger): Violation[] {
  // A replaced connector waiting for its delete is tracked, not a duplicate.
  const waiting = new Set(state.resources.filter((r) => r.pendingDelete).map((r) => r.id.toLowerCase()));
  const byName = new Map<string, string[]>();
  for (const { id, name } of ledger.liveCreated(tenant)) {
    if (name === undefined || waiting.has(id)) continue;
    byName.set(name, [...(byName.get(name) ?? []), id]);
  }
  return [...byName]
    .filter(([, ids]) => ids.length > 1)
    .map(([name, ids]) => ({
      invariant: "I2" as const,
      message: `${label}: resource ${name} has ${ids.length} live connectors the stack created: ${ids.join(", ")}`,
    }));
}

function loadable(facts: StepFacts): Violation[] {
  const out: Violation[] = facts.state.resources
    .filter((r) => typeof r.outputs.__provider !== "string")
    .map((r) => ({
      invariant: "I3" as const,
      message: `${facts.label} left ${r.name} (${r.id}) with outputs lacking __provider: refresh and destroy cannot load the provider`,
    }));
  for (const e of facts.errors.filter((e) => e.kind === "load")) {
    out.push({ invariant: "I3", message: `${facts.label} of ${e.name}: ${e.message}` });
  }
  return out;
}

function noSecrets(facts: StepFacts, secrets: readonly string[]): Violation[] {
  const places: [string, string][] = [
    ["state", JSON.stringify(facts.state)],
    ...facts.texts.map((t): [string, string] => ["output", t]),
  ];
  const out: Violation[] = [];
  for (const [where, text] of places) {
    const secret = secrets.find((s) => s.length >= 8 && text.includes(s));
    if (secret)
      out.push({ invariant: "I5", message: `${facts.label}: a secret or token is in the ${where}` });
    else if (JWT.test(text))
      out.push({ invariant: "I5", message: `${facts.label}: a JWT is in the ${where}` });
  }
  return out;
}

/**
 * I4 after the settling refresh and up (faults cleared): each desired resource is held by the
 * state and its connector has the desired display name (and version), unless its failure is one
 * the product promises (input the tenant makes impossible). Stack-created connectors that nothing
 * holds any more are leaks. `tenantBefore` is the tenant before the settling up.
 */
export function convergence(
  refresh: StepFacts,
  up: StepFacts,
  ledger: OwnershipLedger,
  tenantBefore: Tenant,
): Violation[] {
  const out: Violation[] = [];
  for (const e of refresh.errors.filter((e) => e.kind !== "load")) {
    out.push({ invariant: "I4", message: `refresh after faults stopped failed for ${e.name}: ${e.message}` });
  }
  const held = new Map(up.state.resources.filter((r) => !r.pendingDelete).map((r) => [r.name, r]));
  for (const [name, desired] of up.program) {
    const res = held.get(name);
    const connector = res && up.after.get(res.id.toLowerCase());
    const reached =
      connector?.displayName === desired.displayName &&
      (desired.version === undefined ||
        connector.version === desired.version ||
        versionTold(connector.id, connector.lastConnectionDateTime, up.texts));
    if (reached) continue;
    const error = up.errors.find((e) => e.name === name);
    if (expectedFailure(name, desired, up, tenantBefore)) continue;
    out.push({
      invariant: "I4",
      message: `${name} did not converge: ${error ? `${error.kind} failed: ${error.message}` : describeMiss(res?.id, connector?.displayName)}`,
    });
  }
  const holding = new Set(up.state.resources.map((r) => r.id.toLowerCase()));
  for (const { id, name } of ledger.liveCreated(up.after)) {
    if (!holding.has(id)) {
      out.push({
        invariant: "I4",
        message: `connector ${id} created by the stack${name ? ` for ${name}` : ""} is held by no resource (leaked)`,
      });
    }
  }
  return out;
}

/**
 * A declared version the provider does not write, because the connector's software has checked in
 * and reports its own (docs/reference.md, "What a declared version means"): the run must have said
 * so, naming the connector.
 */
function versionTold(id: string, lastContact: string | null, texts: readonly string[]): boolean {
  const checkedIn = typeof lastContact === "string" && !lastContact.startsWith("0001-01-01");
  const told = texts.some(
    (t) => t.toLowerCase().includes(`connector ${id.toLowerCase()}`) && t.includes("reports version"),
  );
  return checkedIn && told;
}

/**
 * A DELETE the service refused (variant deleteRegistered "refused": Intune's docs say a registered
 * connector "can't be removed … through a graph API call"): the promise is a clear error naming what
 * to do, with the resource kept in state — not a removal.
 */
export function refusedRemoval(message: string): boolean {
  return (
    message.includes("can't be removed through a graph API call") &&
    message.includes("uninstall the connector")
  );
}

/**
 * The errors of a command other than refused removals and, at the CLI level, the stack's own
 * "update failed" that sums them up.
 */
export function unexplained(errors: StepFacts["errors"]): StepFacts["errors"] {
  const refused = errors.filter((e) => refusedRemoval(e.message));
  return errors.filter(
    (e) => !refused.includes(e) && !(refused.length > 0 && e.name === "" && e.message === "update failed"),
  );
}

/** I4 after the settling destroy: the state is empty and nothing the stack created is left. */
export function teardown(destroy: StepFacts, ledger: OwnershipLedger): Violation[] {
  const refused = destroy.errors.filter((e) => refusedRemoval(e.message));
  const out: Violation[] = unexplained(destroy.errors).map((e) => ({
    invariant: "I4" as const,
    message: `destroy after faults stopped failed for ${e.name}: ${e.kind}: ${e.message}`,
  }));
  for (const r of destroy.state.resources) {
    if (!destroy.errors.some((e) => e.name === r.name)) {
      out.push({ invariant: "I4", message: `destroy left ${r.name} (${r.id}) in state without an error` });
    }
  }
  const kept = new Set(
    destroy.state.resources
      .filter((r) => refused.some((e) => e.name === r.name))
      .map((r) => r.id.toLowerCase()),
  );
  for (const { id, name } of ledger.liveCreated(destroy.after).filter((c) => !kept.has(c.id))) {
    out.push({
      invariant: "I4",
      message: `destroy left connector ${id}, created by the stack${name ? ` for ${name}` : ""}, in the tenant`,
    });
  }
  return out;
}

function describeMiss(id: string | undefined, displayName: string | null | undefined): string {
  if (!id) return "not in state, no error";
  return displayName === undefined
    ? `state holds ${id}, which is gone`
    : `connector is ${JSON.stringify(displayName)}`;
}

/**
 * Failures the product promises to refuse clearly rather than to fix: an input check, a step never
 * started, adopting a connector that is gone or that another resource holds, a display name that
 * the tenant or another resource already has (the duplicate guard), and a create the service
 * refuses for a property it requires.
 */
function expectedFailure(name: string, desired: DesiredResource, up: StepFacts, tenant: Tenant): boolean {
  const error = up.errors.find((e) => e.name === name);
  if (error?.kind === "check") return true;
  // A POST refused for a property the service requires (variant createRequires), named with what to do.
  if (error?.message.includes("Hint: the service requires")) return true;
  if (!error) return up.errors.some((e) => e.kind === "check" || e.kind === "diff");
  const others = [...up.program].filter(([other]) => other !== name).map(([, d]) => d);
  if (desired.connectorId) {
    const id = desired.connectorId.toLowerCase();
    return (
      !tenant.has(id) ||
      others.some((d) => d.connectorId?.toLowerCase() === id) ||
      up.state.resources.some((r) => r.name !== name && r.id.toLowerCase() === id)
    );
  }
  if (desired.allowDuplicateDisplayName) return false;
  const key = nameKey(desired.displayName);
  const mine = up.state.resources.find((r) => r.name === name)?.id.toLowerCase();
  return (
    [...tenant.values()].some((c) => c.id.toLowerCase() !== mine && nameKey(c.displayName) === key) ||
    others.some((d) => nameKey(d.displayName) === key)
  );
}

function nameKey(displayName: string | null | undefined): string | undefined {
  return displayName?.trim().toLowerCase();
}

/** Program as text, for messages. */
export function describeProgram(program: Program): string {
  return [...program].map(([name, d]) => `${name}=${JSON.stringify(d)}`).join(" ") || "(empty)";
}
