// `npm run soak`: the whole reliability suite, slow scenarios included; prints the table.
// `npm run soak -- --write-readme` also regenerates the README's Reliability table.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bootstrap, root } from "./bootstrap.mjs";

bootstrap(fileURLToPath(import.meta.url));

const tsc = spawnSync(join(root, "node_modules", ".bin", "tsc"), ["-p", "."], {
  cwd: root,
  stdio: "inherit",
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const ca = spawnSync(
  process.execPath,
  [join(root, "dist/emulator/cli.js"), "ca", "--state-dir", join(root, ".emulator")],
  {
    encoding: "utf8",
  },
);
if (ca.status !== 0) process.exit(1);
const result = spawnSync(process.execPath, [join(root, "dist/scripts/soak.js"), ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, NODE_EXTRA_CA_CERTS: ca.stdout.trim() },
});
process.exit(result.status ?? 1);
