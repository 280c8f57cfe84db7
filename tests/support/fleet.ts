/**
 * Fleets of tenants for the tests of `intune-fleet`, run for real: the command as a child process
 * (the real `pulumi` CLI through the Automation API, a local file backend unless a run names
 * another) against emulated tenants.
 *
 * One emulator serves every tenant of a world, as Graph and Entra ID serve a partner's customers:
 * the partner's multi-tenant app is registered in the emulator's default tenant (the partner's
 * own) and consented in each customer tenant, so the fleet signs in with one client id everywhere
 * and asks each customer's authority for its tokens. The fleet's environment names the one
 * emulator (INTUNE_GRAPH_ENDPOINT, AZURE_AUTHORITY_HOST), so the fleet file's entries need no
 * `endpoints`. The tests see a tenant only through `FleetTestTenant`: `emulator` is its view of the
 * emulator (its connectors, request log, out-of-band edits and faults), `entry()` its entry in the
 * fleet file; `FleetWorld.emulator` is the whole emulator, for what every tenant shares (latency,
 * throttling limits, clearing the faults).
 *
 * The app's secret is the same in every tenant (an app has one registration, in its home tenant),
 * but each tenant's entry still names a variable of its own (`secretVariable`), as a partner's
 * fleet file does: setting one tenant's variable to a wrong value fails that tenant alone.
 */
import { ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { EmulatedTenant, Emulator, EmulatorOptions, PARTNER_APP, TenantOptions } from "intune-graph-emulator";
import { installLikeAUser } from "./consumer";
import { startTestEmulator } from "./emulator";
import { PulumiProject } from "./pulumi-cli";

/** The fleet command of the workspace's package. */
export const FLEET_COMMAND = require.resolve("pulumi-intune-domain-join/internal/fleet/command");

export interface FleetTestTenant {
  name: string;
  tenantId: string;
  /** The tenant's view of the one emulator: its connectors, request log, out-of-band edits and faults. */
  emulator: EmulatedTenant;
  /** The app's client id (the same in every tenant: a partner's multi-tenant app). */
  clientId: string;
  /** The app's client secret in this tenant, and the variable of the fleet's environment holding it. */
  secret: string;
  secretVariable: string;
  /** The tenant's entry in a fleet file: name and tenantId; add credential and connectors. */
  entry(more?: Record<string, unknown>): Record<string, unknown>;
}

export interface FleetRun {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

export interface FleetWorld {
  /**
   * The one emulator serving every tenant: for what they share (latency, throttling limits,
   * clearing every fault). Its default tenant is the partner's own, where the app is registered.
   */
  emulator: Emulator;
  tenants: FleetTestTenant[];
  tenant(name: string): FleetTestTenant;
  /** Scratch folder: fleet files, the work dir, the backend. */
  dir: string;
  backendDir: string;
  workDir: string;
  /** The fleet command run: the workspace's, or the installed package's. */
  command: string;
  /**
   * The fleet command's environment: the CLI on PATH, the backend, the emulator's Graph endpoint
   * and authority host, and each tenant's secret by its variable.
   */
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
  /** The ids of the connectors a stack's checkpoint holds, sorted. */
  connectorIdsInStack(project: string, stack: string): (string | undefined)[];
  /**
   * `pulumi stack export` of a tenant's stack, run in its folder of the work dir (`workDir`, relative to `dir`; default
   * the world's) with the world's environment and `env` over it: the state as any backend holds it.
   */
  exportStack(
    tenant: string,
    stack: string,
    options?: { env?: NodeJS.ProcessEnv; workDir?: string },
  ): Promise<string>;
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

/** A tenant's connectors' display names, sorted. */
export const displayNamesIn = (t: FleetTestTenant) =>
  t.emulator
    .connectors()
    .map((c) => c.displayName ?? "")
    .sort();

/** A tenant's connectors' ids, sorted. */
export const connectorIdsIn = (t: FleetTestTenant) =>
  t.emulator
    .connectors()
    .map((c) => c.id)
    .sort();

/** The writes (POST, PATCH, DELETE) a tenant was sent since the log was last cleared. */
export const writesTo = (t: FleetTestTenant) => {
  const s = t.emulator.summary();
  return s.POST + s.PATCH + s.DELETE;
};

/** Every file under a folder, links not followed, node_modules and files of 20 MB or more left out. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) return [];
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : filesUnder(full);
    return statSync(full).size < 20_000_000 ? [full] : [];
  });
}

/** The files under `dir` (a world's scratch folder: fleet files, work dirs, logs, the backend) that hold any of `secrets`. */
export function filesHolding(dir: string, secrets: readonly string[]): string[] {
  return filesUnder(dir).filter((file) => {
    const text = readFileSync(file).toString("latin1");
    return secrets.some((s) => text.includes(s));
  });
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
  /** The customer tenants by name, with the connectors each starts with (default none). */
  tenants: { name: string; seed?: TenantOptions["seed"] }[];
  /**
   * The partner's app the fleet signs in as, and the issuers it trusts: one app (githubFederatedApp's
   * for GitHub OIDC), made multi-tenant here. Default: the emulator's PARTNER_APP, with a client secret.
   */
  partnerApp?: Pick<EmulatorOptions, "apps" | "trustedIssuers">;
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
  const [app, ...more] = options.partnerApp?.apps ?? [PARTNER_APP];
  if (!app || more.length > 0)
    throw new Error("partnerApp.apps must hold exactly one app: the one the fleet signs in as");
  const clientId = app.clientId.toLowerCase();
  const customers = options.tenants.map(({ name, seed }) => ({
    name,
    tenantId: randomUUID(),
    seed: seed ?? [],
    // The customer's admin consented to the partner's app: its roles as registered.
    consent: [clientId],
  }));
  let emulator: Emulator;
  try {
    emulator = await startTestEmulator({
      // The default tenant is the partner's own: the app's home, and no connectors.
      seed: [],
      apps: [{ ...app, multiTenant: true }],
      ...(options.partnerApp?.trustedIssuers && { trustedIssuers: options.partnerApp.trustedIssuers }),
      tenants: customers,
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  // One registration, so one secret in every tenant ("" for an app that signs in federated only).
  const secret = emulator.app(app.displayName).secret;
  const tenants: FleetTestTenant[] = customers.map(({ name, tenantId }) => ({
    name,
    tenantId,
    emulator: emulator.tenant(tenantId),
    clientId,
    secret,
    secretVariable: `${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_CLIENT_SECRET`,
    entry: (extra = {}) => ({ name, tenantId, ...extra }),
  }));
  // One place knows the environment Pulumi needs here: PulumiProject's (the CLI, Node, offline).
  const project = new PulumiProject({
    dir,
    backendDir,
    passphrase: "e2e-local-state",
    env: {
      [MARK]: mark,
      // Never a secret inherited from the machine running the tests.
      AZURE_CLIENT_SECRET: "",
      // Every tenant's stack reaches the one emulator: the provider reads these when its stack
      // config names no endpoint (the fleet writes one only from a fleet file's `endpoints`).
      INTUNE_GRAPH_ENDPOINT: emulator.graphEndpoint,
      AZURE_AUTHORITY_HOST: emulator.authorityHost,
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

  function checkpoint(projectName: string, stack: string): ReturnType<FleetWorld["checkpoint"]> {
    const file = path.join(backendDir, ".pulumi", "stacks", projectName, `${stack}.json`);
    if (!existsSync(file)) return { resources: [], pending: [] };
    const latest = JSON.parse(readFileSync(file, "utf8")).checkpoint?.latest ?? {};
    return { resources: latest.resources ?? [], pending: latest.pending_operations ?? [] };
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
    emulator,
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
    checkpoint,
    connectorIdsInStack(projectName, stack) {
      return checkpoint(projectName, stack)
        .resources.filter((r) => r.type.endsWith(":DomainJoinConnector"))
        .map((r) => r.id)
        .sort();
    },
    exportStack(tenant, stack, { env: extra = {}, workDir: folder = workDir } = {}) {
      return new Promise<string>((resolve, reject) =>
        execFile(
          "pulumi",
          ["stack", "export", "--stack", stack, "--non-interactive"],
          {
            cwd: path.resolve(dir, folder, "tenants", tenant),
            env: { ...env, ...extra },
            maxBuffer: 64 << 20,
          },
          (error, stdout, stderr) =>
            error ? reject(new Error(`pulumi stack export --stack ${stack}: ${stderr}`)) : resolve(stdout),
        ),
      );
    },
    clearLogs() {
      emulator.clearLog();
    },
    killStrays,
    async close() {
      killStrays();
      await emulator.close();
      if (!process.env.INTUNE_KEEP_FLEET_DIRS) rmSync(dir, { recursive: true, force: true });
    },
  };
}
