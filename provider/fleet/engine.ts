/**
 * A tenant's stack driven with the CLI that the Automation API's `PulumiCommand` found and
 * checked, one `pulumi` process per step and no more. `Stack.up()` and its siblings run three more
 * processes after the update (`stack output` twice, `stack history`) to fill a result the fleet
 * does not use, and `Stack.createOrSelect` one before it: measured, those cost about as much CPU
 * as the plugin form's `up` itself (the SDK's own runner, `PulumiCommand.run`, is internal). The
 * change counts come from the engine's event log (its summary event, as the Automation API reads
 * it), and the state read that tells whether the stack exists also tells its form.
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";

/**
 * A process that ended with an exit code other than 0. Its message is what it wrote, each line on
 * its own (so that a diagnostic such as `error: the stack is currently locked` starts its line),
 * stderr first, then the exit code.
 */
export class ProcessFailed extends Error {
  override readonly name = "ProcessFailed";
  constructor(
    readonly code: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(
      [stderr, stdout, `exit code ${code}`]
        .map((part) => part.trimEnd())
        .filter((part) => part !== "")
        .join("\n"),
    );
  }
}

/** How the CLI says a stack is not there, or already is (the Automation API's own patterns). */
const NOT_FOUND = /no stack named.*found/;
const ALREADY_EXISTS = /stack.*already exists/;

/**
 * Runs a command to its end: its output streamed to `onOutput`/`onError` and kept, SIGINT on
 * abort (as the Automation API stops `pulumi`, which then cancels cleanly). Rejects with
 * ProcessFailed on an exit code other than 0.
 */
export function runProcess(
  command: string,
  args: string[],
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    onOutput?: (chunk: string) => void;
    onError?: (chunk: string) => void;
    signal?: AbortSignal;
  },
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
      options.onOutput?.(chunk.toString());
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
      options.onError?.(chunk.toString());
    });
    const stop = () => child.kill("SIGINT");
    options.signal?.addEventListener("abort", stop, { once: true });
    child.on("error", (error) => {
      options.signal?.removeEventListener("abort", stop);
      reject(new ProcessFailed(-2, stdout, `${stderr}${error.message}`));
    });
    child.on("close", (code) => {
      options.signal?.removeEventListener("abort", stop);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new ProcessFailed(code ?? -1, stdout, stderr));
    });
  });
}

/** A PATH with `dir` first: what a process started with it finds before anything else. */
export function pathWithFirst(dir: string, pathVariable: string | undefined): string {
  return [dir, pathVariable].filter((d) => d).join(path.delimiter);
}

export type EngineVerb = "preview" | "up" | "refresh" | "destroy";

export interface StackProcess {
  pulumi: PulumiCommand;
  /** The tenant's folder: its project file and stack files. */
  dir: string;
  stack: string;
  /** The whole environment of the tenant's `pulumi`: the fleet process's, the tenant's over it. */
  env: NodeJS.ProcessEnv;
  onOutput: (chunk: string) => void;
  onError: (chunk: string) => void;
  signal: AbortSignal;
}

/** Runs `pulumi` (the Automation API's CLI) in the tenant's folder, non-interactive. */
function pulumi(p: StackProcess, args: string[], streamed = false) {
  // PULUMI_DEBUG_COMMANDS brings `--event-log`, as the Automation API sets it for its own runs.
  const env: NodeJS.ProcessEnv = { ...p.env, PULUMI_AUTOMATION_API: "true", PULUMI_DEBUG_COMMANDS: "true" };
  // As the Automation API does: a CLI given by its path brings its own plugins, found first.
  if (path.isAbsolute(p.pulumi.command)) env.PATH = pathWithFirst(path.dirname(p.pulumi.command), p.env.PATH);
  return runProcess(p.pulumi.command, [...args, "--non-interactive"], {
    cwd: p.dir,
    env,
    ...(streamed && { onOutput: p.onOutput, onError: p.onError }),
    signal: p.signal,
  });
}

/** The resource types of the stack's state, or undefined when there is no such stack. */
export async function stackResourceTypes(p: StackProcess): Promise<string[] | undefined> {
  try {
    const result = await pulumi(p, ["stack", "export", "--stack", p.stack]);
    const state = JSON.parse(result.stdout) as { deployment?: { resources?: { type?: string }[] } };
    return (state.deployment?.resources ?? []).flatMap((r) => (r.type ? [r.type] : []));
  } catch (error) {
    if (error instanceof ProcessFailed && NOT_FOUND.test(error.stderr)) return undefined;
    throw error;
  }
}

/**
 * Makes the stack. Two runs that make the same new stack at once race on `pulumi stack init`: the
 * loser fails ("already exists", or on azblob:// a lock blob the winner removed). If the stack
 * exists by then, the loser goes on with it, and the stack's lock decides, as for any stack both
 * runs hold; if not, the first error stands.
 */
export async function initStack(p: StackProcess): Promise<void> {
  try {
    await pulumi(p, ["stack", "init", p.stack]);
  } catch (error) {
    if (error instanceof ProcessFailed && ALREADY_EXISTS.test(error.stderr)) return;
    if ((await stackResourceTypes(p).catch(() => undefined)) !== undefined) return;
    throw error;
  }
}

const VERB_ARGS: Record<EngineVerb, string[]> = {
  preview: ["preview", "--diff"],
  up: ["up", "--yes", "--skip-preview", "--diff"],
  refresh: ["refresh", "--yes", "--skip-preview"],
  destroy: ["destroy", "--yes", "--skip-preview"],
};

/**
 * Runs the engine on the stack; resolves with the summary's change counts by operation (`same`,
 * `create`, …). Throws ProcessFailed when `pulumi` fails.
 */
export async function runEngine(verb: EngineVerb, p: StackProcess): Promise<Record<string, number>> {
  const events = path.join(p.dir, `.events-${verb}-${process.pid}.jsonl`);
  rmSync(events, { force: true });
  try {
    await pulumi(
      p,
      [...VERB_ARGS[verb], "--stack", p.stack, "--color", "never", "--event-log", events],
      true,
    );
    return summaryChanges(readFileSync(events, "utf8"));
  } finally {
    // Events carry the resources' inputs and outputs: nothing to keep on disk.
    rmSync(events, { force: true });
  }
}

/** The change counts of an event log's summary event (JSON lines); empty when it has none. */
export function summaryChanges(log: string): Record<string, number> {
  for (const line of log.split("\n").reverse()) {
    if (!line.includes('"summaryEvent"')) continue;
    const event = JSON.parse(line) as { summaryEvent?: { resourceChanges?: Record<string, number> } };
    if (event.summaryEvent) return event.summaryEvent.resourceChanges ?? {};
  }
  return {};
}
