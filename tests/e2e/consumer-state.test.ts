/**
 * State as a user's project stores it: the packed package unpacked into the program's own
 * node_modules/, run by the real Pulumi CLI against the emulator. The provider is stored as a
 * `require` of the package, and a stack written by 0.1 (which stored the provider as code) keeps
 * working and is rewritten by its next `up` without a Graph write.
 */
import { expect } from "chai";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { clientEnvironment } from "intune-graph-emulator";
import { consumerDir, installLikeAUser } from "intune-test-support/consumer";
import { REPO_ROOT } from "intune-test-support/e2e";
import { PulumiProject } from "intune-test-support/pulumi-cli";
import { useEmulator } from "intune-test-support/emulator";

const TYPE = "pulumi-nodejs:dynamic/intune:DomainJoinConnector";
/** The goal of the state issue: at most 2.5 KB per connector in `pulumi stack export`. */
const MAX_BYTES_PER_CONNECTOR = 2500;
const REFERENCE = 'require("pulumi-intune-domain-join/stored-provider")';
/** `pulumi stack export` of a stack `up` made with 0.1.0 from its packed tarball (see the fixture's README). */
const LEGACY = path.join(REPO_ROOT, "tests/e2e/fixtures/legacy-state/legacy.json");
const LEGACY_ID = "a1416ca3-ae86-4986-bfd6-2e2d263e9881";

interface StateResource {
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

function connectors(exported: string): StateResource[] {
  const state = JSON.parse(exported) as { deployment: { resources?: StateResource[] } };
  return (state.deployment.resources ?? []).filter((r) => r.type === TYPE);
}

describe("state as a user's install stores it (packed package, real Pulumi CLI, e2e)", function () {
  this.timeout(240_000);
  const emulator = useEmulator({ seed: 0, reset: false });
  let folder: { dir: string; cleanup(): void };
  let project: PulumiProject;

  afterEach(() => folder?.cleanup());

  /** A program in a consumer-style folder, named like the fixture's so its state can be imported. */
  function program(source: string, passphrase: string): PulumiProject {
    folder = consumerDir();
    const dir = path.join(folder.dir, "program");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "Pulumi.yaml"), "name: intune-consumer\nruntime: nodejs\nmain: index.js\n");
    writeFileSync(path.join(dir, "package.json"), '{ "name": "consumer", "private": true }\n');
    writeFileSync(path.join(dir, "index.js"), source);
    installLikeAUser(dir);
    return new PulumiProject({
      dir,
      backendDir: path.join(folder.dir, "state"),
      passphrase,
      env: clientEnvironment(emulator, "writer"),
    });
  }

  it("stores the provider as a require of the package: at most 2.5 KB per connector", async () => {
    emulator.reset({ seed: 0 });
    project = program(
      `const { DomainJoinConnector } = require("pulumi-intune-domain-join");
for (const name of ["paris", "lyon", "nantes"]) {
  new DomainJoinConnector(name, { displayName: "SRV-" + name.toUpperCase() });
}
`,
      "consumer",
    );
    await project.initStack("dev", {});
    await project.run(["up", "--yes", "--skip-preview"], { stack: "dev" });
    const exported = await project.exportState("dev");
    const stored = connectors(exported);
    expect(stored).to.have.length(3);
    for (const r of stored) {
      const bytes = JSON.stringify(r).length;
      console.log(`      state bytes for one connector: ${bytes}`);
      expect(bytes).to.be.at.most(MAX_BYTES_PER_CONNECTOR);
      for (const provider of [r.inputs?.__provider, r.outputs?.__provider]) {
        expect(provider).to.be.a("string").that.contains(REFERENCE);
        expect((provider as string).length).to.be.below(400);
      }
    }
    expect(exported).not.to.match(/eyJ[\w-]+\.[\w-]+\./);

    // Every operation loads the provider through that reference.
    emulator.clearLog();
    await project.run(["refresh", "--yes", "--skip-preview"], { stack: "dev" });
    expect(emulator.summary()).to.include({ GET: 3, POST: 0, PATCH: 0 });
    emulator.clearLog();
    await project.run(["destroy", "--yes", "--skip-preview"], { stack: "dev" });
    expect(emulator.summary()).to.include({ DELETE: 3 });
    expect(emulator.connectors()).to.deep.equal([]);
  });

  it("keeps a stack written by 0.1 working, and its next up stores the reference with no Graph write", async () => {
    emulator.reset({
      seed: [{ id: LEGACY_ID, displayName: "SRV-LEGACY", state: "inactive", version: null }],
    });
    project = program(
      `const { DomainJoinConnector } = require("pulumi-intune-domain-join");
const c = new DomainJoinConnector("branch", { displayName: "SRV-LEGACY" });
exports.connectorId = c.connectorId;
`,
      "legacy",
    );
    await project.run(["stack", "init", "legacy"]);
    await project.run(["stack", "import", "--file", LEGACY], { stack: "legacy" });
    const before = connectors(await project.exportState("legacy"))[0];
    expect(before.outputs?.__provider).to.be.a("string").that.does.not.contain(REFERENCE);
    expect(JSON.stringify(before).length).to.be.above(5000);

    // The stored code still loads the installed implementation.
    emulator.clearLog();
    await project.run(["refresh", "--yes", "--skip-preview"], { stack: "legacy" });
    expect(emulator.summary()).to.include({ GET: 1, POST: 0, PATCH: 0, DELETE: 0 });

    emulator.clearLog();
    const preview = await project.run(["preview", "--diff"], { stack: "legacy" });
    expect(preview.output).to.match(/~ 1 to update/);
    // An update with no property changed: only the stored provider moves.
    expect(preview.output).not.to.match(/^\s+[~+-] (displayName|version|state|connectorId):/m);
    expect(emulator.summary()).to.include({ GET: 0, POST: 0, PATCH: 0 });

    const up = await project.run(["up", "--yes", "--skip-preview"], { stack: "legacy" });
    expect(up.output).to.match(/1 updated/);
    expect(emulator.summary()).to.include({ POST: 0, PATCH: 0, DELETE: 0 });
    const after = connectors(await project.exportState("legacy"))[0];
    expect(after.inputs?.__provider).to.contain(REFERENCE);
    expect(after.outputs?.__provider).to.contain(REFERENCE);
    expect(after.outputs).to.include({
      connectorId: LEGACY_ID,
      displayName: "SRV-LEGACY",
      deleteOnDestroy: true,
    });
    expect(JSON.stringify(after).length).to.be.at.most(MAX_BYTES_PER_CONNECTOR);

    const again = await project.run(["up", "--yes", "--skip-preview"], { stack: "legacy" });
    expect(again.output).not.to.match(/updated/);

    emulator.clearLog();
    await project.run(["destroy", "--yes", "--skip-preview"], { stack: "legacy" });
    expect(emulator.summary()).to.include({ DELETE: 1 });
    expect(emulator.connectors()).to.deep.equal([]);
  });
});
