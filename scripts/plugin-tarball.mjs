// `npm run plugin-tarball [-- --out <folder>]`: the intune plugin as the engine installs it,
//   pulumi plugin install resource intune <version> --file pulumi-resource-intune-v<version>.tar.gz
// The tarball holds the packed provider package with its production dependencies, and two launchers
// (`pulumi-resource-intune` for Linux and macOS, `.cmd` for Windows) that run it with the `node` on
// PATH (22 or newer). Nothing in it is native code, so one tarball serves every platform.
// Prints the tarball's path as the last line.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { bootstrap, root, runOrExit } from "./bootstrap.mjs";

bootstrap(fileURLToPath(import.meta.url));

const { values } = parseArgs({ options: { out: { type: "string", default: join(root, "dist", "plugin") } } });
const out = resolve(values.out);
const { version } = JSON.parse(readFileSync(join(root, "provider", "package.json"), "utf8"));
const MAIN = "node_modules/pulumi-intune-domain-join/dist/plugin/main.js";

const staging = mkdtempSync(join(tmpdir(), "intune-plugin-"));
try {
  // The package exactly as npm would publish it (the provider is built by `npm run build`).
  const packed = JSON.parse(
    runOrExit("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", staging], {
      cwd: join(root, "provider"),
    }),
  );
  const tgz = join(staging, packed[0].filename);
  const plugin = join(staging, "plugin");
  mkdirSync(plugin);
  writeFileSync(join(plugin, "package.json"), JSON.stringify({ private: true }));
  runOrExit(
    "npm",
    ["install", "--omit=dev", "--no-audit", "--no-fund", "--no-package-lock", "--prefer-offline", tgz],
    { cwd: plugin },
  );
  rmSync(join(plugin, "package.json"));
  const launcher = join(plugin, "pulumi-resource-intune");
  writeFileSync(launcher, `#!/bin/sh\nexec node "$(dirname "$0")/${MAIN}" "$@"\n`);
  chmodSync(launcher, 0o755);
  writeFileSync(`${launcher}.cmd`, `@node "%~dp0\\${MAIN.replaceAll("/", "\\")}" %*\r\n`);

  mkdirSync(out, { recursive: true });
  const tarball = join(out, `pulumi-resource-intune-v${version}.tar.gz`);
  runOrExit("tar", ["-czf", tarball, "-C", plugin, "."], { cwd: root });
  console.error(`plugin tarball: ${(statSync(tarball).size / 1e6).toFixed(1)} MB`);
  console.log(tarball);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
