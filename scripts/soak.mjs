// `npm run soak`: the whole reliability suite, slow scenarios included; prints the table.
// `npm run soak -- --write-readme` also regenerates the README's Reliability table.
import { fileURLToPath } from "node:url";
import { runCompiled } from "./bootstrap.mjs";

runCompiled(fileURLToPath(import.meta.url), "dist/scripts/soak.js");
