/**
 * `npm run bench:fleet`: what a fleet costs on one machine. For each size N (50, 100, 200 tenants
 * of `--connectors` connectors each), one emulator serves the N tenants with the partner's app
 * consented in each (at the main bench's 80 ms a request, Intune's limits per tenant), and
 * `intune-fleet` runs over them, `--parallel` at once, with the real `pulumi` CLI: preview, up, a
 * no-op up, refresh and health at the largest size (`--steps`), preview and up at the others
 * (`--other-steps`). Each command records its wall time, the CPU time and peak
 * memory of its whole process tree (the fleet, each `pulumi`, language host and provider), the
 * Graph requests per tenant, the answers 429, and the tenants' outcomes.
 *
 * Beside it, the same stacks as a user would run them without the fleet: the plain CLI, one stack
 * after another (`pulumi up`, then `pulumi preview`), for `--sequential-sample` tenants of each N;
 * a stack's cost does not depend on how many others there are, so the total for N is the sample's
 * mean times N, and the results say it is an estimate from that sample.
 *
 * `--form plugin` runs the fleet's plugin form (YAML stacks on the `intune` plugin) and the plain CLI
 * on the same YAML projects; its results go to bench/results/fleet-plugin/ unless `--out` says.
 *
 * Results go to bench/results/fleet/ (results.json, results.md, fleet.svg).
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import {
  Emulator,
  PARTNER_APP,
  clientEnvironment,
  generateTenants,
  startEmulator,
} from "intune-graph-emulator";
import { yamlHostDir } from "intune-test-support/plugin";
import { PulumiProject, REPO_ROOT, ensurePulumiCli } from "intune-test-support/pulumi-cli";
import { pathWithFirst } from "pulumi-intune-domain-join/internal/fleet/engine";
import { FLEET_FORMS, FleetForm, parseFleet } from "pulumi-intune-domain-join/internal/fleet/fleet-file";
import {
  pluginShim,
  tenantConfig,
  tenantEnvironment,
  tenantProject,
} from "pulumi-intune-domain-join/internal/fleet/tenant";
import type { FleetSummary } from "pulumi-intune-domain-join/internal/fleet/summary";
import {
  FLEET_COMMANDS,
  FleetBenchResults,
  FleetCommandRow,
  FleetStep,
  SequentialRow,
  renderFleetChart,
  renderFleetMarkdown,
} from "./fleet-report";

const FLEET_COMMAND = require.resolve("pulumi-intune-domain-join/internal/fleet/command");
const PROJECT = "intune-fleet";
const SECRET_VARIABLE = "PARTNER_CLIENT_SECRET";
const CLOCK_TICKS = 100; // USER_HZ on Linux

interface Settings {
  form: FleetForm;
  sizes: number[];
  connectors: number;
  parallel: number;
  latencyMs: number;
  sequentialSample: number;
  /** The steps at the largest size. */
  steps: FleetStep[];
  /** The steps at the other sizes. */
  otherSteps: FleetStep[];
  timeoutSeconds: number;
  outDir: string;
  renderOnly: boolean;
}

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      form: { type: "string", default: "dynamic" },
      sizes: { type: "string", default: "50,100,200" },
      connectors: { type: "string", default: "3" },
      parallel: { type: "string", default: String(Math.max(2, cpus().length * 2)) },
      "latency-ms": { type: "string", default: "80" },
      "sequential-sample": { type: "string", default: "10" },
      steps: { type: "string", default: "preview,up,up (no-op),refresh,health" },
      "other-steps": { type: "string", default: "preview,up" },
      "timeout-seconds": { type: "string", default: "7200" },
      out: { type: "string" },
      "render-only": { type: "boolean", default: false },
    },
  });
  const whole = (name: string, text: string, min: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be a whole number ≥ ${min}, got '${text}'`);
    return n;
  };
  const stepList = (name: string, text: string): FleetStep[] => {
    const steps = text.split(",").map((s) => s.trim());
    for (const s of steps)
      if (!(FLEET_COMMANDS as readonly string[]).includes(s))
        throw new Error(`--${name} takes ${FLEET_COMMANDS.join(", ")}; not '${s}'`);
    return steps as FleetStep[];
  };
  if (!(FLEET_FORMS as readonly string[]).includes(values.form))
    throw new Error(`--form takes ${FLEET_FORMS.join(", ")}; not '${values.form}'`);
  const form = values.form as FleetForm;
  const out =
    values.out ??
    path.join(REPO_ROOT, form === "plugin" ? "bench/results/fleet-plugin" : "bench/results/fleet");
  return {
    form,
    sizes: values.sizes.split(",").map((s) => whole("sizes", s.trim(), 1)),
    connectors: whole("connectors", values.connectors, 1),
    parallel: whole("parallel", values.parallel, 1),
    latencyMs: whole("latency-ms", values["latency-ms"], 0),
    sequentialSample: whole("sequential-sample", values["sequential-sample"], 0),
    steps: stepList("steps", values.steps),
    otherSteps: stepList("other-steps", values["other-steps"]),
    timeoutSeconds: whole("timeout-seconds", values["timeout-seconds"], 1),
    outDir: path.resolve(out),
    renderOnly: values["render-only"],
  };
}

const log = (message: string) =>
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);

/** The pids of `root` and every process below it, from /proc's parent links. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // ended between the listing and the read
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.pop() as number;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** CPU seconds of this process's waited-for children (cutime + cstime): the runs it started, whole. */
function childrenCpuSeconds(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the name: state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

interface Measured {
  code: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  peakProcesses: number;
  output: string;
}

/** Runs a command as a child, sampling its whole tree's memory twice a second. */
function measure(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutSeconds: number },
): Promise<Measured> {
  const cpuBefore = childrenCpuSeconds();
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    let peakKb = 0;
    let peakProcesses = 0;
    const sample = () => {
      if (child.pid === undefined) return;
      const tree = processTree(child.pid);
      peakProcesses = Math.max(peakProcesses, tree.length);
      peakKb = Math.max(
        peakKb,
        tree.reduce((sum, pid) => sum + rssKb(pid), 0),
      );
    };
    const sampler = setInterval(sample, 500);
    const timer = setTimeout(() => child.kill("SIGINT"), options.timeoutSeconds * 1000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(sampler);
      clearTimeout(timer);
      resolve({
        code: code ?? 1,
        wallSeconds: (Date.now() - started) / 1000,
        cpuSeconds: childrenCpuSeconds() - cpuBefore,
        peakRssMb: Math.round(peakKb / 1024),
        peakProcesses,
        output,
      });
    });
  });
}

interface World {
  emulator: Emulator;
  dir: string;
  fleetFile: string;
  env: NodeJS.ProcessEnv;
  tenantIds: string[];
  close(): Promise<void>;
}

async function startWorld(n: number, settings: Settings): Promise<World> {
  const tenants = generateTenants(n, { seed: [], consent: [PARTNER_APP.clientId] });
  const emulator = await startEmulator({
    port: 0,
    seed: [],
    apps: [PARTNER_APP],
    tenants,
    latencyMs: settings.latencyMs,
  });
  const partner = emulator.app(PARTNER_APP.displayName);
  const dir = mkdtempSync(path.join(tmpdir(), `intune-bench-fleet-${n}-`));
  const template = Array.from({ length: settings.connectors }, (_, i) => ({
    name: `odj-${i + 1}`,
    displayName: `ODJ {{name}} – site ${i + 1}`,
  }));
  const fleet = {
    project: PROJECT,
    stackPrefix: "bench-",
    form: settings.form,
    defaults: {
      clientId: partner.clientId,
      credential: { clientSecretEnv: SECRET_VARIABLE },
      template: "standard",
    },
    templates: { standard: template },
    tenants: tenants.map((t, i) => ({ name: `t${String(i + 1).padStart(3, "0")}`, tenantId: t.tenantId })),
  };
  const fleetFile = path.join(dir, "fleet.yaml");
  writeFileSync(fleetFile, JSON.stringify(fleet, null, 2));
  // PulumiProject knows the environment Pulumi needs here (the CLI, Node, offline, the backend).
  const project = new PulumiProject({
    dir,
    backendDir: path.join(dir, "state"),
    passphrase: "bench-local-state",
    env: {
      ...clientEnvironment(emulator, PARTNER_APP.displayName),
      AZURE_CLIENT_SECRET: "",
      [SECRET_VARIABLE]: partner.secret,
    },
  });
  // The plugin form's YAML language host, beside `pulumi` as a usual install has it.
  const env =
    settings.form === "plugin"
      ? { ...project.env, PATH: pathWithFirst(yamlHostDir(), project.env.PATH) }
      : project.env;
  return {
    emulator,
    dir,
    fleetFile,
    env,
    tenantIds: tenants.map((t) => t.tenantId as string),
    async close() {
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Graph and token requests per tenant, and the 429s, since the log was last cleared. */
function requestFigures(emulator: Emulator, tenantIds: string[]) {
  const perTenant = tenantIds.map((tenantId) => emulator.summary({ tenantId }));
  const graph = perTenant.map((s) => s.GET + s.POST + s.PATCH + s.DELETE);
  const writes = perTenant.map((s) => s.POST + s.PATCH + s.DELETE);
  const all = emulator.summary();
  return {
    graphPerTenant: { min: Math.min(...graph), max: Math.max(...graph), mean: mean(graph) },
    writesTotal: writes.reduce((a, b) => a + b, 0),
    tokensPerTenant: mean(perTenant.map((s) => s.token)),
    throttled: all.throttled,
    errors: all.errors,
  };
}

const mean = (xs: number[]) =>
  xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100 : 0;

async function runFleetStep(
  world: World,
  n: number,
  step: FleetStep,
  settings: Settings,
): Promise<FleetCommandRow> {
  const command = step === "up (no-op)" ? "up" : step;
  const json = path.join(world.dir, `summary-${command}.json`);
  world.emulator.clearLog();
  const loadBefore = loadavg()[0];
  log(`N=${n}: intune-fleet ${command} --parallel ${settings.parallel}`);
  const run = await measure(
    process.execPath,
    [
      FLEET_COMMAND,
      command,
      "--fleet",
      world.fleetFile,
      "--parallel",
      String(settings.parallel),
      "--json",
      json,
    ],
    { cwd: world.dir, env: world.env, timeoutSeconds: settings.timeoutSeconds },
  );
  let outcomes: Record<string, number> = {};
  let tenantSeconds: number[] = [];
  try {
    const summary = JSON.parse(readFileSync(json, "utf8")) as FleetSummary;
    for (const t of summary.tenants) outcomes[t.outcome] = (outcomes[t.outcome] ?? 0) + 1;
    tenantSeconds = summary.tenants.flatMap((t) => (t.seconds === null ? [] : [t.seconds]));
  } catch {
    outcomes = { "no summary": n };
  }
  const row: FleetCommandRow = {
    n,
    step,
    exitCode: run.code,
    wallSeconds: run.wallSeconds,
    cpuSeconds: Math.round(run.cpuSeconds * 10) / 10,
    peakRssMb: run.peakRssMb,
    peakProcesses: run.peakProcesses,
    tenantSecondsMean: mean(tenantSeconds),
    outcomes,
    ...requestFigures(world.emulator, world.tenantIds),
    loadBefore: Math.round(loadBefore * 10) / 10,
    loadAfter: Math.round(loadavg()[0] * 10) / 10,
  };
  log(
    `  exit ${row.exitCode}, ${row.wallSeconds.toFixed(1)} s, cpu ${row.cpuSeconds} s, peak ${row.peakRssMb} MB / ${row.peakProcesses} processes, ` +
      `${row.graphPerTenant.mean} Graph requests a tenant, ${row.writesTotal} writes, ${row.throttled} × 429, ${JSON.stringify(outcomes)}`,
  );
  if (run.code > 1) log(run.output.split("\n").slice(-15).join("\n"));
  return row;
}

/**
 * The plain CLI, one stack after another, for the first `sample` tenants: each stack's config as
 * the fleet writes it, its credential in the environment as the fleet sets it, then `pulumi up`
 * and `pulumi preview`. The emulator's tenants are fresh (the fleet destroyed its connectors).
 */
async function runSequential(world: World, n: number, settings: Settings): Promise<SequentialRow[]> {
  const sample = Math.min(settings.sequentialSample, n);
  if (sample === 0) return [];
  // Names of their own: the fleet's connectors are still in the tenants (no destroy at every size).
  const document = JSON.parse(readFileSync(world.fleetFile, "utf8")) as {
    templates: { standard: { displayName: string }[] };
  };
  for (const c of document.templates.standard) c.displayName = `${c.displayName} (plain CLI)`;
  const fleet = parseFleet(document, { stackPrefix: "seq-" });
  // Each stack in a folder of its own, with the project file the fleet writes (JSON is YAML).
  const root = path.join(world.dir, "sequential");
  const dirOf = (name: string) => path.join(root, name);
  const shim = settings.form === "plugin" ? pluginShim(root) : undefined;
  const pathEnv = shim ? { PATH: pathWithFirst(shim, world.env.PATH) } : {};
  const rows: SequentialRow[] = [];
  for (const step of ["up", "preview"] as const) {
    const seconds: number[] = [];
    const cpu: number[] = [];
    let peak = 0;
    world.emulator.clearLog();
    for (const tenant of fleet.tenants.slice(0, sample)) {
      const { vars } = tenantEnvironment(tenant, world.env);
      const env = { ...world.env, ...vars, ...pathEnv };
      const dir = dirOf(tenant.name);
      if (step === "up") {
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, "Pulumi.yaml"), JSON.stringify(tenantProject(PROJECT, tenant)));
        const config = tenantConfig(PROJECT, tenant);
        writeFileSync(path.join(dir, `Pulumi.${tenant.stack}.yaml`), JSON.stringify({ config }));
        const init = await measure("pulumi", ["stack", "init", tenant.stack, "--non-interactive"], {
          cwd: dir,
          env,
          timeoutSeconds: settings.timeoutSeconds,
        });
        if (init.code !== 0) throw new Error(`pulumi stack init ${tenant.stack}: ${init.output}`);
      }
      const args =
        step === "up"
          ? ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", tenant.stack]
          : ["preview", "--non-interactive", "--stack", tenant.stack];
      const run = await measure("pulumi", args, { cwd: dir, env, timeoutSeconds: settings.timeoutSeconds });
      if (run.code !== 0) throw new Error(`pulumi ${args.join(" ")}: ${run.output.slice(-2000)}`);
      seconds.push(run.wallSeconds);
      cpu.push(run.cpuSeconds);
      peak = Math.max(peak, run.peakRssMb);
    }
    const figures = requestFigures(world.emulator, world.tenantIds.slice(0, sample));
    const perStack = mean(seconds);
    rows.push({
      n,
      step,
      sample,
      secondsPerStack: perStack,
      cpuSecondsPerStack: mean(cpu),
      estimatedWallSeconds: Math.round(perStack * n),
      peakRssMb: peak,
      graphPerTenant: figures.graphPerTenant.mean,
      throttled: figures.throttled,
    });
    log(
      `N=${n}: plain CLI ${step}, ${sample} stacks one after another: ${perStack} s a stack → about ${Math.round(perStack * n)} s for ${n}`,
    );
  }
  // Leave the tenants as found: the sample's connectors go.
  for (const tenant of fleet.tenants.slice(0, sample)) {
    const { vars } = tenantEnvironment(tenant, world.env);
    await measure(
      "pulumi",
      ["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", tenant.stack],
      {
        cwd: dirOf(tenant.name),
        env: { ...world.env, ...vars, ...pathEnv },
        timeoutSeconds: settings.timeoutSeconds,
      },
    );
  }
  return rows;
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  mkdirSync(settings.outDir, { recursive: true });
  const jsonFile = path.join(settings.outDir, "results.json");
  if (settings.renderOnly) {
    writeOutputs(JSON.parse(readFileSync(jsonFile, "utf8")) as FleetBenchResults, settings.outDir);
    return;
  }
  ensurePulumiCli();
  const results: FleetBenchResults = {
    startedAt: new Date().toISOString(),
    finishedAt: null,
    settings: {
      form: settings.form,
      sizes: settings.sizes,
      connectors: settings.connectors,
      parallel: settings.parallel,
      latencyMs: settings.latencyMs,
      sequentialSample: settings.sequentialSample,
    },
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    fleet: [],
    sequential: [],
  };
  for (const n of settings.sizes) {
    log(`N=${n}: starting an emulator with ${n} tenants`);
    const world = await startWorld(n, settings);
    try {
      const steps = n === Math.max(...settings.sizes) ? settings.steps : settings.otherSteps;
      for (const step of steps) {
        const row = await runFleetStep(world, n, step, settings);
        results.fleet.push(row);
        writeFileSync(jsonFile, JSON.stringify(results, null, 2));
        if (row.exitCode > 1)
          throw new Error(`intune-fleet ${step} could not run at N=${n} (exit ${row.exitCode})`);
      }
      results.sequential.push(...(await runSequential(world, n, settings)));
      writeFileSync(jsonFile, JSON.stringify(results, null, 2));
    } finally {
      await world.close();
    }
  }
  results.finishedAt = new Date().toISOString();
  writeOutputs(results, settings.outDir);
}

function writeOutputs(results: FleetBenchResults, outDir: string): void {
  writeFileSync(path.join(outDir, "results.json"), JSON.stringify(results, null, 2));
  writeFileSync(path.join(outDir, "results.md"), renderFleetMarkdown(results));
  writeFileSync(path.join(outDir, "fleet.svg"), renderFleetChart(results));
  process.stdout.write(renderFleetMarkdown(results));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:fleet failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
