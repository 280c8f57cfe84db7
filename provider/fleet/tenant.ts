/**
 * One tenant of a fleet run: its stack in its own folder of the work dir (one project for the
 * whole fleet: the package's Node program, or in the plugin form a YAML program of the tenant's
 * connectors), its config written from the fleet file, its credential handed to the `pulumi`
 * process through its environment (never to a file), then the command — each stack its own CLI
 * process, run as engine.ts says — with the engine's output in the tenant's log. It never throws:
 * whatever goes wrong is its result.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, StackNotFoundError } from "@pulumi/pulumi/automation";
import { SETTINGS } from "../config/settings";
import { PACKAGE_NAME, PLUGIN_RESOURCE_TYPE, RESOURCE_TYPE } from "../connector/constants";
import { localBackend, releaseStaleLocks } from "../state/local-backend";
import {
  ProcessFailed,
  StackProcess,
  initStack,
  pathWithFirst,
  runEngine,
  runProcess,
  stackResourceTypes,
} from "./engine";
import { CredentialRef, FleetForm, FleetTenant, scrubSecrets } from "./fleet-file";
import { ChangeCounts, FleetCommand, Outcome, changeCounts, firstErrorLine, judge } from "./outcome";
import { TenantResult } from "./summary";
import { yamlProgram } from "./yaml-program";

/** The package's program, which every tenant's project runs (dist/fleet/program.js). */
export const PROGRAM = path.join(__dirname, "program.js");
/** The `intune` plugin of the same package, which the `plugin` form's stacks run. */
export const PLUGIN_MAIN = path.join(__dirname, "..", "plugin", "main.js");
const HEALTH_COMMAND = path.join(__dirname, "..", "health", "command.js");
const REPAIR_COMMAND = path.join(__dirname, "..", "repair", "command.js");

export interface TenantRunContext {
  command: FleetCommand;
  project: string;
  /** The fleet's work dir: each tenant's project is `tenants/<name>/` in it. */
  workDir: string;
  /** The log is `<logsDir>/<command>/<name>.log`. */
  logsDir: string;
  /** The fleet process's environment: the credential references are read from it. */
  env: NodeJS.ProcessEnv;
  pulumi: PulumiCommand;
  /** Thresholds passed on to intune-health. */
  healthArgs: string[];
  signal: AbortSignal;
  /** --resume: a stack the last run left with pending operations or locked is repaired first. */
  resumed: boolean;
  /**
   * The folder holding `pulumi-resource-intune` (this package's plugin), put first on the PATH of
   * `plugin`-form stacks; none: the engine finds an installed plugin.
   */
  pluginDir?: string;
}

/** The tenant's folder in the work dir. */
export const tenantDir = (workDir: string, name: string) => path.join(workDir, "tenants", name);

/** A setting's first environment variable. */
const variable = (setting: { env: readonly string[] }) => setting.env[0];
const configKey = (setting: { key: string }) => `${PACKAGE_NAME}:${setting.key}`;

/** The stack config keys the fleet writes; the fleet decides them (stale ones are removed). */
function managedKeys(project: string): string[] {
  return [
    ...[SETTINGS.tenantId, SETTINGS.clientId, SETTINGS.cloud, SETTINGS.authMethod].map(configKey),
    ...[SETTINGS.graphEndpoint, SETTINGS.authorityHost].map(configKey),
    // A credential in stack config would win over the one the fleet file names.
    ...[SETTINGS.clientSecret, SETTINGS.clientCertificatePath, SETTINGS.clientCertificatePassword].map(
      configKey,
    ),
    ...[SETTINGS.federatedTokenFile, SETTINGS.serviceConnectionId].map(configKey),
    `${project}:connectors`,
  ];
}

/** What the stack's config holds for the tenant: who, where, how to sign in, and its connectors. */
export function tenantConfig(project: string, tenant: FleetTenant): Record<string, unknown> {
  const config: Record<string, unknown> = {
    [configKey(SETTINGS.tenantId)]: tenant.tenantId,
    [configKey(SETTINGS.clientId)]: tenant.clientId,
    [configKey(SETTINGS.cloud)]: tenant.cloud,
    [configKey(SETTINGS.authMethod)]: authMethod(tenant.credential),
  };
  // The plugin form's program holds the connectors itself (YAML cannot loop over config).
  if (tenant.form === "dynamic") config[`${project}:connectors`] = tenant.connectors;
  if (tenant.endpoints.graph) config[configKey(SETTINGS.graphEndpoint)] = tenant.endpoints.graph;
  if (tenant.endpoints.authority) config[configKey(SETTINGS.authorityHost)] = tenant.endpoints.authority;
  return config;
}

function authMethod(credential: CredentialRef): string {
  if (credential.kind === "clientSecret") return "clientSecret";
  if (credential.kind === "certificate") return "clientCertificate";
  return credential.method;
}

/**
 * The project file of the tenant's stack: the package's Node program on the dynamic provider, or
 * a YAML program of the tenant's connectors on the `intune` plugin.
 */
export function tenantProject(project: string, tenant: FleetTenant) {
  const description = "A tenant's Intune domain join connectors, driven by intune-fleet";
  if (tenant.form === "plugin") return { name: project, description, ...yamlProgram(tenant.connectors) };
  return {
    name: project,
    // The program is JavaScript: without this, the language host loads the TypeScript compiler
    // for every tenant and command (about half a second of CPU each, measured).
    runtime: { name: "nodejs", options: { typescript: false } },
    main: PROGRAM,
    description,
  };
}

/**
 * The `pulumi-resource-intune` the `plugin` form's stacks run: a script in the work dir that runs
 * this package's plugin with this Node, so the engine uses the plugin of the package that drives
 * it, whatever else is installed. POSIX only: elsewhere, undefined (the installed plugin is used).
 */
export function pluginShim(workDir: string): string | undefined {
  if (process.platform === "win32") return undefined;
  const dir = path.join(workDir, "plugin");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "pulumi-resource-intune");
  const text = `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(PLUGIN_MAIN)} "$@"\n`;
  // Written whole, then made executable under its own name: another run may be starting it.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o755 });
  renameSync(temporary, file);
  return dir;
}

/** The form of the connectors a stack holds, if it holds any: a stack keeps the form it was made in. */
function heldForm(types: readonly string[]): FleetForm | undefined {
  if (types.includes(RESOURCE_TYPE)) return "dynamic";
  if (types.includes(PLUGIN_RESOURCE_TYPE)) return "plugin";
  return undefined;
}

/** A credential reference that does not resolve here: the tenant fails, the others go on. */
class CredentialMissing extends Error {}

/** The repair before a resumed tenant could not settle its stack: the tenant fails, saying what to run. */
class RepairFailed extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/**
 * The environment of the tenant's `pulumi` process, over the fleet's: its tenant and app, and its
 * credential from the variables the fleet file names. Every credential variable it does not use
 * is emptied, so that one tenant's never serves another. Returns the secret values too, to keep
 * them out of the log.
 */
export function tenantEnvironment(
  tenant: FleetTenant,
  env: NodeJS.ProcessEnv,
): { vars: Record<string, string>; secrets: string[] } {
  const vars: Record<string, string> = {
    [variable(SETTINGS.tenantId)]: tenant.tenantId,
    [variable(SETTINGS.clientId)]: tenant.clientId,
    [variable(SETTINGS.cloud)]: tenant.cloud,
    [variable(SETTINGS.authMethod)]: authMethod(tenant.credential),
    [variable(SETTINGS.clientSecret)]: "",
    [variable(SETTINGS.clientCertificatePath)]: "",
    [variable(SETTINGS.clientCertificatePassword)]: "",
  };
  const secrets: string[] = [];
  const read = (name: string, what: string) => {
    const value = env[name];
    if (!value) {
      throw new CredentialMissing(
        `credential ${what} names the environment variable ${name}, which is not set here (or empty)`,
      );
    }
    return value;
  };
  const c = tenant.credential;
  if (c.kind === "clientSecret") {
    const secret = read(c.variable, "clientSecretEnv");
    vars[variable(SETTINGS.clientSecret)] = secret;
    secrets.push(secret);
  } else if (c.kind === "certificate") {
    vars[variable(SETTINGS.clientCertificatePath)] = c.path;
    if (c.passwordVariable) {
      const password = read(c.passwordVariable, "certificatePasswordEnv");
      vars[variable(SETTINGS.clientCertificatePassword)] = password;
      secrets.push(password);
    }
  } else {
    if (c.tokenFile) vars[variable(SETTINGS.federatedTokenFile)] = c.tokenFile;
    if (c.serviceConnectionId) vars[variable(SETTINGS.serviceConnectionId)] = c.serviceConnectionId;
  }
  return { vars, secrets };
}

/** The tenant's log: whole lines, every secret of the tenant (and anything shaped like one) masked. */
class TenantLog {
  private readonly fd: number;
  private readonly partial = new Map<string, string>();

  constructor(
    readonly file: string,
    private readonly secrets: readonly string[],
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = openSync(file, "w", 0o600);
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (secret.length >= 4) out = out.split(secret).join("***");
    return scrubSecrets(out);
  }

  line(text: string): void {
    writeSync(this.fd, `${this.scrub(text)}\n`);
  }

  /** Output of a process, in pieces: written line by line. */
  stream(key: string): (chunk: string) => void {
    return (chunk) => {
      const lines = `${this.partial.get(key) ?? ""}${chunk}`.split("\n");
      this.partial.set(key, lines.pop() ?? "");
      for (const l of lines) this.line(l);
    };
  }

  close(): void {
    for (const rest of this.partial.values()) if (rest) this.line(rest);
    this.partial.clear();
    closeSync(this.fd);
  }
}

/** Runs a Node command of the package (intune-health, intune-repair-pending) in the tenant's folder. */
async function runTool(
  script: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; log: TenantLog; signal: AbortSignal },
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await runProcess(process.execPath, [script, ...args], {
      cwd: options.cwd,
      env: options.env,
      onOutput: options.log.stream(`${script}:out`),
      onError: options.log.stream(`${script}:err`),
      signal: options.signal,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (!(error instanceof ProcessFailed)) throw error;
    // Ended by a signal, or never started: could not run.
    return { code: error.code > 0 ? error.code : 2, stdout: error.stdout, stderr: error.stderr };
  }
}

/**
 * Before a resumed tenant runs: what a killed run may have left. On a local backend, locks of
 * processes of this host that are gone are released; then, if the stack cannot be read or has
 * pending operations, intune-repair-pending settles them (it asks Intune which connector each
 * pending create made). Returns what was done, for the summary.
 */
async function repairLeftovers(
  ws: LocalWorkspace,
  stackName: string,
  dir: string,
  context: TenantRunContext,
  toolEnv: NodeJS.ProcessEnv,
  log: TenantLog,
): Promise<string[]> {
  const done: string[] = [];
  const backend = toolEnv.PULUMI_BACKEND_URL || ((await ws.whoAmI()).url ?? "");
  const root = localBackend(backend);
  if (root) {
    for (const line of releaseStaleLocks(root, context.project, stackName)) {
      log.line(`intune-fleet: ${line}`);
      // Released, or kept because its process may still run: the summary says which.
      done.push(line.startsWith("lock ") ? "released the lock of the killed run" : line);
    }
  }
  let pending: number | undefined;
  try {
    const state = await ws.exportStack(stackName);
    pending = (state.deployment?.pending_operations ?? []).length;
  } catch (error) {
    if (error instanceof StackNotFoundError) return done;
    log.line(
      `intune-fleet: the stack cannot be read (${firstErrorLine((error as Error).message)}): repairing it`,
    );
  }
  if (pending === 0) return done;
  log.line(
    `intune-fleet: ${pending === undefined ? "unreadable stack" : `${pending} pending operation(s)`}: intune-repair-pending --stack ${stackName}`,
  );
  const repair = await runTool(REPAIR_COMMAND, ["--stack", stackName], {
    cwd: dir,
    env: toolEnv,
    log,
    signal: context.signal,
  });
  if (repair.code !== 0) {
    throw new RepairFailed(
      `intune-repair-pending could not settle the stack's pending operations (exit ${repair.code}): ` +
        firstErrorLine(`${repair.stderr}\n${repair.stdout}`),
      `see the log; once you know which connector each pending create made, run ` +
        `\`INTUNE_CREATE_JOURNAL=${path.join(dir, "create-journal")} npx intune-repair-pending --stack ${stackName}\` ` +
        `in ${dir} with the tenant's credential, then this command again with --resume`,
    );
  }
  done.push(
    `repaired by intune-repair-pending (${pending === undefined ? "checkpoint" : `${pending} pending operation(s)`})`,
  );
  return done;
}

function healthDetail(file: string): string | null {
  try {
    const report = JSON.parse(readFileSync(file, "utf8")) as {
      healthyCount: number;
      connectors: unknown[];
      findings: { rule: string }[];
      vanished: string[];
    };
    const rules = [...new Set(report.findings.map((f) => f.rule))];
    return (
      `${report.healthyCount} of ${report.connectors.length} connectors healthy` +
      (rules.length ? `; ${rules.join(", ")}` : "") +
      (report.vanished.length ? `; ${report.vanished.length} vanished` : "")
    );
  } catch {
    return null;
  }
}

/** Runs the command for one tenant. */
export async function runTenant(
  tenant: FleetTenant,
  digest: string,
  context: TenantRunContext,
  onStart: (startedAt: string) => void = () => undefined,
): Promise<TenantResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const logFile = path.join(context.logsDir, context.command, `${tenant.name}.log`);
  const result = (outcome: Outcome, more: Partial<TenantResult> = {}): TenantResult => ({
    name: tenant.name,
    tenantId: tenant.tenantId,
    stack: tenant.stack,
    outcome,
    changes: null,
    detail: null,
    startedAt,
    finishedAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 100) / 10,
    error: null,
    log: logFile,
    digest,
    ...more,
  });
  onStart(startedAt);
  let secrets: string[] = [];
  let vars: Record<string, string> = {};
  let missing: string | undefined;
  try {
    ({ vars, secrets } = tenantEnvironment(tenant, context.env));
  } catch (error) {
    if (!(error instanceof CredentialMissing)) throw error;
    missing = error.message;
  }
  const log = new TenantLog(logFile, secrets);
  const notes: string[] = [];
  try {
    log.line(
      `intune-fleet ${context.command}: tenant ${tenant.name} (${tenant.tenantId}), stack ${tenant.stack}, started ${startedAt}`,
    );
    if (missing) {
      log.line(`intune-fleet: ${missing}`);
      return result("failed", { error: missing });
    }
    const dir = tenantDir(context.workDir, tenant.name);
    mkdirSync(dir, { recursive: true });
    const env: Record<string, string> = {
      ...vars,
      // The provider's notes of creates in flight, per tenant, for intune-repair-pending.
      [variable(SETTINGS.createJournal)]: path.resolve(dir, "create-journal"),
    };
    if (tenant.form === "plugin" && context.pluginDir)
      env.PATH = pathWithFirst(context.pluginDir, context.env.PATH);
    const toolEnv = { ...context.env, ...env };
    const ws = await LocalWorkspace.create({
      workDir: dir,
      pulumiCommand: context.pulumi,
      envVars: env,
      projectSettings: tenantProject(context.project, tenant),
    });
    if (context.resumed) notes.push(...(await repairLeftovers(ws, tenant.stack, dir, context, toolEnv, log)));
    const stackProcess: StackProcess = {
      pulumi: context.pulumi,
      dir,
      stack: tenant.stack,
      env: toolEnv,
      onOutput: log.stream("pulumi:out"),
      onError: log.stream("pulumi:err"),
      signal: context.signal,
    };
    // One read of the state: does the stack exist, and in which form are its connectors?
    const types = await stackResourceTypes(stackProcess);
    if (types === undefined) {
      if (context.command === "preview" || context.command === "up") await initStack(stackProcess);
      else if (context.command === "destroy") return result("ok", { detail: "no stack: nothing to destroy" });
      else {
        const message = `no stack ${tenant.stack} yet: \`intune-fleet up\` creates it`;
        log.line(`intune-fleet: ${message}`);
        return result("failed", { error: message });
      }
    }
    const held = heldForm(types ?? []);
    if (context.command !== "health" && held && held !== tenant.form) {
      const message =
        `stack ${tenant.stack} holds its connectors in the ${held} form, and the fleet file asks for ` +
        `form: ${tenant.form}: a stack keeps the form it was made in (nothing was run)`;
      log.line(`intune-fleet: ${message}`);
      return result("failed", {
        error: message,
        detail: `give this fleet form: ${held}, or move the tenant as docs/fleet.md says (Forms)`,
      });
    }
    await writeConfig(ws, tenant, context.project);
    // Stopped while the stack was being prepared: its command never starts.
    if (context.signal.aborted)
      return result("not run", { error: "the run was stopped before its command started" });
    let ops: Record<string, number> | undefined;
    let changes: ChangeCounts | null = null;
    let outcome: Outcome;
    switch (context.command) {
      case "preview":
        ops = await runEngine("preview", stackProcess);
        break;
      case "up":
        ops = await runEngine("up", stackProcess);
        break;
      case "refresh": {
        const refreshed = changeCounts(await runEngine("refresh", stackProcess));
        notes.push(
          `refresh: ${refreshed.update} updated, ${refreshed.delete} deleted, ${refreshed.same} unchanged`,
        );
        log.line("intune-fleet: after the refresh, a preview: does the tenant still match the stack?");
        ops = await runEngine("preview", stackProcess);
        break;
      }
      case "destroy":
        ops = await runEngine("destroy", stackProcess);
        break;
      case "health": {
        const json = path.join(dir, "health.json");
        rmSync(json, { force: true });
        const health = await runTool(
          HEALTH_COMMAND,
          ["--stack", tenant.stack, "--json", json, ...context.healthArgs],
          { cwd: dir, env: toolEnv, log, signal: context.signal },
        );
        if (health.code > 1) {
          const error = firstErrorLine(
            health.stderr.replace(/^intune-health: could not check: /m, "") || health.stdout,
          );
          return result(context.signal.aborted ? "not run" : "failed", { error: log.scrub(error) });
        }
        outcome = judge("health", { healthExit: health.code });
        return result(outcome, { detail: joined([...notes, healthDetail(json)]) });
      }
    }
    if (ops) changes = changeCounts(ops as Record<string, number>);
    outcome = judge(context.command, { ops: ops as Record<string, number> | undefined });
    log.line(`intune-fleet: ${outcome}`);
    return result(outcome, { changes, detail: joined(notes) });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const line = log.scrub(firstErrorLine(text));
    log.line(`intune-fleet: failed: ${log.scrub(text)}`);
    if (error instanceof RepairFailed) notes.push(error.hint);
    if (/currently locked/.test(text)) {
      notes.push(
        `if no other run of this stack is going, run \`pulumi cancel --yes --stack ${tenant.stack}\` in ` +
          `${tenantDir(context.workDir, tenant.name)}, then this command again with --resume`,
      );
    }
    if (context.signal.aborted)
      return result("not run", { error: `stopped before it finished: ${line}`, detail: joined(notes) });
    return result("failed", { error: line, detail: joined(notes) });
  } finally {
    log.line(`intune-fleet: finished ${new Date().toISOString()}`);
    log.close();
  }
}

const joined = (parts: (string | null)[]) => parts.filter((p) => p).join("; ") || null;

/** The tenant's settings and connectors into its stack file; keys the fleet does not manage stay. */
async function writeConfig(ws: LocalWorkspace, tenant: FleetTenant, project: string): Promise<void> {
  let settings;
  try {
    settings = await ws.stackSettings(tenant.stack);
  } catch {
    settings = {};
  }
  const config: Record<string, unknown> = { ...(settings.config ?? {}) };
  for (const key of managedKeys(project)) delete config[key];
  Object.assign(config, tenantConfig(project, tenant));
  await ws.saveStackSettings(tenant.stack, { ...settings, config: config as never });
}
