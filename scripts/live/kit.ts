/**
 * The live acceptance kit: against a real tenant, the source table's rows that public Graph
 * requests can show (checks.ts), a connector's whole life through the provider's own client
 * (life.ts), and a clean-up that deletes every connector the run created, whatever happened. The
 * result is a report (report.ts renders it) whose every string has been scrubbed of secrets.
 *
 * It signs in as the provider does (connect(): its settings, the credential they choose, its token
 * source), in whichever cloud INTUNE_CLOUD names, so it tests what users run.
 */
import { randomBytes } from "node:crypto";
import { AuthenticationError } from "pulumi-intune-domain-join/internal/auth/errors";
import { scrubSecrets } from "pulumi-intune-domain-join/internal/config/logging";
import {
  ConfigurationError,
  createLookup,
  readSecrets,
  secretValues,
} from "pulumi-intune-domain-join/internal/config/settings";
import { Connection, connect } from "pulumi-intune-domain-join/internal/connection";
import { GraphError } from "pulumi-intune-domain-join/internal/graph/errors";
import { packageInfo } from "pulumi-intune-domain-join/internal/version";
import { CHECKS, LiveCheck, rowKind } from "./checks";
import { Ownership, Probe } from "./exchange";
import { Outcome, notCheckable } from "./judge";
import { Life, runLife } from "./life";
import { preflight } from "./preflight";
import { Blocked, Trial } from "./trial";

/** What every connector of every run is named after: `<KIT_PREFIX>-<run id>-<label>`. */
export const KIT_PREFIX = "pulumi-intune-live";

/** The kit did not run: not asked, no credentials, bad settings, or no token. */
export class NotRunError extends Error {
  override readonly name = "NotRunError";
}

export interface LiveKitOptions {
  /** The environment the provider's settings are read from. */
  env: NodeJS.ProcessEnv;
  /** Send the throttling burst (S41, S42, U40). */
  throttle?: boolean;
  /** Only these rows (ids). Default: every row. */
  only?: readonly string[];
  /** Default: a date and six random hex digits. */
  runId?: string;
  /** A read of a connector just written may answer 404 this long. Default 10 s. */
  readAfterWriteMs?: number;
  /** The list may take this long to show a change. Default 30 s. */
  listSettleMs?: number;
  /** Progress, one line per check. */
  log?: (line: string) => void;
  /** When it aborts, the checks left are skipped and the clean-up runs. */
  signal?: AbortSignal;
  /** The checks to run. Default: CHECKS. */
  checks?: readonly LiveCheck[];
}

export interface RowReport extends Outcome {
  id: string;
  kind: "documented" | "not documented";
  row: string;
  sends: string;
  judges: string;
  ms: number;
}

export interface LeftBehind {
  id: string;
  displayName: string;
  reason: string;
}

export interface Cleanup {
  /** Connectors the run created, by id. */
  created: string[];
  deleted: string[];
  /** Created by the run and still in the tenant: remove them by hand. */
  leftBehind: LeftBehind[];
  /** Named with this run's prefix but not known by id (a POST whose answer was lost?): not touched. */
  unknownWithPrefix: { id: string; displayName: string }[];
  /** Named with the kit's prefix by an earlier run: not touched. */
  earlierRuns: { id: string; displayName: string }[];
}

export interface LiveReport {
  kit: { name: string; version: string };
  run: {
    id: string;
    prefix: string;
    started: string;
    seconds: number;
    cloud: string;
    graphEndpoint: string;
    authorityHost: string;
    tenantId?: string;
    clientId?: string;
    authMethod: string;
    throttle: boolean;
    /** Requests the checks sent (the life and the clean-up go through the provider's client). */
    requests: number;
    writes: number;
  };
  summary: {
    documented: number;
    different: number;
    notCheckable: number;
    /** Checks that meant to run and could not. */
    failed: number;
    life: Life["result"];
    leftBehind: number;
  };
  rows: RowReport[];
  life: Life;
  cleanup: Cleanup;
  /** Every row documented or not checkable, no check failed, the life passed, nothing left behind. */
  ok: boolean;
}

/** Retries of the provider's client for the life and the clean-up: its own rules, a shorter deadline. */
const KIT_RETRY = { deadlineMs: 120_000, maxRetryAfterMs: 30_000, requestTimeoutMs: 30_000 };
const PROBE_TIMEOUT_MS = 30_000;

function newRunId(): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll("-", "");
  return `${day}-${randomBytes(3).toString("hex")}`;
}

function describe(error: unknown): string {
  if (error instanceof GraphError)
    return `${error.status}${error.code ? ` ${error.code}` : ""}: ${error.graphMessage}`;
  return error instanceof Error ? error.message : String(error);
}

/** Every string in `value`, scrubbed of tokens and of the credential's secrets. */
function scrubbed<T>(value: T, secrets: readonly string[]): T {
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
    typeof v === "string" ? scrubSecrets(v, secrets) : v,
  ) as T;
}

/** Runs one check; what it throws becomes a row that is not checkable, and the run fails. */
async function runCheck(check: LiveCheck, trial: Trial, options: LiveKitOptions): Promise<Outcome> {
  if (check.unobservable) return notCheckable(check.unobservable);
  if (check.throttle && !options.throttle)
    return notCheckable(
      "sends about 110 writes in 20 s, which takes the app's write budget (and half the tenant's) for 20 s: run with --throttle (INTUNE_LIVE_THROTTLE=1)",
    );
  if (options.signal?.aborted) return notCheckable("the run was stopped before this check", { failed: true });
  if (!check.run) return notCheckable("the check has nothing to run", { failed: true });
  try {
    return await check.run(trial);
  } catch (error) {
    const why = error instanceof Blocked ? error.message : `the check failed: ${describe(error)}`;
    return notCheckable(why, { failed: true });
  }
}

/** Deletes every connector the run created (by id) and looks at what the list still holds. */
async function cleanUp(connection: Connection, ownership: Ownership, settleMs: number): Promise<Cleanup> {
  const owned = ownership.all();
  const cleanup: Cleanup = {
    created: owned.map((c) => c.id),
    deleted: [],
    leftBehind: [],
    unknownWithPrefix: [],
    earlierRuns: [],
  };
  for (const connector of owned) {
    if (!connector.deleted) {
      try {
        await connection.api.delete(ownership.assertOwned(connector.id, "delete").id);
        connector.deleted = true;
      } catch (error) {
        cleanup.leftBehind.push({
          id: connector.id,
          displayName: connector.name,
          reason: `DELETE: ${describe(error)}`,
        });
        continue;
      }
    }
    cleanup.deleted.push(connector.id);
  }
  // What the list holds afterwards (read only): a deleted one still there, names of the kit's.
  const isGone = (items: { id: string }[]) =>
    !items.some((c) => cleanup.deleted.some((id) => id.toLowerCase() === c.id.toLowerCase()));

  let listed: { id: string; displayName?: string | null }[] = [];
  try {
    const deadline = Date.now() + settleMs;
    for (let delay = 500; ; delay = Math.min(delay * 2, 4000)) {
      listed = await connection.api.list();
      if (isGone(listed) || Date.now() + delay > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  } catch (error) {
    cleanup.leftBehind.push({
      id: "(unknown)",
      displayName: "",
      reason: `could not list what is left: ${describe(error)}`,
    });
  }
  const reported = new Set(cleanup.leftBehind.map((l) => l.id.toLowerCase()));
  for (const item of listed) {
    const name = item.displayName ?? "";
    const mine = ownership.get(item.id);
    if (mine && !reported.has(mine.id.toLowerCase())) {
      // Whatever its DELETE answered, a connector of the run that is still listed is left behind.
      cleanup.deleted = cleanup.deleted.filter((id) => id !== mine.id);
      cleanup.leftBehind.push({
        id: item.id,
        displayName: name,
        reason: `deleted, yet still listed after ${settleMs / 1000} s`,
      });
    } else if (!mine && ownership.isOurs(name)) {
      cleanup.unknownWithPrefix.push({ id: item.id, displayName: name });
    } else if (!mine && name.startsWith(`${KIT_PREFIX}-`)) {
      cleanup.earlierRuns.push({ id: item.id, displayName: name });
    }
  }
  return cleanup;
}

/**
 * Runs the kit. Throws NotRunError, with one message, when it may not run or cannot sign in;
 * otherwise returns the report, whatever the service answered, after the clean-up.
 */
export async function runLiveKit(options: LiveKitOptions): Promise<LiveReport> {
  const refusal = preflight(options.env);
  if (refusal) throw new NotRunError(refusal);
  const log = options.log ?? (() => undefined);
  const secrets = secretValues(readSecrets(createLookup(undefined, options.env)));
  let connection: Connection;
  try {
    connection = connect({ env: options.env, retry: KIT_RETRY });
    await connection.tokens.getToken();
  } catch (error) {
    if (error instanceof ConfigurationError || error instanceof AuthenticationError)
      throw new NotRunError(scrubSecrets(error.message, secrets));
    throw error;
  }
  const started = new Date();
  const runId = options.runId ?? newRunId();
  const ownership = new Ownership(`${KIT_PREFIX}-${runId}`);
  const kit = packageInfo();
  const probe = new Probe({
    origin: connection.client.origin,
    tokens: connection.tokens,
    limiter: connection.limiter,
    ownership,
    userAgent: `${KIT_PREFIX}/${kit.version} (node ${process.version}; ${process.platform})`,
    timeoutMs: PROBE_TIMEOUT_MS,
  });
  const listSettleMs = options.listSettleMs ?? 30_000;
  const trial = new Trial(probe, ownership, {
    readAfterWriteMs: options.readAfterWriteMs ?? 10_000,
    listSettleMs,
    throttle: options.throttle ?? false,
  });
  const selected = (options.checks ?? CHECKS).filter((c) => !options.only || options.only.includes(c.id));
  // The throttling checks last: their burst leaves the app throttled for a while.
  const ordered = [...selected.filter((c) => !c.throttle), ...selected.filter((c) => c.throttle)];
  const rows: RowReport[] = [];
  let life: Life;
  let cleanup: Cleanup;
  try {
    log(`run ${ownership.prefix}: ${connection.settings.cloud} cloud, ${connection.settings.graphEndpoint}`);
    life = await runLife(connection.api, ownership, { listSettleMs });
    log(`life: ${life.result}`);
    for (const check of ordered) {
      const began = performance.now();
      const outcome = await runCheck(check, trial, options);
      const { id, row, sends, judges } = check;
      rows.push({
        id,
        kind: rowKind(id),
        row,
        sends,
        judges,
        ...outcome,
        ms: Math.round(performance.now() - began),
      });
      log(`${id} ${outcome.verdict}${outcome.failed ? " (failed)" : ""}`);
    }
  } finally {
    cleanup = await cleanUp(connection, ownership, listSettleMs);
    log(`clean-up: ${cleanup.deleted.length} of ${cleanup.created.length} deleted`);
    probe.close();
    connection.close();
  }
  const count = (verdict: Outcome["verdict"]) => rows.filter((r) => r.verdict === verdict).length;
  const summary = {
    documented: count("documented"),
    different: count("different"),
    notCheckable: count("not checkable"),
    failed: rows.filter((r) => r.failed).length,
    life: life.result,
    leftBehind: cleanup.leftBehind.length,
  };
  const report: LiveReport = {
    kit: { name: KIT_PREFIX, version: kit.version },
    run: {
      id: runId,
      prefix: ownership.prefix,
      started: started.toISOString(),
      seconds: Math.round((Date.now() - started.getTime()) / 100) / 10,
      cloud: connection.settings.cloud,
      graphEndpoint: connection.settings.graphEndpoint,
      authorityHost: connection.settings.authorityHost,
      tenantId: connection.settings.tenantId,
      clientId: connection.settings.clientId,
      authMethod: connection.method,
      throttle: options.throttle ?? false,
      requests: probe.exchanges.length,
      writes: probe.exchanges.filter((e) => e.method !== "GET").length,
    },
    summary,
    rows,
    life,
    cleanup,
    ok:
      summary.different === 0 && summary.failed === 0 && summary.leftBehind === 0 && life.result === "passed",
  };
  return scrubbed(report, secrets);
}
