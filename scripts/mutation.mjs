// `npm run mutation`: Stryker's mutation test (stryker.config.json) of provider/ (not the CLI
// plumbing of the commands: provider/*/command.ts, health/report.ts, state/) and the emulator's validation and throttling, against the unit,
// integration and emulator suites (not reliability: its real-time fault scenarios cover every
// provider mutant and made a run take over an hour on 2 cores). Not part of `npm test`. Writes reports/mutation/mutation.{html,json} (git-ignored) and the committed
// summary docs/mutation.md (scripts/mutation/summary.mjs).
//
// Incremental: reports/mutation/stryker-incremental.json keeps the last results, so a rerun tests
// only the mutants in changed code or covered by changed tests. `npm run mutation -- --force`
// tests them all; other arguments go to `stryker run` (e.g. `--mutate provider/connector/check.ts`).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { bootstrap, buildArgs, ensureEmulatorCa, root } from "./bootstrap.mjs";

bootstrap(fileURLToPath(import.meta.url));
const bin = (name) => join(root, "node_modules", ".bin", name);

// Only for the emulator's CLI, which makes the CA below; Stryker builds its own copy in its sandbox.
const tsc = spawnSync(process.execPath, buildArgs, {
  cwd: root,
  stdio: "inherit",
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// The test harness starts its emulators with the CA of NODE_EXTRA_CA_CERTS's folder (.emulator/);
// Node reads that variable only at start-up, so it is set before Stryker starts its test runners.
const caPath = ensureEmulatorCa();
if (!caPath) process.exit(1);

const compat = join(root, "scripts/mutation/mocha12-compat.cjs");
const env = {
  ...process.env,
  PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
  NODE_EXTRA_CA_CERTS: caPath,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${compat}`.trim(),
};
// Workers: two per core, and one more. The suites mostly wait (on the emulator, on retry delays
// and timeouts): on 2 cores, three test runners kept the machine a third busy. Stryker gives half
// the workers to the type checker until every mutant is checked, then all of them run tests.
const args = process.argv.slice(2);
if (!args.some((a) => a === "--concurrency" || a.startsWith("--concurrency=") || a === "-c")) {
  args.push("--concurrency", String(2 * availableParallelism() + 1));
}
const started = Date.now();
const stryker = spawnSync(bin("stryker"), ["run", ...args], {
  cwd: root,
  stdio: "inherit",
  env,
});
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`\nstryker run took ${Math.floor(seconds / 60)} min ${seconds % 60} s`);
if (stryker.status !== 0) process.exit(stryker.status ?? 1);

const kind = args.includes("--force") ? "full run (--force)" : "incremental run";
const took = `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
const summaryArgs = [join(root, "scripts/mutation/summary.mjs"), "--wall", `${kind}, ${took}`];
const summary = spawnSync(process.execPath, summaryArgs, {
  cwd: root,
  stdio: "inherit",
});
process.exit(summary.status ?? 1);
