#!/usr/bin/env node
/**
 * intune-health: the tenant's domain join connectors and their health, for pipelines and people.
 * It reads settings like the provider (stack config with --stack, else the environment), lists the
 * connectors (one list page per 100), judges them by rules.ts, prints a table, and writes
 * JSON and Markdown when asked. With a stack (--stack, through the Automation API) or an exported
 * state (--state), it also lists connectors the stack does not manage and managed ones that are
 * gone. It changes nothing.
 *
 * Exit codes: 0 healthy, 1 unhealthy, 2 could not check.
 *
 *   npx intune-health [--stack prod | --state state.json] [--json health.json]
 *                     [--markdown "$GITHUB_STEP_SUMMARY"] [--min-version 6.2501.2000.5]
 *                     [--silent-after-hours H (default off)] [--min-healthy 2]
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { connect } from "../connection";
import { DEFAULT_HEALTH_OPTIONS, DOTTED_NUMBER, HealthOptions, fleetHealth } from "./rules";
import { idKey } from "../connector/ownership";
import { managedConnectorIds } from "../repair/decisions";
import { HealthReport, healthy, renderMarkdown, renderTable, toJson } from "./report";
import { openStack } from "../state/open-stack";

const USAGE =
  "usage: intune-health [--stack NAME | --state FILE] [--json FILE] [--markdown FILE] " +
  "[--min-version V] [--silent-after-hours H] [--min-healthy N]";

/** A problem with the command line or settings: exit 2 with one line. */
class UsageError extends Error {}

/** The ids of the DomainJoinConnector resources in an exported state (`pulumi stack export`). */
export function managedIds(exported: unknown): string[] {
  const deployment = (exported as { deployment?: { resources?: unknown[] } })?.deployment;
  if (!deployment || !Array.isArray(deployment.resources)) {
    throw new UsageError("the state has no deployment.resources: give the output of `pulumi stack export`");
  }
  return managedConnectorIds(deployment.resources as { type?: string; id?: string }[]);
}

/** Thresholds from the command line over the defaults, each checked. */
export function healthOptions(values: {
  "min-version"?: string;
  "silent-after-hours"?: string;
  "min-healthy"?: string;
}): HealthOptions {
  const options = { ...DEFAULT_HEALTH_OPTIONS };
  const version = values["min-version"];
  if (version !== undefined) {
    if (!DOTTED_NUMBER.test(version)) {
      throw new UsageError(
        `--min-version must be a dotted version number such as 6.2501.2000.5, got ${JSON.stringify(version)}`,
      );
    }
    options.minimumVersion = version;
  }
  const hours = values["silent-after-hours"];
  if (hours !== undefined) {
    const n = Number(hours);
    if (!(n > 0) || !Number.isFinite(n)) {
      throw new UsageError(
        `--silent-after-hours must be a number of hours above 0, got ${JSON.stringify(hours)}`,
      );
    }
    options.silentAfterHours = n;
  }
  const count = values["min-healthy"];
  if (count !== undefined) {
    const n = Number(count);
    if (!Number.isInteger(n) || n < 0) {
      throw new UsageError(`--min-healthy must be a whole number, 0 or more, got ${JSON.stringify(count)}`);
    }
    options.minimumHealthy = n;
  }
  return options;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        stack: { type: "string" },
        state: { type: "string" },
        json: { type: "string" },
        markdown: { type: "string" },
        "min-version": { type: "string" },
        "silent-after-hours": { type: "string" },
        "min-healthy": { type: "string" },
        help: { type: "boolean" },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.stack && values.state) throw new UsageError("give --stack or --state, not both");
  const options = healthOptions(values);

  let config: ((key: string) => string | undefined) | undefined;
  let managed: string[] | undefined;
  if (values.state) {
    let text: string;
    try {
      text = readFileSync(values.state, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read --state ${values.state}: ${(error as Error).message}`);
    }
    try {
      managed = managedIds(JSON.parse(text));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--state ${values.state} is not JSON: ${(error as Error).message}`);
    }
  } else if (values.stack) {
    const stack = await openStack(values.stack);
    managed = managedIds(await stack.exportState());
    config = stack.config;
  }

  const connection = connect({ config });
  let tenant;
  try {
    tenant = await connection.api.list();
  } finally {
    connection.close();
  }
  const now = Date.now();
  const fleet = fleetHealth(tenant, now, options, managed);
  const present = new Set(tenant.map((c) => idKey(c.id)));
  const report: HealthReport = {
    checkedAt: new Date(now).toISOString(),
    options,
    fleet,
    vanished: (managed ?? []).filter((id) => !present.has(idKey(id))),
    stackGiven: managed !== undefined,
  };
  process.stdout.write(renderTable(report));
  if (values.json) writeFileSync(values.json, toJson(report));
  // Appended: $GITHUB_STEP_SUMMARY collects every step's Markdown in one file.
  if (values.markdown) appendFileSync(values.markdown, renderMarkdown(report));
  return healthy(report) ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      console.error(`intune-health: could not check: ${message}`);
      process.exit(2);
    },
  );
}
