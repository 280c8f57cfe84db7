// `npm test`: type-check and build, lint, format check, then every mocha suite against the
// emulator. Ends with the line CI reads: "N passed, N failed, N skipped", where the three static
// checks count as one test each.
//
// `npm test -- <file or glob>...` (a test's .ts source or its compiled .js) runs only those
// files, after the build; `npm test -- --grep <text>` only the matching tests. Lint and format
// are then skipped, and counted as skipped. Other mocha options are passed on.
//
// `npm run test:fast` (`--tier fast`) is the inner loop: the build, then the unit, emulator and
// integration suites, in about a minute; lint and format are skipped and counted as skipped, and
// the Pulumi CLI is not looked for, since no test in those suites drives it. Files or --grep given
// after it narrow it like a focused run.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { bootstrap, buildArgs, ensureEmulatorCa, root } from "./bootstrap.mjs";

bootstrap(fileURLToPath(import.meta.url));
const bin = (name) => join(root, "node_modules", ".bin", name);
const node = process.execPath;
/** The tests each tier runs, when no file is named. */
const TIERS = {
  full: { files: ["dist/tests/**/*.test.js"], runs: "every suite" },
  fast: {
    files: ["unit", "emulator", "integration"].map((suite) => `dist/tests/${suite}/**/*.test.js`),
    runs: "the build and the unit, emulator and integration suites",
  },
};

/** Takes `--tier <name>` out of the arguments: it is this script's, not mocha's. */
function tierOf(args) {
  const at = args.indexOf("--tier");
  if (at < 0) return { tier: "full", rest: args };
  const tier = args[at + 1];
  if (!Object.hasOwn(TIERS, tier)) {
    console.error(`--tier takes one of ${Object.keys(TIERS).join(", ")}, not ${tier ?? "nothing"}`);
    process.exit(2);
  }
  return { tier, rest: [...args.slice(0, at), ...args.slice(at + 2)] };
}
const { tier, rest: extraArgs } = tierOf(process.argv.slice(2));

// Mocha options that take a value, so that the value is not taken for a file to run.
const VALUE_OPTIONS = new Set([
  ...["-g", "--grep", "-f", "--fgrep", "-t", "--timeout", "--slow", "-s", "--retries", "-R"],
  ...["--reporter", "-O", "--reporter-option", "--reporter-options", "-r", "--require", "--ignore"],
  ...["--exclude", "-j", "--jobs", "--ui", "-u"],
]);

/** Splits the arguments into mocha options and the test files they name (sources map to dist/). */
function mochaArguments(args, defaultFiles) {
  const options = [];
  const files = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith("-")) {
      options.push(arg);
      if (VALUE_OPTIONS.has(arg) && i + 1 < args.length) options.push(args[++i]);
      continue;
    }
    const relative = arg.replace(/^\.\//, "");
    files.push(
      /^tests\/.*\.ts$/.test(relative)
        ? `dist/${relative.replace(/\.ts$/, ".js")}`
        : /^tests\//.test(relative)
          ? `dist/${relative}`
          : relative,
    );
  }
  return { options, files: files.length ? files : defaultFiles };
}

/** `tsc -b` leaves the output of a deleted test behind; mocha's glob would still run it. */
function removeOrphanedTests(dir = join(root, "dist", "tests")) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) removeOrphanedTests(file);
    else if (entry.name.endsWith(".test.js")) {
      const source = join(root, "tests", relative(join(root, "dist", "tests"), file)).replace(/\.js$/, ".ts");
      if (!existsSync(source)) rmSync(file);
    }
  }
}

function run(label, command, args, env = process.env) {
  process.stdout.write(`\n▶ ${label}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  const ok = result.status === 0;
  process.stdout.write(`${ok ? "✔" : "✘"} ${label}\n`);
  return ok;
}

const checks = [
  ["type-check and build (tsc -b)", process.execPath, buildArgs],
  ["lint (eslint)", bin("eslint"), ["."]],
  ["format (prettier --check)", bin("prettier"), ["--check", "--log-level", "warn", "."]],
];
let passed = 0;
let failed = 0;
let skipped = 0;
const focused = extraArgs.length > 0;
const buildOnly = focused || tier !== "full";
for (const [label, command, args] of buildOnly ? checks.slice(0, 1) : checks) {
  if (run(label, command, args)) passed++;
  else failed++;
}
if (buildOnly) {
  const why =
    tier === "full"
      ? "a focused run (npm test -- …) runs only the build and those tests"
      : `the ${tier} tier runs ${TIERS[tier].runs}; npm test runs everything`;
  for (const [label] of checks.slice(1)) {
    process.stdout.write(`\n⚠ ${label} skipped: ${why}\n`);
    skipped++;
  }
}

// The end-to-end suites drive the real Pulumi CLI: get (or build) it once, with progress shown.
// On Windows the tests look for an installed CLI on PATH instead (the Go build is a bash script).
if (process.platform !== "win32" && tier === "full") {
  const cli = spawnSync("bash", [join(root, "toolchain/pulumi/ensure-pulumi.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const pulumiBin = cli.stdout?.trim().split("\n").pop();
  if (cli.status === 0 && pulumiBin) process.env.INTUNE_PULUMI_BIN = pulumiBin;
  else console.error("✘ no Pulumi CLI: the end-to-end tests will fail (see toolchain/pulumi/README.md)");
}

// The emulator's CA must exist before the test process starts: Node reads NODE_EXTRA_CA_CERTS at start-up.
const caPath = ensureEmulatorCa();
if (!caPath) {
  console.error("could not create the emulator's CA certificate (emulator/dist/cli.js ca)");
  failed++;
} else {
  const statsDir = mkdtempSync(join(tmpdir(), "intune-tests-"));
  const statsFile = join(statsDir, "stats.json");
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: caPath, MOCHA_STATS_FILE: statsFile };
  removeOrphanedTests();
  const { options, files } = mochaArguments(extraArgs, TIERS[tier].files);
  const mochaOk = run("tests (mocha)", node, [bin("mocha"), ...options, ...files], env);
  if (existsSync(statsFile)) {
    const stats = JSON.parse(readFileSync(statsFile, "utf8"));
    passed += stats.passes;
    failed += stats.failures;
    skipped += stats.pending;
    if (!mochaOk && stats.failures === 0) {
      console.error("mocha failed without a failing test (see its output above)");
      failed++;
    }
    if (stats.tests === 0) {
      console.error(`no test ran: nothing matched ${[...options, ...files].join(" ")}`);
      failed++;
    }
  } else {
    console.error("mocha did not report its results");
    failed++;
  }
  rmSync(statsDir, { recursive: true, force: true });
}

console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);
