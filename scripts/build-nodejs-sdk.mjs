// `node scripts/build-nodejs-sdk.mjs --out <folder>`: compiles the generated nodejs SDK (sdk/nodejs)
// into a package folder as npm publishes it: the compiled code with its package.json and README,
// `require("@intune-odj/pulumi-intune")` ready. TypeScript 5.9 compiles it (the generated tsconfig
// is written for the classic compiler); @pulumi/pulumi and @types/node come from the workspace.
import { spawnSync } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { bootstrap, root } from "./bootstrap.mjs";

bootstrap(fileURLToPath(import.meta.url));

const { values } = parseArgs({ options: { out: { type: "string" } } });
if (!values.out) {
  console.error("usage: node scripts/build-nodejs-sdk.mjs --out <folder>");
  process.exit(2);
}
const out = resolve(values.out);
const sdk = join(root, "sdk", "nodejs");
rmSync(out, { recursive: true, force: true });
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const result = spawnSync(process.execPath, [tsc, "-p", sdk, "--outDir", out], { stdio: "inherit" });
if (result.status !== 0) {
  console.error(`the nodejs SDK did not compile (tsc exited ${result.status})`);
  process.exit(1);
}
for (const file of ["package.json", "README.md"]) copyFileSync(join(sdk, file), join(out, file));
console.log(out);
