/**
 * The `intune` package's plugin and the YAML language host, for the real CLI: the plugin as the
 * engine finds it on PATH (`pulumi-resource-intune`, the built provider run by this process's
 * Node), and the YAML host from toolchain/pulumi-yaml (cache, or a build from the Go module proxy).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Emulator } from "intune-graph-emulator";
import { REPO_ROOT, ensuredPath } from "./pulumi-cli";

export const PLUGIN_MAIN = path.join(REPO_ROOT, "provider/dist/plugin/main.js");

let pluginDir: string | undefined;

/** A folder holding `pulumi-resource-intune`, which runs the built plugin with this Node. */
export function intunePluginDir(): string {
  if (pluginDir && existsSync(pluginDir)) return pluginDir;
  const dir = mkdtempSync(path.join(tmpdir(), "intune-plugin-"));
  const shim = path.join(dir, "pulumi-resource-intune");
  writeFileSync(
    shim,
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(PLUGIN_MAIN)} "$@"\n`,
  );
  chmodSync(shim, 0o755);
  return (pluginDir = dir);
}

/** The folder holding `pulumi-language-yaml` (INTUNE_YAML_HOST_DIR once found). */
export function yamlHostDir(): string {
  const holdsHost = (dir: string) => dir !== "" && existsSync(path.join(dir, "pulumi-language-yaml"));
  const known = process.env.INTUNE_YAML_HOST_DIR ?? "";
  if (holdsHost(known)) return known;
  return (process.env.INTUNE_YAML_HOST_DIR = ensuredPath(
    "toolchain/pulumi-yaml/ensure-pulumi-yaml.sh",
    holdsHost,
  ));
}

let nodejsSdk: string | undefined;

/** The generated nodejs SDK (sdk/nodejs), compiled once per process as npm would publish it. */
export function builtNodejsSdk(): string {
  if (nodejsSdk && existsSync(path.join(nodejsSdk, "index.js"))) return nodejsSdk;
  const out = mkdtempSync(path.join(tmpdir(), "intune-sdk-nodejs-"));
  const script = path.join(REPO_ROOT, "scripts/build-nodejs-sdk.mjs");
  const result = spawnSync(process.execPath, [script, "--out", out], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`the nodejs SDK did not build:\n${result.stdout}${result.stderr}`);
  return (nodejsSdk = out);
}

/** The emulator's tenant, app and endpoints as the engine sends a plugin its provider config. */
export function pluginSettingsOf(emulator: Emulator, appName = "writer"): Record<string, string> {
  const app = emulator.app(appName);
  return {
    "intune:tenantId": emulator.tenantId,
    "intune:clientId": app.clientId,
    "intune:clientSecret": app.secret,
    "intune:authorityHost": emulator.authorityHost,
    "intune:graphEndpoint": emulator.graphEndpoint,
  };
}
