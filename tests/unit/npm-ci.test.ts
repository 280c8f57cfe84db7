/**
 * scripts/npm-ci.mjs, the `npm ci` of bootstrap.mjs and .ci/run: on an old Node where the pinned
 * Node 24 installs (Linux x64), npm's EBADENGINE warnings become one line and nothing else is
 * left out; anywhere else they are shown as npm prints them.
 */
import { expect } from "chai";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

const SCRIPT = path.join(__dirname, "..", "..", "..", "scripts", "npm-ci.mjs");

interface NpmCi {
  pinnedNodeTakesOver(version: string, platform: string, arch: string): boolean;
  engineWarningFilter(nodeVersion: string): (line: string) => string | undefined;
}

/** npm ci's stderr on Node 20 (shortened): two EBADENGINE blocks among other warnings. */
const NPM_STDERR = [
  "npm warn EBADENGINE Unsupported engine {",
  "npm warn EBADENGINE   package: 'pulumi-intune-domain-join-repo@0.1.0',",
  "npm warn EBADENGINE   required: { node: '>=22' },",
  "npm warn EBADENGINE   current: { node: 'v20.20.2', npm: '11.19.1' }",
  "npm warn EBADENGINE }",
  "npm warn deprecated inflight@1.0.6: This module is not supported, and leaks memory.",
  "npm warn EBADENGINE Unsupported engine {",
  "npm warn EBADENGINE   package: '@pulumi/pulumi@3.276.0',",
  "npm warn EBADENGINE   required: { node: '>=22' },",
  "npm warn EBADENGINE   current: { node: 'v20.20.2', npm: '11.19.1' }",
  "npm warn EBADENGINE }",
  "npm warn install-scripts 1 package has install scripts not yet covered by allowScripts:",
  "npm error code EINTEGRITY",
];

/** The script is an ES module for Node 18+, loaded as it is. */
const loaded = import(pathToFileURL(SCRIPT).href) as Promise<NpmCi>;

describe("npm ci on an old Node (scripts/npm-ci.mjs)", () => {
  it("collapses the warnings only on an old Node on Linux x64, where the pinned Node 24 installs", async () => {
    const npmCi = await loaded;
    expect(npmCi.pinnedNodeTakesOver("20.20.2", "linux", "x64")).to.equal(true);
    expect(npmCi.pinnedNodeTakesOver("18.19.0", "linux", "x64")).to.equal(true);
    expect(npmCi.pinnedNodeTakesOver("22.0.0", "linux", "x64")).to.equal(false);
    expect(npmCi.pinnedNodeTakesOver("24.22.3", "linux", "x64")).to.equal(false);
    // No pinned Node there: an old Node is a real problem, and npm's warnings say so.
    expect(npmCi.pinnedNodeTakesOver("20.20.2", "darwin", "arm64")).to.equal(false);
    expect(npmCi.pinnedNodeTakesOver("20.20.2", "win32", "x64")).to.equal(false);
    expect(npmCi.pinnedNodeTakesOver("20.20.2", "linux", "arm64")).to.equal(false);
  });

  it("turns every EBADENGINE line into one line of explanation, and passes every other line as it is", async () => {
    const filter = (await loaded).engineWarningFilter("20.20.2");
    const shown = NPM_STDERR.map(filter).filter((line) => line !== undefined);
    expect(shown).to.have.length(4);
    expect(shown[0]).to.match(/^npm ci on Node 20\.20\.2: .*Node 22\+.*EBADENGINE.*pinned Node 24/);
    expect(shown.slice(1)).to.deep.equal(NPM_STDERR.filter((line) => !line.includes("EBADENGINE")));
  });
});
