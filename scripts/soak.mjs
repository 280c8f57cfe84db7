// `npm run soak`: the whole reliability suite, slow scenarios included; prints the table.
// `npm run soak -- --write-docs` also regenerates the table in docs/reliability.md.
import { fileURLToPath } from "node:url";
import { runCompiled } from "./bootstrap.mjs";

runCompiled(fileURLToPath(import.meta.url), "dist/scripts/soak.js");
