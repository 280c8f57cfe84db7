/** The benchmark's result types, the lower bounds each operation is compared with, and the Markdown table. */
import type { RequestSummary } from "intune-graph-emulator";

/**
 * ours: the dynamic provider in a TypeScript program; plugin: the same provider code as the
 * `intune` plugin, in a YAML program; sdk and baseline: the peers a user would write instead.
 */
export type ProviderName = "ours" | "plugin" | "sdk" | "baseline";

/** Every provider the bench knows, in the order its tables show them. */
export const PROVIDERS: readonly ProviderName[] = ["ours", "plugin", "sdk", "baseline"];
export type Operation = "preview" | "up (create)" | "up (no-op)" | "up (rename all)" | "refresh" | "destroy";

/** The emulator's request counts (throttled = answered 429). */
export type RequestCounts = RequestSummary;

export interface OperationRow {
  n: number;
  provider: ProviderName;
  operation: Operation;
  status: string;
  requests: RequestCounts | null;
  lowerBound: string;
  wallSeconds: number | null;
  /** First and last request, seconds from the command's start (absent in older results). */
  firstRequestSeconds?: number | null;
  lastRequestSeconds?: number | null;
  throttleBoundSeconds: number;
  latencyBoundSeconds: number;
  peakRssMb: number | null;
}

export interface StateRow {
  n: number;
  provider: ProviderName;
  /** One resource's entry in `pulumi stack export` (compact JSON), averaged. */
  bytesPerConnector: number;
  /** Of which the serialized provider (`__provider`, in inputs and outputs). */
  providerBytes: number;
  providerShare: number;
  /**
   * Of which the language host's record of where the resource was registered (`stackTrace`,
   * `sourcePosition`; absent in older results).
   */
  positionBytes?: number;
  /** The whole export (pretty-printed, with the stack resource and provider) divided by N. */
  exportBytes: number;
}

/** One provider's first up of N connectors with one fault injected. */
export interface FaultRow {
  n: number;
  provider: ProviderName;
  fault: "POST applied, answered 504" | "429 storm" | "503 burst";
  status: string;
  /** Connectors beyond one per display name left in the tenant. */
  duplicates: number;
  /** Connectors the stack does not hold after the up (creates that failed). */
  failed: number;
  requests: RequestCounts;
  wallSeconds: number;
}

export interface BenchResults {
  generated: string;
  settings: {
    sizes: number[];
    latencyMs: number;
    parallel: number;
    pageSize: number;
    throttle: string;
    baselineMax: number;
    baselineSkipped: number[];
    cpus: number;
    node: string;
    totalSeconds: number;
  };
  operations: OperationRow[];
  state: StateRow[];
  /** Absent in older results. */
  faults?: FaultRow[];
  /** Scenarios that could not run at all (absent in older results). */
  errors?: string[];
}

const WRITE_LIMIT = 100;
const WINDOW_SECONDS = 20;

/** Writes an operation needs at the least. */
export function minimumWrites(op: Operation, n: number): number {
  return op === "up (create)" || op === "up (rename all)" || op === "destroy" ? n : 0;
}

/** The fewest requests that can do the operation, as text. */
export function lowerBound(op: Operation, n: number, pageSize: number): string {
  switch (op) {
    case "preview":
      return "0";
    case "up (create)":
      return `${n} POST`;
    case "up (no-op)":
      return "0 writes";
    case "up (rename all)":
      return `${n} PATCH`;
    case "refresh": {
      const pages = Math.ceil(n / pageSize);
      return pages < n ? `${n} GET or ${pages} list page${pages > 1 ? "s" : ""}` : `${n} GET`;
    }
    case "destroy":
      return `${n} DELETE`;
  }
}

/**
 * Seconds that N writes need under Intune's per-app limit of 100 writes per sliding 20 s: the first
 * 100 go at once, each further 100 one window later.
 */
export function throttleBoundSeconds(op: Operation, n: number): number {
  const writes = minimumWrites(op, n);
  return writes > 0 ? Math.floor((writes - 1) / WRITE_LIMIT) * WINDOW_SECONDS : 0;
}

/**
 * Seconds of round trips on the critical path: one token, then the requests of N resources
 * `parallel` at a time (writes), or the fewer of that and the list's sequential pages (refresh).
 * Zero for preview and the no-op up, which need no request.
 */
export function latencyBoundSeconds(
  op: Operation,
  n: number,
  latencyMs: number,
  parallel: number,
  pageSize: number,
): number {
  const rounds = Math.ceil(n / parallel);
  let trips = 0;
  if (minimumWrites(op, n) > 0) trips = 1 + rounds;
  else if (op === "refresh") trips = 1 + Math.min(rounds, Math.ceil(n / pageSize));
  return Math.round(trips * latencyMs) / 1000;
}

function fixed(value: number | null, digits = 1): string {
  return value === null ? "–" : value.toFixed(digits);
}

function ratio(wall: number | null, bound: number): string {
  return wall === null || bound <= 0 ? "–" : `${(wall / bound).toFixed(1)}×`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Ours beside the plugin form and each peer, operation by operation: wall time and requests, with the ratio. */
function peerTable(results: BenchResults): string {
  const find = (n: number, provider: ProviderName, op: Operation) =>
    results.operations.find((r) => r.n === n && r.provider === provider && r.operation === op);
  const total = (r: OperationRow | undefined) =>
    r?.requests
      ? r.requests.token + r.requests.GET + r.requests.POST + r.requests.PATCH + r.requests.DELETE
      : null;
  const cell = (r: OperationRow | undefined, ours: OperationRow | undefined) => {
    if (!r) return "–";
    if (r.status !== "ok") return r.status.replace(/ \(.*$/, "");
    const speed =
      ours?.wallSeconds && r.wallSeconds ? ` (${(r.wallSeconds / ours.wallSeconds).toFixed(1)}×)` : "";
    return `${fixed(r.wallSeconds)} s, ${total(r)} req, ${r.requests?.throttled ?? 0} × 429${speed}`;
  };
  const rows: string[][] = [];
  for (const n of results.settings.sizes) {
    for (const op of ["up (create)", "up (rename all)", "refresh", "destroy"] as Operation[]) {
      const ours = find(n, "ours", op);
      if (!ours) continue;
      rows.push([
        String(n),
        op,
        ours.status === "ok"
          ? `${fixed(ours.wallSeconds)} s, ${total(ours)} req, ${ours.requests?.throttled ?? 0} × 429`
          : ours.status,
        cell(find(n, "plugin", op), ours),
        cell(find(n, "sdk", op), ours),
        cell(find(n, "baseline", op), ours),
      ]);
    }
  }
  return [
    "Wall time, Graph requests (tokens included) and 429 answers; the ratio beside the plugin's and each " +
      "peer's figures is its wall time over ours.",
    "",
    table(
      [
        "N",
        "operation",
        "ours",
        "plugin (YAML, intune plugin)",
        "sdk (official Graph SDK)",
        "baseline (naive)",
      ],
      rows,
    ),
  ].join("\n");
}

export function renderMarkdown(results: BenchResults): string {
  const s = results.settings;
  const head = [
    "# Benchmark results",
    "",
    `Generated by \`npm run bench\` on ${results.generated.slice(0, 10)}: the real Pulumi CLI against the emulator at ` +
      `${s.latencyMs} ms a request, ${s.throttle}; \`--parallel ${s.parallel}\`, list page size ${s.pageSize}, ` +
      `${s.cpus} cores, Node ${s.node}; ${s.totalSeconds} s in all.`,
    "",
    "**ours** is this provider, installed from its packed tarball as a user installs it; **plugin** is the " +
      "same provider code in its other form, the `intune` resource plugin (`pulumi-resource-intune`, " +
      "`provider/plugin/main.ts`) that YAML and every other language use: a YAML program declaring the N " +
      "connectors, the plugin a process of its own that the engine starts (the YAML language host too); " +
      "**sdk** is the peer " +
      "a TypeScript user would write instead, a dynamic provider on Microsoft's Graph JS SDK " +
      "(`@microsoft/microsoft-graph-client` 3.0.7, default middleware, `TokenCredentialAuthenticationProvider`; " +
      "`bench/sdk-peer/`); **baseline** is the naive dynamic provider of `bench/baseline/` (no limiter, " +
      "retries everything, a token per operation, deep-equal diff). Both peers are stored by value, as a " +
      "provider written in a program is. " +
      "Requests are counted by the emulator; 429 = answered _Too Many Requests_. Throttle bound: the writes " +
      "at 100 per 20 s (the first 100 at once). Latency bound: one token plus the requests' round trips, " +
      `${s.parallel} at a time (refresh: or the list's pages). Wall time is the whole \`pulumi\` command, ` +
      "engine start-up included; first and last request: when they reached the emulator, from the command's start. RSS: peak resident memory of the provider's process (the dynamic provider's; for plugin, the plugin's). " +
      "_refresh_ reads one GET per connector. After a failed or timed-out " +
      "operation the rest of that provider's operations at that N are skipped.",
  ];
  const absent = PROVIDERS.filter((p) => !results.operations.some((r) => r.provider === p));
  if (absent.length) {
    head.push("", `Not in this run: ${absent.map((p) => `**${p}**`).join(", ")} (shown as –).`);
  }
  if (s.baselineSkipped.length) {
    head.push(
      "",
      `The peers run up to N = ${s.baselineMax} only (not at N = ${s.baselineSkipped.join(", ")}), to keep ` +
        "the whole run short.",
    );
  }
  if (results.errors?.length) {
    head.push("", "Scenarios that could not run:", "", ...results.errors.map((e) => `- ${e}`));
  }
  const opRows = results.operations.map((r) => {
    const q = r.requests;
    const count = (k: keyof RequestCounts) => (q ? String(q[k]) : "–");
    return [
      String(r.n),
      r.provider,
      r.operation,
      count("token"),
      count("GET"),
      count("POST"),
      count("PATCH"),
      count("DELETE"),
      count("throttled"),
      r.lowerBound,
      fixed(r.wallSeconds),
      fixed(r.firstRequestSeconds ?? null),
      fixed(r.lastRequestSeconds ?? null),
      fixed(r.throttleBoundSeconds, 0),
      ratio(r.wallSeconds, r.throttleBoundSeconds),
      fixed(r.latencyBoundSeconds, 2),
      ratio(r.wallSeconds, r.latencyBoundSeconds),
      fixed(r.peakRssMb),
      r.status,
    ];
  });
  const ops = table(
    [
      "N",
      "provider",
      "operation",
      "token",
      "GET",
      "POST",
      "PATCH",
      "DELETE",
      "429",
      "lower bound",
      "wall s",
      "first request s",
      "last request s",
      "throttle bound s",
      "× throttle",
      "latency bound s",
      "× latency",
      "provider RSS MB",
      "status",
    ],
    opRows,
  );
  const stateRows = results.state.map((r) => [
    String(r.n),
    r.provider,
    String(r.bytesPerConnector),
    String(r.providerBytes),
    `${Math.round(r.providerShare * 100)} %`,
    r.positionBytes === undefined ? "–" : String(r.positionBytes),
    String(r.exportBytes),
  ]);
  const state = table(
    [
      "N",
      "provider",
      "state bytes / connector",
      "serialized provider bytes / connector",
      "provider share",
      "registration position bytes / connector",
      "export bytes / N",
    ],
    stateRows,
  );
  const faults = results.faults ?? [];
  const faultTable = table(
    [
      "fault",
      "N",
      "provider",
      "duplicates made",
      "creates failed",
      "POST",
      "429",
      "5xx answered",
      "wall s",
      "status",
    ],
    faults.map((f) => [
      f.fault,
      String(f.n),
      f.provider,
      String(f.duplicates),
      String(f.failed),
      String(f.requests.POST),
      String(f.requests.throttled),
      String(f.requests.errors),
      fixed(f.wallSeconds),
      f.status,
    ]),
  );
  return [
    ...head,
    "",
    "## Against the peers",
    "",
    peerTable(results),
    "",
    "## Graph requests and wall time",
    "",
    ops,
    "",
    "## State after the first up",
    "",
    "Per connector: its entry in `pulumi stack export`; of which the serialized provider (`__provider`, " +
      "dynamic providers only) and the language host's record of where the resource was registered " +
      "(`stackTrace`, `sourcePosition`).",
    "",
    state,
    "",
    ...(faults.length
      ? [
          "## Faults during the first up",
          "",
          "Each provider's first `up` of N connectors on a fresh tenant with one fault injected on the connectors " +
            "path: a POST that Intune applies and then answers 504; every request answered 429 (Retry-After 1 s) for " +
            "10 s; every request answered 503 (no Retry-After) for 5 s, both from the first request they hit. _Duplicates made_: connectors beyond one per display name; _creates failed_: " +
            "connectors the stack does not hold afterwards. 5xx answered counts the emulator's error answers, faults included.",
          "",
          faultTable,
          "",
        ]
      : []),
  ].join("\n");
}
