/**
 * A fleet run: the tenants of the fleet (or of one shard), a few at once, each stack its own
 * `pulumi` process. A line per tenant started and finished goes to stderr; the run's record —
 * the summary as it stands — is rewritten whole in the work dir after each, so a run that is
 * killed leaves what it finished, and what it was in the middle of, for --resume.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { Fleet, scrubSecrets } from "./fleet-file";
import { fleetDigest, tenantDigest, writeWhole } from "./files";
import { FleetCommand } from "./outcome";
import { runPool } from "./pool";
import { planResume } from "./resume";
import { ShardSpec, namesInShard, shardLabel } from "./shard";
import {
  FleetSummary,
  SUMMARY_VERSION,
  TenantResult,
  headline,
  notRun,
  parseSummary,
  summaryExitCode,
  toJson,
} from "./summary";
import { pluginShim, runTenant } from "./tenant";

export interface FleetRunOptions {
  command: FleetCommand;
  fleet: Fleet;
  parallel: number;
  workDir: string;
  logsDir: string;
  resume: boolean;
  shard?: ShardSpec;
  healthArgs: string[];
  env: NodeJS.ProcessEnv;
  /** Where progress lines go (stderr). */
  progress: (line: string) => void;
  /** Stops the run: no tenant starts after it fires, and those under way are interrupted. */
  signal: AbortSignal;
}

/** The record of the last run of a command (of a shard) in the work dir, which --resume reads. */
export function recordFile(workDir: string, command: FleetCommand, shard?: ShardSpec): string {
  const suffix = shard ? `.shard-${shard.index}-of-${shard.count}` : "";
  return path.join(workDir, "runs", `${command}${suffix}.json`);
}

function readRecord(file: string): FleetSummary | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const document = JSON.parse(readFileSync(file, "utf8")) as { finishedAt?: unknown };
    // The record of a killed run has not finished: read it all the same, that is what it is for.
    return parseSummary({ ...document, finishedAt: document.finishedAt ?? "" }, file);
  } catch {
    return undefined;
  }
}

function progressLine(result: TenantResult): string {
  const c = result.changes;
  const counts =
    c && c.create + c.update + c.delete + c.replace > 0
      ? ` (+${c.create} ~${c.update} -${c.delete}${c.replace ? ` ±${c.replace}` : ""})`
      : "";
  const why = result.error ?? result.detail;
  return `${result.outcome}${counts} in ${result.seconds ?? 0} s${why ? `: ${why}` : ""}`;
}

export async function runFleet(options: FleetRunOptions): Promise<FleetSummary> {
  const { fleet, command } = options;
  const names = options.shard
    ? new Set(
        namesInShard(
          fleet.tenants.map((t) => t.name),
          options.shard,
        ),
      )
    : undefined;
  const tenants = fleet.tenants.filter((t) => !names || names.has(t.name));
  const digests = new Map(tenants.map((t) => [t.name, tenantDigest(fleet.project, t)]));
  const record = recordFile(options.workDir, command, options.shard);
  const startedAt = new Date();
  const summary: FleetSummary = {
    version: SUMMARY_VERSION,
    command,
    project: fleet.project,
    fleetDigest: fleetDigest(fleet),
    shard: options.shard ?? null,
    startedAt: startedAt.toISOString(),
    finishedAt: null,
    seconds: null,
    exitCode: null,
    tenants: tenants.map(({ name, tenantId, stack }) =>
      notRun({ name, tenantId, stack, digest: digests.get(name) as string }),
    ),
  };
  let toRun = tenants;
  if (options.resume) {
    const previous = readRecord(record);
    const plan = planResume(
      previous,
      tenants.map((t) => ({ name: t.name, digest: digests.get(t.name) as string })),
    );
    for (const carried of plan.carried)
      summary.tenants[summary.tenants.findIndex((t) => t.name === carried.name)] = carried;
    toRun = tenants.filter((t) => plan.run.includes(t.name));
    options.progress(
      previous
        ? `--resume: ${toRun.length} of ${tenants.length} to run again (${plan.carried.length} finished well in the last ${command} run` +
            `${plan.interrupted.length ? `; ${plan.interrupted.join(", ")} interrupted: checked for a repair first` : ""})`
        : `--resume: no record of a last ${command} run in ${options.workDir}: every tenant runs`,
    );
  }
  const save = () => writeWhole(record, toJson(summary));
  save();
  const where = options.shard ? ` (shard ${shardLabel(options.shard)})` : "";
  options.progress(
    `intune-fleet ${command}${where}: ${toRun.length} tenant${toRun.length === 1 ? "" : "s"}, ` +
      `${Math.min(options.parallel, Math.max(toRun.length, 1))} at once; logs in ${path.join(options.logsDir, command)}`,
  );
  const pulumi = await PulumiCommand.get();
  const pluginDir = fleet.form === "plugin" ? pluginShim(options.workDir) : undefined;
  const width = String(toRun.length).length;
  await runPool(
    toRun,
    options.parallel,
    async (tenant, index) => {
      const label = `[${String(index + 1).padStart(width)}/${toRun.length}] ${tenant.name}`;
      const at = summary.tenants.findIndex((t) => t.name === tenant.name);
      let result: TenantResult;
      try {
        result = await runTenant(
          tenant,
          digests.get(tenant.name) as string,
          {
            command,
            project: fleet.project,
            workDir: options.workDir,
            logsDir: options.logsDir,
            env: options.env,
            pulumi,
            healthArgs: options.healthArgs,
            signal: options.signal,
            resumed: options.resume,
            pluginDir,
          },
          (started) => {
            summary.tenants[at] = { ...summary.tenants[at], startedAt: started, carried: undefined };
            save();
            options.progress(`${label}: started`);
          },
        );
      } catch (error) {
        // runTenant answers for what goes wrong in a stack; this is the rest (its log cannot be
        // written, say): the tenant fails, the others go on.
        const line = (error instanceof Error ? error.message : String(error)).split("\n")[0];
        result = {
          ...summary.tenants[at],
          outcome: "failed",
          finishedAt: new Date().toISOString(),
          error: scrubSecrets(line),
        };
      }
      summary.tenants[at] = result;
      save();
      options.progress(`${label}: ${progressLine(result)}`);
    },
    () => options.signal.aborted,
  );
  const finished = new Date();
  summary.finishedAt = finished.toISOString();
  summary.seconds = Math.round((finished.getTime() - startedAt.getTime()) / 100) / 10;
  for (const t of summary.tenants) {
    if (t.outcome === "not run" && !t.error && options.signal.aborted)
      t.error = "the run was stopped before it started";
  }
  summary.exitCode = summaryExitCode(summary);
  save();
  options.progress(
    `intune-fleet ${command}${where}: ${headline(summary)} (exit ${summary.exitCode}); record ${record}`,
  );
  return summary;
}
