/** The fleet benchmark's results: their shape, the Markdown table and the chart. */
import { Series, lineChart } from "./chart";

/** The steps of a fleet's life the bench runs, in order: `up (no-op)` is the second `up`. */
export const FLEET_COMMANDS = ["preview", "up", "up (no-op)", "refresh", "health", "destroy"] as const;
export type FleetStep = (typeof FLEET_COMMANDS)[number];

export interface FleetCommandRow {
  n: number;
  step: FleetStep;
  exitCode: number;
  wallSeconds: number;
  /** User + system CPU of the whole run (the fleet, every pulumi, language host and provider). */
  cpuSeconds: number;
  /** The largest sum of the run's processes' resident memory seen (sampled twice a second). */
  peakRssMb: number;
  peakProcesses: number;
  /** A tenant's own time, from start to end of its stack's command, on average. */
  tenantSecondsMean: number;
  outcomes: Record<string, number>;
  graphPerTenant: { min: number; max: number; mean: number };
  writesTotal: number;
  tokensPerTenant: number;
  throttled: number;
  errors: number;
  loadBefore: number;
  loadAfter: number;
}

export interface SequentialRow {
  n: number;
  step: "up" | "preview";
  /** Stacks actually run one after another; the total for n is estimated from them. */
  sample: number;
  secondsPerStack: number;
  cpuSecondsPerStack: number;
  estimatedWallSeconds: number;
  peakRssMb: number;
  graphPerTenant: number;
  throttled: number;
}

export interface FleetBenchResults {
  startedAt: string;
  finishedAt: string | null;
  settings: {
    /** The fleet's form (absent in results from before the plugin form: dynamic). */
    form?: "dynamic" | "plugin";
    sizes: number[];
    connectors: number;
    parallel: number;
    latencyMs: number;
    sequentialSample: number;
  };
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string };
  fleet: FleetCommandRow[];
  sequential: SequentialRow[];
}

const outcomesText = (o: Record<string, number>) =>
  Object.entries(o)
    .map(([k, v]) => `${v} ${k}`)
    .join(", ");

export function renderFleetMarkdown(results: FleetBenchResults): string {
  const s = results.settings;
  const lines = [
    `# Fleet benchmark: the ${s.form ?? "dynamic"} form`,
    "",
    `${results.startedAt} → ${results.finishedAt ?? "(unfinished)"}; ${results.machine.cpus} × ${results.machine.cpuModel}, ` +
      `${results.machine.memoryGb} GB, Node ${results.machine.node}. ${s.connectors} connectors a tenant, ` +
      `\`--parallel ${s.parallel}\`, ${s.latencyMs} ms a request.`,
    "",
    "## intune-fleet",
    "",
    "| tenants | command | exit | wall s | s a tenant (own) | CPU s | CPU s a tenant | peak MB | processes | Graph requests a tenant (min–max) | writes | 429 | outcomes | load before → after |",
    "| ------: | ------- | ---: | -----: | ---------------: | ----: | -------------: | ------: | --------: | --------------------------------- | -----: | --: | -------- | ------------------- |",
    ...results.fleet.map(
      (r) =>
        `| ${r.n} | ${r.step} | ${r.exitCode} | ${r.wallSeconds.toFixed(0)} | ${r.tenantSecondsMean.toFixed(1)} | ${r.cpuSeconds.toFixed(0)} | ` +
        `${(r.cpuSeconds / r.n).toFixed(2)} | ${r.peakRssMb} | ${r.peakProcesses} | ${r.graphPerTenant.mean} (${r.graphPerTenant.min}–${r.graphPerTenant.max}) | ` +
        `${r.writesTotal} | ${r.throttled} | ${outcomesText(r.outcomes)} | ${r.loadBefore} → ${r.loadAfter} |`,
    ),
    "",
    "## The plain CLI, one stack after another",
    "",
    "| tenants | command | stacks run | s a stack | CPU s a stack | estimated wall s for all | peak MB | Graph requests a tenant | 429 |",
    "| ------: | ------- | ---------: | --------: | ------------: | -----------------------: | ------: | ----------------------: | --: |",
    ...results.sequential.map(
      (r) =>
        `| ${r.n} | ${r.step} | ${r.sample} | ${r.secondsPerStack.toFixed(1)} | ${r.cpuSecondsPerStack.toFixed(1)} | ` +
        `${r.estimatedWallSeconds}${r.sample < r.n ? " (est.)" : ""} | ${r.peakRssMb} | ${r.graphPerTenant} | ${r.throttled} |`,
    ),
    "",
  ];
  return lines.join("\n");
}

const COLORS: Record<string, string> = {
  preview: "#7c3aed",
  up: "#2563eb",
  "up (no-op)": "#0891b2",
  refresh: "#059669",
  health: "#d97706",
  destroy: "#6b7280",
};

export function renderFleetChart(results: FleetBenchResults): string {
  const fleetSeries: Series[] = FLEET_COMMANDS.map((step) => ({
    label: `intune-fleet ${step}`,
    color: COLORS[step],
    points: results.fleet
      .filter((r) => r.step === step && r.exitCode <= 1)
      .map((r): [number, number] => [r.n, r.wallSeconds])
      .sort((a, b) => a[0] - b[0]),
  }));
  const sequentialSeries: Series[] = (["up", "preview"] as const).map((step) => ({
    label: `plain CLI ${step}, one by one (est.)`,
    color: COLORS[step],
    dash: "6 4",
    points: results.sequential
      .filter((r) => r.step === step)
      .map((r): [number, number] => [r.n, r.estimatedWallSeconds]),
  }));
  return lineChart({
    title: `A fleet's wall time against its tenants (${results.settings.form ?? "dynamic"} form, ${results.settings.connectors} connectors each, --parallel ${results.settings.parallel})`,
    xLabel: "tenants",
    sizes: results.settings.sizes,
    series: [...fleetSeries, ...sequentialSeries].filter((s) => s.points.length > 0),
    marks: results.fleet
      .filter((r) => r.exitCode > 1)
      .map((r) => ({
        n: r.n,
        seconds: r.wallSeconds,
        color: COLORS[r.step],
        label: `${r.step}: exit ${r.exitCode}`,
      })),
    logX: false,
  });
}
