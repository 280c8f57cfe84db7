import { expect } from "chai";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { packageInfo, readPackageInfo } from "pulumi-intune-domain-join/internal/version";

describe("package info (for the User-Agent)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "intune-version-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is the name and version of the package.json above the compiled file", () => {
    // dist/tests/unit → the repository root → provider/, the published package the build came from.
    const pkg = JSON.parse(
      readFileSync(path.join(__dirname, "..", "..", "..", "provider", "package.json"), "utf8"),
    );
    expect(packageInfo()).to.deep.equal({ name: pkg.name, version: pkg.version });
    expect(packageInfo().name).to.equal("pulumi-intune-domain-join");
  });

  it("takes the nearest package.json with a name and version, two folders up", () => {
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "outer", version: "2.3.4" }));
    mkdirSync(path.join(dir, "a", "b"), { recursive: true });
    // One without a version on the way does not count.
    writeFileSync(path.join(dir, "a", "package.json"), JSON.stringify({ name: "inner" }));
    expect(readPackageInfo(path.join(dir, "a", "b"))).to.deep.equal({ name: "outer", version: "2.3.4" });
  });

  it("falls back to the package's name and version 0.0.0 when no package.json is above", () => {
    expect(readPackageInfo(dir)).to.deep.equal({ name: "pulumi-intune-domain-join", version: "0.0.0" });
  });
});
