/**
 * What `intune-health` prints and writes, pure: a table for people, Markdown for a GitHub job
 * summary or an Azure DevOps summary, and JSON for tools.
 */
import { FleetHealth, HealthOptions, formatHours } from "./rules";
import { toInfo } from "../inventory/filter";
import { hasConnected } from "../connector/ownership";
import { GraphConnector } from "../connector/definition";

export interface HealthReport {
  /** ISO time of the check. */
  checkedAt: string;
  options: HealthOptions;
  fleet: FleetHealth;
  /** Ids the stack manages that the tenant no longer holds (only when a stack was given). */
  vanished: string[];
  /** Whether a stack's managed ids were known (unmanaged connectors are only judged then). */
  stackGiven: boolean;
}

export const healthy = (report: HealthReport) => report.fleet.healthy && report.vanished.length === 0;

function contact(hours: number | undefined, connector: GraphConnector): string {
  if (hours !== undefined) return `${formatHours(hours)} ago`;
  return hasConnected(connector) ? "unreadable" : "never";
}

interface Row {
  verdict: string;
  name: string;
  id: string;
  /** Only when domains are given. */
  domain?: string;
  version: string;
  state: string;
  contact: string;
  findings: string;
}

/** Each connector's domain, by id, when domains are given ("—" for one in no domain). */
function domainsById(report: HealthReport): Map<string, string> | undefined {
  if (!report.fleet.perDomain) return undefined;
  const byId = new Map<string, string>();
  for (const d of report.fleet.domains)
    for (const h of d.connectors) byId.set(h.connector.id, d.domain as string);
  return byId;
}

function rows(report: HealthReport): Row[] {
  const unmanaged = new Set(
    report.fleet.findings.filter((f) => f.rule === "unmanaged").map((f) => f.connectorId as string),
  );
  const domains = domainsById(report);
  return report.fleet.connectors.map((h) => ({
    verdict: h.healthy ? "healthy" : "UNHEALTHY",
    name: h.connector.displayName ?? "(no name)",
    id: h.connector.id,
    ...(domains ? { domain: domains.get(h.connector.id) ?? "—" } : {}),
    version: h.connector.version ?? "—",
    state: h.connector.state ?? "—",
    contact: contact(h.silentHours, h.connector),
    findings: [
      ...h.findings.map((f) => f.message),
      ...(unmanaged.has(h.connector.id) ? ["not managed by the stack"] : []),
      // Advice leaves the verdict alone; it is shown where the connector is.
      ...h.advisories.map((a) => `advisory: ${a.message}`),
    ].join("; "),
  }));
}

const connectorName = (c: GraphConnector) => `${JSON.stringify(c.displayName)} (${c.id})`;

function summaryLines(report: HealthReport): string[] {
  const { fleet, options } = report;
  const lines = [
    `${healthy(report) ? "HEALTHY" : "UNHEALTHY"}: ${fleet.healthyCount} of ${fleet.connectors.length} connectors healthy ` +
      `(needs ${options.minimumHealthy}${fleet.perDomain ? " per domain" : ""}; version ≥ ${options.minimumVersion}, state active` +
      `${options.silentAfterHours === undefined ? "" : `, contact within ${options.silentAfterHours} h`})`,
  ];
  if (fleet.perDomain) {
    lines.push(
      `domains: ${fleet.domains.map((d) => `${d.domain} ${d.healthyCount} of ${d.connectors.length} healthy`).join("; ")}`,
    );
  } else {
    lines.push(
      "domains: none given, so the tenant is counted as one domain (--domain counts each domain on its own)",
    );
  }
  for (const f of fleet.findings.filter((x) => x.rule !== "unmanaged")) lines.push(`${f.rule}: ${f.message}`);
  for (const { connector, reason } of fleet.unassigned) {
    lines.push(`in no domain: ${connectorName(connector.connector)} counts for none: ${reason}`);
  }
  const unmanaged = fleet.findings.filter((x) => x.rule === "unmanaged").length;
  if (report.stackGiven)
    lines.push(`unmanaged: ${unmanaged} connector${unmanaged === 1 ? "" : "s"} not in the stack`);
  for (const id of report.vanished) {
    lines.push(`vanished: ${id} is in the stack but no longer in the tenant (pulumi refresh drops it)`);
  }
  return lines;
}

/** A fixed-width table and the summary, for a terminal or a log. */
export function renderTable(report: HealthReport): string {
  const header: Row = {
    verdict: "VERDICT",
    name: "DISPLAY NAME",
    id: "ID",
    ...(report.fleet.perDomain ? { domain: "DOMAIN" } : {}),
    version: "VERSION",
    state: "STATE",
    contact: "LAST CONTACT",
    findings: "FINDINGS",
  };
  const all = [header, ...rows(report)];
  const columns = Object.keys(header) as (keyof Row)[];
  const width = (key: keyof Row) => Math.max(...all.map((r) => (r[key] as string).length));
  const line = (r: Row) =>
    columns
      .map((key, i) => (i === columns.length - 1 ? r[key] : (r[key] as string).padEnd(width(key))))
      .join("  ")
      .trimEnd();
  return [...summaryLines(report), "", ...all.map(line)].join("\n") + "\n";
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** Markdown for a job summary ($GITHUB_STEP_SUMMARY, or ##vso[task.uploadsummary] on Azure DevOps). */
export function renderMarkdown(report: HealthReport): string {
  const [verdict, ...rest] = summaryLines(report);
  const perDomain = report.fleet.perDomain;
  const out = [
    `## Intune domain join connectors: ${healthy(report) ? "✅" : "❌"} ${verdict}`,
    "",
    ...rest.map((l) => `- ${cell(l)}`),
    ...(rest.length ? [""] : []),
    `| verdict | display name | id |${perDomain ? " domain |" : ""} version | state | last contact | findings |`,
    `| --- | --- | --- |${perDomain ? " --- |" : ""} --- | --- | --- | --- |`,
    ...rows(report).map(
      (r) =>
        `| ${r.verdict === "healthy" ? "✅ healthy" : "❌ unhealthy"} | ${cell(r.name)} | \`${r.id}\` |` +
        `${perDomain ? ` ${cell(r.domain as string)} |` : ""} ${cell(r.version)} | ${cell(r.state)} | ${r.contact} | ${cell(r.findings) || "—"} |`,
    ),
    "",
    `_Checked ${report.checkedAt}._`,
  ];
  return out.join("\n") + "\n";
}

/** The JSON document: the verdict, the thresholds, each domain, each connector and each finding. */
export function toJson(report: HealthReport): string {
  const { fleet } = report;
  const domains = domainsById(report);
  return (
    JSON.stringify(
      {
        healthy: healthy(report),
        checkedAt: report.checkedAt,
        options: report.options,
        healthyCount: fleet.healthyCount,
        // Without domains, one entry with domain null: all the connectors, counted as one domain.
        perDomain: fleet.perDomain,
        domains: fleet.domains.map((d) => ({
          domain: d.domain ?? null,
          healthyCount: d.healthyCount,
          total: d.connectors.length,
          connectors: d.connectors.map((h) => h.connector.id),
          notFound: d.notFound,
        })),
        unassigned: fleet.unassigned.map(({ connector, reason }) => ({
          id: connector.connector.id,
          displayName: connector.connector.displayName,
          reason,
        })),
        connectors: fleet.connectors.map((h) => ({
          ...toInfo(h.connector),
          ...(domains ? { domain: domains.get(h.connector.id) ?? null } : {}),
          healthy: h.healthy,
          silentHours: h.silentHours === undefined ? null : Math.round(h.silentHours * 100) / 100,
          findings: h.findings,
          advisories: h.advisories,
        })),
        findings: fleet.findings,
        vanished: report.vanished,
      },
      null,
      2,
    ) + "\n"
  );
}
