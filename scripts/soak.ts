/**
 * The reliability suite in full: every scenario of tests/reliability/scenarios.ts (the fast ones
 * also run in `npm test`), the 500-connector load, and the scenarios that need the real CLI:
 * the emulator restarted in the middle of `pulumi up`, and `pulumi up` killed mid-operation and
 * run again. Prints a Markdown table; `--write-docs` puts it into docs/reliability.md.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { AppRegistration, Emulator, READ_WRITE_ROLE } from "intune-graph-emulator";
import { SCENARIOS, ScenarioResult, runScenario } from "intune-test-support/scenarios";
import { runCliModel } from "intune-test-support/model/cli-model";
import { ModelFigures, formatFigures, runModel } from "intune-test-support/model/run";
import { connectionEnv } from "intune-test-support/e2e";
import { startTestEmulator } from "intune-test-support/emulator";
import { PulumiProject, REPO_ROOT, ensurePulumiCli } from "intune-test-support/pulumi-cli";

interface Row extends ScenarioResult {
  id: string;
  category: string;
  name: string;
  seconds: number;
}

const KEY = "intune-connectors:connectors";

/** Runs a command without blocking the event loop (the emulator shares it). */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(command, args, { ...options, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * SIGKILL a process and every process it started, the way a CI runner or OOM killer stops a
 * job. The CLI's plugins run in process groups of their own, so the tree is read from /proc.
 * The tree is frozen first (SIGSTOP, re-read until no new process appears), so a child started
 * while the tree is being read cannot escape the kill.
 */
function killTree(root: number): void {
  const tree = () => {
    const children = new Map<number, number[]>();
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      } catch {
        // the process ended meanwhile
      }
    }
    const all: number[] = [];
    const walk = (pid: number) => {
      all.push(pid);
      for (const child of children.get(pid) ?? []) walk(child);
    };
    walk(root);
    return all;
  };
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  const stopped = new Set<number>();
  for (let round = 0; round < 20; round++) {
    const fresh = tree().filter((pid) => !stopped.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      signal(pid, "SIGSTOP");
      stopped.add(pid);
    }
  }
  for (const pid of stopped) signal(pid, "SIGKILL");
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await sleep(50);
  }
  return condition();
}

/** A root-stack run with N connectors on an emulator that can be restarted with the same tenant. */
class CliScenario {
  readonly secret = `soak-${randomUUID()}`;
  readonly apps: AppRegistration[] = [
    {
      clientId: "2f6d9c1a-7b3e-4e58-9a41-0c5d8e7f6a21",
      displayName: "writer",
      secrets: [this.secret],
      roles: [READ_WRITE_ROLE],
    },
  ];
  readonly base = mkdtempSync(path.join(tmpdir(), "intune-soak-"));
  readonly stack = `e2e-soak-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  emulator!: Emulator;
  project!: PulumiProject;
  port = 0;

  constructor(readonly n: number) {}

  async start(): Promise<void> {
    this.emulator = await startTestEmulator({
      port: this.port,
      apps: this.apps,
      seed: 0,
      latencyMs: 60,
      persistFile: path.join(this.base, "tenant.json"),
    });
    this.port = Number(new URL(this.emulator.url).port);
  }

  async init(): Promise<void> {
    await this.start();
    this.project = new PulumiProject({
      dir: REPO_ROOT,
      backendDir: path.join(this.base, "state"),
      passphrase: "soak-local-state",
      env: { ...connectionEnv(this.emulator), AZURE_CLIENT_SECRET: this.secret },
    });
    const connectors = Array.from({ length: this.n }, (_, i) => ({
      name: `c${String(i).padStart(3, "0")}`,
      displayName: `soak ${i}`,
    }));
    await this.project.initStack(this.stack, { [KEY]: connectors });
  }

  /** The end state: every wanted connector once in the tenant, and the stack agreeing with it. */
  async verify(): Promise<{ ok: boolean; duplicates: number; lost: number; detail: string }> {
    const tenant = this.emulator.connectors();
    let duplicates = 0;
    let lost = 0;
    for (let i = 0; i < this.n; i++) {
      const count = tenant.filter((c) => c.displayName === `soak ${i}`).length;
      duplicates += Math.max(0, count - 1);
      if (count === 0) lost++;
    }
    const out = await this.project.run(["stack", "output", "--json"], {
      stack: this.stack,
      allowFailure: true,
    });
    if (out.code !== 0) {
      const why = out.output.trim().split("\n").slice(-2).join(" ") || `exit ${out.code}, no output`;
      return { ok: false, duplicates, lost, detail: `pulumi stack output failed: ${why}` };
    }
    const outputs = (JSON.parse(out.stdout) as { connectors?: Record<string, { id: string }> }).connectors;
    const ids = new Set(tenant.map((c) => c.id));
    const disagree = Object.values(outputs ?? {}).filter((c) => !ids.has(c.id)).length;
    const noChanges = await this.project.run(["preview", "--expect-no-changes"], {
      stack: this.stack,
      allowFailure: true,
    });
    const ok =
      duplicates === 0 &&
      lost === 0 &&
      disagree === 0 &&
      noChanges.code === 0 &&
      Object.keys(outputs ?? {}).length === this.n;
    return {
      ok,
      duplicates,
      lost,
      detail: `${disagree} state entries disagree with the tenant; preview after repair: ${noChanges.code === 0 ? "no changes" : "changes"}`,
    };
  }

  async cleanup(): Promise<void> {
    await this.project?.run(["stack", "rm", "--yes", "--force"], { stack: this.stack, allowFailure: true });
    const file = path.join(REPO_ROOT, `Pulumi.${this.stack}.yaml`);
    if (existsSync(file)) rmSync(file);
    await this.emulator?.close();
    rmSync(this.base, { recursive: true, force: true });
  }
}

const CLI_SCENARIOS = [
  {
    id: "C01",
    category: "fault",
    name: "emulator restarted in the middle of `pulumi up` (30 connectors)",
    async run(): Promise<ScenarioResult> {
      const s = new CliScenario(30);
      try {
        await s.init();
        const up = s.project.run(["up", "--yes", "--skip-preview"], { stack: s.stack, allowFailure: true });
        await waitFor(() => s.emulator.summary().POST >= 8, 30_000);
        await s.emulator.close();
        await sleep(1500);
        await s.start();
        const first = await up;
        await s.project.run(["refresh", "--yes", "--skip-preview"], { stack: s.stack, allowFailure: true });
        const second = await s.project.run(["up", "--yes", "--skip-preview"], {
          stack: s.stack,
          allowFailure: true,
        });
        const v = await s.verify();
        return {
          ok: v.ok,
          duplicates: v.duplicates,
          lost: v.lost,
          cases: 1,
          detail: `first up exited ${first.code}, repair up exited ${second.code}; ${v.detail}`,
        };
      } finally {
        await s.cleanup();
      }
    },
  },
  {
    id: "C02",
    category: "fault",
    name: "`pulumi up` killed mid-operation, then refresh + up (30 connectors)",
    async run(): Promise<ScenarioResult> {
      const s = new CliScenario(30);
      try {
        await s.init();
        let pid = 0;
        const up = s.project.run(["up", "--yes", "--skip-preview"], {
          stack: s.stack,
          allowFailure: true,
          onSpawn: (child) => (pid = child.pid ?? 0),
        });
        await waitFor(() => s.emulator.summary().POST >= 8, 30_000);
        if (pid <= 0) throw new Error("the pulumi process has no pid");
        killTree(pid);
        await up;
        if (process.env.SOAK_VERBOSE) {
          // The kill can leave a checkpoint the CLI cannot load: say so instead of throwing.
          const exported = await s.project.run(["stack", "export"], { stack: s.stack, allowFailure: true });
          const state = exported.code === 0 ? JSON.parse(exported.stdout).deployment : undefined;
          console.log(
            `after kill: ${s.emulator.summary().POST} POSTs, ` +
              (state
                ? `${(state.resources ?? []).length} resources in state, ${(state.pending_operations ?? []).length} pending operations`
                : `state unreadable: ${exported.output.trim()}`),
          );
        }
        // What a person does after a killed run: release the stack's lock, refresh, up.
        const cancel = await s.project.run(["cancel", "--yes"], { stack: s.stack, allowFailure: true });
        if (process.env.SOAK_VERBOSE) console.log(cancel.output);
        // Asynchronously: the emulator answering the tool lives in this process's event loop.
        const repair = await run(
          process.execPath,
          [path.join(REPO_ROOT, "provider/dist/repair/command.js"), "--stack", s.stack],
          {
            cwd: REPO_ROOT,
            env: s.project.env,
          },
        );
        // The tool's verdicts on the checkpoint files (a sidecar moved aside, a copy restored).
        const checkpointRepairs = repair.stdout
          .split("\n")
          .filter((l) => l.startsWith("checkpoint: ") && !l.endsWith(" sound"));
        if (checkpointRepairs.length > 0)
          console.log(`C02 checkpoint repaired:\n  ${checkpointRepairs.join("\n  ")}`);
        const checkpointNote =
          checkpointRepairs.length === 0
            ? "checkpoint sound"
            : `checkpoint REPAIRED (${checkpointRepairs.length} fix${checkpointRepairs.length > 1 ? "es" : ""})`;
        const repairFailure = repair.status === 0 ? "" : `: ${repair.stderr.trim().split("\n").pop()}`;
        const cancelFailure =
          cancel.code === 0 ? "" : `pulumi cancel failed (${cancel.output.trim().split("\n").pop()}); `;
        if (process.env.SOAK_VERBOSE) {
          console.log(repair.stdout, repair.stderr);
          const state = JSON.parse(await s.project.exportState(s.stack)).deployment;
          console.log(
            `after repair: ${(state.resources ?? []).length} resources in state, pending: ` +
              JSON.stringify(
                (state.pending_operations ?? []).map((o: { type: string; resource: { id?: string } }) => [
                  o.type,
                  o.resource.id,
                ]),
              ),
          );
        }
        const refresh = await s.project.run(["refresh", "--yes", "--skip-preview"], {
          stack: s.stack,
          allowFailure: true,
        });
        const second = await s.project.run(["up", "--yes", "--skip-preview"], {
          stack: s.stack,
          allowFailure: true,
        });
        if (process.env.SOAK_VERBOSE) console.log(refresh.output, second.output);
        const v = await s.verify();
        return {
          ok: v.ok,
          duplicates: v.duplicates,
          lost: v.lost,
          cases: 1,
          detail:
            `${cancelFailure}intune-repair-pending: ${checkpointNote}, ` +
            `${repair.stdout.split("\n").filter((l) => / (made|was never made|is ambiguous)/.test(l)).length} ` +
            `pending creates settled (exit ${repair.status}${repairFailure}); ` +
            `refresh exited ${refresh.code}, up exited ${second.code}; ${v.detail}`,
        };
      } finally {
        await s.cleanup();
      }
    },
  },
];

/** The model-based runs as the docs state them: per level, then per value of each service variant. */
function modelSummary(levels: { label: string; figures: ModelFigures }[]): string {
  if (levels.length === 0) return "";
  const line = ({ label, figures: f }: { label: string; figures: ModelFigures }) =>
    `| ${label} | ${f.seed} | ${f.sequences} | ${f.steps} | ${f.faults} (${f.faultsHit} hit a request) | ${f.violations} | ${(f.wallMs / 1000).toFixed(0)} s |`;
  const keys = [...new Set(levels.flatMap((l) => Object.keys(l.figures.byVariant)))].sort();
  const cell = (f: ModelFigures, key: string) => {
    const v = f.byVariant[key];
    return v ? `${v.sequences} / ${v.steps} / ${v.faultsHit} / ${v.violations}` : "—";
  };
  return [
    "Model-based fault testing (`tests/model/`, fast-check): random sequences of user actions,",
    "out-of-band edits and faults, invariants I1–I5 checked after every step, each sequence against",
    "a service with a value of every [variant](emulator.md#variants) drawn for it.",
    "",
    "| level | seed | sequences | steps | faults | invariant violations | time |",
    "|---|---|---|---|---|---|---|",
    ...levels.map(line),
    "",
    "Per variant: sequences / steps / faults that hit a request / violations.",
    "",
    `| variant | ${levels.map((l) => l.label).join(" | ")} |`,
    `|---|${levels.map(() => "---").join("|")}|`,
    ...keys.map((key) => `| \`${key}\` | ${levels.map((l) => cell(l.figures, key)).join(" | ")} |`),
    "",
    "",
  ].join("\n");
}

function table(rows: Row[]): string {
  const lines = [
    "| id | kind | scenario | result | what happened |",
    "|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.id} | ${r.category} | ${r.name.replace(/\|/g, "\\|")} | ${r.ok ? "survived" : "**FAILED**"} | ${r.detail.replace(/\|/g, "\\|")} |`,
    ),
  ];
  const by = (category: string) => rows.filter((r) => r.category === category);
  const cases = (list: Row[]) => list.reduce((n, r) => n + r.cases, 0);
  const faults = by("fault");
  const inputs = by("bad input");
  const summary = [
    `Faults tried: ${faults.length}, survived: ${faults.filter((r) => r.ok).length}.`,
    `Bad inputs tried: ${cases(inputs)}, refused or accepted as they should: ${cases(inputs.filter((r) => r.ok))}.`,
    `Security checks: ${by("security").filter((r) => r.ok).length}/${by("security").length}. Load: ${by(
      "load",
    )
      .map((r) => `${r.name.split(" ")[0]} connectors ${r.ok ? "with zero failed operations" : "FAILED"}`)
      .join("; ")}.`,
    `Data lost: ${rows.reduce((n, r) => n + r.lost, 0)}. Duplicate connectors: ${rows.reduce((n, r) => n + r.duplicates, 0)}.`,
  ];
  return `${summary.join(" ")}\n\n${lines.join("\n")}\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "write-docs": { type: "boolean", default: false },
      // The table lived in the README before docs/ existed; the old flag still works.
      "write-readme": { type: "boolean", default: false },
      "skip-cli": { type: "boolean", default: false },
      "model-runs": { type: "string", default: "1000" },
      "cli-model-runs": { type: "string", default: "30" },
      seed: { type: "string" },
      only: { type: "string" },
    },
  });
  ensurePulumiCli();
  // --only F2,C0 runs the scenarios whose id starts with one of the given prefixes.
  const prefixes = values.only?.split(",").filter(Boolean);
  const wanted = (s: { id: string }) => !prefixes || prefixes.some((p) => s.id.startsWith(p));
  const rows: Row[] = [];
  const record = async (
    meta: { id: string; category: string; name: string },
    run: () => Promise<ScenarioResult>,
  ) => {
    const started = Date.now();
    let outcome: ScenarioResult;
    try {
      outcome = await run();
    } catch (error) {
      outcome = {
        ok: false,
        detail: `threw: ${(error as Error).message.split("\n")[0]}`,
        duplicates: 0,
        lost: 0,
        cases: 1,
      };
    }
    const row = { ...meta, ...outcome, seconds: (Date.now() - started) / 1000 };
    rows.push(row);
    console.log(`${row.ok ? "✔" : "✘"} ${row.id} ${row.name} — ${row.detail} (${row.seconds.toFixed(1)} s)`);
  };

  const emulator = await startTestEmulator({ seed: 2 });
  try {
    for (const scenario of SCENARIOS.filter(wanted))
      await record(scenario, () => runScenario(emulator, scenario));
  } finally {
    await emulator.close();
  }
  if (!values["skip-cli"]) {
    for (const scenario of CLI_SCENARIOS.filter(wanted)) await record(scenario, () => scenario.run());
  }

  // Model-based runs: many sequences at the provider level, tens with the real CLI.
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  const models: { label: string; figures: ModelFigures }[] = [];
  if (wanted({ id: "M1" }) && Number(values["model-runs"]) > 0) {
    const figures = await runModel({ seed, numRuns: Number(values["model-runs"]), maxSteps: 12 });
    console.log(`${figures.violations ? "✘" : "✔"} M1 provider level — ${formatFigures(figures)}`);
    models.push({ label: "provider (engine stand-in)", figures });
  }
  if (!values["skip-cli"] && wanted({ id: "M2" }) && Number(values["cli-model-runs"]) > 0) {
    const figures = await runCliModel({ seed, numRuns: Number(values["cli-model-runs"]) });
    console.log(`${figures.violations ? "✘" : "✔"} M2 real pulumi CLI — ${formatFigures(figures)}`);
    models.push({ label: "real `pulumi` CLI", figures });
  }

  const markdown = modelSummary(models) + table(rows);
  console.log(`\n${markdown}`);
  if (values["write-docs"] || values["write-readme"]) {
    const readme = path.join(REPO_ROOT, "docs", "reliability.md");
    const text = readFileSync(readme, "utf8");
    const start = "<!-- reliability:start -->";
    const end = "<!-- reliability:end -->";
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i < 0 || j < i) throw new Error("docs/reliability.md has no reliability markers");
    const stamp = `Generated by \`npm run soak -- --write-docs\` on ${new Date().toISOString().slice(0, 10)}.\n\n`;
    writeFileSync(readme, `${text.slice(0, i + start.length)}\n${stamp}${markdown}${text.slice(j)}`);
    // docs/ is format-checked in npm test: align the new table as Prettier would.
    await run(path.join(REPO_ROOT, "node_modules/.bin/prettier"), ["--write", readme], {
      cwd: REPO_ROOT,
      env: process.env,
    });
    console.log("docs/reliability.md updated");
  }
  if (rows.some((r) => !r.ok) || models.some((m) => m.figures.violations > 0)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
