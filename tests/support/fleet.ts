/**
 * Fleets of tenants for the tests of `intune-fleet`, run for real: the command as a child process
 * (the real `pulumi` CLI through the Automation API, a local file backend) against emulated tenants.
 *
 * Today the emulator serves one tenant, so each tenant of a test fleet is an emulator of its own
 * (its own tenant id, port, connectors and request log), and its fleet entry names its endpoints
 * (`endpoints:`, the provider's graphEndpoint and authorityHost settings). The tests see a tenant
 * only through `FleetTestTenant` — `emulator` for its connectors, request log, edits and faults,
 * `entry()` for the fleet file — so that serving every tenant from one emulator changes this file
 * alone: `startFleetWorld` starts one emulator with the tenants, `emulator` becomes that tenant's
 * view of it, and `entry()` leaves `endpoints` out (the fleet's environment names the one emulator).
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Emulator, EmulatorOptions } from "intune-graph-emulator";
import { installLikeAUser } from "./consumer";
import { startTestEmulator } from "./emulator";
import { PulumiProject } from "./pulumi-cli";

/** The fleet command of the workspace's package. */
export const FLEET_COMMAND = require.resolve("pulumi-intune-domain-join/internal/fleet/command");

export interface FleetTestTenant {
  name: string;
  tenantId: string;
  /** The tenant as the tests see it: its connectors, request log, out-of-band edits and faults. */
  emulator: Emulator;
  /** The app's client id (the same in every tenant: a partner's multi-tenant app). */
  clientId: string;
  /** The app's client secret in this tenant, and the variable of the fleet's environment holding it. */
  secret: string;
  secretVariable: string;
  /** The tenant's entry in a fleet file: name, tenantId and where it is; add credential and connectors. */
  entry(more?: Record<string, unknown>): Record<string, unknown>;
}

export interface FleetRun {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

export interface FleetWorld {
  tenants: FleetTestTenant[];
  tenant(name: string): FleetTestTenant;
  /** Scratch folder: fleet files, the work dir, the backend. */
  dir: string;
  backendDir: string;
  workDir: string;
  /** The fleet command run: the workspace's, or the installed package's. */
  command: string;
  /** The fleet command's environment: the CLI on PATH, the backend, and each tenant's secret by its variable. */
  env: NodeJS.ProcessEnv;
  /** Writes a fleet file (YAML as JSON) into the scratch folder; returns its path. */
  writeFleet(document: Record<string, unknown>, name?: string): string;
  /** Runs `intune-fleet <args>` in the scratch folder; resolves with its exit code and output. */
  run(args: string[], env?: NodeJS.ProcessEnv): Promise<FleetRun>;
  /** Starts it in a process group of its own (to kill the whole run at once). */
  start(args: string[], env?: NodeJS.ProcessEnv): ChildProcess & { output(): string };
  /** A stack's checkpoint in the backend: its resources and pending operations. */
  checkpoint(
    project: string,
    stack: string,
  ): {
    resources: { type: string; id?: string; urn: string; outputs?: Record<string, unknown> }[];
    pending: unknown[];
  };
  /** Clears every tenant's request log. */
  clearLogs(): void;
  /**
   * Kills what a killed run left running: Pulumi starts its plugins (the language host, the
   * dynamic provider) in process groups of their own, so killing a run's group leaves them. Only
   * processes started by this world's runs (they carry its mark in their environment). Returns
   * how many.
   */
  killStrays(): number;
  close(): Promise<void>;
}

/** The environment variable every process of a world's runs carries, with the world's own value. */
const MARK = "INTUNE_FLEET_TEST_WORLD";

/** The processes whose environment holds `entry` (Linux: /proc; elsewhere: `ps e`). */
function processesWith(entry: string): number[] {
  if (existsSync("/proc/self/environ")) {
    return readdirSync("/proc").flatMap((name) => {
      if (!/^\d+$/.test(name)) return [];
      try {
        return readFileSync(`/proc/${name}/environ`, "latin1").split("\0").includes(entry)
          ? [Number(name)]
          : [];
      } catch {
        return [];
      }
    });
  }
  const listed = spawnSync("ps", ["-axeww", "-o", "pid=,command="], { encoding: "utf8" }).stdout ?? "";
  return listed.split("\n").flatMap((line) => {
    const m = /^\s*(\d+)\s/.exec(line);
    return m && line.split(/\s/).includes(entry) ? [Number(m[1])] : [];
  });
}

export interface FleetWorldOptions {
  /** The tenants by name, with each one's start options (seed, …). */
  tenants: { name: string; options?: EmulatorOptions }[];
  /** Options every tenant starts with (apps, trusted issuers, latency). */
  common?: EmulatorOptions;
  /**
   * Run the command of the package packed and installed as a user's project has it (in the
   * scratch folder's node_modules), rather than the workspace's: its program then runs from there.
   */
  installed?: boolean;
}

export async function startFleetWorld(options: FleetWorldOptions): Promise<FleetWorld> {
  const dir = mkdtempSync(path.join(tmpdir(), "intune-fleet-"));
  const mark = randomUUID();
  const backendDir = path.join(dir, "state");
  const workDir = path.join(dir, ".intune-fleet");
  const tenants: FleetTestTenant[] = [];
  try {
    for (const { name, options: own } of options.tenants) {
      const tenantId = randomUUID();
      const emulator = await startTestEmulator({ ...options.common, ...own, tenantId });
      const writer = emulator.apps.find((a) => a.displayName === "writer") ?? emulator.apps[0];
      const secret = writer.secrets?.[0] ?? "";
      tenants.push({
        name,
        tenantId,
        emulator,
        clientId: writer.clientId,
        secret,
        secretVariable: `${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_CLIENT_SECRET`,
        entry: (more = {}) => ({
          name,
          tenantId,
          endpoints: { graph: emulator.graphEndpoint, authority: emulator.authorityHost },
          ...more,
        }),
      });
    }
  } catch (error) {
    await Promise.all(tenants.map((t) => t.emulator.close()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  // One place knows the environment Pulumi needs here: PulumiProject's (the CLI, Node, offline).
  const project = new PulumiProject({
    dir,
    backendDir,
    passphrase: "e2e-local-state",
    env: {
      [MARK]: mark,
      // Never a secret inherited from the machine running the tests.
      AZURE_CLIENT_SECRET: "",
      ...Object.fromEntries(tenants.map((t) => [t.secretVariable, t.secret])),
    },
  });
  const env = project.env;
  const byName = new Map(tenants.map((t) => [t.name, t]));
  let command = FLEET_COMMAND;
  if (options.installed) {
    installLikeAUser(dir);
    command = path.join(dir, "node_modules", "pulumi-intune-domain-join", "dist", "fleet", "command.js");
  }

  function killStrays(): number {
    const strays = processesWith(`${MARK}=${mark}`).filter((pid) => pid !== process.pid);
    for (const pid of strays) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
    return strays.length;
  }

  function start(args: string[], extra: NodeJS.ProcessEnv = {}): ChildProcess & { output(): string } {
    const child = spawn(process.execPath, [command, ...args], {
      cwd: dir,
      env: { ...env, ...extra },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk));
    return Object.assign(child, { output: () => output });
  }

  return {
    tenants,
    tenant(name) {
      const found = byName.get(name);
      if (!found) throw new Error(`no tenant ${name} in this fleet`);
      return found;
    },
    dir,
    backendDir,
    workDir,
    env,
    command,
    writeFleet(document, name = "fleet.yaml") {
      const file = path.join(dir, name);
      writeFileSync(file, JSON.stringify(document, null, 2));
      return file;
    },
    run(args, extra = {}) {
      const started = Date.now();
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [command, ...args], {
          cwd: dir,
          env: { ...env, ...extra },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (code) =>
          resolve({ code: code ?? 1, stdout, stderr, seconds: (Date.now() - started) / 1000 }),
        );
      });
    },
    start,
    checkpoint(projectName, stack) {
      const file = path.join(backendDir, ".pulumi", "stacks", projectName, `${stack}.json`);
      if (!existsSync(file)) return { resources: [], pending: [] };
      const latest = JSON.parse(readFileSync(file, "utf8")).checkpoint?.latest ?? {};
      return { resources: latest.resources ?? [], pending: latest.pending_operations ?? [] };
    },
    clearLogs() {
      for (const t of tenants) t.emulator.clearLog();
    },
    killStrays,
    async close() {
      killStrays();
      await Promise.all(tenants.map((t) => t.emulator.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
