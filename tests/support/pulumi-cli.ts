/**
 * Running the real `pulumi` CLI offline against the emulator: finding (or building) the CLI,
 * a local file backend, and one place that knows the environment Pulumi needs here. Used by
 * `npm run demo`, the end-to-end tests and the benchmark.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "../../..");
const WINDOWS = process.platform === "win32";
const EXE = WINDOWS ? ".exe" : "";
// @pulumi/pulumi ships the dynamic-provider plugin as a shell script and, for Windows, a .cmd.
const PLUGIN = `pulumi-resource-pulumi-nodejs${WINDOWS ? ".cmd" : ""}`;

const holdsCli = (dir: string) => dir !== "" && existsSync(path.join(dir, `pulumi${EXE}`));

/**
 * The directory holding `pulumi` and `pulumi-language-nodejs`: from INTUNE_PULUMI_BIN when a
 * parent process already found it; else, on Linux and macOS, from toolchain/pulumi/ensure-pulumi.sh
 * (PATH, cache, or a build from the Go module proxy, with progress on stderr); on Windows, from
 * PULUMI_CLI_DIR or PATH (an installed Pulumi CLI: the Go build is a bash script).
 */
export function ensurePulumiCli(): string {
  let dir = process.env.INTUNE_PULUMI_BIN ?? "";
  if (!holdsCli(dir)) {
    dir = WINDOWS ? installedCli() : builtCli();
    process.env.INTUNE_PULUMI_BIN = dir;
  }
  placeDynamicProviderPlugin(dir);
  return dir;
}

/**
 * Runs one of toolchain/'s ensure scripts (cache, or a build from the Go module proxy; progress on
 * stderr) and returns the path it prints on its last line; throws naming the script when it fails.
 */
export function ensuredPath(script: string, holds: (found: string) => boolean = existsSync): string {
  const result = spawnSync("bash", [path.join(REPO_ROOT, script)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const found = result.stdout?.trim().split("\n").pop() ?? "";
  if (result.status !== 0 || !holds(found))
    throw new Error(`could not get what ${script} makes (it exited ${result.status})`);
  return found;
}

function builtCli(): string {
  return ensuredPath("toolchain/pulumi/ensure-pulumi.sh", holdsCli);
}

function installedCli(): string {
  const candidates = [process.env.PULUMI_CLI_DIR ?? "", ...(process.env.PATH ?? "").split(path.delimiter)];
  const dir = candidates.find(holdsCli);
  if (!dir) {
    throw new Error(
      "no Pulumi CLI found: install it (https://www.pulumi.com/docs/install/) and put it on PATH, " +
        "or set PULUMI_CLI_DIR to the folder holding pulumi.exe",
    );
  }
  return dir;
}

/**
 * The engine looks for the dynamic-provider plugin beside the CLI before PATH (and warns on every
 * run when it comes from PATH). The script is generic: it runs @pulumi/pulumi from the program's
 * own node_modules. PATH keeps the shipped copy as a fallback (see PulumiProject).
 */
function placeDynamicProviderPlugin(dir: string): void {
  const plugin = path.join(dir, PLUGIN);
  const shipped = path.join(REPO_ROOT, "node_modules/@pulumi/pulumi", PLUGIN);
  try {
    if (!existsSync(plugin) || readFileSync(plugin, "utf8") !== readFileSync(shipped, "utf8")) {
      copyFileSync(shipped, plugin);
      chmodSync(plugin, 0o755);
    }
  } catch {
    // a read-only CLI directory: the engine finds the plugin on PATH instead
  }
}

export interface PulumiResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for assertions and error messages. */
  output: string;
  /** When the command started (epoch ms). */
  startedAt: number;
  /** Its wall time. */
  seconds: number;
  /** Stopped by the run's time limit. */
  timedOut: boolean;
}

export interface PulumiRunOptions {
  /** Resolve on a non-zero exit (or a time-out) instead of rejecting. */
  allowFailure?: boolean;
  stack?: string;
  /** Called with the CLI's process once started (its own process group). */
  onSpawn?: (child: ChildProcess) => void;
  /** A time limit: then SIGINT (Pulumi cancels cleanly), and SIGKILL to its process group 15 s later. */
  timeoutSeconds?: number;
}

/** After the SIGINT of a time-out, how long Pulumi has to cancel before its process group is killed. */
const KILL_AFTER_MS = 15_000;

export interface PulumiProjectOptions {
  /** The program directory (holds Pulumi.yaml). */
  dir: string;
  /**
   * Local file backend directory (created); with `backendUrl`, it only holds PULUMI_HOME and the
   * provider's create journal.
   */
  backendDir: string;
  /** Another backend (`azblob://…`, see azurite.ts) instead of `file://<backendDir>`. */
  backendUrl?: string;
  /** Passphrase of the stack's secrets provider (not a credential: it only guards local state). */
  passphrase: string;
  /** Extra environment (emulator settings, secrets for the provider). */
  env?: NodeJS.ProcessEnv;
  /** Echo the CLI's output as it runs. */
  echo?: boolean;
  /** Folders searched first on PATH: resource plugins and language hosts the engine should find. */
  pathDirs?: string[];
}

/** One Pulumi program driven through the CLI with an isolated, offline environment. */
export class PulumiProject {
  readonly env: NodeJS.ProcessEnv;

  constructor(readonly options: PulumiProjectOptions) {
    const bin = ensurePulumiCli();
    mkdirSync(options.backendDir, { recursive: true });
    const nodeBin = path.join(REPO_ROOT, "node_modules/.bin");
    this.env = {
      ...process.env,
      ...options.env,
      // Node 24 first: the language host and the provider plugin run `node` from PATH.
      PATH: [
        ...(options.pathDirs ?? []),
        bin,
        nodeBin,
        path.join(REPO_ROOT, "node_modules/@pulumi/pulumi"),
        process.env.PATH,
      ].join(path.delimiter),
      PULUMI_HOME: path.join(options.backendDir, ".pulumi-home"),
      // The provider's notes of POSTs in flight, per backend, for intune-repair-pending.
      INTUNE_CREATE_JOURNAL: path.join(options.backendDir, ".intune-create-journal"),
      PULUMI_BACKEND_URL: options.backendUrl ?? `file://${options.backendDir}`,
      PULUMI_CONFIG_PASSPHRASE: options.passphrase,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      NO_COLOR: "1",
    };
  }

  /** Runs `pulumi <args>` in the program directory; rejects on a non-zero exit unless allowed. */
  run(args: string[], opts: PulumiRunOptions = {}): Promise<PulumiResult> {
    const full = [...args, "--non-interactive", "--color", "never"];
    if (opts.stack) full.push("--stack", opts.stack);
    const startedAt = Date.now();
    return new Promise((resolve, reject) => {
      // Its own process group, so the CLI and every process it started can be stopped at once.
      const child = spawn("pulumi", full, {
        cwd: this.options.dir,
        env: this.env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      opts.onSpawn?.(child);
      let stdout = "";
      let stderr = "";
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk;
        output += chunk;
        if (this.options.echo) process.stdout.write(chunk);
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk;
        output += chunk;
        if (this.options.echo) process.stderr.write(chunk);
      });
      let timedOut = false;
      let killer: NodeJS.Timeout | undefined;
      const timer =
        opts.timeoutSeconds === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              child.kill("SIGINT");
              killer = setTimeout(() => {
                try {
                  if (child.pid) process.kill(-child.pid, "SIGKILL");
                } catch {
                  // already gone
                }
              }, KILL_AFTER_MS);
            }, opts.timeoutSeconds * 1000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        clearTimeout(killer);
        const seconds = (Date.now() - startedAt) / 1000;
        const result = { code: code ?? 1, stdout, stderr, output, startedAt, seconds, timedOut };
        if (result.code !== 0 && !opts.allowFailure) {
          const ended = timedOut ? `timed out after ${opts.timeoutSeconds} s, exited` : "exited";
          reject(new Error(`pulumi ${args.join(" ")} ${ended} ${result.code}:\n${output}`));
        } else resolve(result);
      });
    });
  }

  /** Creates (or selects) a stack and writes its config; secrets go through `config set --secret`. */
  async initStack(
    stack: string,
    config: Record<string, unknown>,
    secrets: Record<string, string> = {},
  ): Promise<void> {
    await this.run(["stack", "select", "--create", stack]);
    this.writeConfig(stack, config);
    for (const [key, value] of Object.entries(secrets)) {
      await this.run(["config", "set", "--secret", key, value], { stack });
    }
  }

  /**
   * Replaces the stack's plain config, keeping the secrets provider's salt and any secure values.
   * Values are written as JSON, which is YAML.
   */
  writeConfig(stack: string, config: Record<string, unknown>): void {
    const file = path.join(this.options.dir, `Pulumi.${stack}.yaml`);
    const kept = existsSync(file)
      ? readFileSync(file, "utf8")
          .split("\n")
          .filter((line) => line.startsWith("encryptionsalt:"))
      : [];
    const secure = existsSync(file) ? secureEntries(readFileSync(file, "utf8")) : {};
    const lines = [...kept, "config:"];
    for (const [key, value] of Object.entries({ ...config, ...secure })) {
      lines.push(`  ${key}: ${JSON.stringify(value)}`);
    }
    writeFileSync(file, lines.join("\n") + "\n");
  }

  async outputs(stack: string): Promise<Record<string, unknown>> {
    const result = await this.run(["stack", "output", "--json"], { stack });
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }

  async exportState(stack: string): Promise<string> {
    return (await this.run(["stack", "export"], { stack })).stdout;
  }
}

/** Secure entries of a stack file, in Pulumi's two-line form or the one-line JSON form written above. */
function secureEntries(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const key = /^ {2}([^\s:][^:]*:[^:\s]+):\s*(.*)$/.exec(lines[i]);
    if (!key) continue;
    const oneLine = /^\{"secure":"([^"]+)"\}$/.exec(key[2]);
    const nextLine = key[2] === "" ? /^ {4}secure:\s*(\S+)\s*$/.exec(lines[i + 1] ?? "") : null;
    const cipher = oneLine?.[1] ?? nextLine?.[1];
    if (cipher) out[key[1]] = { secure: cipher };
  }
  return out;
}
