/**
 * The second run, for every documented program: each example and the root stack lives its whole
 * life with the real Pulumi CLI against the emulator, as a nightly pipeline would run it — up; a
 * preview that must find no change and make no Graph request; up again; a day later (heartbeats
 * and silence on the emulator's clock), refresh and a preview that still finds no change; a
 * change; up; destroy. A program that works once and breaks on its second run cannot land.
 * examples/partner-tenants, which needs an emulator of several tenants, lives the same life in
 * partner-tenants.test.ts, with each tenant's requests checked.
 */
import { expect } from "chai";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Emulator, type ConnectorRecord } from "intune-graph-emulator";
import {
  ProgramCopy,
  REPO_ROOT,
  connectionEnv,
  copyProgram,
  writes,
  runLogged,
} from "intune-test-support/e2e";
import { startTestEmulator } from "intune-test-support/emulator";
import { builtNodejsSdk, intunePluginDir, yamlHostDir } from "intune-test-support/plugin";

const HQ = "8c39f54e-6512-4a2f-bd3a-2cb66d02f722";
const REGISTERED: Partial<ConnectorRecord>[] = [
  { id: HQ, displayName: "ODJ-HQ-SRV01", version: "6.2504.2001.8" },
];
const DAY = 24 * 3_600_000;

interface Program {
  name: string;
  /** The program's folder (copied for the run). */
  source: () => string;
  cloud?: "global" | "usgov";
  config: Record<string, unknown>;
  /** The same config with one change a user would make (a rename). */
  changed: Record<string, unknown>;
  /** Folders the engine needs on PATH: the intune plugin and a language host, for non-TypeScript programs. */
  pathDirs?: () => string[];
  /** Packages the program needs besides the repository's (the generated SDK). */
  modules?: () => Record<string, string>;
}

const temporary: string[] = [];

/** The root stack as a user's checkout holds it: Pulumi.yaml and its built program. */
function rootStackSource(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "intune-root-stack-"));
  temporary.push(dir);
  cpSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  cpSync(path.join(REPO_ROOT, "dist/stack"), path.join(dir, "dist/stack"), { recursive: true });
  return dir;
}

const example = (name: string) => () => path.join(REPO_ROOT, "examples", name);
const rootConnectors = (hqName: string) => ({
  "intune-connectors:connectors": [
    { connectorId: HQ, displayName: hqName },
    { name: "branch-office", displayName: "ODJ Connector – Branch office" },
  ],
});

const PROGRAMS: Program[] = [
  {
    name: "examples/basic",
    source: example("basic"),
    config: { "intune-basic:displayName": "ODJ Connector – Paris" },
    changed: { "intune-basic:displayName": "ODJ Connector – Lyon" },
  },
  {
    name: "examples/adopt-existing, by id",
    source: example("adopt-existing"),
    config: {
      "intune-adopt-existing:connectorId": HQ,
      "intune-adopt-existing:displayName": "ODJ Connector – HQ",
    },
    changed: {
      "intune-adopt-existing:connectorId": HQ,
      "intune-adopt-existing:displayName": "ODJ HQ (managed)",
    },
  },
  {
    name: "examples/adopt-existing, by the name it registered under",
    source: example("adopt-existing"),
    config: {
      "intune-adopt-existing:registeredName": "ODJ-HQ-SRV01",
      "intune-adopt-existing:displayName": "ODJ Connector – HQ",
    },
    changed: {
      "intune-adopt-existing:registeredName": "ODJ-HQ-SRV01",
      "intune-adopt-existing:displayName": "ODJ HQ (managed)",
    },
  },
  {
    name: "examples/multi-cloud (usgov)",
    source: example("multi-cloud"),
    cloud: "usgov",
    config: { "intune:cloud": "usgov" },
    changed: { "intune:cloud": "usgov", "intune-multi-cloud:displayName": "ODJ Connector – GCC High 2" },
  },
  {
    name: "examples/yaml (the intune plugin, YAML language host)",
    source: example("yaml"),
    pathDirs: () => [intunePluginDir(), yamlHostDir()],
    config: { "intune-yaml:hqDisplayName": "ODJ Connector – HQ" },
    changed: { "intune-yaml:hqDisplayName": "ODJ HQ (managed)" },
  },
  {
    name: "examples/plugin-typescript (the intune plugin, generated nodejs SDK)",
    source: example("plugin-typescript"),
    pathDirs: () => [intunePluginDir()],
    modules: () => ({ "@intune-odj/pulumi-intune": builtNodejsSdk() }),
    config: { "intune-plugin-typescript:hqDisplayName": "ODJ Connector – HQ" },
    changed: { "intune-plugin-typescript:hqDisplayName": "ODJ HQ (managed)" },
  },
  {
    name: "the root stack (connectors in config)",
    source: rootStackSource,
    config: rootConnectors("ODJ Connector – Headquarters"),
    changed: rootConnectors("ODJ HQ (managed)"),
  },
];

describe("every documented program survives its own second run (real Pulumi CLI, e2e)", function () {
  this.timeout(300_000);
  after(() => temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  for (const program of PROGRAMS) {
    describe(program.name, () => {
      let emulator: Emulator;
      let copy: ProgramCopy;
      const stack = "nightly";

      before(async () => {
        emulator = await startTestEmulator({ seed: REGISTERED, cloud: program.cloud ?? "global" });
        copy = copyProgram(program.source(), connectionEnv(emulator), {
          pathDirs: program.pathDirs?.(),
          modules: program.modules?.(),
        });
        await copy.project.initStack(stack, program.config, {
          "intune:clientSecret": emulator.app("writer").secret,
        });
      });
      after(async () => {
        copy?.cleanup();
        await emulator?.close();
      });

      const run = (args: string[]) => runLogged(copy, emulator, stack, args);
      const noRequests = () => expect(emulator.summaryLine()).to.equal("Graph: no requests");

      it("up, then a preview and an up that find nothing to do and ask Graph nothing", async () => {
        await run(["up", "--yes", "--skip-preview"]);
        await run(["preview", "--expect-no-changes"]);
        noRequests();
        const again = await run(["up", "--yes", "--skip-preview"]);
        expect(again.output).to.match(/\d+ unchanged/);
        noRequests();
      });

      it("a day later: refresh writes nothing, and the next preview still finds nothing to do", async () => {
        // The registered connector's server checks in; a connector Pulumi created has none.
        emulator.advanceClock(DAY);
        for (const c of emulator.connectors()) if (c.id === HQ) emulator.heartbeat(c.id);
        await run(["refresh", "--yes", "--skip-preview"]);
        expect(writes(emulator)).to.equal(0);
        await run(["preview", "--expect-no-changes"]);
        noRequests();
      });

      it("a change is one write, and the stack is quiet again after it", async () => {
        copy.project.writeConfig(stack, program.changed);
        await run(["up", "--yes", "--skip-preview"]);
        expect(emulator.summary().PATCH).to.equal(1);
        expect(emulator.summary().POST).to.equal(0);
        await run(["preview", "--expect-no-changes"]);
        noRequests();
      });

      it("destroy empties the stack, deleting what it created and releasing what it adopted", async () => {
        const before = new Set(emulator.connectors().map((c) => c.id));
        await run(["destroy", "--yes", "--skip-preview"]);
        const state = JSON.parse(await copy.project.exportState(stack)) as {
          deployment: { resources?: { type: string }[] };
        };
        expect(
          (state.deployment.resources ?? []).filter((r) => r.type.endsWith("DomainJoinConnector")),
        ).to.deep.equal([]);
        expect(before.has(HQ)).to.equal(true);
        expect(emulator.connectors().map((c) => c.id)).to.deep.equal([HQ]);
      });
    });
  }
});

describe("the 0.2 way to adopt by name, on its second run (real Pulumi CLI, e2e)", function () {
  this.timeout(120_000);
  let emulator: Emulator;
  let copy: ProgramCopy;

  before(async () => {
    emulator = await startTestEmulator({ seed: REGISTERED });
    copy = copyProgram(path.join(REPO_ROOT, "tests/e2e/fixtures/adopt-by-lookup"), connectionEnv(emulator));
    await copy.project.initStack(
      "dev",
      {
        "intune-adopt-by-lookup:registeredName": "ODJ-HQ-SRV01",
        "intune-adopt-by-lookup:displayName": "ODJ HQ",
      },
      { "intune:clientSecret": emulator.app("writer").secret },
    );
  });
  after(async () => {
    copy?.cleanup();
    await emulator?.close();
  });

  it("fails after the rename with one plain line that says to use registeredName", async () => {
    await copy.project.run(["up", "--yes", "--skip-preview"], { stack: "dev" });
    const second = await copy.project.run(["preview"], { stack: "dev", allowFailure: true });
    expect(second.code).to.not.equal(0);
    const errors = second.output.split("\n").filter((line) => /^\s+error: /.test(line));
    expect(errors).to.have.length(1);
    expect(errors[0]).to.contain('getConnector: no connector is named "ODJ-HQ-SRV01"');
    expect(errors[0]).to.contain('give the resource registeredName: "ODJ-HQ-SRV01"');
    // No unhandled-exception dump, no stack, no colour codes in output that is not a terminal.
    expect(second.output).to.not.contain("unhandled exception");
    expect(second.output, second.output).to.not.match(/\n\s+at \S+ \(/);
    expect(second.output).to.not.contain("\u001b[");
  });
});
