/**
 * End-to-end test support: Pulumi programs run by the real CLI against the emulator, each in an
 * isolated copy with its own local backend, so tests never touch the working tree's stacks.
 */
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Emulator, clientEnvironment } from "intune-graph-emulator";
import { PulumiProject, PulumiProjectOptions, REPO_ROOT } from "./pulumi-cli";

export { REPO_ROOT };

/** Environment that points the provider at the emulator; the secret is left to the caller. */
export function connectionEnv(emulator: Emulator, appName = "writer"): NodeJS.ProcessEnv {
  // Never inherit a secret from the machine running the tests: the caller adds one.
  return { ...clientEnvironment(emulator, appName), AZURE_CLIENT_SECRET: "" };
}

export interface ProgramCopy {
  dir: string;
  project: PulumiProject;
  cleanup(): void;
}

/**
 * Copies a program directory (an example, a fixture) to a temporary folder whose node_modules
 * links to the repository's, so the program resolves `pulumi-intune-domain-join` as an installed
 * package, and gives it a fresh file backend.
 */
export function copyProgram(
  source: string,
  env: NodeJS.ProcessEnv,
  options: Pick<PulumiProjectOptions, "pathDirs"> = {},
): ProgramCopy {
  const base = mkdtempSync(path.join(tmpdir(), "intune-e2e-"));
  const dir = path.join(base, "program");
  cpSync(source, dir, {
    recursive: true,
    filter: (src) => !/Pulumi\.[^/]+\.yaml$/.test(src) || src.endsWith("Pulumi.yaml"),
  });
  symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  const project = new PulumiProject({
    dir,
    backendDir: path.join(base, "state"),
    passphrase: "e2e-local-state",
    env,
    ...options,
  });
  return { dir, project, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** A temporary backend for a program run in place (the root stack). */
export function tempBackend(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), "intune-e2e-state-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes Graph made during a run: POST, PATCH and DELETE requests. */
export function writes(emulator: Emulator): number {
  const s = emulator.summary();
  return s.POST + s.PATCH + s.DELETE;
}
