/**
 * `npm run bench`: the provider's cost against its physical limits and against a naive design, with
 * the real Pulumi CLI and the emulator at a realistic latency and Intune's ODJ throttling limits.
 *
 * For each N (1, 10, 100, 500; `--quick`: 1, 10) and each provider (ours, installed from its packed
 * tarball as a user installs it; plugin, the same provider code as the `intune` plugin in a YAML
 * program; the official Graph SDK peer of bench/sdk-peer/; the naive baseline of bench/baseline/),
 * on a fresh emulated tenant: preview, first up (creates N), no-op up, up
 * renaming every connector, refresh (one GET each), destroy. Then a fault table: each provider's
 * first up of `--fault-n` connectors under a POST applied then answered 504, a 429 storm and a 503
 * burst, with the duplicates made and the creates that failed.
 * Each operation records the Graph requests by kind, its wall time beside the throttling bound
 * (N writes at 100 per 20 s, the first 100 at once) and the latency bound, and the peak RSS of the
 * provider's process (the dynamic provider's, or the plugin's); after the first up, the state bytes per connector and the serialized
 * provider's share. Results go to bench/results/ (JSON, Markdown, SVG chart).
 */
import { spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { cpus, tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { Emulator, FaultRule, clientEnvironment, startEmulator } from "intune-graph-emulator";
import { installLikeAUser } from "intune-test-support/consumer";
import { intunePluginDir, yamlHostDir } from "intune-test-support/plugin";
import { PulumiProject, PulumiRunOptions, REPO_ROOT, ensurePulumiCli } from "intune-test-support/pulumi-cli";
import { renderChart } from "./chart";
import {
  BenchResults,
  FaultRow,
  OperationRow,
  Operation,
  PROVIDERS,
  ProviderName,
  StateRow,
  latencyBoundSeconds,
  lowerBound,
  renderMarkdown,
  throttleBoundSeconds,
} from "./report";

const STACK = "bench";
const PEER_PROGRAMS = {
  sdk: "dist/bench/sdk-peer/program.js",
  baseline: "dist/bench/baseline/program.js",
} as const;
const PAGE_SIZE = 100;
/** The connectors' resource type in the state: the dynamic providers' prefix, the plugin's token. */
const DYNAMIC_TYPE_PREFIX = "pulumi-nodejs:dynamic/";
const PLUGIN_TYPE = "intune:index:DomainJoinConnector";

/** Whether a state resource is one of the connectors the bench declared, in either form. */
function isConnector(type: string): boolean {
  return type.startsWith(DYNAMIC_TYPE_PREFIX) || type === PLUGIN_TYPE;
}

interface Settings {
  sizes: number[];
  latencyMs: number;
  parallel: number;
  baselineMax: number;
  timeoutSeconds: number;
  /** The whole run stops starting commands after this long (then marks the rest skipped). */
  budgetSeconds: number;
  outDir: string;
  quick: boolean;
  /** Rewrite the Markdown and the chart from the JSON of the last run, without running anything. */
  renderOnly: boolean;
  /** Connectors in each fault scenario (0: no fault table). */
  faultN: number;
  /** Which providers run (default all four). */
  providers: ProviderName[];
  /** Where to write each operation's request log (JSON), for timing analysis; default none. */
  requestsOut?: string;
}

function parseSettings(): Settings {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      "latency-ms": { type: "string", default: "80" },
      sizes: { type: "string" },
      parallel: { type: "string", default: "64" },
      "baseline-max": { type: "string", default: "500" },
      "timeout-seconds": { type: "string", default: "300" },
      "budget-seconds": { type: "string", default: "1500" },
      "fault-n": { type: "string", default: "10" },
      providers: { type: "string", default: PROVIDERS.join(",") },
      "requests-out": { type: "string" },
      out: { type: "string" },
      "render-only": { type: "boolean", default: false },
    },
  });
  const quick = values.quick ?? false;
  const number = (name: string, text: string, min: number): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got ${text}`);
    return n;
  };
  const sizes = (values.sizes ?? (quick ? "1,10" : "1,10,100,500")).split(",").map((s) => {
    const n = number("sizes", s.trim(), 1);
    if (!Number.isInteger(n) || n > 2000) throw new Error(`--sizes: whole numbers from 1 to 2000, got ${s}`);
    return n;
  });
  return {
    sizes,
    latencyMs: number("latency-ms", values["latency-ms"] ?? "80", 0),
    parallel: number("parallel", values.parallel ?? "64", 1),
    baselineMax: number("baseline-max", values["baseline-max"] ?? "500", 0),
    timeoutSeconds: number("timeout-seconds", values["timeout-seconds"] ?? "300", 10),
    budgetSeconds: number("budget-seconds", values["budget-seconds"] ?? "1500", 30),
    faultN: number("fault-n", values["fault-n"] ?? "10", 0),
    providers: parseProviders(values.providers ?? PROVIDERS.join(",")),
    requestsOut: values["requests-out"] ? path.resolve(values["requests-out"]) : undefined,
    outDir: path.resolve(REPO_ROOT, values.out ?? (quick ? "bench/results/quick" : "bench/results")),
    quick,
    renderOnly: values["render-only"] ?? false,
  };
}

function parseProviders(text: string): ProviderName[] {
  const names = text.split(",").map((p) => p.trim());
  for (const name of names) {
    if (!PROVIDERS.includes(name as ProviderName)) {
      throw new Error(`--providers: ${PROVIDERS.join(", ")} (comma-separated), got ${JSON.stringify(name)}`);
    }
  }
  return names as ProviderName[];
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/**
 * What a provider's process holds in its command line: the dynamic-provider plugin of
 * @pulumi/pulumi for ours and the peers; for the plugin form, the built plugin that
 * `pulumi-resource-intune` runs (provider/dist/plugin/main.js).
 */
const PROVIDER_PROCESS: Record<ProviderName, string> = {
  ours: "cmd/dynamic-provider",
  sdk: "cmd/dynamic-provider",
  baseline: "cmd/dynamic-provider",
  plugin: "plugin/main.js",
};

/** Peak RSS (VmHWM) of the provider processes (dynamic provider or plugin) running in one program directory. */
class ProviderMemoryProbe {
  private peakKb = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly programDir: string,
    private readonly marker: string,
  ) {}

  start(): void {
    this.peakKb = 0;
    this.timer = setInterval(() => this.sample(), 200);
  }

  /** Stops polling; the peak in MB, or null when no provider process was seen. */
  stop(): number | null {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.peakKb > 0 ? Math.round(this.peakKb / 102.4) / 10 : null;
  }

  private sample(): void {
    let pids: string[];
    try {
      pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
    } catch {
      return;
    }
    for (const pid of pids) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (!cmdline.includes(this.marker)) continue;
        if (readlinkSync(`/proc/${pid}/cwd`) !== this.programDir) continue;
        const hwm = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        if (hwm) this.peakKb = Math.max(this.peakKb, Number(hwm[1]));
      } catch {
        // the process ended between the listing and the read
      }
    }
  }
}

/**
 * A measured `pulumi` run on the bench stack: a failure is a result, and a time limit stops it
 * (SIGINT, so Pulumi cancels cleanly, then SIGKILL 15 s later).
 */
const measured = (timeoutSeconds: number): PulumiRunOptions => ({
  stack: STACK,
  allowFailure: true,
  timeoutSeconds,
});

/**
 * A temporary program directory for one provider. Ours runs the root stack's program copied into
 * it, with the package installed there from its packed tarball, as a user's project holds it (so
 * the state is what users get). The plugin form's program is YAML, its N connectors written out
 * (YAML has no loops; see yamlProgram); the engine finds the plugin and the YAML host on PATH. The
 * peers are programs a user writes, provider included: they run from the repository's build, their
 * provider stored by value like such a user's.
 */
function makeProgram(provider: ProviderName, n: number): { dir: string; backend: string; cleanup(): void } {
  const base = realpathSync(mkdtempSync(path.join(tmpdir(), "intune-bench-")));
  const dir = path.join(base, "program");
  mkdirSync(dir);
  const cleanup = () => rmSync(base, { recursive: true, force: true });
  if (provider === "plugin") {
    writeYamlProgram(dir, n, 1);
    return { dir, backend: path.join(base, "state"), cleanup };
  }
  writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    "name: intune-connectors\nruntime: nodejs\nmain: index.js\ndescription: benchmark program\n",
  );
  writeFileSync(path.join(dir, "package.json"), '{ "name": "intune-bench-program", "private": true }\n');
  if (provider === "ours") {
    for (const file of ["index.js", "connectors-config.js"]) {
      cpSync(path.join(REPO_ROOT, "dist/stack", file), path.join(dir, file));
    }
    installLikeAUser(dir);
  } else {
    const main = path.join(REPO_ROOT, PEER_PROGRAMS[provider]);
    writeFileSync(path.join(dir, "index.js"), `module.exports = require(${JSON.stringify(main)});\n`);
    symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  }
  return { dir, backend: path.join(base, "state"), cleanup };
}

function connectorConfig(n: number, generation: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `c${String(i + 1).padStart(4, "0")}`,
    displayName: `Bench connector ${i + 1} (v${generation})`,
  }));
}

/**
 * The plugin form's program: the same N connectors as connectorConfig's, one `intune:DomainJoinConnector`
 * each, written into Pulumi.yaml (the "rename all" step rewrites it with generation 2, where the
 * others rewrite their stack config). Values are written as JSON, which is YAML.
 */
function yamlProgram(n: number, generation: number): string {
  const lines = [
    "name: intune-connectors",
    "runtime: yaml",
    "description: benchmark program (the intune plugin)",
    "resources:",
  ];
  for (const { name, displayName } of connectorConfig(n, generation)) {
    lines.push(
      `  ${String(name)}:`,
      "    type: intune:DomainJoinConnector",
      "    properties:",
      `      displayName: ${JSON.stringify(displayName)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function writeYamlProgram(dir: string, n: number, generation: number): void {
  writeFileSync(path.join(dir, "Pulumi.yaml"), yamlProgram(n, generation));
}

/** The emulator's throttling windows start empty, so each operation is measured against a fresh budget. */
function resetThrottleWindows(emulator: Emulator): void {
  // No public API resets the windows alone (reset() also empties the tenant); see the report.
  emulator.resetThrottle();
}

interface StateInfo {
  bytesPerConnector: number;
  providerShare: number;
  providerBytes: number;
  positionBytes: number;
  exportBytes: number;
}

function measureState(exported: string, n: number): StateInfo {
  const deployment = JSON.parse(exported) as {
    deployment: {
      resources?: {
        type: string;
        inputs?: Record<string, unknown>;
        outputs?: Record<string, unknown>;
        stackTrace?: unknown;
        sourcePosition?: unknown;
      }[];
    };
  };
  const resources = (deployment.deployment.resources ?? []).filter((r) => isConnector(r.type));
  let total = 0;
  let provider = 0;
  let position = 0;
  const stored = (value: unknown) => (value === undefined ? 0 : JSON.stringify(value).length);
  for (const r of resources) {
    total += JSON.stringify(r).length;
    // The dynamic providers' serialized code; the plugin form stores none.
    provider += stored(r.inputs?.__provider) + stored(r.outputs?.__provider);
    // Where the language host says the resource was registered (the YAML host: in its own Go code).
    position += stored(r.stackTrace) + stored(r.sourcePosition);
  }
  const count = Math.max(1, resources.length);
  return {
    bytesPerConnector: Math.round(total / count),
    providerBytes: Math.round(provider / count),
    providerShare: total ? provider / total : 0,
    positionBytes: Math.round(position / count),
    exportBytes: Math.round(Buffer.byteLength(exported) / n),
  };
}

/**
 * When the command's first and last Graph or token requests reached the emulator, in seconds from
 * its start: what comes before is engine and program start-up, what comes after is the engine's
 * finish (the last checkpoint write among it).
 */
function requestTimeline(
  emulator: Emulator,
  startedAt: number,
): { firstRequestSeconds: number | null; lastRequestSeconds: number | null } {
  const times = emulator
    .requestLog()
    .filter((e) => e.kind !== "admin")
    .map((e) => Date.parse(e.time));
  if (times.length === 0) return { firstRequestSeconds: null, lastRequestSeconds: null };
  const at = (t: number) => Math.round((t - startedAt) / 10) / 100;
  return { firstRequestSeconds: at(Math.min(...times)), lastRequestSeconds: at(Math.max(...times)) };
}

/** When the run started, for the time budget. */
const runStarted = Date.now();

function remainingSeconds(settings: Settings): number {
  return settings.budgetSeconds - (Date.now() - runStarted) / 1000;
}

/**
 * A fresh emulated tenant and a program for `provider` declaring N connectors (in its stack config,
 * or for the plugin form in its YAML), handed to `work`, then both removed.
 */
async function withStack<T>(
  provider: ProviderName,
  n: number,
  settings: Settings,
  work: (project: PulumiProject, emulator: Emulator, programDir: string) => Promise<T>,
): Promise<T> {
  const program = makeProgram(provider, n);
  const emulator = await startEmulator({
    stateDir: path.join(REPO_ROOT, ".emulator"),
    latencyMs: settings.latencyMs,
    pageSize: PAGE_SIZE,
  });
  try {
    const project = new PulumiProject({
      dir: program.dir,
      backendDir: program.backend,
      passphrase: "bench-local-state-only",
      env: clientEnvironment(emulator, "writer"),
      // The plugin form: `pulumi-resource-intune` (this Node running the built plugin) and the YAML host.
      pathDirs: provider === "plugin" ? [intunePluginDir(), yamlHostDir()] : undefined,
    });
    await project.initStack(
      STACK,
      provider === "plugin" ? {} : { "intune-connectors:connectors": connectorConfig(n, 1) },
    );
    return await work(project, emulator, program.dir);
  } finally {
    await emulator.close();
    program.cleanup();
  }
}

async function runScenario(
  provider: ProviderName,
  n: number,
  settings: Settings,
  rows: OperationRow[],
  states: StateRow[],
): Promise<void> {
  await withStack(provider, n, settings, async (project, emulator, programDir) => {
    const probe = new ProviderMemoryProbe(programDir, PROVIDER_PROCESS[provider]);
    const parallel = ["--parallel", String(settings.parallel)];
    const steps: { op: Operation; args: string[]; before?: () => void }[] = [
      { op: "preview", args: ["preview", ...parallel] },
      { op: "up (create)", args: ["up", "--yes", "--skip-preview", ...parallel] },
      { op: "up (no-op)", args: ["up", "--yes", "--skip-preview", ...parallel] },
      {
        op: "up (rename all)",
        args: ["up", "--yes", "--skip-preview", ...parallel],
        before: () =>
          provider === "plugin"
            ? writeYamlProgram(programDir, n, 2)
            : project.writeConfig(STACK, { "intune-connectors:connectors": connectorConfig(n, 2) }),
      },
      { op: "refresh", args: ["refresh", "--yes", "--skip-preview", ...parallel] },
      { op: "destroy", args: ["destroy", "--yes", "--skip-preview", ...parallel] },
    ];

    let broken: string | undefined;
    for (const step of steps) {
      const base = {
        n,
        provider,
        operation: step.op,
        lowerBound: lowerBound(step.op, n, PAGE_SIZE),
        throttleBoundSeconds: throttleBoundSeconds(step.op, n),
        latencyBoundSeconds: latencyBoundSeconds(
          step.op,
          n,
          settings.latencyMs,
          settings.parallel,
          PAGE_SIZE,
        ),
      };
      if (broken) {
        rows.push({
          ...base,
          status: `skipped (${broken})`,
          requests: null,
          wallSeconds: null,
          peakRssMb: null,
        });
        continue;
      }
      const remaining = remainingSeconds(settings);
      if (remaining < 20) {
        rows.push({
          ...base,
          status: "skipped (time budget)",
          requests: null,
          wallSeconds: null,
          peakRssMb: null,
        });
        continue;
      }
      const timeout = Math.min(settings.timeoutSeconds, Math.floor(remaining));
      step.before?.();
      resetThrottleWindows(emulator);
      emulator.clearLog();
      probe.start();
      const outcome = await project.run(step.args, measured(timeout));
      const peakRssMb = probe.stop();
      const s = emulator.summary();
      if (settings.requestsOut) {
        mkdirSync(settings.requestsOut, { recursive: true });
        const file = `${provider}-${n}-${step.op.replace(/\W+/g, "-")}.json`;
        const entries = emulator
          .requestLog()
          .map(({ seq, time, kind, method, status }) => ({ seq, time, kind, method, status }));
        writeFileSync(
          path.join(settings.requestsOut, file),
          JSON.stringify({ startedAt: outcome.startedAt, entries }),
        );
      }
      const status = outcome.timedOut
        ? `timed out after ${timeout} s`
        : outcome.code === 0
          ? "ok"
          : `failed (exit ${outcome.code})`;
      rows.push({
        ...base,
        status,
        // A fresh object with exactly the request counts.
        requests: s,
        wallSeconds: Math.round(outcome.seconds * 100) / 100,
        ...requestTimeline(emulator, outcome.startedAt),
        peakRssMb,
      });
      log(
        `  N=${String(n).padEnd(4)} ${provider.padEnd(8)} ${step.op.padEnd(24)} ${outcome.seconds.toFixed(1).padStart(6)} s  ` +
          `${emulator.summaryLine()}  rss ${peakRssMb ?? "–"} MB  ${status}`,
      );
      if (status !== "ok") {
        log(outcome.output.split("\n").slice(-25).join("\n"));
        broken = `after ${step.op} ${outcome.timedOut ? "timed out" : "failed"}`;
      }
      if (step.op === "up (create)" && status === "ok") {
        const exported = (await project.run(["stack", "export"], { stack: STACK })).stdout;
        states.push({ n, provider, ...measureState(exported, n) });
      }
    }
  });
}

interface Fault {
  name: FaultRow["fault"];
  rule: FaultRule;
}

/** Each on the connectors path, during the first up; the storm and the burst last from their first hit. */
const FAULTS: Fault[] = [
  {
    name: "POST applied, answered 504",
    rule: { method: "POST", path: "domainJoinConnectors", applyThen: 504, count: 1 },
  },
  { name: "429 storm", rule: { path: "domainJoinConnectors", status: 429, retryAfter: 1, forMs: 10_000 } },
  { name: "503 burst", rule: { path: "domainJoinConnectors", status: 503, retryAfter: null, forMs: 5_000 } },
];

/** One provider's first up of `faultN` connectors with one fault injected. */
async function runFault(provider: ProviderName, fault: Fault, settings: Settings): Promise<FaultRow> {
  const n = settings.faultN;
  return withStack(provider, n, settings, async (project, emulator) => {
    emulator.clearLog();
    emulator.addFault(fault.rule);
    const outcome = await project.run(
      ["up", "--yes", "--skip-preview", "--parallel", String(settings.parallel)],
      measured(settings.timeoutSeconds),
    );
    const s = emulator.summary();
    const tenant = emulator.connectors();
    const exported = JSON.parse((await project.run(["stack", "export"], { stack: STACK })).stdout) as {
      deployment: { resources?: { type: string }[] };
    };
    const managed = (exported.deployment.resources ?? []).filter((r) => isConnector(r.type)).length;
    const row: FaultRow = {
      n,
      provider,
      fault: fault.name,
      status: outcome.timedOut ? "timed out" : outcome.code === 0 ? "ok" : `failed (exit ${outcome.code})`,
      duplicates: tenant.length - new Set(tenant.map((c) => c.displayName)).size,
      failed: n - managed,
      requests: s,
      wallSeconds: Math.round(outcome.seconds * 100) / 100,
    };
    log(
      `  fault ${fault.name.padEnd(28)} ${provider.padEnd(8)} ${outcome.seconds.toFixed(1).padStart(6)} s  ` +
        `${emulator.summaryLine()}  duplicates ${row.duplicates}, failed ${row.failed}  ${row.status}`,
    );
    return row;
  });
}

async function writeResults(results: BenchResults, outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const json = path.join(outDir, "results.json");
  const md = path.join(outDir, "results.md");
  const svg = path.join(outDir, "wall-time.svg");
  writeFileSync(json, JSON.stringify(results, null, 2) + "\n");
  writeFileSync(md, renderMarkdown(results));
  writeFileSync(svg, renderChart(results));
  await formatFiles([json, md]);
  log(`bench: wrote ${[json, md, svg].map((f) => path.relative(REPO_ROOT, f)).join(", ")}`);
  return readFileSync(md, "utf8");
}

async function main(): Promise<void> {
  const settings = parseSettings();
  if (settings.renderOnly) {
    const previous = JSON.parse(
      readFileSync(path.join(settings.outDir, "results.json"), "utf8"),
    ) as BenchResults;
    process.stdout.write(await writeResults(previous, settings.outDir));
    return;
  }
  const bin = ensurePulumiCli();
  log(
    `bench: sizes ${settings.sizes.join(", ")}; latency ${settings.latencyMs} ms; --parallel ${settings.parallel}; ` +
      `peers up to N=${settings.baselineMax}; faults at N=${settings.faultN}; pulumi ${bin}`,
  );
  const rows: OperationRow[] = [];
  const states: StateRow[] = [];
  const baselineSkipped: number[] = [];
  const errors: string[] = [];
  // A scenario that cannot even start (stack init, emulator) is recorded, and the run goes on.
  const attempt = async (provider: ProviderName, n: number) => {
    try {
      await runScenario(provider, n, settings, rows, states);
    } catch (error) {
      const message = `${provider} at N=${n}: ${error instanceof Error ? error.message : String(error)}`;
      log(`  ${message}`);
      errors.push(message.split("\n")[0]);
    }
  };
  for (const n of settings.sizes) {
    // Both forms of the product run at every N; the peers up to --baseline-max.
    for (const form of ["ours", "plugin"] as const)
      if (settings.providers.includes(form)) await attempt(form, n);
    if (n <= settings.baselineMax) {
      for (const peer of ["sdk", "baseline"] as const)
        if (settings.providers.includes(peer)) await attempt(peer, n);
    } else baselineSkipped.push(n);
  }
  const faults: FaultRow[] = [];
  if (settings.faultN > 0) {
    for (const fault of FAULTS) {
      for (const provider of settings.providers) {
        try {
          faults.push(await runFault(provider, fault, settings));
        } catch (error) {
          errors.push(
            `${provider} under ${fault.name}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
          );
        }
      }
    }
  }
  const results: BenchResults = {
    generated: new Date().toISOString(),
    settings: {
      sizes: settings.sizes,
      latencyMs: settings.latencyMs,
      parallel: settings.parallel,
      pageSize: PAGE_SIZE,
      throttle: "Intune ODJ: 100 writes and 1000 requests per 20 s per app; 200 / 2000 per tenant",
      baselineMax: settings.baselineMax,
      baselineSkipped,
      cpus: cpus().length,
      node: process.version,
      totalSeconds: Math.round((Date.now() - runStarted) / 1000),
    },
    operations: rows,
    state: states,
    faults,
    errors,
  };
  log(`\nbench: ${results.settings.totalSeconds} s in all`);
  process.stdout.write(await writeResults(results, settings.outDir));
}

/** Prettier-format the generated files, so `prettier --check .` stays clean after a run. */
function formatFiles(files: string[]): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(
      path.join(REPO_ROOT, "node_modules/.bin/prettier"),
      ["--write", "--log-level", "warn", ...files],
      {
        cwd: REPO_ROOT,
        stdio: "inherit",
      },
    );
    child.on("close", () => resolve());
    child.on("error", () => resolve());
  });
}

main().catch((error: unknown) => {
  console.error(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
