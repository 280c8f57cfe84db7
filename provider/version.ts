/** The package's name and version, for the User-Agent header. */
import { readFileSync } from "node:fs";
import * as path from "node:path";

let cached: { name: string; version: string } | undefined;

/** Walks up from this file to the package.json of this package (works from sources and from dist/). */
export function packageInfo(): { name: string; version: string } {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name && pkg.version) return (cached = { name: pkg.name, version: pkg.version });
    } catch {
      // not here; keep walking
    }
    if (path.dirname(dir) === dir) return (cached = { name: "pulumi-intune-domain-join", version: "0.0.0" });
  }
}
