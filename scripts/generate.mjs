// `npm run generate`: writes the files derived from the connector's definition, the settings and the
// health options (provider/connector/definition.ts, provider/config/settings.ts,
// provider/health/options.ts) — the dynamic form's TypeScript types (provider/connector/resource-types.ts),
// the tables of docs/reference.md and the policy pack's config table (policy/README.md) — formatted by
// prettier. tests/unit/definition.test.ts and tests/unit/policy-pack.test.ts fail while a committed
// file differs from what this writes.
// `npm run sdks` writes the package schema and the SDKs from the same definition.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bootstrap, root, tscScript } from "./bootstrap.mjs";

bootstrap(fileURLToPath(import.meta.url));
// The renderers are compiled with the provider: build it (alone: what uses the generated files may
// not compile until they are written).
const build = spawnSync(process.execPath, [tscScript, "-b", "provider"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(1);
const prettier = await import("prettier");
const { generatedFiles } = await import(join(root, "provider", "dist", "codegen", "index.js"));
const format = async (text, filepath) =>
  prettier.format(text, { ...(await prettier.resolveConfig(filepath)), filepath });
for (const file of await generatedFiles(root, format)) {
  writeFileSync(join(root, file.path), file.text);
  console.log(file.path);
}
// The policy pack's table, from its policies (which need the provider just built).
const policyBuild = spawnSync(process.execPath, [tscScript, "-b", "policy"], { cwd: root, stdio: "inherit" });
if (policyBuild.status !== 0) process.exit(1);
const { README_FILE, withConfigTable } = await import(join(root, "policy", "dist", "readme.js"));
const readme = join(root, README_FILE);
writeFileSync(readme, await format(withConfigTable(readFileSync(readme, "utf8")), readme));
console.log(README_FILE);
