// `npm run test:live`: the live acceptance kit against a real tenant (docs/live.md). Installs and
// builds like the other entry points, then runs the compiled kit with the caller's environment as
// it is: a real tenant needs no extra CA (NODE_EXTRA_CA_CERTS passes through for an emulator).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bootstrap, buildArgs, root } from "./bootstrap.mjs";

bootstrap(fileURLToPath(import.meta.url));
const build = spawnSync(process.execPath, buildArgs, { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);
// Ctrl+C and a runner's SIGTERM reach the kit too (same process group); it stops after the check
// under way and cleans up, so this process waits for it instead of dying first.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => undefined);
const kit = spawnSync(process.execPath, [join(root, "dist/scripts/live/main.js"), ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
process.exit(kit.status ?? 1);
