import { expect } from "chai";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { packageInfo } from "../../provider/version";

describe("package info (for the User-Agent)", () => {
  it("is the name and version of the package.json above the compiled file", () => {
    // dist/tests/unit → the repository root, where the package.json the build came from lives.
    const pkg = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8"));
    expect(packageInfo()).to.deep.equal({ name: pkg.name, version: pkg.version });
    expect(packageInfo().name).to.equal("pulumi-intune-domain-join");
  });

  it("falls back to the package's name and version 0.0.0 when no package.json is above it", () => {
    // A copy of the compiled module in a folder with no package.json up to the root.
    const dir = mkdtempSync(path.join(tmpdir(), "intune-version-"));
    try {
      const copy = path.join(dir, "version.js");
      copyFileSync(require.resolve("../../provider/version"), copy);
      const { packageInfo: fromCopy } = require(copy) as typeof import("../../provider/version");
      expect(fromCopy()).to.deep.equal({ name: "pulumi-intune-domain-join", version: "0.0.0" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
