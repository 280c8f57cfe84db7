/**
 * The commands fast-check strings into sequences: what a user does to the program and the stack,
 * what happens in the tenant behind the stack's back, and faults on the next Graph requests.
 * Targets are chosen by index when a command runs (resource #k of the program, connector #k of
 * the tenant), so a shrunk sequence still means something. Display names come from a small pool
 * that includes a seeded connector's name, so that collisions are common.
 */
import * as fc from "fast-check";
import type { ConnectorState, FaultRule } from "intune-graph-emulator";
import type { DesiredResource } from "./engine";
import { MODEL_TIMINGS, World } from "./world";

export const DISPLAY_NAMES = ["ODJ A", "ODJ B", "ODJ C"] as const;
export const VERSIONS = ["6.2504.2001.8", "6.2501.2000.5"] as const;
/** A release newer than any the programs declare: what upgraded connector software reports. */
export const UPGRADE = "6.2505.1000.2";

/** What fast-check's model tracks: the program's logical names, so `check` can tell what applies. */
export interface Model {
  names: string[];
  next: number;
}

export type ModelCommand = fc.AsyncCommand<Model, World>;

/** One command: a readable label fixed when generated, and what it does when run. */
class Step implements ModelCommand {
  constructor(
    private readonly label: string,
    private readonly act: (m: Model, w: World) => Promise<unknown> | string | void,
    private readonly needsResource = false,
  ) {}

  check(m: Readonly<Model>): boolean {
    return !this.needsResource || m.names.length > 0;
  }

  async run(m: Model, w: World): Promise<void> {
    w.stats.steps++;
    w.journal.push(this.label);
    const detail = await this.act(m, w);
    if (typeof detail === "string") w.journal[w.journal.length - 1] += ` [${detail}]`;
  }

  toString(): string {
    return this.label;
  }
}

const pick = <T>(items: readonly T[], index: number): T => items[index % items.length];
const resourceOf = (m: Model, index: number): string => pick(m.names, index);

/** Connectors that no resource holds or names: what a user could adopt. */
function unheld(w: World): string[] {
  const taken = new Set([...w.heldIds(), ...[...w.program.values()].map((d) => d.connectorId)]);
  return w.emulator
    .connectors()
    .map((c) => c.id)
    .filter((id) => !taken.has(id));
}

function connectorAt(w: World, index: number): string | undefined {
  const all = w.emulator.connectors();
  return all.length ? pick(all, index).id : undefined;
}

function edit(w: World, name: string, change: (d: DesiredResource) => DesiredResource): string {
  const current = w.program.get(name);
  if (current) w.program.set(name, change({ ...current }));
  return name;
}

const displayName = fc.nat(DISPLAY_NAMES.length - 1).map((i) => DISPLAY_NAMES[i]);
const index = fc.nat(7);

function userCommands(options: CommandOptions): fc.WeightedArbitrary<ModelCommand>[] {
  const { allowDuplicate, killedUps } = options;
  const add = fc
    .record({
      displayName,
      version: fc.constantFrom(undefined, ...VERSIONS),
      // Rare on purpose: it switches the duplicate-name guard off for that resource.
      allowDuplicateDisplayName: fc.constantFrom(
        undefined,
        undefined,
        undefined,
        allowDuplicate || undefined,
      ),
    })
    .map(({ displayName, version, allowDuplicateDisplayName }) => {
      const desired: DesiredResource = { displayName };
      if (version !== undefined) desired.version = version;
      if (allowDuplicateDisplayName) desired.allowDuplicateDisplayName = true;
      return new Step(`add ${JSON.stringify(desired)}`, (m, w) => {
        const name = `r${m.next++}`;
        m.names.push(name);
        w.program.set(name, { ...desired });
        return name;
      });
    });
  const rename = fc
    .tuple(index, displayName)
    .map(
      ([i, name]) =>
        new Step(
          `rename resource#${i} to "${name}"`,
          (m, w) => edit(w, resourceOf(m, i), (d) => ({ ...d, displayName: name })),
          true,
        ),
    );
  const remove = index.map(
    (i) =>
      new Step(
        `remove resource#${i}`,
        (m, w) => {
          const name = resourceOf(m, i);
          m.names = m.names.filter((n) => n !== name);
          w.program.delete(name);
          return name;
        },
        true,
      ),
  );
  const adopt = fc.tuple(index, displayName, fc.option(fc.boolean(), { nil: undefined })).map(
    ([i, name, deleteOnDestroy]) =>
      new Step(`adopt unheld connector#${i} as "${name}", deleteOnDestroy ${deleteOnDestroy}`, (m, w) => {
        const candidates = unheld(w);
        if (!candidates.length) return "nothing to adopt";
        const desired: DesiredResource = { displayName: name, connectorId: pick(candidates, i) };
        if (deleteOnDestroy !== undefined) desired.deleteOnDestroy = deleteOnDestroy;
        const resource = `r${m.next++}`;
        m.names.push(resource);
        w.program.set(resource, desired);
        return `${resource} adopts ${desired.connectorId}`;
      }),
  );
  const changeConnectorId = fc.tuple(index, index).map(
    ([i, j]) =>
      new Step(
        `set connectorId of resource#${i} to unheld connector#${j}`,
        (m, w) => {
          const candidates = unheld(w);
          if (!candidates.length) return "no unheld connector";
          const id = pick(candidates, j);
          return `${edit(w, resourceOf(m, i), (d) => ({ ...d, connectorId: id }))} → ${id}`;
        },
        true,
      ),
  );
  const toggleDelete = index.map(
    (i) =>
      new Step(
        `toggle deleteOnDestroy of resource#${i}`,
        (m, w) =>
          edit(w, resourceOf(m, i), (d) => ({
            ...d,
            deleteOnDestroy: !(d.deleteOnDestroy ?? d.connectorId === undefined),
          })),
        true,
      ),
  );
  const up = fc.constant(new Step("up", (_m, w) => w.up()));
  const refresh = fc.constant(new Step("refresh", (_m, w) => w.refresh()));
  const destroyThenUp = fc.constant(
    new Step("destroy, then up", async (_m, w) => {
      await w.destroy();
      await w.up();
    }),
  );
  const killedUp = fc
    .nat(2)
    .map(
      (keep) =>
        new Step(`up killed after ${keep} finished operation(s), cancel + repair-pending`, (_m, w) =>
          w.killedUp(keep),
        ),
    );
  return [
    { arbitrary: add, weight: 4 },
    { arbitrary: rename, weight: 2 },
    { arbitrary: remove, weight: 1 },
    { arbitrary: adopt, weight: 2 },
    { arbitrary: changeConnectorId, weight: 1 },
    { arbitrary: toggleDelete, weight: 1 },
    { arbitrary: up, weight: 6 },
    { arbitrary: refresh, weight: 2 },
    { arbitrary: destroyThenUp, weight: 1 },
    ...(killedUps ? [{ arbitrary: killedUp, weight: 1 }] : []),
  ];
}

/** The tenant changing behind the stack's back (the ledger is not told: these are not the stack's). */
function outOfBandCommands(): fc.WeightedArbitrary<ModelCommand>[] {
  const rename = fc.tuple(index, displayName).map(
    ([i, name]) =>
      new Step(`out of band: rename connector#${i} to "${name}"`, (_m, w) => {
        const id = connectorAt(w, i);
        if (id) w.emulator.editOutOfBand(id, { displayName: name });
        return id ?? "no connector";
      }),
  );
  const remove = index.map(
    (i) =>
      new Step(`out of band: delete connector#${i}`, (_m, w) => {
        const id = connectorAt(w, i);
        if (id) w.emulator.removeOutOfBand(id);
        return id ?? "no connector";
      }),
  );
  // Registered by connector software (it has contacted Intune), or POSTed by another tool and
  // never connected: only the second kind looks like what a lost create of ours would leave.
  const namesake = fc
    .tuple(displayName, fc.boolean())
    .map(
      ([name, registered]) =>
        new Step(
          `out of band: an unmanaged ${registered ? "registered" : "never-connected"} connector "${name}" appears`,
          (_m, w) =>
            w.emulator.seed([
              registered
                ? { displayName: name }
                : { displayName: name, lastConnectionDateTime: "0001-01-01T00:00:00Z", state: "inactive" },
            ])[0].id,
        ),
    );
  // A heartbeat makes a connector active; silence makes it error (after an hour) or inactive
  // (after five days): the emulator moves its last contact back to match, as Intune's state would.
  // A heartbeat may come from software just upgraded (or installed), reporting its new version;
  // under variant heartbeatVersion "reported" every later check-in reports it again.
  const heartbeat = fc
    .tuple(
      index,
      fc.option(fc.constantFrom<ConnectorState>("error", "inactive"), { nil: undefined }),
      fc.option(fc.constantFrom(...VERSIONS, UPGRADE), { nil: undefined, freq: 3 }),
    )
    .map(([i, silent, version]) => {
      const label = silent
        ? `connector#${i} goes silent (${silent})`
        : `heartbeat connector#${i}${version ? ` (software ${version})` : ""}`;
      return new Step(label, (_m, w) => {
        const id = connectorAt(w, i);
        if (id && silent) w.emulator.editOutOfBand(id, { state: silent });
        else if (id) w.emulator.heartbeat(id, version ? { version } : {});
        return id ?? "no connector";
      });
    });
  // Every running server checks in: under variant deleteRegistered "reappears", one a stack
  // deleted while its software ran comes back.
  const checkIns = fc.constant(
    new Step("every running server checks in", (_m, w) => `${w.emulator.heartbeatRunning()} checked in`),
  );
  return [
    { arbitrary: rename, weight: 1 },
    { arbitrary: remove, weight: 1 },
    { arbitrary: namesake, weight: 1 },
    { arbitrary: heartbeat, weight: 1 },
    { arbitrary: checkIns, weight: 1 },
  ];
}

/**
 * Faults on the next matching Graph request(s), weighted toward those that leave a write's
 * outcome unknown (5xx, lost answers, timeouts): that is where reconciliation, and ownership,
 * can go wrong.
 */
const FAULTS: [string, Omit<FaultRule, "method" | "count" | "path">, number][] = [
  ["400", { status: 400 }, 1],
  ["403", { status: 403 }, 1],
  ["404", { status: 404 }, 1],
  ["429 Retry-After", { status: 429, retryAfter: 0.05 }, 1],
  ["429 no Retry-After", { status: 429, retryAfter: null }, 1],
  ["500", { status: 500 }, 2],
  ["503", { status: 503, retryAfter: 0.05 }, 2],
  ["504", { status: 504 }, 2],
  ["applied, then 504", { applyThen: 504 }, 2],
  ["applied, then dropped", { applyThen: "drop" }, 2],
  ["dropped", { drop: true }, 2],
  ["slow (under the timeout)", { delayMs: MODEL_TIMINGS.slowBelowMs }, 1],
  ["slow (over the timeout)", { delayMs: MODEL_TIMINGS.slowAboveMs }, 2],
];
const WRITE_ONLY = new Set(["applied, then 504", "applied, then dropped"]);

/** A fault rule on the next matching Graph requests, and its label in the journal. */
const faultRule = fc
  .record({
    kind: fc.oneof(...FAULTS.map(([kind, , weight]) => ({ arbitrary: fc.constant(kind), weight }))),
    method: fc.constantFrom(undefined, undefined, "POST", "POST", "GET", "PATCH", "DELETE"),
    count: fc.constantFrom(1, 1, 2, 3, 7),
  })
  .map(({ kind, method, count }) => {
    const on = WRITE_ONLY.has(kind) && (method === undefined || method === "GET") ? "POST" : method;
    const shape = FAULTS.find(([k]) => k === kind)?.[1];
    // Slow answers cost real time: a few are enough to exhaust nothing but the clock.
    const times = shape?.delayMs ? Math.min(count, 2) : count;
    const rule: FaultRule = { ...shape, count: times, ...(on && { method: on }) };
    return { rule, label: `fault: ${on ?? "any"} ${kind} ×${times}` };
  });

function faultCommands(options: CommandOptions): fc.WeightedArbitrary<ModelCommand>[] {
  const fault = faultRule.map(({ rule, label }) => new Step(label, (_m, w) => w.fault(rule)));
  // The real CLI level has few steps to spend (each command takes seconds): a fault is mostly
  // injected right before the command whose requests it is for, so that it meets one.
  // A change first, so that the command has requests to make (an up of an unchanged program has
  // none): a new resource (a list and a POST), a rename (a PATCH) or a removal (a DELETE).
  const faultThenCommand = fc
    .tuple(
      fc.constantFrom<"add" | "rename" | "remove">("add", "add", "rename", "rename", "remove"),
      displayName,
      index,
      faultRule,
      fc.boolean(),
      fc.constantFrom<"up" | "refresh" | "destroy, then up">("up", "up", "up", "refresh", "destroy, then up"),
    )
    .map(
      ([change, name, i, { rule: generated, label }, onTheWrite, command]) =>
        new Step(`${change} (${name}, #${i}), ${label}, then ${command}`, async (m, w) => {
          const target = m.names.length ? resourceOf(m, i) : undefined;
          // A rename or removal with nothing to rename or remove adds a resource instead.
          const made = target ? change : "add";
          if (made === "add") {
            const fresh = `r${m.next++}`;
            m.names.push(fresh);
            w.program.set(fresh, { displayName: name });
          } else if (made === "rename" && target) {
            edit(w, target, (d) => ({ ...d, displayName: name }));
          } else if (made === "remove" && target) {
            m.names = m.names.filter((n) => n !== target);
            w.program.delete(target);
          }
          // Aimed at the write the change makes, or at any request: a fault on a method the
          // command never sends would meet nothing.
          const write = { add: "POST", rename: "PATCH", remove: "DELETE" }[made];
          const method = onTheWrite || generated.applyThen !== undefined ? write : undefined;
          w.fault({ ...generated, method });
          if (command === "refresh") await w.refresh();
          else {
            if (command === "destroy, then up") await w.destroy();
            await w.up();
          }
          return `${made}, on ${method ?? "any"}`;
        }),
    );
  // Intune answering 204 to a PATCH it did not apply: a fault status of 204 does exactly that.
  const patchNotApplied = fc.constant(
    new Step("fault: PATCH answered 204, not applied", (_m, w) => w.fault({ method: "PATCH", status: 204 })),
  );
  const throttle = fc.constant(
    new Step("throttling: 2 writes / 6 requests per 300 ms from now on", (_m, w) =>
      w.emulator.setOptions({ throttle: { enabled: true, windowMs: 300, appWrites: 2, appAll: 6 } }),
    ),
  );
  return [
    // Standalone, a fault waits for whatever command comes: the CLI level has few to spare.
    { arbitrary: fault, weight: options.faultBias ? 2 : 8 },
    { arbitrary: patchNotApplied, weight: 1 },
    { arbitrary: throttle, weight: 1 },
    ...(options.faultBias ? [{ arbitrary: faultThenCommand, weight: 24 }] : []),
  ];
}

export interface CommandOptions {
  /** The provider knows allowDuplicateDisplayName (only then do sequences set it). */
  allowDuplicate: boolean;
  /** Include killed `up`s and their repair (default in runModel: true). */
  killedUps: boolean;
  /**
   * Add "fault, then up" (or refresh, or destroy and up) as one command, weighted high: the real
   * CLI level's choice, where commands are few and a fault must meet a request to count.
   */
  faultBias?: boolean;
}

/** Every command, weighted. */
export function modelCommands(options: CommandOptions): fc.Arbitrary<ModelCommand>[] {
  return [fc.oneof(...userCommands(options), ...outOfBandCommands(), ...faultCommands(options))];
}
