// `npm test`: type-check and build, lint, format check, then every mocha suite against the
// emulator. Ends with the line CI reads: "N passed, N failed" (", N skipped" when any), where
// the three static checks count as one test each.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bootstrap, root } from "./bootstrap.mjs";

bootstrap(fileURLToPath(import.meta.url));
const bin = (name) => join(root, "node_modules", ".bin", name);
const node = process.execPath;
const extraArgs = process.argv.slice(2);

function run(label, command, args, env = process.env) {
  process.stdout.write(`\n▶ ${label}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  const ok = result.status === 0;
  process.stdout.write(`${ok ? "✔" : "✘"} ${label}\n`);
  return ok;
}

const checks = [
  ["type-check and build (tsc)", bin("tsc"), ["-p", "."]],
  ["lint (eslint)", bin("eslint"), ["."]],
  ["format (prettier --check)", bin("prettier"), ["--check", "--log-level", "warn", "."]],
];
let passed = 0;
let failed = 0;
let skipped = 0;
const focused = extraArgs.length > 0;
for (const [label, command, args] of focused ? checks.slice(0, 1) : checks) {
  if (run(label, command, args)) passed++;
  else failed++;
}

// The end-to-end suites drive the real Pulumi CLI: get (or build) it once, with progress shown.
const cli = spawnSync("bash", [join(root, "toolchain/pulumi/ensure-pulumi.sh")], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
});
const pulumiBin = cli.stdout?.trim().split("\n").pop();
if (cli.status === 0 && pulumiBin) process.env.INTUNE_PULUMI_BIN = pulumiBin;
else console.error("✘ no Pulumi CLI: the end-to-end tests will fail (see toolchain/pulumi/README.md)");

// The emulator's CA must exist before the test process starts: Node reads NODE_EXTRA_CA_CERTS at start-up.
const caPath = spawnSync(
  node,
  [join(root, "dist/emulator/cli.js"), "ca", "--state-dir", join(root, ".emulator")],
  {
    encoding: "utf8",
  },
).stdout?.trim();
if (!caPath || !existsSync(caPath)) {
  console.error("could not create the emulator's CA certificate (dist/emulator/cli.js ca)");
  failed++;
} else {
  const statsDir = mkdtempSync(join(tmpdir(), "intune-tests-"));
  const statsFile = join(statsDir, "stats.json");
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: caPath, MOCHA_STATS_FILE: statsFile };
  run("tests (mocha)", node, [bin("mocha"), ...extraArgs], env);
  if (existsSync(statsFile)) {
    const stats = JSON.parse(readFileSync(statsFile, "utf8"));
    passed += stats.passes;
    failed += stats.failures;
    skipped += stats.pending;
  } else {
    console.error("mocha did not report its results");
    failed++;
  }
  rmSync(statsDir, { recursive: true, force: true });
}

console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed === 0 ? 0 : 1);
