#!/usr/bin/env node
// Command line for the emulator: `ca` creates the local CA (clients must trust it before they
// start), `start` runs the emulator until Ctrl+C. Secrets never go to stdout: only to --env-file.
import { renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ensureCa } from "./clients/ca";
import { CLOUD_NAMES, cloudProfile, isCloudName } from "./clouds";
import { isGuid } from "./ids";
import { clientEnvironment } from "./clients/environment";
import { startEmulator } from "./server";
import { mixedFleet } from "./connectors/model";
import { PARTNER_APP, defaultApps } from "./entra/apps";
import { generateTenants } from "./tenants/options";
import type { Emulator, EmulatorOptions } from "./types";
import { VARIANT_CHOICES, parseVariantArgument, type ServiceVariants } from "./graph/variants";

const VARIANT_HELP = Object.entries(VARIANT_CHOICES)
  .map(([name, values]) => `${" ".repeat(36)}${name}=${(values as readonly string[]).join("|")}`)
  .join("\n");

const USAGE = `Usage: emulator <command> [options]

Commands:
  ca      Create the local CA if needed and print the path of its certificate.
            --state-dir DIR         where ca.pem and ca-key.pem live (default ./.emulator)
  start   Run the Graph + Entra emulator on https://127.0.0.1 until Ctrl+C.
            --port N                port to listen on (default: a free one)
            --state-dir DIR         CA folder (default ./.emulator)
            --seed N | mixed        start with N realistic active connectors, or a mixed fleet
                                    (current, deprecated but active, error, inactive, leftover)
            --cloud C               ${CLOUD_NAMES.join(" | ")} (default global): the token audience Graph accepts
            --tenant-id ID          tenant GUID (default a fixed one)
            --tenants N             N more tenants (ids fixed by their place, seeded as --seed says),
                                    each consenting to the "partner" app, a multi-tenant app of
                                    the default tenant with ReadWrite.All: the partner pattern
            --page-size N           list page size (default 100)
            --variant NAME=VALUE    a behaviour Microsoft's sources leave open (repeatable; the
                                    first value is the default; docs/emulator.md explains each):
${VARIANT_HELP}
            --latency-ms N          delay added to every Graph and token response
            --no-throttle           turn off Intune's request limits
            --no-retry-after        throttled answers carry no Retry-After header
            --heartbeat-ms N        active connectors check in every N ms
            --remove-inactive-after-ms N
                                    remove inactive connectors N ms after their last contact
                                    (Intune: "cleaned up after 30 days")
            --remove-inactive-from last-contact | inactive
                                    count those N ms from the last contact (default) or from
                                    when the connector became inactive (5 days later)
            --no-intune-license     the tenant has no active Intune licence: every connector
                                    request is answered 403
            --persist FILE          load connectors from FILE and save every change to it
            --env-file FILE         write AZURE_* settings for the "writer" app, with its secret (mode 0600);
                                    with --tenants, also EMULATOR_TENANT_IDS and the partner app's
                                    EMULATOR_PARTNER_CLIENT_ID and EMULATOR_PARTNER_CLIENT_SECRET
            --env-out FILE          the same; use it when FILE does not exist yet (Node 24 itself exits
                                    with "not found" when any --env-file argument names a missing file)

Clients trust the emulator through NODE_EXTRA_CA_CERTS=<the path printed by 'ca'>, set before
Node starts. The admin API is at <url>/_emulator/ (see emulator/README.md).`;

/** A mistake on the command line: one line on stderr, exit code 2. */
class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    case "ca":
      return caCommand(rest);
    case "start":
      return startCommand(rest);
    default:
      throw new UsageError(`unknown command '${command}' (expected ca or start)`);
  }
}

async function caCommand(args: string[]): Promise<number> {
  const { values } = parse(args, { "state-dir": { type: "string" }, help: { type: "boolean", short: "h" } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const { certPath } = await ensureCa(stringOption(values["state-dir"]));
  console.log(certPath);
  return 0;
}

async function startCommand(args: string[]): Promise<number> {
  const { values } = parse(args, {
    port: { type: "string" },
    "state-dir": { type: "string" },
    seed: { type: "string" },
    cloud: { type: "string" },
    "tenant-id": { type: "string" },
    tenants: { type: "string" },
    "page-size": { type: "string" },
    variant: { type: "string", multiple: true },
    // Kept for scripts written for 0.1: the documented 200 with the object is now the default.
    "patch-returns-body": { type: "boolean" },
    "latency-ms": { type: "string" },
    "no-throttle": { type: "boolean" },
    "no-retry-after": { type: "boolean" },
    "heartbeat-ms": { type: "string" },
    "remove-inactive-after-ms": { type: "string" },
    "remove-inactive-from": { type: "string" },
    "no-intune-license": { type: "boolean" },
    persist: { type: "string" },
    "env-file": { type: "string" },
    "env-out": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const cloud = stringOption(values.cloud);
  if (cloud !== undefined && !isCloudName(cloud)) {
    throw new UsageError(`--cloud must be one of ${CLOUD_NAMES.join(", ")}, got '${cloud}'`);
  }
  const tenantId = stringOption(values["tenant-id"]);
  if (tenantId !== undefined && !isGuid(tenantId))
    throw new UsageError(`--tenant-id must be a GUID, got '${tenantId}'`);
  const removeInactiveFrom = stringOption(values["remove-inactive-from"]);
  if (
    removeInactiveFrom !== undefined &&
    removeInactiveFrom !== "last-contact" &&
    removeInactiveFrom !== "inactive"
  )
    throw new UsageError(
      `--remove-inactive-from must be last-contact or inactive, got '${removeInactiveFrom}'`,
    );

  const seed = values.seed === "mixed" ? mixedFleet() : intOption("--seed", values.seed, 0);
  const tenantCount = intOption("--tenants", values.tenants, 1, MAX_TENANTS);
  const options: EmulatorOptions = {
    port: intOption("--port", values.port, 0, 65535),
    stateDir: stringOption(values["state-dir"]),
    seed,
    cloud,
    tenantId,
    ...(tenantCount !== undefined && {
      apps: [...defaultApps(), PARTNER_APP],
      tenants: generateTenants(tenantCount, {
        ...(seed !== undefined && { seed }),
        consent: [PARTNER_APP.clientId],
      }),
    }),
    pageSize: intOption("--page-size", values["page-size"], 1),
    variants: variantsOption(values.variant),
    latencyMs: intOption("--latency-ms", values["latency-ms"], 0),
    throttle: { enabled: values["no-throttle"] !== true, retryAfter: values["no-retry-after"] !== true },
    heartbeatMs: intOption("--heartbeat-ms", values["heartbeat-ms"], 1),
    removeInactiveAfterMs: intOption("--remove-inactive-after-ms", values["remove-inactive-after-ms"], 1),
    removeInactiveFrom,
    intuneLicensed: values["no-intune-license"] !== true,
    persistFile: stringOption(values.persist) && path.resolve(stringOption(values.persist) ?? ""),
  };
  if (values["env-file"] !== undefined && values["env-out"] !== undefined) {
    throw new UsageError("give --env-file or --env-out, not both");
  }
  const envFile = stringOption(values["env-file"]) ?? stringOption(values["env-out"]);

  const emulator = await startEmulator(options);
  if (envFile) writeEnvFile(path.resolve(envFile), emulator);
  console.log(banner(emulator, envFile && path.resolve(envFile)));

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  const line = emulator.summaryLine();
  await emulator.close();
  console.log(`Emulator stopped. ${line}`);
  return 0;
}

/** Enough for a benchmark's fleet; a typo such as --tenants 20000000 fails instead. */
const MAX_TENANTS = 10_000;

function banner(emu: Emulator, envFile: string | undefined): string {
  const width = Math.max(...emu.apps.map((a) => a.displayName.length));
  const apps = emu.apps.map(
    (a, i) =>
      `${i === 0 ? "  apps      " : "            "}${a.displayName.padEnd(width)}  ${a.clientId}  ${a.roles.join(", ") || "(no roles)"}`,
  );
  const audience = cloudProfile(emu.cloud as NonNullable<EmulatorOptions["cloud"]>).graphResource;
  return [
    `Intune Graph emulator listening on ${emu.url}`,
    `  tenant    ${emu.tenantId} (cloud ${emu.cloud}, token audience ${audience})`,
    `  CA        ${emu.caCertPath} (clients need NODE_EXTRA_CA_CERTS=${emu.caCertPath})`,
    ...apps,
    ...tenantsLine(emu),
    envFile
      ? `  env file  ${envFile} (the writer's credentials, mode 0600)`
      : "  secrets   not shown; pass --env-file FILE to have the writer's written to a file",
    `  admin     ${emu.url}/_emulator/info`,
    "Press Ctrl+C to stop.",
  ].join("\n");
}

/** The other tenants, in one line: a fleet of 200 is listed by GET /_emulator/tenants, not here. */
function tenantsLine(emu: Emulator): string[] {
  const others = emu.tenants().slice(1);
  if (others.length === 0) return [];
  const partner = emu.app(PARTNER_APP.displayName);
  return [
    `  tenants   ${others.length} more (${others[0].tenantId}${others.length > 1 ? ", …" : ""}), each consenting to ` +
      `${partner.displayName} ${partner.clientId} (${partner.roles.join(", ")}); list: ${emu.url}/_emulator/tenants`,
  ];
}

/** A dotenv file for the "writer" app, written atomically and readable by the owner only. */
function writeEnvFile(file: string, emu: Emulator): void {
  const entries = Object.entries(clientEnvironment(emu, "writer"));
  const others = emu.tenants().slice(1);
  if (others.length > 0) {
    // The partner pattern: its app signs in at each of these tenants' authorities.
    const partner = emu.app(PARTNER_APP.displayName);
    entries.push(
      ["EMULATOR_TENANT_IDS", others.map((t) => t.tenantId).join(",")],
      ["EMULATOR_PARTNER_CLIENT_ID", partner.clientId],
      ["EMULATOR_PARTNER_CLIENT_SECRET", partner.secret],
    );
  }
  const text = [
    `# Written by the Intune Graph emulator (${emu.url}) at ${new Date().toISOString()}.`,
    "# The secret changes at every start.",
    ...entries.map(([k, v]) => `${k}=${dotenvValue(v)}`),
    "",
  ].join("\n");
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

function dotenvValue(value: string): string {
  return /^[A-Za-z0-9_.:/~+@%-]*$/.test(value) ? value : JSON.stringify(value);
}

type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

function parse<const T extends OptionSpec>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function variantsOption(values: (string | boolean)[] | undefined): Partial<ServiceVariants> {
  const chosen: Partial<ServiceVariants> = {};
  for (const value of values ?? []) {
    try {
      Object.assign(chosen, parseVariantArgument(String(value)));
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
  }
  return chosen;
}

function stringOption(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function intOption(
  name: string,
  value: string | boolean | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
) {
  if (typeof value !== "string") return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(
      `${name} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ""}, got '${value}'`,
    );
  }
  return n;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      const usage = err instanceof UsageError;
      console.error(`emulator: ${message}${usage ? " (see --help)" : ""}`);
      process.exit(usage ? 2 : 1);
    },
  );
}
