// Links this package into its own node_modules, so Pulumi programs inside the repository (the
// root stack, examples/) resolve `pulumi-intune-domain-join` exactly as users' programs do.
import { existsSync, lstatSync, mkdirSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const link = join(root, "node_modules", "pulumi-intune-domain-join");
if (!existsSync(link) && !isLink(link)) {
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync("..", link, "dir");
}

function isLink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
