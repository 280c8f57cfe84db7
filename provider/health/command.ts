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
 *                     [--markdown "$GITHUB_STEP_SUMMARY"] [--config health-options.json]
 *                     [--min-version 6.2501.2000.5] [--silent-after-hours H (default off)]
 *                     [--min-healthy 2] [--domain corp.contoso.com[=ODJ-HQ-01,ODJ-HQ-02]]…
 *                     [--domain-pattern '^[^.]+\.(.+)$']
 *
 * The health options (options.ts) come from the flags, over a JSON config file of the same keys
 * as the policy pack's config (`--config`); a flag replaces the file's value of its option.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { connect } from "../connection";
import { HealthOptions, fleetHealth } from "./rules";
import { HEALTH_OPTIONS, HEALTH_OPTION_KEYS, HealthOptionKey, parseHealthOptions } from "./options";
import { idKey } from "../connector/ownership";
import { managedConnectorIds } from "../repair/decisions";
import { HealthReport, healthy, renderMarkdown, renderTable, toJson } from "./report";
import { openStack } from "../state/open-stack";

const USAGE =
  "usage: intune-health [--stack NAME | --state FILE] [--json FILE] [--markdown FILE] [--config FILE] " +
  HEALTH_OPTION_KEYS.map((key) => {
    const { flag, flagValue } = HEALTH_OPTIONS[key];
    return `[${flag} ${flagValue}]${key === "domains" ? "…" : ""}`;
  }).join(" ");

/** A problem with the command line or settings: exit 2 with one line. */
class UsageError extends Error {}

type StateResource = { type?: string; id?: string; inputs?: Record<string, unknown> };

/** The resources of an exported state (`pulumi stack export`). */
function stateResources(exported: unknown): StateResource[] {
  const deployment = (exported as { deployment?: { resources?: unknown[] } })?.deployment;
  if (!deployment || !Array.isArray(deployment.resources)) {
    throw new UsageError("the state has no deployment.resources: give the output of `pulumi stack export`");
  }
  return deployment.resources as StateResource[];
}

/** The ids of the DomainJoinConnector resources in an exported state (`pulumi stack export`). */
export function managedIds(exported: unknown): string[] {
  return managedConnectorIds(stateResources(exported));
}

/** The version each DomainJoinConnector resource of an exported state declares, by connector id. */
export function declaredVersions(exported: unknown): Map<string, string> {
  const managed = new Set(managedIds(exported));
  const declared = new Map<string, string>();
  for (const r of stateResources(exported)) {
    const version = r.inputs?.version;
    if (r.id && managed.has(r.id) && typeof version === "string") declared.set(idKey(r.id), version);
  }
  return declared;
}

/** The flag's name without its dashes, as parseArgs keys it. */
const flagKey = (key: HealthOptionKey) => HEALTH_OPTIONS[key].flag.slice(2);

/** What the command line says of the options: each flag given, and the config file. */
export type OptionValues = { config?: string; domain?: string[] } & Record<
  string,
  string | string[] | boolean | undefined
>;

/** `--domain corp.contoso.com=ODJ-HQ-01,ODJ-HQ-02` (repeated) as the options' `domains`. */
function domainsOfFlags(flags: readonly string[]): Record<string, string[]> {
  const domains: Record<string, string[]> = {};
  for (const flag of flags) {
    const at = flag.indexOf("=");
    const domain = at < 0 ? flag : flag.slice(0, at);
    if (Object.hasOwn(domains, domain)) {
      throw new UsageError(
        `--domain ${domain} is given twice: give each domain once, with all its connectors (--domain ${domain}=A,B)`,
      );
    }
    domains[domain] = at < 0 ? [] : flag.slice(at + 1).split(",");
  }
  return domains;
}

/**
 * The health options: the flags over the config file (`--config`, JSON with the options' keys)
 * over the defaults, checked once by parseHealthOptions. A message names a flag as a flag and a
 * key of the file with the file.
 */
export function healthOptions(
  values: OptionValues,
  read = (file: string) => readFileSync(file, "utf8"),
): HealthOptions {
  let fromFile: Record<string, unknown> = {};
  if (values.config !== undefined) {
    let text: string;
    try {
      text = read(values.config);
    } catch (error) {
      throw new UsageError(`cannot read --config ${values.config}: ${(error as Error).message}`);
    }
    try {
      fromFile = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`--config ${values.config} is not JSON: ${(error as Error).message}`);
    }
    if (fromFile === null || typeof fromFile !== "object" || Array.isArray(fromFile)) {
      throw new UsageError(
        `--config ${values.config} must hold a JSON object with the health options (${HEALTH_OPTION_KEYS.join(", ")})`,
      );
    }
  }
  const fromFlags: Record<string, unknown> = {};
  for (const key of HEALTH_OPTION_KEYS) {
    const value = values[flagKey(key)];
    if (value === undefined) continue;
    fromFlags[key] = key === "domains" ? domainsOfFlags(value as string[]) : value;
  }
  try {
    return parseHealthOptions(
      { ...fromFile, ...fromFlags },
      {
        // A key of the file is named with the file; any other option by its flag.
        name: (key) =>
          key in fromFile && !(key in fromFlags)
            ? `${key} (in --config ${values.config as string})`
            : (HEALTH_OPTIONS[key as HealthOptionKey]?.flag ?? key),
      },
    );
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
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
        config: { type: "string" },
        ...Object.fromEntries(
          HEALTH_OPTION_KEYS.map((key) => [
            flagKey(key),
            { type: "string", multiple: key === "domains" } as const,
          ]),
        ),
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
  let declared: Map<string, string> | undefined;
  if (values.state) {
    let text: string;
    try {
      text = readFileSync(values.state, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read --state ${values.state}: ${(error as Error).message}`);
    }
    try {
      const exported: unknown = JSON.parse(text);
      managed = managedIds(exported);
      declared = declaredVersions(exported);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--state ${values.state} is not JSON: ${(error as Error).message}`);
    }
  } else if (values.stack) {
    const stack = await openStack(values.stack);
    const exported = await stack.exportState();
    managed = managedIds(exported);
    declared = declaredVersions(exported);
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
  const fleet = fleetHealth(tenant, now, options, managed, declared);
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
