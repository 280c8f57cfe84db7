// One home for configuration: every environment variable the provider reads is declared in
// SETTINGS (provider/config/settings.ts), with its stack config key or as environment-only. The
// repair tool (provider/repair/, provider/state/) reads Pulumi's own variables (PULUMI_HOME, ...) and is left out.
import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { SETTINGS } from "pulumi-intune-domain-join/internal/config/settings";

const PROVIDER = path.join(__dirname, "..", "..", "..", "provider");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "state" ? [] : sources(full);
    return entry.name.endsWith(".ts") && !full.endsWith(path.join("repair", "command.ts")) ? [full] : [];
  });
}

describe("settings: one home for every environment variable", () => {
  it("declares in SETTINGS each variable read anywhere in the provider", () => {
    const declared = new Set<string>(Object.values(SETTINGS).flatMap((s) => s.env));
    const read = new Map<string, string>();
    for (const file of sources(PROVIDER)) {
      for (const match of readFileSync(file, "utf8").matchAll(
        /\benv\.([A-Z][A-Z0-9_]+)|\benv\[["']([A-Z][A-Z0-9_]+)["']\]/g,
      )) {
        read.set(match[1] ?? match[2], path.relative(PROVIDER, file));
      }
    }
    // The system's search path is no setting: the fleet only puts the CLI's and the plugin's folders first on it.
    const system = new Set(["PATH"]);
    const undeclared = [...read]
      .filter(([name]) => !declared.has(name) && !system.has(name))
      .map(([n, f]) => `${n} (${f})`);
    expect(undeclared).to.deep.equal([]);
    // The scan finds what it should: the variable the Azure Pipelines credential sets for @azure/identity.
    expect(read.get("SYSTEM_OIDCREQUESTURI")).to.equal(path.join("auth", "federated.ts"));
  });

  it("lists the process switches as environment-only, under their variable names", () => {
    expect(SETTINGS.debug).to.include({ key: "debug", envOnly: true });
    expect(SETTINGS.debug.env).to.deep.equal(["INTUNE_DEBUG"]);
    expect(SETTINGS.createJournal.env).to.deep.equal(["INTUNE_CREATE_JOURNAL"]);
    expect(SETTINGS.managedIdentityEndpoint.env).to.deep.equal(["IDENTITY_ENDPOINT", "MSI_ENDPOINT"]);
  });
});
