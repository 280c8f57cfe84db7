/**
 * `npm run test:live`: the live acceptance kit against a real tenant (docs/live.md). Reads the
 * provider's variables from the environment, runs only with INTUNE_LIVE=1, and writes
 * live-report.md and live-report.json to --out (default reports/live).
 *
 * Exit codes: 0 every row checked is documented, the life passed, nothing was left behind;
 * 1 otherwise (the report says what); 2 the kit did not run (one message on stderr says why).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { CHECKS } from "./checks";
import { NotRunError, runLiveKit } from "./kit";
import { THROTTLE_OPT_IN, optedIn } from "./preflight";
import { renderJson, renderMarkdown } from "./report";

const USAGE = `usage: npm run test:live -- [--throttle] [--only S10,S13,…] [--out DIR]

  --throttle   also send the throttling burst (S41, S42, U40): about 110 writes in 20 s (or ${THROTTLE_OPT_IN}=1)
  --only IDS   only these rows of docs/emulator.md's source table (the connector's life always runs)
  --out DIR    where live-report.md and live-report.json go (default reports/live)

Needs INTUNE_LIVE=1, AZURE_TENANT_ID, AZURE_CLIENT_ID and a credential; docs/live.md says how.`;

class UsageError extends Error {}

function options(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        throttle: { type: "boolean" },
        only: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  const only = values.only
    ?.split(",")
    .map((id) => id.trim().toUpperCase())
    .filter(Boolean);
  const unknown = only?.filter((id) => !CHECKS.some((c) => c.id === id)) ?? [];
  if (unknown.length)
    throw new UsageError(
      `--only: no row ${unknown.join(", ")} (rows: ${CHECKS.map((c) => c.id).join(", ")})`,
    );
  return {
    help: values.help === true,
    throttle: values.throttle === true,
    only,
    out: values.out ?? "reports/live",
  };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args = options(argv);
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  // A first Ctrl+C (or the runner's SIGTERM) stops after the check under way and cleans up.
  const stop = new AbortController();
  // A second Ctrl+C quits at once; a runner's SIGTERM after its SIGINT does not cut the clean-up.
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      if (signal === "SIGINT") process.exit(130);
      return;
    }
    console.error("stopping after the check under way; cleaning up (Ctrl+C again to quit now)");
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const report = await runLiveKit({
      env,
      throttle: args.throttle || optedIn(env[THROTTLE_OPT_IN]),
      only: args.only,
      signal: stop.signal,
      log: (line) => console.error(line),
    });
    mkdirSync(args.out, { recursive: true });
    const markdown = path.join(args.out, "live-report.md");
    const json = path.join(args.out, "live-report.json");
    writeFileSync(markdown, renderMarkdown(report));
    writeFileSync(json, renderJson(report));
    const { summary } = report;
    console.log(
      `${report.ok ? "PASSED" : "ATTENTION"}: ${summary.documented} documented, ${summary.different} different, ` +
        `${summary.notCheckable} not checkable (${summary.failed} could not run); life ${summary.life}; ` +
        `${summary.leftBehind} left behind. Report: ${markdown}, ${json}`,
    );
    return report.ok ? 0 : 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // One line, never a stack trace: what to set, or what went wrong.
      const message = error instanceof Error ? error.message : String(error);
      console.error(
        error instanceof NotRunError || error instanceof UsageError ? message : `live kit: ${message}`,
      );
      process.exit(error instanceof UsageError || error instanceof NotRunError ? 2 : 1);
    },
  );
}
