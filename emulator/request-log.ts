// The record of what clients asked, for tests and for the demo's closing summary line.
import type { RequestLogEntry, RequestLogFilter, RequestSummary } from "./types";

/** Keeps memory bounded when a long-running emulator serves many requests. */
const MAX_ENTRIES = 10_000;
const TOKEN_PATH = /\/oauth2\/v2\.0\/token$/;

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private nextSeq = 1;

  add(entry: Omit<RequestLogEntry, "seq" | "time">, at: Date = new Date()): RequestLogEntry {
    const full: RequestLogEntry = { seq: this.nextSeq++, time: at.toISOString(), ...entry };
    this.entries.push(full);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    return full;
  }

  list(filter: RequestLogFilter = {}): RequestLogEntry[] {
    return this.entries.filter((e) => matches(e, filter)).map((e) => structuredClone(e));
  }

  clear(): void {
    this.entries = [];
  }

  /** With a tenantId, that tenant's requests only. */
  summary(filter: { tenantId?: string } = {}): RequestSummary {
    const counts: RequestSummary = {
      token: 0,
      GET: 0,
      POST: 0,
      PATCH: 0,
      DELETE: 0,
      throttled: 0,
      errors: 0,
    };
    for (const e of this.entries) {
      if (e.kind === "admin" || !matches(e, { tenantId: filter.tenantId })) continue;
      // Discovery documents are fetched alongside tokens; only token requests count as tokens.
      if (e.kind === "token" && e.method === "POST" && TOKEN_PATH.test(e.path)) counts.token++;
      if (
        e.kind === "graph" &&
        (e.method === "GET" || e.method === "POST" || e.method === "PATCH" || e.method === "DELETE")
      ) {
        counts[e.method]++;
      }
      if (e.status === 429) counts.throttled++;
      else if (e.status >= 400 || e.status === 0) counts.errors++;
    }
    return counts;
  }

  summaryLine(filter: { tenantId?: string } = {}): string {
    return formatSummaryLine(this.summary(filter));
  }
}

function matches(entry: RequestLogEntry, filter: RequestLogFilter): boolean {
  return (
    (!filter.kind || entry.kind === filter.kind) &&
    (filter.tenantId === undefined || entry.tenantId === filter.tenantId)
  );
}

/** e.g. "Graph: 1 token, 2 GET, 1 PATCH, 1 POST"; zero counts are left out except the token count. */
export function formatSummaryLine(s: RequestSummary): string {
  const total = s.token + s.GET + s.POST + s.PATCH + s.DELETE + s.throttled + s.errors;
  if (total === 0) return "Graph: no requests";
  const parts = [`${s.token} token`];
  const optional: [number, string][] = [
    [s.GET, "GET"],
    [s.PATCH, "PATCH"],
    [s.POST, "POST"],
    [s.DELETE, "DELETE"],
    [s.throttled, "throttled"],
    [s.errors, s.errors === 1 ? "error" : "errors"],
  ];
  for (const [count, label] of optional) if (count > 0) parts.push(`${count} ${label}`);
  return `Graph: ${parts.join(", ")}`;
}
