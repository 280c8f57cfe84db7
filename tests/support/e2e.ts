/**
 * End-to-end test support: Pulumi programs run by the real CLI against the emulator, each in an
 * isolated copy with its own local backend, so tests never touch the working tree's stacks.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Emulator, clientEnvironment } from "intune-graph-emulator";
import { expect } from "chai";
import { PulumiProject, PulumiProjectOptions, PulumiResult, REPO_ROOT } from "./pulumi-cli";

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
 * package, and gives it a fresh file backend (or `backendUrl`'s, whose credentials go in `env`).
 */
export function copyProgram(
  source: string,
  env: NodeJS.ProcessEnv,
  options: Pick<PulumiProjectOptions, "pathDirs" | "backendUrl"> & {
    /** Packages the program resolves besides the repository's (name → folder), e.g. a built SDK. */
    modules?: Record<string, string>;
  } = {},
): ProgramCopy {
  const base = mkdtempSync(path.join(tmpdir(), "intune-e2e-"));
  const dir = path.join(base, "program");
  cpSync(source, dir, {
    recursive: true,
    filter: (src) => !/Pulumi\.[^/]+\.yaml$/.test(src) || src.endsWith("Pulumi.yaml"),
  });
  linkModules(path.join(dir, "node_modules"), options.modules ?? {});
  const project = new PulumiProject({
    dir,
    backendDir: path.join(base, "state"),
    passphrase: "e2e-local-state",
    env,
    pathDirs: options.pathDirs,
    backendUrl: options.backendUrl,
  });
  return { dir, project, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/**
 * The program's node_modules: a link to the repository's, or, when it needs more packages, a
 * folder linking each of the repository's entries, with a copy of each of those packages.
 */
function linkModules(target: string, modules: Record<string, string>): void {
  const repository = path.join(REPO_ROOT, "node_modules");
  if (Object.keys(modules).length === 0) {
    symlinkSync(repository, target, "dir");
    return;
  }
  mkdirSync(target);
  const scopes = new Set(Object.keys(modules).map((name) => name.split("/")[0]));
  for (const entry of readdirSync(repository)) {
    if (scopes.has(entry)) {
      mkdirSync(path.join(target, entry));
      for (const inner of readdirSync(path.join(repository, entry))) {
        symlinkSync(path.join(repository, entry, inner), path.join(target, entry, inner), "dir");
      }
    } else symlinkSync(path.join(repository, entry), path.join(target, entry), "dir");
  }
  // Copied, not linked: Node resolves a package's own imports from where its files really are,
  // and @pulumi/pulumi must be the program's one copy.
  for (const [name, folder] of Object.entries(modules))
    cpSync(folder, path.join(target, name), { recursive: true });
}

/**
 * Runs `pulumi <args>` on the copy's stack with the emulator's log cleared first, so that the log
 * then holds this command's requests alone; fails, with the CLI's output, unless it exits 0.
 */
export async function runLogged(
  copy: ProgramCopy,
  emulator: Emulator,
  stack: string,
  args: string[],
): Promise<PulumiResult> {
  emulator.clearLog();
  const result = await copy.project.run(args, { stack, allowFailure: true });
  expect(result.code, `pulumi ${args.join(" ")}:\n${result.output}`).to.equal(0);
  return result;
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
