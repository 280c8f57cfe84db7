/** A small SVG line chart of wall time against N (log scale), written without a library. */
import type { BenchResults, Operation, ProviderName } from "./report";

export interface Series {
  label: string;
  color: string;
  dash?: string;
  points: [number, number][];
}

const COLORS: Record<ProviderName, string> = {
  ours: "#2563eb",
  plugin: "#059669",
  sdk: "#7c3aed",
  baseline: "#dc2626",
};

const WIDTH = 720;
const HEIGHT = 420;
const MARGIN = { left: 60, right: 220, top: 40, bottom: 50 };

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function seriesOf(
  results: BenchResults,
  provider: ProviderName,
  operation: Operation,
  label: string,
  color: string,
  dash?: string,
): Series {
  const points = results.operations
    .filter((r) => r.provider === provider && r.operation === operation && r.status === "ok")
    .map((r): [number, number] => [r.n, r.wallSeconds ?? 0]);
  return { label, color, dash, points };
}

/** A round step for about five grid lines up to max. */
function niceStep(max: number): number {
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

export function renderChart(results: BenchResults): string {
  const sizes = results.settings.sizes;
  const bound: Series = {
    label: "throttling bound (writes)",
    color: "#6b7280",
    dash: "2 4",
    points: sizes.map((n) => [n, Math.floor((n - 1) / 100) * 20]),
  };
  const series: Series[] = [
    seriesOf(results, "ours", "up (create)", "ours: up (create N)", COLORS.ours),
    seriesOf(results, "ours", "up (rename all)", "ours: up (rename N)", COLORS.ours, "6 4"),
    seriesOf(results, "plugin", "up (create)", "plugin: up (create N)", COLORS.plugin),
    seriesOf(results, "plugin", "up (rename all)", "plugin: up (rename N)", COLORS.plugin, "6 4"),
    seriesOf(results, "sdk", "up (create)", "sdk: up (create N)", COLORS.sdk),
    seriesOf(results, "sdk", "up (rename all)", "sdk: up (rename N)", COLORS.sdk, "6 4"),
    seriesOf(results, "baseline", "up (create)", "baseline: up (create N)", COLORS.baseline),
    seriesOf(results, "baseline", "up (rename all)", "baseline: up (rename N)", COLORS.baseline, "6 4"),
    bound,
  ].filter((s) => s.points.length > 0);

  // Operations that failed or timed out: a cross at the time they gave up, labelled.
  const charted = new Set<string>(["up (create)", "up (rename all)"]);
  const marks = results.operations.flatMap((r) =>
    r.status === "ok" || r.wallSeconds === null || !charted.has(r.operation)
      ? []
      : [
          {
            n: r.n,
            seconds: r.wallSeconds,
            color: COLORS[r.provider],
            label: `${r.provider} ${r.operation}: ${r.status}`,
          },
        ],
  );
  return lineChart({
    title: `Wall time of pulumi up against N (${results.settings.latencyMs} ms latency, Intune limits)`,
    xLabel: "connectors (N, log scale)",
    sizes,
    series,
    marks,
  });
}

/** A cross at a point, labelled: an operation that failed or timed out. */
export interface ChartMark {
  n: number;
  seconds: number;
  color: string;
  label: string;
}

export interface LineChart {
  title: string;
  xLabel: string;
  sizes: number[];
  series: Series[];
  marks?: ChartMark[];
  /** A log scale for N (the default), or a linear one. */
  logX?: boolean;
}

/** An SVG line chart of seconds against N. */
export function lineChart(chart: LineChart): string {
  const { sizes, series } = chart;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const logX = chart.logX ?? true;
  const minN = logX ? Math.min(...sizes) : 0;
  const maxN = logX ? Math.max(...sizes, minN * 10) : Math.max(...sizes);
  const maxY = Math.max(
    1,
    ...series.flatMap((s) => s.points.map(([, y]) => y)),
    ...(chart.marks ?? []).map((m) => m.seconds),
  );
  const step = niceStep(maxY);
  const topY = Math.ceil(maxY / step) * step;
  const x = (n: number) =>
    MARGIN.left +
    (logX
      ? (Math.log10(n) - Math.log10(minN)) / (Math.log10(maxN) - Math.log10(minN))
      : (n - minN) / (maxN - minN)) *
      plotW;
  const y = (s: number) => MARGIN.top + plotH - (s / topY) * plotH;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="14" font-weight="bold">${escape(chart.title)}</text>`,
  ];
  for (let v = 0; v <= topY + 1e-9; v += step) {
    out.push(
      `<line x1="${MARGIN.left}" y1="${y(v).toFixed(1)}" x2="${MARGIN.left + plotW}" y2="${y(v).toFixed(1)}" stroke="#e5e7eb"/>`,
      `<text x="${MARGIN.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`,
    );
  }
  for (const n of sizes) {
    out.push(
      `<line x1="${x(n).toFixed(1)}" y1="${MARGIN.top}" x2="${x(n).toFixed(1)}" y2="${MARGIN.top + plotH}" stroke="#f3f4f6"/>`,
      `<text x="${x(n).toFixed(1)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${n}</text>`,
    );
  }
  out.push(
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + plotH}" x2="${MARGIN.left + plotW}" y2="${MARGIN.top + plotH}" stroke="#111827"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotH}" stroke="#111827"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escape(chart.xLabel)}</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">seconds</text>`,
  );
  series.forEach((s, i) => {
    const d = s.points.map(([n, v], j) => `${j ? "L" : "M"}${x(n).toFixed(1)} ${y(v).toFixed(1)}`).join(" ");
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : "";
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const [n, v] of s.points) {
      out.push(`<circle cx="${x(n).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
    const ly = MARGIN.top + 10 + i * 20;
    const lx = MARGIN.left + plotW + 16;
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 30}" y="${ly + 4}">${escape(s.label)}</text>`,
    );
  });
  for (const m of chart.marks ?? []) {
    const cx = x(m.n);
    const cy = y(m.seconds);
    out.push(
      `<path d="M${(cx - 5).toFixed(1)} ${(cy - 5).toFixed(1)} L${(cx + 5).toFixed(1)} ${(cy + 5).toFixed(1)} M${(cx - 5).toFixed(1)} ${(cy + 5).toFixed(1)} L${(cx + 5).toFixed(1)} ${(cy - 5).toFixed(1)}" stroke="${m.color}" stroke-width="2.5"/>`,
      `<text x="${(cx - 8).toFixed(1)}" y="${(cy - 8).toFixed(1)}" text-anchor="end" fill="${m.color}">${escape(m.label)}</text>`,
    );
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}
