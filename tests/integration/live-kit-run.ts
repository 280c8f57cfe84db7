/**
 * Runs of the live acceptance kit against an emulator, for its tests (live-kit.test.ts here, and
 * tests/e2e/live-kit-throttle.test.ts): a new emulator per run, the tenant before and after, the
 * writes the emulator logged, and the check that a run left the tenant as it found it.
 */
import { expect } from "chai";
import { ConnectorRecord, Emulator, EmulatorOptions, clientEnvironment } from "intune-graph-emulator";
import { startTestEmulator } from "intune-test-support/emulator";
import { LiveKitOptions, LiveReport, runLiveKit } from "../../scripts/live/kit";

export const SEED: EmulatorOptions["seed"] = [
  { displayName: "ODJ Connector – Headquarters", version: "6.2504.2001.8", state: "active" },
  { displayName: "ODJ Connector – Branch", version: "6.2411.1150.3", state: "error" },
  { displayName: "pulumi-intune-live-20261101-aaaaaa-subject", version: "", state: "inactive" },
];
/** The rows no public request shows, or that need a tenant larger than one page, or the burst. */
export const NOT_CHECKABLE_BY_DEFAULT = [
  "S20",
  "S21",
  "S22",
  "S23",
  "U17",
  "U22",
  "U23",
  "S30",
  "U30",
  "S41",
  "S42",
  "S44",
  "S45",
  "U40",
  // The partner pattern's rows: the kit has one tenant.
  "S50",
  "S51",
  "S52",
  "S53",
  "S54",
  "S55",
];
export const FAST = { readAfterWriteMs: 1000, listSettleMs: 1500 };

export interface Run {
  report: LiveReport;
  before: ConnectorRecord[];
  after: ConnectorRecord[];
  /** Graph writes the emulator logged: method and connector id (undefined for the collection). */
  writes: { method: string; id?: string }[];
}

export const ids = (report: LiveReport, verdict: string) =>
  report.rows.filter((r) => r.verdict === verdict).map((r) => r.id);

function writesIn(emulator: Emulator): Run["writes"] {
  return emulator
    .requestLog({ kind: "graph" })
    .filter((e) => e.method !== "GET")
    .map((e) => ({
      method: e.method,
      id: /domainJoinConnectors\/([^/?]+)/.exec(e.path)?.[1],
    }));
}

/** Runs the kit against a new emulator (each its own: the provider's limiter is per Graph origin). */
export async function kitAgainst(
  start: EmulatorOptions = {},
  kit: Partial<LiveKitOptions> = {},
  env: (emulator: Emulator) => NodeJS.ProcessEnv = (emulator) => clientEnvironment(emulator),
): Promise<Run> {
  const emulator = await startTestEmulator({ seed: SEED, ...start });
  try {
    const before = emulator.connectors();
    const report = await runLiveKit({ env: { INTUNE_LIVE: "1", ...env(emulator) }, ...FAST, ...kit });
    return { report, before, after: emulator.connectors(), writes: writesIn(emulator) };
  } finally {
    await emulator.close();
  }
}

/** The run left the tenant as it found it, and wrote only to what it created. */
export function expectCleanedUp(run: Run): void {
  const { report, before, after, writes } = run;
  expect(report.cleanup.leftBehind).to.deep.equal([]);
  expect(report.cleanup.created.length).to.be.greaterThan(0);
  expect(report.cleanup.deleted).to.have.members(report.cleanup.created);
  expect(after.filter((c) => c.displayName?.startsWith(report.run.prefix))).to.deep.equal([]);
  expect(after).to.deep.equal(before);
  const created = new Set(report.cleanup.created.map((id) => id.toLowerCase()));
  const foreign = writes.filter(
    (w) => w.method !== "POST" && !created.has(decodeURIComponent(w.id ?? "").toLowerCase()),
  );
  expect(foreign, "writes to connectors the run did not create").to.deep.equal([]);
  expect(writes.filter((w) => w.method === "POST" && w.id !== undefined)).to.deep.equal([]);
}
