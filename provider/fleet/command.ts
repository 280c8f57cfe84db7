#!/usr/bin/env node
/**
 * intune-fleet: the same connectors and rules in many tenants — one stack per tenant of one
 * project, driven through Pulumi's Automation API a few at once (each stack its own `pulumi`
 * process), from a fleet file that names each tenant, its app, cloud, credential (a reference,
 * never a secret) and connectors. docs/fleet.md is its reference.
 *
 *   npx intune-fleet preview|up|refresh|health|destroy --fleet fleet.yaml [--parallel 4]
 *        [--shard i/n] [--resume] [--stack-prefix P] [--work-dir .intune-fleet] [--logs-dir DIR]
 *        [--json FILE] [--markdown FILE] [health: --min-version V --silent-after-hours H --min-healthy N]
 *   npx intune-fleet validate --fleet fleet.yaml
 *   npx intune-fleet shard --fleet fleet.yaml --shard i/n
 *   npx intune-fleet merge a.json b.json … [--fleet fleet.yaml] [--json FILE] [--markdown FILE]
 *
 * Exit codes, as intune-health's: 0 every tenant well; 1 changes (preview; drift after refresh)
 * or health findings, and no failure; 2 a tenant failed or did not run, or the command could not
 * run at all (bad arguments, a bad fleet file).
 */
import { appendFileSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { Fleet, FleetFileError } from "./fleet-file";
import { loadFleet, writeWhole } from "./files";
import { FLEET_COMMANDS, FleetCommand } from "./outcome";
import { ShardSpec, namesInShard, parseShard } from "./shard";
import {
  FleetSummary,
  SummaryError,
  mergeSummaries,
  parseSummary,
  renderMarkdown,
  renderTable,
  toJson,
} from "./summary";
import type * as Run from "./run";

const USAGE = [
  "usage: intune-fleet preview|up|refresh|health|destroy --fleet FILE [--parallel N] [--shard i/n] [--resume]",
  "                    [--stack-prefix P] [--work-dir DIR] [--logs-dir DIR] [--json FILE] [--markdown FILE]",
  "                    [health: --min-version V --silent-after-hours H --min-healthy N]",
  "       intune-fleet validate --fleet FILE [--stack-prefix P]",
  "       intune-fleet shard --fleet FILE --shard i/n",
  "       intune-fleet merge SUMMARY.json… [--fleet FILE] [--json FILE] [--markdown FILE]",
].join("\n");

/** A problem with the command line: exit 2 with one line and the usage. */
class UsageError extends Error {}

export const DEFAULT_PARALLEL = 4;
const MAX_PARALLEL = 64;
const HEALTH_OPTIONS = ["min-version", "silent-after-hours", "min-healthy"] as const;

const OPTIONS = {
  fleet: { type: "string" },
  parallel: { type: "string" },
  shard: { type: "string" },
  resume: { type: "boolean" },
  "stack-prefix": { type: "string" },
  "work-dir": { type: "string" },
  "logs-dir": { type: "string" },
  json: { type: "string" },
  markdown: { type: "string" },
  "min-version": { type: "string" },
  "silent-after-hours": { type: "string" },
  "min-healthy": { type: "string" },
  help: { type: "boolean" },
} as const;

type Values = ReturnType<typeof parse>["values"];

function parse(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Options that only some commands take: refused elsewhere rather than ignored. */
function allowOnly(values: Values, command: string, allowed: readonly string[]): void {
  for (const key of Object.keys(values)) {
    if (key !== "help" && !allowed.includes(key))
      throw new UsageError(`--${key} does not apply to \`intune-fleet ${command}\``);
  }
}

export function parseParallel(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PARALLEL;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > MAX_PARALLEL)
    throw new UsageError(
      `--parallel must be a whole number from 1 to ${MAX_PARALLEL}, got ${JSON.stringify(value)}`,
    );
  return n;
}

function shardOption(value: string | undefined): ShardSpec | undefined {
  if (value === undefined) return undefined;
  const spec = parseShard(value);
  if (typeof spec === "string") throw new UsageError(spec);
  return spec;
}

function needFleet(values: Values): Fleet {
  if (!values.fleet) throw new UsageError("--fleet FILE is required: the fleet file (YAML or JSON)");
  return loadFleet(values.fleet, { stackPrefix: values["stack-prefix"] });
}

/** Writes the summary where asked: JSON whole, Markdown appended ($GITHUB_STEP_SUMMARY collects steps). */
function writeOutputs(summary: FleetSummary, values: Values): void {
  process.stdout.write(renderTable(summary));
  if (values.json) writeWhole(values.json, toJson(summary));
  if (values.markdown) appendFileSync(values.markdown, renderMarkdown(summary));
}

async function run(command: FleetCommand, values: Values): Promise<number> {
  allowOnly(values, command, [
    ...["fleet", "parallel", "shard", "resume", "stack-prefix", "work-dir", "logs-dir", "json", "markdown"],
    ...(command === "health" ? HEALTH_OPTIONS : []),
  ]);
  const parallel = parseParallel(values.parallel);
  const shard = shardOption(values.shard);
  const fleet = needFleet(values);
  const workDir = path.resolve(values["work-dir"] ?? ".intune-fleet");
  const logsDir = values["logs-dir"] ?? path.join(values["work-dir"] ?? ".intune-fleet", "logs");
  const healthArgs = HEALTH_OPTIONS.flatMap((key) =>
    values[key] === undefined ? [] : [`--${key}`, values[key]],
  );
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    process.stderr.write(
      `intune-fleet: ${signal}: no tenant starts now; those under way are stopped (Pulumi cancels cleanly)\n`,
    );
    controller.abort();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    // Loaded only to run stacks: the Automation API takes seconds to load, which validate, shard
    // and merge need not wait for.
    const { runFleet } = require("./run") as typeof Run;
    const summary = await runFleet({
      command,
      fleet,
      parallel,
      workDir,
      logsDir: path.resolve(logsDir),
      resume: values.resume ?? false,
      shard,
      healthArgs,
      env: process.env,
      progress: (line) => process.stderr.write(`${line}\n`),
      signal: controller.signal,
    });
    writeOutputs(summary, values);
    return summary.exitCode ?? 2;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

function validate(values: Values): number {
  allowOnly(values, "validate", ["fleet", "stack-prefix"]);
  const fleet = needFleet(values);
  const lines = fleet.tenants.map((t) => {
    const from = t.template ? `template ${t.template}` : "listed";
    return `${t.name}  stack ${t.stack}  tenant ${t.tenantId}  ${t.cloud}  ${t.credential.kind}  ${t.connectors.length} connector${t.connectors.length === 1 ? "" : "s"} (${from})`;
  });
  process.stdout.write(
    `${values.fleet}: ${fleet.tenants.length} tenant${fleet.tenants.length === 1 ? "" : "s"}, project ${fleet.project}, form ${fleet.form}\n` +
      lines.map((l) => `  ${l}\n`).join(""),
  );
  return 0;
}

function shard(values: Values): number {
  allowOnly(values, "shard", ["fleet", "shard", "stack-prefix"]);
  const spec = shardOption(values.shard);
  if (!spec) throw new UsageError("--shard i/n is required: which shard of how many");
  const fleet = needFleet(values);
  for (const name of namesInShard(
    fleet.tenants.map((t) => t.name),
    spec,
  ))
    process.stdout.write(`${name}\n`);
  return 0;
}

function merge(values: Values, files: string[]): number {
  allowOnly(values, "merge", ["fleet", "json", "markdown", "stack-prefix"]);
  if (files.length === 0)
    throw new UsageError("give the summaries to merge: intune-fleet merge a.json b.json …");
  const inputs = files.map((file) => {
    let document: unknown;
    try {
      document = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new SummaryError(`cannot read ${file} as JSON: ${(error as Error).message}`);
    }
    return { file, summary: parseSummary(document, file) };
  });
  const names = values.fleet ? needFleet(values).tenants.map((t) => t.name) : undefined;
  const merged = mergeSummaries(inputs, names);
  writeOutputs(merged, values);
  return merged.exitCode ?? 2;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  const { values, positionals } = parse(rest);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (command === "merge") return merge(values, positionals);
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if (command === "validate") return validate(values);
  if (command === "shard") return shard(values);
  if ((FLEET_COMMANDS as readonly string[]).includes(command)) return run(command as FleetCommand, values);
  throw new UsageError(
    `unknown command ${JSON.stringify(command)}: one of ${[...FLEET_COMMANDS, "validate", "shard", "merge"].join(", ")}`,
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UsageError) console.error(`intune-fleet: ${error.message}\n${USAGE}`);
      else if (error instanceof FleetFileError || error instanceof SummaryError)
        console.error(`intune-fleet: ${error.message}`);
      else
        console.error(
          `intune-fleet: could not run: ${error instanceof Error ? error.message : String(error)}`,
        );
      process.exit(2);
    },
  );
}
