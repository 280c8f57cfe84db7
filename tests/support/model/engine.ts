/**
 * A stand-in for the Pulumi engine driving a dynamic provider: just enough of `up`, `refresh` and
 * `destroy` to find the bugs that live between the provider and the engine. What it copies from
 * the real engine and the Node.js dynamic-provider host (@pulumi/pulumi cmd/dynamic-provider,
 * pkg/resource/deploy), because each of these decides whether a failure is recoverable:
 *
 * - One provider instance serves every resource of one command (the host caches it per
 *   `__provider` text), and a new command starts a new process, so a new provider.
 * - Every input bag carries `__provider`; the host adds it to the outputs of create, update and
 *   read. A create error that carries `id` and `properties` records the resource with those
 *   properties AS GIVEN (the host does not add `__provider` there) and init errors, which make
 *   the next `up` call update even without a diff. An update error keeps the old state.
 * - read and delete load the provider from the stored OUTPUTS: without `__provider` they fail
 *   ("code must be a string, not undefined").
 * - `up`: pending deletes first; resources register in program order and each one's step starts
 *   at once, so the creates of one `up` run concurrently; a check failure stops new steps; a
 *   replacement creates the new resource, and the old one is deleted at the end with the removed
 *   resources, which happens only when no step failed (otherwise the old one stays pending delete).
 * - A killed CLI loses the results of operations in flight: a create becomes a pending create,
 *   which a non-interactive refresh keeps and the next `up` forgets.
 */

/** What the host stores as `__provider` (the serialized shim; its text does not matter here). */
export const PROVIDER_TEXT = "exports.handler = __f0; /* serialized provider shim (model) */";
const PROVIDER_KEY = "__provider";
const LOAD_FAILURE = 'failed to load the provider: the "code" argument must be a string, not undefined';

export type Bag = Record<string, unknown>;

/** A resource as the program declares it. */
export interface DesiredResource {
  displayName: string;
  version?: string;
  connectorId?: string;
  deleteOnDestroy?: boolean;
  allowDuplicateDisplayName?: boolean;
}

/** Logical name → desired inputs, in registration order. */
export type Program = Map<string, DesiredResource>;

export interface StateResource {
  name: string;
  id: string;
  inputs: Bag;
  outputs: Bag;
  initErrors: string[];
}

export interface StackState {
  resources: Map<string, StateResource>;
  /** Old halves of replacements, and resources whose deletion has not happened yet. */
  pendingDeletes: StateResource[];
  /** Creates a killed CLI left without a result. */
  pendingCreates: { name: string; inputs: Bag }[];
}

/** The provider methods the engine calls (DomainJoinConnectorProvider has them all). */
export interface DynamicProvider {
  check(olds: Bag, news: Bag): Promise<{ inputs?: Bag; failures?: { property: string; reason: string }[] }>;
  diff(id: string, olds: Bag, news: Bag): Promise<{ changes?: boolean; replaces?: string[] }>;
  create(inputs: Bag): Promise<{ id: string; outs?: Bag }>;
  read(id: string, props: Bag): Promise<{ id?: string; props?: Bag }>;
  update(id: string, olds: Bag, news: Bag): Promise<{ outs?: Bag }>;
  delete(id: string, props: Bag): Promise<void>;
  close?(): void;
}

export type OperationKind = "check" | "diff" | "create" | "update" | "delete" | "read" | "load";

export interface EngineError {
  name: string;
  kind: OperationKind;
  message: string;
}

/** What one engine command did: the facts the invariants and the ownership ledger need. */
export interface EngineReport {
  errors: EngineError[];
  /** Every create that ran, with the id its result named (success, or error with id), lost or not. */
  creates: { name: string; displayName: string; id?: string }[];
  /** Successful deletes; `release` when the outputs said to leave the connector in Intune. */
  deleted: { name: string; id: string; release: boolean }[];
  /** Resources whose step never started because an earlier one stopped the deployment. */
  skipped: string[];
  /** True when the CLI was killed during the command. */
  killed: boolean;
}

/** Lets `keep` operations finish normally; any later result is lost and no new one starts. */
class KillSwitch {
  private finished = 0;
  killed = false;
  constructor(private readonly keep = Infinity) {}

  /** `started: false` when the CLI was already dead: the operation never happened. */
  async run<T>(
    work: () => Promise<T>,
  ): Promise<{ value?: T; error?: unknown; lost: boolean; started: boolean }> {
    if (this.killed) return { lost: true, started: false };
    let outcome: { value?: T; error?: unknown };
    try {
      outcome = { value: await work() };
    } catch (error) {
      outcome = { error };
    }
    if (this.finished >= this.keep) this.killed = true;
    else this.finished++;
    return { ...outcome, lost: this.killed, started: true };
  }
}

/** What crosses gRPC: JSON values only (undefined dropped). */
function wire<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function hasProvider(bag: Bag): boolean {
  return typeof bag[PROVIDER_KEY] === "string";
}

export class Engine {
  readonly state: StackState = { resources: new Map(), pendingDeletes: [], pendingCreates: [] };

  constructor(private readonly newProvider: () => DynamicProvider) {}

  /** Every resource the state holds, pending deletes included. */
  held(): StateResource[] {
    return [...this.state.resources.values(), ...this.state.pendingDeletes];
  }

  /** `pulumi up`; with `killAfter`, the CLI dies once that many operations have finished. */
  async up(program: Program, killAfter?: number): Promise<EngineReport> {
    const report = newReport();
    const gate = new KillSwitch(killAfter);
    const provider = this.newProvider();
    try {
      // Non-interactive: pending creates of a killed run are reported and forgotten.
      this.state.pendingCreates = [];
      await Promise.all(
        [...this.state.pendingDeletes].map((old) => this.remove(provider, old, report, gate)),
      );
      if (report.errors.length || gate.killed) return finish(report, gate);

      const steps: Promise<void>[] = [];
      const replaced: StateResource[] = [];
      const entries = [...program];
      const names = entries.map(([name]) => name);
      for (let index = 0; index < entries.length; index++) {
        const [name, desired] = entries[index];
        const old = this.state.resources.get(name);
        const inputs = await this.checked(provider, name, old, desired, report);
        if (!inputs) {
          report.skipped.push(...names.slice(index + 1));
          break;
        }
        if (!old) {
          steps.push(this.create(provider, name, inputs, report, gate));
          continue;
        }
        let diff: { changes?: boolean; replaces?: string[] };
        try {
          diff = await provider.diff(old.id, wire(old.outputs), wire(inputs));
        } catch (error) {
          report.errors.push({ name, kind: "diff", message: message(error) });
          report.skipped.push(...names.slice(index + 1));
          break;
        }
        if (diff.changes && diff.replaces?.length) {
          steps.push(this.create(provider, name, inputs, report, gate, old, replaced));
        } else if (diff.changes || old.initErrors.length) {
          steps.push(this.update(provider, old, inputs, report, gate));
        } else {
          old.inputs = inputs; // a "same" step still records the new inputs
        }
      }
      await Promise.all(steps);
      if (report.errors.length || gate.killed) {
        this.state.pendingDeletes.push(...replaced);
        return finish(report, gate);
      }
      const removed = [...this.state.resources.values()].filter((r) => !program.has(r.name));
      this.state.pendingDeletes.push(...replaced);
      await Promise.all([...replaced, ...removed].map((r) => this.remove(provider, r, report, gate)));
      return finish(report, gate);
    } finally {
      provider.close?.();
    }
  }

  /** `pulumi refresh`: reads every resource; an empty id drops it. Pending creates stay. */
  async refresh(): Promise<EngineReport> {
    const report = newReport();
    const provider = this.newProvider();
    try {
      await Promise.all(
        this.held().map(async (res) => {
          if (!hasProvider(res.outputs)) {
            report.errors.push({ name: res.name, kind: "load", message: LOAD_FAILURE });
            return;
          }
          try {
            const result = await provider.read(res.id, wire(res.outputs));
            if (!result.id) this.forget(res);
            else res.outputs = wire({ ...result.props, [PROVIDER_KEY]: res.outputs[PROVIDER_KEY] });
          } catch (error) {
            report.errors.push({ name: res.name, kind: "read", message: message(error) });
          }
        }),
      );
      return report;
    } finally {
      provider.close?.();
    }
  }

  /** `pulumi destroy`: deletes everything the state holds. */
  async destroy(): Promise<EngineReport> {
    const report = newReport();
    const provider = this.newProvider();
    try {
      this.state.pendingCreates = [];
      await Promise.all(this.held().map((res) => this.remove(provider, res, report, new KillSwitch())));
      return report;
    } finally {
      provider.close?.();
    }
  }

  /** The checked inputs, or undefined (error recorded) when check refuses them. */
  private async checked(
    provider: DynamicProvider,
    name: string,
    old: StateResource | undefined,
    desired: DesiredResource,
    report: EngineReport,
  ): Promise<Bag | undefined> {
    const news = wire({ ...desired, [PROVIDER_KEY]: PROVIDER_TEXT });
    try {
      const result = await provider.check(wire(old?.inputs ?? {}), news);
      if (result.failures?.length) {
        const reasons = result.failures.map((f) => `${f.property}: ${f.reason}`).join("; ");
        report.errors.push({ name, kind: "check", message: reasons });
        return undefined;
      }
      return wire({ ...(result.inputs ?? news), [PROVIDER_KEY]: PROVIDER_TEXT });
    } catch (error) {
      report.errors.push({ name, kind: "check", message: message(error) });
      return undefined;
    }
  }

  private async create(
    provider: DynamicProvider,
    name: string,
    inputs: Bag,
    report: EngineReport,
    gate: KillSwitch,
    replacing?: StateResource,
    replaced?: StateResource[],
  ): Promise<void> {
    const outcome = await gate.run(() => provider.create(wire(inputs)));
    if (!outcome.started) return;
    const failure = outcome.error as { id?: unknown; properties?: Bag; reasons?: string[] } | undefined;
    const id = outcome.value?.id ?? (typeof failure?.id === "string" ? failure.id : undefined);
    report.creates.push({ name, displayName: String(inputs.displayName), id });
    if (outcome.lost) {
      this.state.pendingCreates.push({ name, inputs });
      return;
    }
    if (outcome.value) {
      const outputs = wire({ ...outcome.value.outs, [PROVIDER_KEY]: inputs[PROVIDER_KEY] });
      this.state.resources.set(name, { name, id: outcome.value.id, inputs, outputs, initErrors: [] });
      if (replacing) replaced?.push(replacing);
      return;
    }
    report.errors.push({ name, kind: "create", message: message(outcome.error) });
    if (id === undefined) return;
    // Created but failed to initialise: recorded with the error's properties exactly as given.
    const initErrors = failure?.reasons?.length ? failure.reasons : [message(outcome.error)];
    this.state.resources.set(name, {
      name,
      id,
      inputs,
      outputs: wire(failure?.properties ?? {}),
      initErrors,
    });
    if (replacing) this.state.pendingDeletes.push(replacing);
  }

  private async update(
    provider: DynamicProvider,
    old: StateResource,
    inputs: Bag,
    report: EngineReport,
    gate: KillSwitch,
  ): Promise<void> {
    const outcome = await gate.run(() => provider.update(old.id, wire(old.outputs), wire(inputs)));
    if (outcome.lost || !outcome.started) return;
    if (outcome.error !== undefined) {
      report.errors.push({ name: old.name, kind: "update", message: message(outcome.error) });
      return;
    }
    old.inputs = inputs;
    old.outputs = wire({ ...outcome.value?.outs, [PROVIDER_KEY]: inputs[PROVIDER_KEY] });
    old.initErrors = [];
  }

  private async remove(
    provider: DynamicProvider,
    res: StateResource,
    report: EngineReport,
    gate: KillSwitch,
  ): Promise<void> {
    if (!hasProvider(res.outputs)) {
      report.errors.push({ name: res.name, kind: "load", message: LOAD_FAILURE });
      return;
    }
    const outcome = await gate.run(() => provider.delete(res.id, wire(res.outputs)));
    if (outcome.lost) return;
    if (outcome.error !== undefined) {
      report.errors.push({ name: res.name, kind: "delete", message: message(outcome.error) });
      return;
    }
    this.forget(res);
    report.deleted.push({ name: res.name, id: res.id, release: releases(res.outputs) });
  }

  private forget(res: StateResource): void {
    if (this.state.resources.get(res.name) === res) this.state.resources.delete(res.name);
    this.state.pendingDeletes = this.state.pendingDeletes.filter((r) => r !== res);
  }
}

/** Whether outputs tell the provider to release rather than delete (deleteOnDestroy, else not adopted). */
export function releases(outputs: Bag): boolean {
  const adopted =
    outputs.adopted === true || (outputs.adopted === undefined && outputs.displayName === undefined);
  return !(typeof outputs.deleteOnDestroy === "boolean" ? outputs.deleteOnDestroy : !adopted);
}

function newReport(): EngineReport {
  return { errors: [], creates: [], deleted: [], skipped: [], killed: false };
}

function finish(report: EngineReport, gate: KillSwitch): EngineReport {
  report.killed = gate.killed;
  return report;
}
