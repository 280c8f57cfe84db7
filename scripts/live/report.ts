/**
 * The live kit's report: JSON (the whole LiveReport) and Markdown for people and for a GitHub job
 * summary — the run, the counts, each row that is different with what it sent, expected and got,
 * the connector's life, the clean-up (with the id of anything left behind), and every row.
 */
import type { Observed } from "./judge";
import type { LiveReport, RowReport } from "./kit";

/** A table cell: one line, pipes escaped. */
function cell(text: unknown): string {
  const s = typeof text === "string" ? text : JSON.stringify(text);
  return (s ?? "").replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

function observedLine(o: Observed): string {
  const parts = [`${code(o.request)} → **${o.status}**${o.code ? ` ${o.code}` : ""}`];
  if (o.message) parts.push(`message: “${o.message}”`);
  if (o.fields) parts.push(`body: ${code(JSON.stringify(o.fields))}`);
  if (o.headers) parts.push(`headers: ${code(JSON.stringify(o.headers))}`);
  parts.push(`request-id ${o.requestId ?? "(none)"}, client-request-id ${o.clientRequestId}`);
  return parts.join("; ");
}

function rowSummary(row: RowReport): string {
  if (row.verdict === "not checkable") return row.why ?? "";
  if (row.verdict === "different") {
    const o = row.observed?.[0];
    const got = o
      ? [
          `${o.status}${o.code ? ` ${o.code}` : ""}`,
          o.fields && JSON.stringify(o.fields),
          o.headers && JSON.stringify(o.headers),
        ]
          .filter(Boolean)
          .join(" ")
      : "?";
    return `expected ${row.expected?.join("; ")}; got ${got.length > 160 ? `${got.slice(0, 160)}…` : got}`;
  }
  return row.note ?? "";
}

const VERDICT_MARK: Record<RowReport["verdict"], string> = {
  documented: "✅ documented",
  different: "❌ different",
  "not checkable": "➖ not checkable",
};

export function renderMarkdown(report: LiveReport): string {
  const { run, summary, rows, life, cleanup } = report;
  const out: string[] = [];
  out.push("# Live acceptance report: Intune domain join connectors", "");
  const result = report.ok
    ? "every row checked is documented, the connector's life passed, nothing was left behind"
    : [
        summary.different && `${summary.different} row(s) different`,
        summary.failed && `${summary.failed} check(s) could not run`,
        life.result !== "passed" && `the connector's life ${life.result}`,
        summary.leftBehind && `${summary.leftBehind} connector(s) left behind`,
      ]
        .filter(Boolean)
        .join(", ");
  out.push(`**${report.ok ? "Passed" : "Attention"}:** ${result}.`, "");
  out.push("| | |", "| --- | --- |");
  out.push(`| run | ${code(run.prefix)} (kit ${report.kit.version}) |`);
  out.push(`| started | ${run.started}, ${run.seconds} s |`);
  out.push(`| cloud | ${run.cloud}: Graph ${run.graphEndpoint}, Entra ID ${run.authorityHost} |`);
  out.push(`| tenant | ${code(run.tenantId ?? "(default)")} |`);
  out.push(`| app | ${code(run.clientId ?? "(default)")}, signed in with ${run.authMethod} |`);
  out.push(
    `| requests | ${run.requests} by the checks (${run.writes} writes); throttling checks ${run.throttle ? "on" : "off"} |`,
  );
  out.push("");
  out.push("| verdict | rows |", "| --- | --- |");
  out.push(`| ✅ documented: the service does what the row says | ${summary.documented} |`);
  out.push(`| ❌ different: it answered otherwise | ${summary.different} |`);
  out.push(`| ➖ not checkable with public requests | ${summary.notCheckable} |`);
  out.push("");

  const different = rows.filter((r) => r.verdict === "different");
  if (different.length) {
    out.push("## Different", "");
    out.push(
      "The service answered otherwise than the row of docs/emulator.md says. Open an issue with this report " +
        "(docs/live.md): the row, the emulator's default, or the provider may need to change.",
      "",
    );
    for (const row of different) {
      out.push(`### ${row.id} — ${row.row}`, "");
      out.push(`- sent: ${row.sends}`);
      out.push(`- expected: ${row.expected?.join("; ")}`);
      for (const o of row.observed ?? []) out.push(`- observed: ${observedLine(o)}`);
      if (row.note) out.push(`- note: ${row.note}`);
      out.push("");
    }
  }
  const failed = rows.filter((r) => r.failed);
  if (failed.length) {
    out.push("## Checks that could not run", "");
    for (const row of failed) out.push(`- **${row.id}**: ${row.why}`);
    out.push("");
  }

  out.push("## The connector's life (the provider's own client)", "");
  out.push(
    `Result: **${life.result}**${life.connectorId ? ` (connector ${code(life.connectorId)})` : ""}.`,
    "",
  );
  if (life.steps.length) {
    out.push("| step | | detail | ms |", "| --- | --- | --- | --- |");
    for (const s of life.steps)
      out.push(`| ${s.step} | ${s.ok ? "✅" : "❌"} | ${cell(s.detail)} | ${s.ms} |`);
    out.push("");
  }

  out.push("## Clean-up", "");
  out.push(`Created ${cleanup.created.length} connector(s), deleted ${cleanup.deleted.length}.`);
  if (cleanup.leftBehind.length) {
    out.push("", "**Left behind** — remove these by hand (Intune admin center, or `DELETE` by id):", "");
    out.push("| id | name | why |", "| --- | --- | --- |");
    for (const l of cleanup.leftBehind)
      out.push(`| ${code(l.id)} | ${cell(l.displayName)} | ${cell(l.reason)} |`);
  } else out.push("Nothing was left behind.");
  if (cleanup.unknownWithPrefix.length) {
    out.push(
      "",
      "Named with this run's prefix but never known by id (a POST whose answer was lost?), not touched:",
      "",
    );
    for (const c of cleanup.unknownWithPrefix) out.push(`- ${code(c.id)} ${cell(c.displayName)}`);
  }
  if (cleanup.earlierRuns.length) {
    out.push("", "Left by earlier runs (not touched by this one):", "");
    for (const c of cleanup.earlierRuns) out.push(`- ${code(c.id)} ${cell(c.displayName)}`);
  }
  out.push("");

  out.push("## Every row", "");
  out.push("| id | row | source | verdict | detail |", "| --- | --- | --- | --- | --- |");
  for (const row of rows) {
    const source = row.kind === "documented" ? "Microsoft" : "_not documented_";
    out.push(
      `| ${row.id} | ${cell(row.row)} | ${source} | ${VERDICT_MARK[row.verdict]} | ${cell(rowSummary(row))} |`,
    );
  }
  out.push("");
  return out.join("\n");
}

export function renderJson(report: LiveReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
