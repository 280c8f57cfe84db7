/**
 * Level 2: the same commands and invariants with the real `pulumi` CLI, on the fixture program
 * (tests/model/fixture) whose resources are the stack config `intune-model:connectors`. Each
 * sequence gets its own program copy and file backend. A killed `up` is a SIGKILL of the CLI's
 * process group once `keep`+1 Graph requests have been answered, followed by what a person does:
 * `pulumi cancel` and `intune-repair-pending`. Slow (a CLI command takes seconds): not part of
 * `npm test`; `runCliModel` is for the soak.
 */
import { ChildProcess, execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import type { Emulator } from "intune-graph-emulator";
import { PulumiResult } from "../pulumi-cli";
import { ProgramCopy, REPO_ROOT, connectionEnv, copyProgram } from "../e2e";
import { Bag, releases } from "./engine";
import { InvariantId } from "./invariants";
import { StateView, StepFacts } from "./ledger";
import { ModelFigures, ModelRunOptions, runModel } from "./run";
import { MODEL_APPS, RESOURCE_TYPE, StackRun, World } from "./world";

const STACK = "model";
const FIXTURE = path.join(REPO_ROOT, "tests/model/fixture");
const REPAIR_TOOL = path.join(REPO_ROOT, "provider/dist/repair/command.js");

/**
 * Thirty sequences of up to 14 steps unless told otherwise, faults mostly injected right before
 * the command they are for (faultBias): each CLI command costs seconds, so the steps go where a
 * fault meets a request.
 */
export function runCliModel(options: Partial<ModelRunOptions> = {}): Promise<ModelFigures> {
  const only = options.only;
  return runModel({ numRuns: 30, maxSteps: 14, faultBias: true, ...options, level: "cli" }, (emulator) =>
    CliWorld.create(emulator, only),
  );
}

interface ExportedResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Bag;
  outputs?: Bag;
  delete?: boolean;
}

export class CliWorld extends World {
  private state: StateView = { resources: [], pendingCreates: [] };

  private constructor(
    emulator: Emulator,
    only: readonly InvariantId[],
    private readonly copy: ProgramCopy,
  ) {
    super(emulator, only);
  }

  /** A world with a fresh program copy and stack (the package must be linked, as `npm install` does). */
  static async create(emulator: Emulator, only: readonly InvariantId[] = ["I1", "I2", "I3", "I4", "I5"]) {
    if (!existsSync(path.join(REPO_ROOT, "node_modules/pulumi-intune-domain-join"))) {
      throw new Error(
        "node_modules/pulumi-intune-domain-join is missing, so the fixture program cannot load the provider: " +
          "run npm install (the workspace links it)",
      );
    }
    const app = MODEL_APPS[0].displayName;
    const copy = copyProgram(FIXTURE, {
      ...connectionEnv(emulator, app),
      AZURE_CLIENT_SECRET: emulator.app(app).secret,
      // The model's faults in the CLI's timings: a slow answer outlives the request timeout.
      INTUNE_REQUEST_TIMEOUT_SECONDS: "0.4",
      INTUNE_MAX_ATTEMPTS: "4",
      INTUNE_DEBUG: "1",
    });
    await copy.project.initStack(STACK, {});
    return new CliWorld(emulator, only, copy);
  }

  up(): Promise<StepFacts> {
    return this.observe("up", () => this.command(["up", "--yes", "--skip-preview"], true));
  }

  refresh(): Promise<StepFacts> {
    return this.observe("refresh", () => this.command(["refresh", "--yes", "--skip-preview"], false));
  }

  destroy(): Promise<StepFacts> {
    return this.observe("destroy", () => this.command(["destroy", "--yes", "--skip-preview"], true));
  }

  killedUp(keep: number): Promise<StepFacts> {
    return this.observe(`killed up (+${keep}) + cancel + repair-pending`, async () => {
      const killed = await this.command(["up", "--yes", "--skip-preview"], true, keep);
      await this.pulumi(["cancel", "--yes"]);
      const repair = await this.repairTool(); // it refreshes what it imports
      this.state = await this.exportState();
      return { ...killed, texts: [...killed.texts, repair], state: this.state };
    });
  }

  heldIds(): Set<string> {
    return new Set(this.state.resources.map((r) => r.id.toLowerCase()));
  }

  protected secrets(): string[] {
    return this.emulator.apps.flatMap((a) => a.secrets ?? []);
  }

  override async close(): Promise<void> {
    await super.close();
    this.copy.cleanup();
  }

  /**
   * One CLI command with the program written as stack config; the facts come from the output and
   * from the state exported after it. `deletes`: resources gone from state were deleted (not so
   * for refresh, which drops what it finds gone). `killAfter`: SIGKILL once that many + 1 writes
   * have been answered.
   */
  private async command(args: string[], deletes: boolean, killAfter?: number): Promise<StackRun> {
    const before = this.state;
    this.copy.project.writeConfig(STACK, { "intune-model:connectors": Object.fromEntries(this.program) });
    const result =
      killAfter === undefined ? await this.pulumi(args) : await this.killedDuring(args, killAfter);
    const state = await this.exportState();
    this.state = state;
    const heldBefore = new Set(before.resources.map((r) => r.id.toLowerCase()));
    const heldAfter = new Set(state.resources.map((r) => r.id.toLowerCase()));
    const creates = [
      ...state.resources
        .filter((r) => !heldBefore.has(r.id.toLowerCase()))
        .map((r) => ({ name: r.name, displayName: String(r.inputs.displayName), id: r.id })),
      // Tried and not in state: the connector may exist without anyone knowing its id.
      ...[...this.program]
        .filter(([name]) => ![...before.resources, ...state.resources].some((r) => r.name === name))
        .map(([name, d]) => ({ name, displayName: d.displayName })),
    ];
    const deleted = deletes
      ? before.resources
          .filter((r) => !heldAfter.has(r.id.toLowerCase()))
          .map((r) => ({ name: r.name, id: r.id, release: releases(r.outputs) }))
      : [];
    return { creates, deleted, errors: diagnostics(result), texts: [result.output], state };
  }

  private pulumi(args: string[], onSpawn?: (child: ChildProcess) => void): Promise<PulumiResult> {
    return this.copy.project.run(args, { stack: STACK, allowFailure: true, ...(onSpawn && { onSpawn }) });
  }

  /**
   * Runs the command and SIGKILLs its process group once `keep` + 1 Graph requests have been
   * answered: the provider is then waiting on, or just got, an answer that nobody will record.
   */
  private async killedDuring(args: string[], keep: number): Promise<PulumiResult> {
    const start = this.emulator.requestLog({ kind: "graph" }).length;
    let child: ChildProcess | undefined;
    // The engine starts its plugins (the dynamic provider) in process groups of their own: they
    // are found while the CLI lives, to be killed with it (the kill itself must not wait).
    let tree: number[] = [];
    const survey = setInterval(() => child?.pid && (tree = descendants(child.pid)), 100);
    const watch = setInterval(() => {
      const answered = this.emulator.requestLog({ kind: "graph" }).length - start;
      if (answered > keep && child?.pid) {
        clearInterval(watch);
        process.kill(-child.pid, "SIGKILL");
        for (const pid of tree) kill(pid);
      }
    }, 1);
    try {
      return await this.pulumi(args, (c) => (child = c));
    } finally {
      clearInterval(watch);
      clearInterval(survey);
    }
  }

  /** intune-repair-pending in the program directory; ambiguous candidates go to the ledger. */
  private repairTool(): Promise<string> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [REPAIR_TOOL, "--stack", STACK],
        { cwd: this.copy.dir, env: this.copy.project.env },
        (_error, stdout, stderr) => {
          for (const line of stdout.split("\n")) {
            const ambiguous = /is ambiguous, candidates ([0-9a-f, -]+)/i.exec(line);
            if (ambiguous) this.ledger.dispute(ambiguous[1].split(/,\s*/));
          }
          resolve(`${stdout}${stderr}`);
        },
      );
    });
  }

  private async exportState(): Promise<StateView> {
    const exported = await this.pulumi(["stack", "export"]);
    if (exported.code !== 0) return this.state; // a broken checkpoint: the next command shows it
    const deployment =
      (JSON.parse(exported.stdout) as { deployment?: Record<string, unknown> }).deployment ?? {};
    const resources = ((deployment.resources as ExportedResource[] | undefined) ?? []).filter(
      (r) => r.type === RESOURCE_TYPE && r.id,
    );
    const pending =
      (deployment.pending_operations as { type: string; resource: ExportedResource }[] | undefined) ?? [];
    return {
      resources: resources.map((r) => ({
        name: r.urn.split("::").pop() ?? r.urn,
        id: r.id as string,
        inputs: r.inputs ?? {},
        outputs: r.outputs ?? {},
        pendingDelete: r.delete === true,
      })),
      pendingCreates: pending
        .filter((p) => p.type === "creating" && p.resource.type === RESOURCE_TYPE)
        .map((p) => ({
          name: p.resource.urn.split("::").pop() ?? p.resource.urn,
          inputs: p.resource.inputs ?? {},
        })),
    };
  }
}

/** Every process below `root`, from one `ps` listing. */
function descendants(root: number): number[] {
  const rows = spawnSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" }).stdout.trim().split("\n");
  const pairs = rows.map((row) => row.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  for (let frontier = [root]; frontier.length;) {
    frontier = pairs.filter(([, ppid]) => frontier.includes(ppid)).map(([pid]) => pid);
    found.push(...frontier);
  }
  return found;
}

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/**
 * The per-resource errors of a CLI run, from its Diagnostics section:
 *   pulumi-nodejs:dynamic/intune:DomainJoinConnector (r0):
 *     error: …
 */
export function diagnostics(result: PulumiResult): StepFacts["errors"] {
  const errors: StepFacts["errors"] = [];
  let resource = "";
  let current: StepFacts["errors"][number] | undefined;
  for (const line of result.output.split("\n")) {
    const header = /^ {2}(\S+) \(([^)]+)\):\s*$/.exec(line);
    const error = /^\s+error: (.*)$/.exec(line);
    if (header) {
      resource = header[1] === RESOURCE_TYPE ? header[2] : ""; // "" for the stack itself
      current = undefined;
    } else if (error) {
      current = { name: resource, kind: "step", message: error[1] };
      errors.push(current);
    } else if (current && /^\s{4,}\S/.test(line)) {
      current.message += ` ${line.trim()}`; // "1 error occurred:" is followed by the errors
    } else {
      current = undefined;
    }
  }
  for (const e of errors) {
    if (/"code" argument|code must be a string/.test(e.message)) e.kind = "load";
    else if (/has a problem:|check failed/.test(e.message)) e.kind = "check";
  }
  if (result.code !== 0 && errors.length === 0) {
    errors.push({ name: "", kind: "cli", message: result.output.trim().split("\n").slice(-5).join(" | ") });
  }
  return errors;
}
