/**
 * What a fleet run reports, pure: the JSON document (the run's record in the work dir, the file
 * `--json` writes, what `intune-fleet merge` reads), Markdown for a pull request comment or a job
 * summary, a plain table for a terminal, and the merge of shards' documents into one.
 */
import { ChangeCounts, FLEET_COMMANDS, FleetCommand, OUTCOMES, Outcome, exitCode } from "./outcome";
import { ShardSpec, shardLabel, shardOf } from "./shard";

export const SUMMARY_VERSION = 1;

export interface TenantResult {
  name: string;
  tenantId: string;
  stack: string;
  outcome: Outcome;
  /** Pulumi's counts (refresh: of the preview after it); null for health and when nothing ran. */
  changes: ChangeCounts | null;
  /** More to say: health's verdict, a repair made before the run, the previous run's result. */
  detail: string | null;
  /** ISO times; a tenant started and not finished was interrupted (a killed run). */
  startedAt: string | null;
  finishedAt: string | null;
  seconds: number | null;
  /** The first line of the error (failed, not run). */
  error: string | null;
  /** The tenant's log: the engine's output and the fleet's own lines about it. */
  log: string | null;
  /** The tenant's entry in the fleet file when it ran, digested: --resume reruns a changed one. */
  digest: string;
  /** Carried over from the previous run by --resume, which did not run it again. */
  carried?: boolean;
  /** The shard that holds it, in a merged summary. */
  shard?: string;
}

export interface FleetSummary {
  version: typeof SUMMARY_VERSION;
  command: FleetCommand;
  project: string;
  /** The whole fleet file's tenants, digested: shards of one fleet have the same. */
  fleetDigest: string;
  /** The shard this run held, or null for the whole fleet. */
  shard: ShardSpec | null;
  /** Set by merge: the shards merged and those that did not report. */
  merged?: { files: string[]; shards: string[]; missing: string[] };
  startedAt: string;
  /** Null while the run goes on (the record in the work dir). */
  finishedAt: string | null;
  seconds: number | null;
  exitCode: 0 | 1 | 2 | null;
  tenants: TenantResult[];
}

/** A tenant that has not run (yet): who it is, and why when known. */
export function notRun(
  tenant: Pick<TenantResult, "name" | "tenantId" | "stack" | "digest">,
  error: string | null = null,
): TenantResult {
  return {
    ...tenant,
    outcome: "not run",
    changes: null,
    detail: null,
    startedAt: null,
    finishedAt: null,
    seconds: null,
    error,
    log: null,
  };
}

/** The exit code of a summary: its tenants', and 2 when a shard did not report. */
export function summaryExitCode(summary: Pick<FleetSummary, "tenants" | "merged">): 0 | 1 | 2 {
  if (summary.merged?.missing.length) return 2;
  return exitCode(summary.tenants.map((t) => t.outcome));
}

const ICONS: Record<Outcome, string> = {
  ok: "✅",
  changes: "🟡",
  findings: "⚠️",
  failed: "❌",
  "not run": "⏸️",
};

const WHAT_CHANGES: Record<FleetCommand, string> = {
  preview: "have changes to apply",
  up: "have changes",
  refresh: "drifted from their stacks",
  health: "have health findings",
  destroy: "have changes",
};

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

/** One line: the verdict of the run. */
export function headline(summary: FleetSummary): string {
  const all = summary.tenants.length;
  const n = (o: Outcome) => summary.tenants.filter((t) => t.outcome === o).length;
  const code = summaryExitCode(summary);
  if (code === 2) {
    const parts = [`${n("failed")} of ${count(all, "tenant")} failed`];
    if (n("not run")) parts.push(`${n("not run")} not run`);
    if (summary.merged?.missing.length)
      parts.push(`shard ${summary.merged.missing.join(", ")} did not report`);
    return `FAILED: ${parts.join(", ")}`;
  }
  if (code === 1) {
    const flagged = n("changes") + n("findings");
    return `${summary.command === "health" ? "FINDINGS" : "CHANGES"}: ${flagged} of ${count(all, "tenant")} ${WHAT_CHANGES[summary.command]}`;
  }
  return `OK: ${all === 1 ? "the tenant is" : `all ${count(all, "tenant")} are`} well`;
}

const seconds = (s: number | null) => (s === null ? "—" : `${s.toFixed(1)} s`);

function changeCells(c: ChangeCounts | null): string[] {
  return c === null ? ["—", "—", "—", "—"] : [c.create, c.update, c.delete, c.replace].map(String);
}

function note(t: TenantResult): string {
  return [t.error, t.detail, t.carried ? "from the previous run" : null].filter((x) => x).join("; ");
}

/** Context lines: what ran, where, when. */
function contextLines(summary: FleetSummary): string[] {
  const lines = [`command: ${summary.command}; project: ${summary.project}`];
  if (summary.shard) lines.push(`shard: ${shardLabel(summary.shard)}`);
  if (summary.merged) {
    lines.push(
      `merged: shards ${summary.merged.shards.join(", ") || "none"} from ${summary.merged.files.length} files`,
    );
    if (summary.merged.missing.length)
      lines.push(`missing: shard ${summary.merged.missing.join(", ")} did not report`);
  }
  lines.push(
    `started ${summary.startedAt}${summary.seconds === null ? "" : `, ${seconds(summary.seconds)}`}`,
  );
  return lines;
}

const HEADER = [
  "tenant",
  "stack",
  "outcome",
  "create",
  "update",
  "delete",
  "replace",
  "time",
  "error / detail",
];

function row(t: TenantResult): string[] {
  return [t.name, t.stack, t.outcome, ...changeCells(t.changes), seconds(t.seconds), note(t) || "—"];
}

/** A fixed-width table and the verdict, for a terminal or a log. */
export function renderTable(summary: FleetSummary): string {
  const rows = [HEADER, ...summary.tenants.map(row)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [headline(summary), ...contextLines(summary), "", ...rows.map(line)].join("\n") + "\n";
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** Markdown for a pull request comment or a job summary ($GITHUB_STEP_SUMMARY, ##vso[task.uploadsummary]). */
export function renderMarkdown(summary: FleetSummary): string {
  const code = summaryExitCode(summary);
  const icon = code === 2 ? "❌" : code === 1 ? (summary.command === "health" ? "⚠️" : "🟡") : "✅";
  const out = [
    `## Intune fleet \`${summary.command}\`: ${icon} ${headline(summary)}`,
    "",
    ...contextLines(summary).map((l) => `- ${cell(l)}`),
    "",
    `| ${HEADER.join(" | ")} |`,
    `| ${HEADER.map(() => "---").join(" | ")} |`,
    ...summary.tenants.map((t) => {
      const [name, stack, outcome, ...rest] = row(t);
      return `| ${cell(name)} | \`${stack}\` | ${ICONS[t.outcome]} ${outcome} | ${rest.map(cell).join(" | ")} |`;
    }),
    "",
    `_Exit code ${code}: ${EXIT_MEANINGS[code]}._`,
  ];
  return out.join("\n") + "\n";
}

export const EXIT_MEANINGS: Record<0 | 1 | 2, string> = {
  0: "every tenant is well",
  1: "changes or findings, no failure",
  2: "a tenant failed or did not run",
};

export function toJson(summary: FleetSummary): string {
  return JSON.stringify(summary, null, 2) + "\n";
}

/** A summary that cannot be read or merged: exit 2 with this message. */
export class SummaryError extends Error {
  override readonly name = "SummaryError";
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Reads a fleet summary document (`--json` of a run); the message names the file and what is wrong. */
export function parseSummary(document: unknown, file: string): FleetSummary {
  const fail = (what: string) => {
    throw new SummaryError(`${file} is not a summary of intune-fleet: ${what}`);
  };
  if (!isRecord(document)) return fail("it is not a JSON object");
  if (document.version !== SUMMARY_VERSION)
    fail(`version is ${JSON.stringify(document.version)}, not ${SUMMARY_VERSION}`);
  if (!(FLEET_COMMANDS as readonly unknown[]).includes(document.command))
    fail(`command is ${JSON.stringify(document.command)}, not one of ${FLEET_COMMANDS.join(", ")}`);
  if (typeof document.fleetDigest !== "string") fail("it has no fleetDigest");
  if (!Array.isArray(document.tenants)) fail("it has no tenants list");
  if (document.finishedAt === null)
    fail("its run has not finished (a record of a run that was killed: rerun it with --resume)");
  (document.tenants as unknown[]).forEach((t, i) => {
    if (!isRecord(t) || typeof t.name !== "string" || !(OUTCOMES as readonly unknown[]).includes(t.outcome))
      fail(`tenants[${i}] has no name or no outcome (${OUTCOMES.join(", ")})`);
  });
  const shard = document.shard;
  if (shard !== null && !(isRecord(shard) && Number.isInteger(shard.index) && Number.isInteger(shard.count)))
    fail("shard must be null or { index, count }");
  return document as unknown as FleetSummary;
}

/**
 * Several runs' summaries as one: the shards of one fleet and one command. `fleetNames`, when
 * given, are the names of every tenant of the fleet file: those of a shard that did not report
 * are then listed, not run.
 */
export function mergeSummaries(
  inputs: readonly { file: string; summary: FleetSummary }[],
  fleetNames?: readonly string[],
): FleetSummary {
  if (inputs.length === 0) throw new SummaryError("give at least one summary to merge");
  const [first] = inputs;
  for (const { file, summary } of inputs.slice(1)) {
    if (summary.command !== first.summary.command)
      throw new SummaryError(
        `${file} is a run of ${summary.command} and ${first.file} of ${first.summary.command}: merge the shards of one command`,
      );
    if (summary.fleetDigest !== first.summary.fleetDigest || summary.project !== first.summary.project)
      throw new SummaryError(
        `${file} and ${first.file} are runs of different fleets (their fleet files differ): merge the shards of one run`,
      );
  }
  const counts = new Set(inputs.map(({ summary }) => summary.shard?.count ?? 0));
  if (counts.size > 1)
    throw new SummaryError(
      `the files split the fleet differently (${inputs.map(({ file, summary }) => `${file}: ${summary.shard ? shardLabel(summary.shard) : "the whole fleet"}`).join(", ")}): merge shards of one split`,
    );
  const shardCount = [...counts][0];
  const seenShards = new Map<number, string>();
  for (const { file, summary } of inputs) {
    if (!summary.shard) continue;
    const other = seenShards.get(summary.shard.index);
    if (other) throw new SummaryError(`${file} and ${other} both hold shard ${shardLabel(summary.shard)}`);
    seenShards.set(summary.shard.index, file);
  }
  const tenants: TenantResult[] = [];
  const where = new Map<string, string>();
  for (const { file, summary } of inputs) {
    for (const t of summary.tenants) {
      const other = where.get(t.name);
      if (other)
        throw new SummaryError(
          `tenant ${t.name} is in ${other} and in ${file}: each tenant belongs to one shard`,
        );
      where.set(t.name, file);
      tenants.push({ ...t, ...(summary.shard ? { shard: shardLabel(summary.shard) } : {}) });
    }
  }
  const missing = shardCount
    ? Array.from({ length: shardCount }, (_, i) => i + 1).filter((i) => !seenShards.has(i))
    : [];
  if (fleetNames && shardCount) {
    for (const [name, shard] of shardOf(fleetNames, shardCount)) {
      if (where.has(name) || !missing.includes(shard)) continue;
      tenants.push({
        ...notRun(
          { name, tenantId: "", stack: "", digest: "" },
          `its shard (${shard}/${shardCount}) did not report`,
        ),
        shard: `${shard}/${shardCount}`,
      });
    }
  }
  const times = (key: "startedAt" | "finishedAt") =>
    inputs
      .map(({ summary }) => summary[key])
      .filter((t): t is string => typeof t === "string")
      .sort();
  const startedAt = times("startedAt")[0];
  const finishedAt = times("finishedAt").pop() ?? null;
  const merged: FleetSummary = {
    version: SUMMARY_VERSION,
    command: first.summary.command,
    project: first.summary.project,
    fleetDigest: first.summary.fleetDigest,
    shard: null,
    merged: {
      files: inputs.map(({ file }) => file),
      shards: [...seenShards.keys()].sort((a, b) => a - b).map((i) => `${i}/${shardCount}`),
      missing: missing.map((i) => `${i}/${shardCount}`),
    },
    startedAt,
    finishedAt,
    seconds: finishedAt ? (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000 : null,
    exitCode: null,
    tenants: tenants.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
  merged.exitCode = summaryExitCode(merged);
  return merged;
}
