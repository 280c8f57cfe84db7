/**
 * How a tenant's run is judged, and the run's exit code. Pure.
 *
 *   ok        the command did its work and found nothing to report
 *   changes   preview: it proposes a change (a create, update, delete or replace, the stack's own
 *             included); refresh: after reading the tenant back, the preview that follows
 *             proposes one — the tenant drifted from the stack's config (or the config changed)
 *   findings  health: intune-health judged a connector or the tenant unhealthy (its exit 1)
 *   failed    it could not run, or ran and failed (the error's first line says why)
 *   not run   it never started (the run was stopped first), or it started and never finished
 *             (the run was killed): both are rerun by --resume
 *
 * Exit codes, as intune-health's: 2 when any tenant failed or was not run; else 1 when any has
 * changes or findings; else 0.
 */

export const FLEET_COMMANDS = ["preview", "up", "refresh", "health", "destroy"] as const;
export type FleetCommand = (typeof FLEET_COMMANDS)[number];

export const OUTCOMES = ["ok", "changes", "findings", "failed", "not run"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The outcomes of a tenant that finished its command: --resume does not run it again. */
export const FINISHED_WELL: readonly Outcome[] = ["ok", "changes", "findings"];

export interface ChangeCounts {
  create: number;
  update: number;
  delete: number;
  replace: number;
  same: number;
}

/** Operations that change nothing in the tenant or the state. */
const NO_CHANGE = new Set(["same", "read", "refresh"]);

/**
 * Pulumi's counts by operation (the `resourceChanges` of the engine's summary event) as the
 * summary's: imports count as creates, `replace` as replaces (its create-replacement and
 * delete-replaced steps are the same replace); the stack's own resource is counted, as `pulumi`
 * prints it.
 */
export function changeCounts(ops: Readonly<Record<string, number | undefined>> | undefined): ChangeCounts {
  const n = (key: string) => ops?.[key] ?? 0;
  return {
    create: n("create") + n("import"),
    update: n("update"),
    delete: n("delete"),
    replace: n("replace"),
    same: n("same"),
  };
}

/** Whether the counts hold anything but unchanged resources. */
export function proposesChanges(ops: Readonly<Record<string, number | undefined>> | undefined): boolean {
  return Object.entries(ops ?? {}).some(([op, count]) => !NO_CHANGE.has(op) && (count ?? 0) > 0);
}

/** A command that ran to its end: its outcome. `healthExit` is intune-health's exit code (0 or 1). */
export function judge(
  command: FleetCommand,
  result: { ops?: Readonly<Record<string, number | undefined>>; healthExit?: number },
): Outcome {
  switch (command) {
    case "preview":
    case "refresh":
      return proposesChanges(result.ops) ? "changes" : "ok";
    case "health":
      return result.healthExit === 0 ? "ok" : "findings";
    default:
      return "ok";
  }
}

/** The exit code of a run whose tenants ended so. */
export function exitCode(outcomes: readonly Outcome[]): 0 | 1 | 2 {
  if (outcomes.some((o) => o === "failed" || o === "not run")) return 2;
  if (outcomes.some((o) => o === "changes" || o === "findings")) return 1;
  return 0;
}

/** Pulumi's closing lines, which say that something failed but not what. */
const GENERIC =
  /^(update|preview|refresh|destroy) failed\b|^one or more errors occurred|^an unhandled error occurred/i;

/** A terminal's colour and cursor sequences (ESC [ … letter). */
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b\[[0-9;?]*[A-Za-z]/g;

/**
 * The line that says why a command failed: the first `error:` diagnostic that is not one of
 * Pulumi's closing lines, else the first line of text. At most 300 characters.
 */
export function firstErrorLine(text: string): string {
  // Some plugins colour their diagnostics whatever the CLI is told (the YAML host's "Error:").
  const lines = text
    .replace(ANSI_ESCAPE, "")
    .split(/\r?\n/)
    .map((l) => l.trim());
  const errors = lines.flatMap((l) => {
    const m = /^error:\s*(.+)$/i.exec(l);
    return m ? [m[1].trim()] : [];
  });
  const line =
    errors.find((e) => !GENERIC.test(e)) ?? errors[0] ?? lines.find((l) => l !== "") ?? "failed (no message)";
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
