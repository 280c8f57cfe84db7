// Stryker's build step, run inside its sandbox (.stryker-tmp/sandbox-*; Stryker runs the command
// without a shell, so both steps live here): gives the sandbox its own node_modules, then builds
// with `tsc -b`. node_modules: Every package is a link to the repository's copy, except the workspace packages
// (the provider, the emulator, the test support), whose repository links point at the unmutated
// sources: here they point at the sandbox's mutated copies, so the tests load the mutants.
import { spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";

const sandbox = process.cwd();
const repository = resolve(sandbox, "..", "..");
const source = join(repository, "node_modules");
const target = join(sandbox, "node_modules");
rmSync(target, { recursive: true, force: true });
mkdirSync(target);

function link(entry) {
  const from = join(source, entry);
  const stat = lstatSync(from);
  let to = from;
  if (stat.isSymbolicLink()) {
    const pointsAt = resolve(join(source, entry, ".."), readlinkSync(from));
    const inRepository = relative(repository, pointsAt);
    // A workspace package: a link into the repository, outside node_modules.
    if (
      !inRepository.startsWith("..") &&
      !isAbsolute(inRepository) &&
      !inRepository.startsWith("node_modules")
    ) {
      to = join(sandbox, inRepository);
    }
  }
  symlinkSync(to, join(target, entry), "junction");
}

for (const entry of readdirSync(source)) {
  if (entry.startsWith("@")) {
    mkdirSync(join(target, entry));
    for (const child of readdirSync(join(source, entry))) link(join(entry, child));
  } else if (entry !== ".package-lock.json") {
    link(entry);
  }
}

const build = spawnSync(process.execPath, [join(target, "@typescript", "native", "bin", "tsc"), "-b"], {
  cwd: sandbox,
  stdio: "inherit",
});
process.exit(build.status ?? 1);
