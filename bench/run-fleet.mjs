// `npm run bench:fleet`: builds, then runs the compiled fleet benchmark (dist/bench/fleet.js)
// against the emulator's tenants. See bench/fleet.ts for the options.
import { fileURLToPath } from "node:url";
import { runCompiled } from "../scripts/bootstrap.mjs";

runCompiled(fileURLToPath(import.meta.url), "dist/bench/fleet.js");
