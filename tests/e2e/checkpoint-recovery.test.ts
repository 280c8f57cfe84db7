/**
 * intune-repair-pending on stacks a killed `pulumi up` can leave behind, with the real CLI on a
 * local file backend: an empty `.attrs` sidecar ("failed to load checkpoint: EOF"), a truncated
 * checkpoint, and connector outputs without `__provider`. Each case breaks the stack first and
 * shows it broken, then runs the tool the way a person would (in the program directory).
 */
import { expect } from "chai";
import { execFile, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import * as path from "node:path";
import { Emulator } from "intune-graph-emulator";
import { ProgramCopy, REPO_ROOT, connectionEnv, copyProgram, writes } from "intune-test-support/e2e";
import { startTestEmulator } from "intune-test-support/emulator";

const PROJECT = "intune-recovery";
const STACK = "recovery";
const TOOL = path.join(REPO_ROOT, "provider/dist/repair/command.js");

describe("checkpoint recovery with the real Pulumi CLI (e2e): intune-repair-pending", function () {
  this.timeout(120_000);
  let emulator: Emulator;
  let scratch: string;
  let copy: ProgramCopy;
  let tenantBefore: string;

  const stacksDir = () => path.join(copy.project.options.backendDir, ".pulumi/stacks", PROJECT);
  const checkpoint = () => path.join(stacksDir(), `${STACK}.json`);
  const pulumi = (args: string[]) => copy.project.run(args, { stack: STACK, allowFailure: true });
  const tenant = () => JSON.stringify(emulator.connectors());
  const aside = (prefix: string) =>
    readdirSync(stacksDir()).filter((n) => n.startsWith(`${prefix}.corrupt-`));

  /** The tool as a person runs it; asynchronous, since the emulator shares this event loop. */
  function repair(): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [TOOL, "--stack", STACK],
        { cwd: copy.dir, env: copy.project.env },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  /** After a repair: the state loads and agrees with the tenant; nothing is written to Graph. */
  async function expectHealthy(steps: { refresh?: boolean; up?: boolean }): Promise<void> {
    emulator.clearLog();
    const exported = await pulumi(["stack", "export"]);
    expect(exported.code, exported.output).to.equal(0);
    const ids = JSON.parse(exported.stdout)
      .deployment.resources.filter((r: { type: string }) => r.type.endsWith(":DomainJoinConnector"))
      .map((r: { id: string }) => r.id)
      .sort();
    expect(ids).to.deep.equal(
      emulator
        .connectors()
        .map((c) => c.id)
        .sort(),
    );
    if (steps.refresh) {
      const refresh = await pulumi(["refresh", "--yes", "--skip-preview"]);
      expect(refresh.code, refresh.output).to.equal(0);
      expect(refresh.stdout).to.not.match(/~ \d+ updated/);
      expect(emulator.summary().GET).to.be.greaterThan(0);
    }
    if (steps.up) {
      const up = await pulumi(["up", "--yes", "--skip-preview"]);
      expect(up.code, up.output).to.equal(0);
      expect(up.stdout).to.contain("3 unchanged");
    }
    expect(writes(emulator)).to.equal(0);
    expect(tenant()).to.equal(tenantBefore);
  }

  let suiteStarted = 0;
  before(async () => {
    suiteStarted = Date.now();
    emulator = await startTestEmulator({ seed: 0 });
    scratch = mkdtempSync(path.join(tmpdir(), "intune-recovery-"));
    const program = path.join(scratch, "program");
    mkdirSync(program);
    writeFileSync(path.join(program, "Pulumi.yaml"), `name: ${PROJECT}\nruntime: nodejs\nmain: index.js\n`);
    writeFileSync(
      path.join(program, "index.js"),
      [
        'const { DomainJoinConnector } = require("pulumi-intune-domain-join");',
        'const a = new DomainJoinConnector("a", { displayName: "Recovery A" });',
        'const b = new DomainJoinConnector("b", { displayName: "Recovery B" });',
        "exports.ids = [a.connectorId, b.connectorId];",
        "",
      ].join("\n"),
    );
    copy = copyProgram(program, {
      ...connectionEnv(emulator),
      AZURE_CLIENT_SECRET: emulator.app("writer").secret,
    });
    await copy.project.initStack(STACK, {});
    await copy.project.run(["up", "--yes", "--skip-preview"], { stack: STACK });
    tenantBefore = tenant();
    expect(emulator.connectors()).to.have.length(2);
  });

  after(async () => {
    copy?.cleanup();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    await emulator?.close();
  });

  it("an empty .attrs sidecar: every command (cancel too) fails with EOF; the tool moves it aside and releases the dead lock", async () => {
    // What the kill leaves: an empty sidecar, and the lock of the killed CLI (a process now gone).
    writeFileSync(`${checkpoint()}.attrs`, "");
    const lockDir = path.join(copy.project.options.backendDir, ".pulumi/locks/organization", PROJECT, STACK);
    mkdirSync(lockDir, { recursive: true });
    const lock = path.join(lockDir, `${randomUUID()}.json`);
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(
      lock,
      JSON.stringify({ pid: gone, username: "ci", hostname: hostname(), timestamp: new Date() }),
    );
    const broken = await pulumi(["stack", "export"]);
    expect(broken.code).to.equal(1);
    expect(broken.output).to.contain("failed to load checkpoint: EOF");
    // so `pulumi cancel` cannot release the lock
    const cancel = await pulumi(["cancel", "--yes"]);
    expect(cancel.code).to.equal(1);
    expect(cancel.output).to.contain("failed to load checkpoint: EOF");
    expect(existsSync(lock)).to.equal(true);

    emulator.clearLog();
    const result = await repair();
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.match(
      new RegExp(
        `checkpoint: sidecar \\.pulumi/stacks/${PROJECT}/${STACK}\\.json\\.attrs is empty.*moved it aside`,
      ),
    );
    expect(result.stdout).to.contain(
      `lock ${path.relative(copy.project.options.backendDir, lock)} of a process that is gone (pid ${gone}, this host): released it`,
    );
    expect(existsSync(lock)).to.equal(false);
    expect(result.stdout).to.contain("nothing to repair");
    expect(emulator.summaryLine()).to.equal("Graph: no requests");
    const kept = aside(`${STACK}.json.attrs`);
    expect(kept).to.have.length(1);
    expect(statSync(path.join(stacksDir(), kept[0])).size).to.equal(0);
    await expectHealthy({ refresh: true, up: true });
  });

  it("a truncated checkpoint, and damaged newest copies: restored from the newest copy that parses (.bak)", async () => {
    // After each update the CLI copies the checkpoint to history/ and backups/: damage the newest
    // of each too, so the tool must skip them and take the .bak written by the last update.
    const pulumiDir = path.join(copy.project.options.backendDir, ".pulumi");
    for (const [dir, suffix] of [
      [path.join(pulumiDir, "history", PROJECT, STACK), ".checkpoint.json"],
      [path.join(pulumiDir, "backups", PROJECT, STACK), ".json"],
    ]) {
      const newest = readdirSync(dir)
        .filter((n) => n.endsWith(suffix))
        .sort()
        .pop() as string;
      writeFileSync(path.join(dir, newest), "{");
    }
    const text = readFileSync(checkpoint(), "utf8");
    writeFileSync(checkpoint(), text.slice(0, text.length / 2));
    const broken = await pulumi(["stack", "export"]);
    expect(broken.code).to.equal(1);
    expect(broken.output).to.contain("failed to load checkpoint");

    const result = await repair();
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    const restored = new RegExp(
      `checkpoint: \\.pulumi/stacks/${PROJECT}/${STACK}\\.json was not JSON \\(truncated\\?\\); ` +
        `restored from \\.pulumi/stacks/${PROJECT}/${STACK}\\.json\\.bak \\((\\S+)\\)`,
    ).exec(result.stdout);
    expect(restored, result.stdout).to.not.equal(null);
    // The .bak was written by an update of this suite: dated after it started (a second's slack
    // for file times, which the kernel takes from a coarser clock) and not in the future.
    expect(Date.parse(restored![1])).to.be.within(suiteStarted - 1000, Date.now());
    expect(readFileSync(checkpoint(), "utf8")).to.equal(readFileSync(`${checkpoint()}.bak`, "utf8"));
    const kept = aside(`${STACK}.json`).filter((n) => !n.includes(".attrs"));
    expect(kept).to.have.length(1);
    expect(readFileSync(path.join(stacksDir(), kept[0]), "utf8")).to.equal(text.slice(0, text.length / 2));
    await expectHealthy({ up: true });
  });

  it("connector outputs without __provider: refresh fails before the tool and works after it", async () => {
    const state = JSON.parse(await copy.project.exportState(STACK));
    const a = state.deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::a"));
    expect(a.outputs.__provider).to.be.a("string");
    delete a.outputs.__provider;
    const file = path.join(scratch, "state.json");
    writeFileSync(file, JSON.stringify(state));
    await copy.project.run(["stack", "import", "--file", file], { stack: STACK });
    const broken = await pulumi(["refresh", "--yes", "--skip-preview"]);
    expect(broken.code).to.not.equal(0);
    expect(broken.output).to.contain("code must be a string");

    emulator.clearLog();
    const result = await repair();
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.contain("a outputs lack __provider: copied it from its inputs");
    expect(result.stdout).to.not.contain("b outputs lack");
    expect(emulator.summaryLine()).to.equal("Graph: no requests");
    const after = JSON.parse(await copy.project.exportState(STACK)).deployment.resources.find(
      (r: { urn: string }) => r.urn.endsWith("::a"),
    );
    expect(after.outputs.__provider).to.equal(after.inputs.__provider);
    await expectHealthy({ refresh: true });
  });
});
