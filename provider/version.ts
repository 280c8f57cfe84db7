/** The package's name and version, for the User-Agent header. */
import { readFileSync } from "node:fs";
import * as path from "node:path";

let cached: { name: string; version: string } | undefined;

/** The package's name and version, read once (see readPackageInfo). */
export function packageInfo(): { name: string; version: string } {
  return (cached ??= readPackageInfo(__dirname));
}

/**
 * Walks up from `start` to the nearest package.json with a name and version (this works from the
 * sources and from dist/); when none is found, the package's name with version 0.0.0.
 */
export function readPackageInfo(start: string): { name: string; version: string } {
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name && pkg.version) return { name: pkg.name, version: pkg.version };
    } catch {
      // not here; keep walking
    }
    if (path.dirname(dir) === dir) return { name: "pulumi-intune-domain-join", version: "0.0.0" };
  }
}
