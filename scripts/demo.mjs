// `npm run demo`: the main job against the embedded emulator, on a fresh clone (see scripts/demo.ts).
import { fileURLToPath } from "node:url";
import { runCompiled } from "./bootstrap.mjs";

runCompiled(fileURLToPath(import.meta.url), "dist/scripts/demo.js");
