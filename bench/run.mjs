// `npm run bench` (`-- --quick` for N = 1, 10): builds, then runs the compiled benchmark
// (dist/bench/main.js) against the emulator. See bench/main.ts for the options.
import { fileURLToPath } from "node:url";
import { runCompiled } from "../scripts/bootstrap.mjs";

runCompiled(fileURLToPath(import.meta.url), "dist/bench/main.js");
