import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { packageInfo } from "../../provider/version";

describe("package info (for the User-Agent)", () => {
  it("is the name and version of the package.json above the compiled file", () => {
    // dist/tests/unit → the repository root, where the package.json the build came from lives.
    const pkg = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8"));
    expect(packageInfo()).to.deep.equal({ name: pkg.name, version: pkg.version });
    expect(packageInfo().name).to.equal("pulumi-intune-domain-join");
  });
});
