/**
 * The system the commands act on: the emulated tenant, a program, a stack, and the ledger that
 * checks every stack command against the invariants. `World` holds what both levels share; a
 * level says how a stack command runs: `ProviderWorld` with the engine stand-in (mocha), the
 * CLI world (cli-model.ts) with the real `pulumi`.
 */
import type { AppRegistration, ConnectorRecord, Emulator, FaultRule } from "intune-graph-emulator";
import type { ProviderEnvironment } from "pulumi-intune-domain-join/internal/connector/provider";
import { decide } from "pulumi-intune-domain-join/internal/repair/decisions";
import type { CreateIntent } from "pulumi-intune-domain-join/internal/connector/create-journal";
import type { CreateFields } from "pulumi-intune-domain-join/internal/connector/ownership";
import { IntunePluginProvider } from "pulumi-intune-domain-join/internal/plugin/provider";
import { PLUGIN_RESOURCE_TYPE } from "pulumi-intune-domain-join/internal/connector/constants";
import { FAST_RETRY, providerEnvironment, providerFor } from "../provider-harness";
import { startTestEmulator } from "../emulator";
import { Bag, DynamicProvider, Engine, EngineReport, Program } from "./engine";
import {
  InvariantId,
  ModelViolation,
  Violation,
  checkStep,
  convergence,
  teardown,
  unexplained,
} from "./invariants";
import { OwnershipLedger, StateView, StepFacts, tenantOf } from "./ledger";

export const CONNECTORS_PATH = "/beta/deviceManagement/domainJoinConnectors";
export const RESOURCE_TYPE = "pulumi-nodejs:dynamic/intune:DomainJoinConnector";

/** The tenant every sequence starts from: one connector shares a display name with the pool. */
export const SEEDED: Partial<ConnectorRecord>[] = [
  // Left over from another tool's POST: it never contacted Intune, like a connector we create.
  {
    id: "0dd0a000-0000-4000-8000-00000000000a",
    displayName: "ODJ A",
    version: "6.2504.2001.8",
    state: "inactive",
    lastConnectionDateTime: "0001-01-01T00:00:00Z",
  },
  { id: "0dd0a000-0000-4000-8000-00000000000b", displayName: "HQ-SRV01", version: "6.2504.2001.8" },
  { id: "0dd0a000-0000-4000-8000-00000000000c", displayName: "BRANCH-SRV02", version: "6.2501.2000.5" },
  // The metadata lets displayName be null: a tenant may hold a connector without a name.
  { id: "0dd0a000-0000-4000-8000-00000000000d", displayName: null, version: "6.2504.2001.8" },
];

/**
 * Writer apps taken in turn, one per stack command. Each command is a new provider process in
 * real life, with its own client-side rate limiter; in this one process the limiter is shared per
 * app, so without turns a long run would be held back by a limiter no real run would meet.
 */
export const MODEL_APPS: AppRegistration[] = Array.from({ length: 16 }, (_, i) => ({
  clientId: `5e0de100-0000-4000-8000-${String(i).padStart(12, "0")}`,
  displayName: `writer${i}`,
  roles: ["DeviceManagementConfiguration.ReadWrite.All"],
}));
let nextApp = 0;
let faultCounter = 0;

/** The emulator the model runs against: the seeded tenant, the writer apps, no throttling. */
export function startModelEmulator(): Promise<Emulator> {
  return startTestEmulator({ seed: SEEDED, apps: MODEL_APPS, throttle: { enabled: false } });
}

/**
 * Test-sized timings, in the production proportions that matter: a slow answer comes back
 * after the client gave up, but within the window in which a lost create is reconciled.
 */
export const MODEL_TIMINGS = {
  retry: { ...FAST_RETRY, requestTimeoutMs: 400, deadlineMs: 10_000 },
  api: { readAfterWriteMs: 600, reconcileMs: 1200 },
  slowBelowMs: 150,
  slowAboveMs: 550,
};

/** What a level's stack command reports (the world adds the tenant before/after). */
export type StackRun = Pick<StepFacts, "creates" | "deleted" | "errors" | "texts" | "state">;

export abstract class World {
  readonly program: Program = new Map();
  readonly ledger = new OwnershipLedger();
  readonly stats = { steps: 0, faults: 0 };
  /** Labels of the fault rules this sequence added (to count those that hit a request). */
  readonly faultLabels: string[] = [];
  /** The commands run so far, with what each resolved to (printed with a violation). */
  readonly journal: string[] = [];

  constructor(
    readonly emulator: Emulator,
    private readonly only: readonly InvariantId[],
  ) {}

  abstract up(): Promise<StepFacts>;
  abstract refresh(): Promise<StepFacts>;
  abstract destroy(): Promise<StepFacts>;
  /** An `up` whose CLI dies after `keep` operations, then the documented recovery. */
  abstract killedUp(keep: number): Promise<StepFacts>;
  /** Ids (lower case) the stack's state holds. */
  abstract heldIds(): Set<string>;
  protected abstract secrets(): string[];

  private slowRequests = false;
  private lastStepEnded = 0;

  /** Ends the sequence (the CLI level also removes its program copy). */
  async close(): Promise<void> {
    await this.drain();
  }

  /**
   * A request slowed past the client's timeout is still being processed after the command that
   * sent it gave up on it. Before the settling run counts requests, and before the next sequence
   * reuses the seeded ids, it must have landed.
   */
  private async drain(): Promise<void> {
    const wait = this.lastStepEnded + MODEL_TIMINGS.slowAboveMs + 50 - Date.now();
    if (this.slowRequests && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** Runs one stack command and checks I1, I2, I3 and I5 on what it did. */
  protected async observe(label: string, run: () => Promise<StackRun>): Promise<StepFacts> {
    this.ledger.noteProgram(this.program);
    const before = tenantOf(this.emulator.connectors());
    const result = await run();
    this.lastStepEnded = Date.now();
    const program: Program = new Map([...this.program].map(([name, d]) => [name, { ...d }]));
    const facts: StepFacts = {
      label,
      program,
      before,
      after: tenantOf(this.emulator.connectors()),
      ...result,
    };
    this.ledger.record(facts);
    this.enforce(checkStep(facts, this.ledger, this.secrets()));
    return facts;
  }

  protected enforce(violations: Violation[]): void {
    const kept = violations.filter((v) => this.only.includes(v.invariant));
    if (kept.length) throw new ModelViolation(kept);
  }

  /** The Graph requests `run` sent. */
  private async requestsOf(run: () => Promise<unknown>): Promise<{ method: string; status: number }[]> {
    const start = this.emulator.requestLog({ kind: "graph" }).length;
    await run();
    return this.emulator.requestLog({ kind: "graph" }).slice(start);
  }

  fault(rule: FaultRule): void {
    const label = `f${++faultCounter}`;
    this.emulator.addFault({ path: CONNECTORS_PATH, ...rule, label });
    this.faultLabels.push(label);
    if (rule.delayMs) this.slowRequests = true;
    this.stats.faults++;
  }

  /**
   * I4: faults stop; refresh and up reach the desired tenant; a second up sends nothing; destroy
   * empties the stack and removes what it created (the per-step checks catch it touching more).
   */
  async settle(): Promise<void> {
    this.emulator.clearFaults();
    this.emulator.setOptions({ throttle: { enabled: false } });
    await this.drain();
    const refresh = await this.refresh();
    const before = tenantOf(this.emulator.connectors());
    const up = await this.up();
    const problems = convergence(refresh, up, this.ledger, before);
    if (!problems.length && unexplained(up.errors).length === 0) {
      // A removal the service refuses is retried by every up until the user acts (its error says how).
      const second = await this.requestsOf(() => this.up());
      const extra = second.filter((e) => !(e.method === "DELETE" && e.status === 400));
      if (extra.length) {
        const calls = extra.map((e) => `${e.method} ${e.status}`).join(", ");
        problems.push({
          invariant: "I4",
          message: `a second up sent ${extra.length} Graph requests: ${calls}`,
        });
      }
      // The nightly run: the servers check in (reporting the versions they run), then refresh + up
      // writes nothing — no write war with the connector software.
      this.emulator.heartbeatRunning();
      const nightly = await this.requestsOf(async () => {
        await this.refresh();
        await this.up();
      });
      const writes = nightly.filter(
        (e) => e.method !== "GET" && !(e.method === "DELETE" && e.status === 400),
      );
      if (writes.length) {
        const calls = writes.map((e) => `${e.method} ${e.status}`).join(", ");
        problems.push({
          invariant: "I4",
          message: `after the servers checked in, a refresh + up wrote ${writes.length} times: ${calls}`,
        });
      }
    }
    this.enforce(problems);
    this.enforce(teardown(await this.destroy(), this.ledger));
  }
}

/** The two forms of the provider: the dynamic one of TypeScript programs, the plugin of every language. */
export type ProviderForm = "dynamic" | "plugin";

export interface ProviderWorldOptions {
  only: readonly InvariantId[];
  /** Default "dynamic". */
  form?: ProviderForm;
  /** Passed to the provider; false switches off the ownership guard (the planted bug). */
  preCreateRead?: boolean;
}

/** Provider level: DomainJoinConnectorProvider driven by the engine stand-in. */
export class ProviderWorld extends World {
  private readonly engine = new Engine(() => this.newProvider());
  // Notes of POSTs in flight (create-journal.ts). The engine stand-in cannot kill a POST half
  // way, so a note is kept after its POST settled, as a killed process would have left it.
  private notes: CreateIntent[] = [];
  private readonly tokens = new Set<string>();
  private texts: string[] = [];

  constructor(
    emulator: Emulator,
    private readonly options: ProviderWorldOptions,
  ) {
    super(emulator, options.only);
  }

  up(): Promise<StepFacts> {
    return this.observe("up", () => this.run(() => this.engine.up(this.program)));
  }

  refresh(): Promise<StepFacts> {
    return this.observe("refresh", () => this.run(() => this.engine.refresh()));
  }

  destroy(): Promise<StepFacts> {
    return this.observe("destroy", () => this.run(() => this.engine.destroy()));
  }

  killedUp(keep: number): Promise<StepFacts> {
    return this.observe(`killed up (+${keep}) + repair-pending`, () =>
      this.run(async () => {
        this.notes = [];
        const killed = await this.engine.up(this.program, keep);
        if (!this.repairPending()) return killed;
        const refreshed = await this.engine.refresh(); // the tool refreshes what it imported
        return { ...killed, errors: [...killed.errors, ...refreshed.errors] };
      }),
    );
  }

  heldIds(): Set<string> {
    return new Set(this.engine.held().map((r) => r.id.toLowerCase()));
  }

  protected secrets(): string[] {
    return [...this.emulator.apps.flatMap((a) => a.secrets ?? []), ...this.tokens];
  }

  private async run(command: () => Promise<EngineReport>): Promise<StackRun> {
    this.texts = [];
    const report = await capturingDebugLogs(this.texts, command);
    return {
      creates: report.creates,
      deleted: report.deleted,
      errors: report.errors,
      texts: [...this.texts, ...report.errors.map((e) => e.message)],
      state: this.stateView(),
    };
  }

  private stateView(): StateView {
    const { resources, pendingDeletes, pendingCreates } = this.engine.state;
    const view =
      (pendingDelete: boolean) => (r: { name: string; id: string; inputs: Bag; outputs: Bag }) => ({
        name: r.name,
        id: r.id,
        inputs: r.inputs,
        outputs: r.outputs,
        pendingDelete,
      });
    return {
      resources: [...[...resources.values()].map(view(false)), ...pendingDeletes.map(view(true))],
      pendingCreates: pendingCreates.map((p) => ({ ...p })),
    };
  }

  /**
   * `pulumi cancel` + `intune-repair-pending`: its pure `decide`, applied to the state the way
   * the tool edits the exported deployment. Returns whether there was anything to repair.
   */
  private repairPending(): boolean {
    const state = this.engine.state;
    if (!state.pendingCreates.length) return false;
    const pending = state.pendingCreates.map((p) => ({ urn: p.name, type: RESOURCE_TYPE, inputs: p.inputs }));
    const tracked = new Set(this.engine.held().map((r) => r.id));
    // The notes the killed run's POSTs left, newest first, as the tool reads them.
    const notes = [...this.notes].reverse();
    for (const d of decide(pending, tracked, this.emulator.connectors(), notes)) {
      const op = state.pendingCreates.find((p) => p.name === d.urn);
      // A name still in state (a killed replacement) would be a second resource with one URN,
      // which `pulumi stack import` refuses: such an entry stays pending.
      if (d.action === "ambiguous") this.ledger.dispute(d.candidates);
      if (!op || d.action === "ambiguous" || (d.action === "import" && state.resources.has(op.name)))
        continue;
      state.pendingCreates = state.pendingCreates.filter((p) => p !== op);
      if (d.action !== "import" || !d.id) continue;
      const adopted = typeof op.inputs.connectorId === "string";
      const outputs = {
        ...op.inputs,
        connectorId: d.id,
        adopted,
        deleteOnDestroy: op.inputs.deleteOnDestroy ?? !adopted,
      };
      state.resources.set(op.name, { name: op.name, id: d.id, inputs: op.inputs, outputs, initErrors: [] });
    }
    return true;
  }

  /** A new provider "process": fast timings, debug logs on, warnings and tokens collected for I5. */
  private newProvider(): DynamicProvider {
    const overrides = {
      retry: MODEL_TIMINGS.retry,
      apiOptions: MODEL_TIMINGS.api,
      env: { INTUNE_DEBUG: "1" },
      warn: (message: string) => this.texts.push(message),
      recordIntent: (fields: CreateFields, before: ReadonlySet<string>) => {
        const note: CreateIntent = { ...fields, before: [...before], at: new Date().toISOString() };
        this.notes.push(note);
        return (made?: string) => {
          if (made) note.made = made;
        };
      },
      // Cast: the option exists only once the ownership guard has landed.
      ...(this.options.preCreateRead === false && { preCreateRead: false }),
    } as Partial<ProviderEnvironment>;
    const app = MODEL_APPS[nextApp++ % MODEL_APPS.length].displayName;
    if (this.options.form === "plugin") return this.newPlugin(app, overrides);
    const { provider } = providerFor(this.emulator, app, overrides);
    this.collectTokens(provider.connect());
    return provider;
  }

  /**
   * The intune plugin's provider as the engine drives it: settings by provider config only (its
   * environment holds no credential), warnings through its sink, each call about one resource.
   */
  private newPlugin(app: string, overrides: Partial<ProviderEnvironment>): DynamicProvider {
    const { warn, env, ...environment } = providerEnvironment(this.emulator, app, overrides);
    const plugin = new IntunePluginProvider({
      environment: { ...environment, env: withoutCredentials(env ?? {}) },
      warnings: async (message) => void warn?.(message),
    });
    plugin.configure(pluginConfig(env ?? {}));
    this.collectTokens(plugin.connection());
    const urn = `urn:pulumi:model::model::${PLUGIN_RESOURCE_TYPE}::connector`;
    return {
      check: (olds, news) => plugin.check(urn, olds, news),
      diff: (id, olds, news) => plugin.diff(id, urn, olds, news),
      create: (inputs) => plugin.create(urn, inputs),
      read: (id, props) => plugin.read(id, urn, props),
      update: (id, olds, news) => plugin.update(id, urn, olds, news),
      delete: (id, props) => plugin.delete(id, urn, props),
      close: () => plugin.connection().close(),
    };
  }

  /** Every token the provider gets is a secret that must never reach a text (I5). */
  private collectTokens({ tokens }: { tokens: { getToken(): Promise<string> } }): void {
    const getToken = tokens.getToken.bind(tokens);
    tokens.getToken = async () => {
      const token = await getToken();
      this.tokens.add(token);
      return token;
    };
  }
}

/** The environment variables of the emulator's client settings, as the plugin's provider config. */
const CONFIG_OF_ENV: Record<string, string> = {
  AZURE_TENANT_ID: "intune:tenantId",
  AZURE_CLIENT_ID: "intune:clientId",
  AZURE_CLIENT_SECRET: "intune:clientSecret",
  AZURE_AUTHORITY_HOST: "intune:authorityHost",
  INTUNE_GRAPH_ENDPOINT: "intune:graphEndpoint",
};

function pluginConfig(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(CONFIG_OF_ENV)
      .filter(([variable]) => env[variable] !== undefined)
      .map(([variable, key]) => [key, env[variable] as string]),
  );
}

function withoutCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([variable]) => !(variable in CONFIG_OF_ENV)));
}

/** Runs `work` with the provider's debug log lines (stderr, "[intune] …") captured into `sink`. */
async function capturingDebugLogs<T>(sink: string[], work: () => Promise<T>): Promise<T> {
  const stderr = process.stderr;
  const original = stderr.write;
  stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = String(chunk);
    if (text.startsWith("[intune]")) {
      sink.push(text);
      return true;
    }
    return original.call(stderr, chunk, ...rest);
  }) as typeof stderr.write;
  try {
    return await work();
  } finally {
    stderr.write = original;
  }
}
