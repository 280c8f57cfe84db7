/**
 * A program directory that loads `pulumi-intune-domain-join` the way a user's project does: the
 * packed tarball unpacked into its own `node_modules/` (a real directory, not the workspace link),
 * with the repository's other packages linked beside it so nothing is downloaded. What Pulumi
 * stores in state depends on it: a module whose real path lies under `node_modules/` is stored as a
 * `require(…)`, a linked workspace package by value.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "./pulumi-cli";

const PACKAGE = "pulumi-intune-domain-join";
/** Workspace packages a user's project would not have. */
const LEFT_OUT = new Set([PACKAGE, "intune-test-support", "pulumi-intune-domain-join-policy", ".bin"]);

let packed: string | undefined;

/** `npm pack` of the provider workspace (its current dist/), once per process. */
export function packProvider(): string {
  if (packed) return packed;
  const destination = mkdtempSync(path.join(tmpdir(), "intune-pack-"));
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const out = execFileSync(
    npm,
    ["pack", "--workspace", "provider", "--pack-destination", destination, "--json", "--ignore-scripts"],
    { cwd: REPO_ROOT, encoding: "utf8", shell: process.platform === "win32" },
  );
  const [{ filename }] = JSON.parse(out) as { filename: string }[];
  packed = path.join(destination, filename);
  process.on("exit", () => rmSync(destination, { recursive: true, force: true }));
  return packed;
}

/**
 * Fills `<dir>/node_modules` as `npm install <tarball>` would leave it, offline: the tarball
 * unpacked into `node_modules/pulumi-intune-domain-join`, every other package linked from the
 * repository's `node_modules/`.
 */
export function installLikeAUser(dir: string, tarball: string = packProvider()): void {
  const modules = path.join(dir, "node_modules");
  mkdirSync(modules, { recursive: true });
  const source = path.join(REPO_ROOT, "node_modules");
  const link = (entry: string) =>
    symlinkSync(realpathSync(path.join(source, entry)), path.join(modules, entry), "junction");
  for (const entry of readdirSync(source)) {
    if (LEFT_OUT.has(entry)) continue;
    if (entry === "@pulumi") continue;
    link(entry);
  }
  // A real copy of @pulumi/pulumi: its serializer looks the provider package up from where it
  // itself lies, and a link would make it find the repository's workspace copy instead.
  mkdirSync(path.join(modules, "@pulumi"));
  for (const entry of readdirSync(path.join(source, "@pulumi"))) {
    if (entry === "pulumi") {
      cpSync(path.join(source, "@pulumi", entry), path.join(modules, "@pulumi", entry), { recursive: true });
    } else link(path.join("@pulumi", entry));
  }
  const target = path.join(modules, PACKAGE);
  mkdirSync(target);
  execFileSync("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"]);
}

/** A temporary folder for a consumer-style program; `cleanup` removes it. */
export function consumerDir(): { dir: string; cleanup(): void } {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), "intune-consumer-")));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
