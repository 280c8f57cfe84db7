/**
 * The pipeline definitions in examples/pipelines/ cannot rot: every GitHub Actions workflow passes
 * actionlint (pinned, built from the Go module proxy by toolchain/actionlint/ensure-actionlint.sh;
 * shellcheck is used for `run:` scripts when it is on PATH), the Azure DevOps pipeline parses and
 * has its stages, no file holds a secret literal, and every `pulumi` command they run uses flags
 * the pinned Pulumi CLI knows.
 */
import { expect } from "chai";
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Emulator } from "intune-graph-emulator";
import { ProgramCopy, REPO_ROOT, copyProgram } from "intune-test-support/e2e";
import { GithubStandIn, startGithubActionsStandIn } from "intune-test-support/federated-issuers";
import { githubJobEnv, startPipelineEmulator } from "intune-test-support/github-pipeline";
import { ensurePulumiCli, ensuredPath } from "intune-test-support/pulumi-cli";

// js-yaml 4 comes with @pulumi/pulumi (no types installed): only `load` is used.
const { load } = require("js-yaml") as { load(text: string, options?: { filename?: string }): unknown };

const PIPELINES = path.join(REPO_ROOT, "examples/pipelines");
const HEALTH_TOOL = require.resolve("pulumi-intune-domain-join/internal/health/command");
const WORKFLOWS = path.join(PIPELINES, "github/workflows");
const AZURE_FILES = ["azure-pipelines.yml", "pulumi-steps.yml", "azure-fleet.yml"];
const FLEET_TOOL = require.resolve("pulumi-intune-domain-join/internal/fleet/command");

type Yaml = Record<string, unknown>;

function workflowFiles(): string[] {
  return readdirSync(WORKFLOWS)
    .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
    .map((f) => path.join(WORKFLOWS, f));
}

/** The project's own workflows (CI, release), beside the examples users copy. */
const OWN_WORKFLOWS = path.join(REPO_ROOT, ".github/workflows");

function ownWorkflowFiles(): string[] {
  return readdirSync(OWN_WORKFLOWS)
    .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
    .map((f) => path.join(OWN_WORKFLOWS, f));
}

/** Whether the workflow, or one of its jobs, may ask for an OIDC token. */
function holdsIdToken(workflow: Yaml): boolean {
  const jobs = Object.values((workflow.jobs ?? {}) as Record<string, Yaml>);
  return [workflow, ...jobs].some(
    (scope) => (scope.permissions as Record<string, string> | undefined)?.["id-token"] === "write",
  );
}

/**
 * The `uses:` of third-party actions not pinned as `owner/repo@<40-hex commit> # <tag>`: a tag or a
 * branch can be moved to other code, and a job that can get an OIDC token would run it.
 */
function unpinnedActions(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)) {
    const [, action, rest] = match;
    if (action.startsWith("./") || action.startsWith("docker://")) continue;
    if (!/@[0-9a-f]{40}$/.test(action) || !/^\s+#\s*v\d+(\.\d+)*\s*$/.test(rest)) found.push(action);
  }
  return found;
}

function allPipelineFiles(): string[] {
  return [...workflowFiles(), ...AZURE_FILES.map((f) => path.join(PIPELINES, f))];
}

function loadYaml(file: string): Yaml {
  const doc = load(readFileSync(file, "utf8"), { filename: file });
  expect(doc, `${file} is a YAML mapping`).to.be.an("object");
  return doc as Yaml;
}

let actionlintPath: string | undefined;
function actionlint(): string {
  return (actionlintPath ??= ensuredPath("toolchain/actionlint/ensure-actionlint.sh"));
}

function runActionlint(files: string[]): { status: number | null; output: string } {
  const result = spawnSync(actionlint(), ["-no-color", "-pyflakes=", ...files], {
    encoding: "utf8",
    cwd: PIPELINES,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("pipeline examples lint (actionlint, structure, no secrets)", function () {
  this.timeout(300_000); // the first run builds actionlint (about 10 s with the modules cached)

  it("has the three GitHub workflows", () => {
    expect(workflowFiles().map((f) => path.basename(f))).to.include.members([
      "preview.yml",
      "deploy.yml",
      "drift.yml",
    ]);
  });

  it("every GitHub workflow passes actionlint", () => {
    const { status, output } = runActionlint(workflowFiles());
    expect(output, output).to.equal("");
    expect(status).to.equal(0);
  });

  it("the project's own release workflow passes actionlint and publishes only from a tested tag", () => {
    const release = path.join(REPO_ROOT, ".github/workflows/release.yml");
    const { status, output } = runActionlint([release]);
    expect(output, output).to.equal("");
    expect(status).to.equal(0);
    const workflow = loadYaml(release) as {
      on: { push: { tags: string[] } };
      jobs: Record<
        string,
        { needs?: string; permissions?: Record<string, string>; steps: { run?: string }[] }
      >;
    };
    expect(workflow.on.push.tags).to.deep.equal(["v[0-9]+.[0-9]+.[0-9]+"]);
    const build = workflow.jobs.build.steps.map((s) => s.run ?? "").join("\n");
    expect(build).to.contain("bash .ci/run");
    expect(build).to.contain("npm run plugin-tarball");
    const publish = workflow.jobs.publish;
    expect(publish.needs).to.equal("build");
    expect(publish.permissions).to.deep.equal({ contents: "write", "id-token": "write" });
    expect(publish.steps.map((s) => s.run ?? "").join("\n")).to.contain(
      'npm publish "$tarball" --provenance',
    );
  });

  it("the project's own workflows, the CI one included, all pass actionlint", () => {
    const own = ownWorkflowFiles();
    expect(own.map((f) => path.basename(f))).to.include.members(["ci.yml", "release.yml"]);
    const { status, output } = runActionlint(own);
    expect(output, output).to.equal("");
    expect(status).to.equal(0);
  });

  it("CI tests every push and pull request on Linux, macOS and Windows (the systems the README names)", () => {
    const ci = loadYaml(path.join(OWN_WORKFLOWS, "ci.yml")) as {
      on: Record<string, unknown>;
      jobs: Record<
        string,
        {
          strategy?: { matrix?: { os?: string[]; include?: { os: string }[] } };
          steps: { run?: string }[];
        }
      >;
    };
    expect(ci.on).to.have.all.keys("push", "pull_request");
    const osesRunning = (command: string) =>
      Object.values(ci.jobs)
        .filter((job) => job.steps.some((step) => step.run?.includes(command)))
        .flatMap((job) => [
          ...(job.strategy?.matrix?.os ?? []),
          ...(job.strategy?.matrix?.include ?? []).map((entry) => entry.os),
        ]);
    const full = osesRunning("bash .ci/run");
    const fast = osesRunning("npm run test:fast");
    expect(full.some((os) => os.startsWith("ubuntu-"))).to.equal(true);
    expect(full.some((os) => os.startsWith("macos-"))).to.equal(true);
    expect(fast.some((os) => os.startsWith("windows-"))).to.equal(true);
  });

  it("every workflow holding id-token: write pins each third-party action by commit, its tag beside it", () => {
    const holders = [...ownWorkflowFiles(), ...workflowFiles()].filter((file) =>
      holdsIdToken(loadYaml(file)),
    );
    expect(holders.map((f) => path.basename(f))).to.include.members([
      "release.yml",
      "preview.yml",
      "deploy.yml",
      "drift.yml",
    ]);
    for (const file of holders) {
      expect(unpinnedActions(readFileSync(file, "utf8")), file).to.deep.equal([]);
    }
  });

  it("the pin check finds a tag, a branch and a SHA without its tag (the check can fail)", () => {
    const text = [
      "steps:",
      "  - uses: actions/checkout@v4",
      "  - uses: pulumi/actions@main",
      "  - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020",
      "  - uses: actions/setup-go@40f1582b2485089dde7abd97c1529aa768e1baff # v5.6.0",
      "  - uses: ./local-action",
      "",
    ].join("\n");
    expect(unpinnedActions(text)).to.deep.equal([
      "actions/checkout@v4",
      "pulumi/actions@main",
      "actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020",
    ]);
  });

  it("actionlint catches a broken workflow (the check can fail)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "intune-actionlint-"));
    try {
      const broken = path.join(dir, "broken.yml");
      writeFileSync(
        broken,
        [
          "name: broken",
          "on:",
          "  pull_request_target_typo:", // no such event
          "permissions:",
          "  id-token: writ", // no such permission level
          "jobs:",
          "  preview:",
          "    runs-on: ubuntu-latest",
          "    steps:",
          "      - run: echo ${{ github.evnt.number }}", // no such property of `github`
          "      - uses: actions/checkout@v4",
          "        with:",
          "          fetch-dept: 0", // no such input
          "",
        ].join("\n"),
      );
      const { status, output } = runActionlint([broken]);
      expect(status).to.equal(1);
      expect(output).to.contain("pull_request_target_typo");
      expect(output).to.contain("writ");
      expect(output).to.contain("fetch-dept");
      expect(output).to.contain('property "evnt" is not defined');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the GitHub workflows have the permissions, triggers and gates they need", () => {
    const wf = (name: string) => loadYaml(path.join(WORKFLOWS, name));
    const preview = wf("preview.yml");
    expect(preview.on).to.have.property("pull_request");
    expect(preview.permissions).to.include({ "id-token": "write", "pull-requests": "write" });
    expect(readFileSync(path.join(WORKFLOWS, "preview.yml"), "utf8")).to.match(/gh pr comment/);

    const deploy = wf("deploy.yml");
    expect((deploy.on as Yaml).push).to.deep.equal({ branches: ["main"] });
    expect(deploy.permissions).to.include({ "id-token": "write" });
    const deployJob = (deploy.jobs as Record<string, Yaml>).deploy;
    expect(deployJob.environment).to.deep.equal({ name: "production" });

    const drift = wf("drift.yml");
    expect((drift.on as Yaml).schedule)
      .to.be.an("array")
      .with.length.greaterThan(0);
    const driftText = readFileSync(path.join(WORKFLOWS, "drift.yml"), "utf8");
    expect(driftText).to.match(/pulumi refresh /);
    expect(driftText).to.match(/pulumi preview [^\n]*--expect-no-changes/);

    for (const doc of [preview, deploy, drift]) {
      const text = JSON.stringify(doc);
      expect(text).to.contain('"INTUNE_AUTH_METHOD":"githubActions"');
      expect(text).to.contain("vars.AZURE_CLIENT_ID");
    }
  });

  it("the Azure DevOps pipeline parses and has the preview, deploy and drift stages", () => {
    const pipeline = loadYaml(path.join(PIPELINES, "azure-pipelines.yml"));
    const stages = pipeline.stages as Yaml[];
    expect(stages.map((s) => s.stage)).to.deep.equal(["Preview", "Deploy", "Drift"]);
    const byName = Object.fromEntries(stages.map((s) => [s.stage, s]));
    expect(byName.Preview.condition).to.contain("PullRequest");
    expect(byName.Drift.condition).to.contain("Schedule");
    expect(pipeline.schedules).to.be.an("array").with.length.greaterThan(0);
    const deployJob = (byName.Deploy.jobs as Yaml[])[0];
    expect(deployJob).to.include({ deployment: "deploy", environment: "production" });
    expect(JSON.stringify(pipeline.variables)).to.contain("azurePipelines");

    const steps = loadYaml(path.join(PIPELINES, "pulumi-steps.yml"));
    const task = (steps.steps as Yaml[]).find((s) => s.task === "AzureCLI@2");
    expect(task, "an AzureCLI@2 step").to.not.equal(undefined);
    expect(task!.inputs).to.include({ azureSubscription: "$(serviceConnection)", scriptType: "bash" });
    expect(task!.env).to.include({ SYSTEM_ACCESSTOKEN: "$(System.AccessToken)" });
    // Every template parameter used is declared.
    const declared = (steps.parameters as Yaml[]).map((p) => p.name);
    const used = [
      ...readFileSync(path.join(PIPELINES, "pulumi-steps.yml"), "utf8").matchAll(/parameters\.(\w+)/g),
    ];
    for (const [, name] of used) expect(declared).to.include(name);
    const drift = JSON.stringify(byName.Drift);
    expect(drift).to.match(/pulumi refresh /);
    expect(drift).to.match(/--expect-no-changes/);
  });

  it("the fleet workflow runs intune-fleet in a matrix of shards with the job's OIDC token, then merges them into the job summary", () => {
    const file = path.join(WORKFLOWS, "fleet.yml");
    const workflow = loadYaml(file) as {
      on: Record<string, unknown>;
      permissions: Record<string, string>;
      env: Record<string, string>;
      jobs: Record<string, Yaml & { steps: Yaml[] }>;
    };
    expect(workflow.on).to.have.all.keys("pull_request", "push", "schedule", "workflow_dispatch");
    expect(workflow.permissions).to.include({ "id-token": "write" });
    expect(workflow.env.FLEET_COMMANDS)
      .to.contain("'preview'")
      .and.to.contain("'up'")
      .and.to.contain("'refresh health'");
    const shards = workflow.jobs.fleet;
    expect((shards.strategy as Yaml).matrix)
      .to.have.property("shard")
      .that.is.an("array")
      .with.length.greaterThan(1);
    expect(shards.strategy).to.include({ "fail-fast": false });
    const run = shards.steps.find((s) => String(s.run ?? "").includes("intune-fleet")) as Yaml;
    expect(run.run).to.match(/npx intune-fleet "\$command" --fleet fleet\.yaml --shard "\$SHARD"/);
    expect(run.env).to.include({ SHARD: "${{ matrix.shard }}/${{ strategy.job-total }}" });
    const upload = shards.steps.find((s) =>
      String(s.uses ?? "").startsWith("actions/upload-artifact@"),
    ) as Yaml;
    expect(upload.if).to.equal("always()");
    const summary = workflow.jobs.summary;
    expect(summary.needs).to.equal("fleet");
    expect(summary.if).to.contain("always()");
    expect(summary.permissions).to.not.have.property("id-token");
    const steps = summary.steps.map((s) => String(s.run ?? s.uses ?? ""));
    expect(steps.some((s) => s.startsWith("actions/download-artifact@"))).to.equal(true);
    expect(steps.join("\n")).to.match(
      /npx intune-fleet merge shards\/summaries\/"\$command"-\*\.json --fleet fleet\.yaml/,
    );
    expect(steps.join("\n")).to.contain('>> "$GITHUB_STEP_SUMMARY"');
  });

  it("the Azure DevOps fleet pipeline: an approval for up, a job sliced into shards, then one summary", () => {
    const pipeline = loadYaml(path.join(PIPELINES, "azure-fleet.yml"));
    const stages = pipeline.stages as Yaml[];
    expect(stages.map((s) => s.stage)).to.deep.equal(["Approve", "Fleet"]);
    const [approve, fleet] = stages;
    expect(approve.condition).to.contain("refs/heads/main");
    expect((approve.jobs as Yaml[])[0]).to.include({ deployment: "approve", environment: "production" });
    expect(fleet.condition).to.equal("in(dependencies.Approve.result, 'Succeeded', 'Skipped')");
    const [shard, summary] = fleet.jobs as Yaml[];
    expect(shard.job).to.equal("shard");
    expect(shard.strategy).to.deep.equal({ parallel: "${{ variables.shards }}" });
    const steps = shard.steps as Yaml[];
    expect(steps[0].template).to.equal("pulumi-steps.yml");
    const script = String((steps[0].parameters as Yaml).script);
    expect(script).to.contain('shard="$(System.JobPositionInPhase)/$(System.TotalJobsInPhase)"');
    expect(script).to.match(/npx intune-fleet "\$command" --fleet fleet\.yaml --shard "\$shard"/);
    expect(steps[1]).to.include({
      condition: "always()",
      artifact: "fleet-shard-$(System.JobPositionInPhase)",
    });
    expect(summary).to.include({ job: "summary", dependsOn: "shard", condition: "always()" });
    const merge = JSON.stringify(summary.steps);
    expect(merge).to.contain("npx intune-fleet merge");
    expect(merge).to.contain("##vso[task.uploadsummary]");
  });

  it("every intune-fleet command in the pipelines is one the command knows, with flags it takes", async () => {
    const usage = await new Promise<string>((resolve) =>
      execFile(process.execPath, [FLEET_TOOL, "--help"], (_error, stdout) => resolve(stdout)),
    );
    expect(usage).to.contain("usage: intune-fleet");
    const commands = new Set([...usage.matchAll(/intune-fleet ([\w|-]+)/g)].flatMap((m) => m[1].split("|")));
    expect([...commands]).to.include.members(["preview", "up", "refresh", "health", "merge", "shard"]);
    let seen = 0;
    for (const file of allPipelineFiles()) {
      // What the pipelines run (`npx intune-fleet …`); shell lines continued with a backslash are one command.
      const text = readFileSync(file, "utf8").replace(/\\\n\s*/g, " ");
      for (const m of text.matchAll(/\bnpx intune-fleet ("?\$?[\w-]+"?)([^\n|;]*)/g)) {
        seen++;
        const command = m[1].replace(/"/g, "");
        if (!command.startsWith("$"))
          expect(commands, `${path.basename(file)}: intune-fleet ${command}`).to.include(command);
        for (const flag of m[2].matchAll(/(--[a-z][a-z-]*)/g)) {
          expect(usage, `${path.basename(file)}: intune-fleet ${command} ${flag[1]}`).to.match(
            new RegExp(`${flag[1]}\\b`),
          );
        }
      }
    }
    expect(seen).to.be.greaterThan(3);
  });

  it("no pipeline file holds a secret literal or a client secret setting", () => {
    for (const file of allPipelineFiles()) {
      const text = readFileSync(file, "utf8");
      const name = path.basename(file);
      expect(text, name).not.to.match(
        /AZURE_CLIENT_SECRET|clientSecret|client_secret|AZURE_CLIENT_CERTIFICATE/i,
      );
      expect(text, name).not.to.match(/eyJ[A-Za-z0-9_-]{5,}\./); // a JWT
      expect(text, name).not.to.match(/[A-Za-z0-9_~.-]{3}8Q~[A-Za-z0-9_~.-]{30,}/); // an Entra client secret
      expect(text, name).not.to.match(/-----BEGIN/);
      // Passphrases and tokens come from the CI system's secret store, never literals.
      for (const m of text.matchAll(
        /^\s*(PULUMI_CONFIG_PASSPHRASE|PULUMI_ACCESS_TOKEN|SYSTEM_ACCESSTOKEN|GH_TOKEN):\s*(.+)$/gm,
      )) {
        expect(m[2].trim(), `${name}: ${m[1]}`).to.match(
          /^(\$\{\{ *(secrets|github)\.[\w.]+ *\}\}|\$\([\w.]+\))/,
        );
      }
    }
  });

  it("every pulumi command in the pipelines uses flags the pinned Pulumi CLI knows", function () {
    // Never skipped: without a CLI (INTUNE_PULUMI_BIN, else toolchain/pulumi/ensure-pulumi.sh)
    // this fails, as every other end-to-end test does.
    const pulumi = path.join(ensurePulumiCli(), "pulumi");
    const commands = new Map<string, Set<string>>();
    for (const file of allPipelineFiles()) {
      for (const m of readFileSync(file, "utf8").matchAll(
        /\bpulumi (preview|up|refresh|destroy)\b([^\n|;]*)/g,
      )) {
        const flags = commands.get(m[1]) ?? new Set<string>();
        for (const f of m[2].matchAll(/(--[a-z][a-z-]*)/g)) flags.add(f[1]);
        commands.set(m[1], flags);
      }
    }
    expect([...commands.keys()].sort()).to.deep.equal(["preview", "refresh", "up"]);
    for (const [command, flags] of commands) {
      const help = spawnSync(pulumi, [command, "--help"], {
        encoding: "utf8",
        env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
      }).stdout;
      for (const flag of flags) expect(help, `pulumi ${command} ${flag}`).to.match(new RegExp(`${flag}\\b`));
    }
  });
});

describe("the drift check and deployment with GitHub Actions OIDC, with the real Pulumi CLI (e2e)", function () {
  this.timeout(240_000);
  let emulator: Emulator;
  let github: GithubStandIn;
  let copy: ProgramCopy | undefined;
  const APP = { clientId: "5b1e7c3d-8a2f-4d69-b0e4-7c9a1f3e5d28", displayName: "pipelines" };

  before(async () => {
    github = await startGithubActionsStandIn();
    emulator = await startPipelineEmulator(github, APP);
  });
  after(async () => {
    copy?.cleanup();
    await Promise.all([emulator?.close(), github?.close()]);
  });

  it("deploys and updates with the job's ID token; refresh + preview --expect-no-changes fails on a portal edit", async () => {
    copy = copyProgram(path.join(REPO_ROOT, "examples/basic"), githubJobEnv(emulator, github, APP));
    const { project } = copy;
    await project.initStack("prod", { "intune-basic:displayName": "ODJ Connector – Paris" });
    // deploy.yml: pulumi up --yes --diff
    await project.run(["up", "--yes", "--diff"], { stack: "prod" });
    const { connectorId } = (await project.outputs("prod")) as { connectorId: string };
    expect(emulator.summary()).to.include({ POST: 1 });
    const tokenRequests = emulator.requestLog({ kind: "token" }).filter((e) => e.method === "POST");
    expect(tokenRequests.length).to.be.greaterThan(0);
    for (const t of tokenRequests) expect(t).to.include({ status: 200, appId: APP.clientId });
    expect(github.requests().every((r) => r.authorized && r.status === 200)).to.equal(true);
    expect(github.requests().length).to.be.greaterThan(0);

    // A rename in code is deployed with one PATCH, again through the federated credential.
    project.writeConfig("prod", { "intune-basic:displayName": "ODJ Connector – Paris 2" });
    emulator.clearLog();
    await project.run(["up", "--yes", "--diff"], { stack: "prod" });
    expect(emulator.summary()).to.include({ PATCH: 1, POST: 0 });
    expect(emulator.connectors().find((c) => c.id === connectorId)?.displayName).to.equal(
      "ODJ Connector – Paris 2",
    );

    // drift.yml, no drift: passes.
    await project.run(["refresh", "--yes", "--skip-preview"], { stack: "prod" });
    await project.run(["preview", "--expect-no-changes", "--diff"], { stack: "prod" });

    // Someone renames the connector in the Intune admin center: the drift check fails.
    emulator.editOutOfBand(connectorId, { displayName: "renamed in the portal" });
    await project.run(["refresh", "--yes", "--skip-preview"], { stack: "prod" });
    const drift = await project.run(["preview", "--expect-no-changes", "--diff"], {
      stack: "prod",
      allowFailure: true,
    });
    expect(drift.code, drift.output).to.not.equal(0);
    // Dynamic providers send no detailed diff: the engine shows the property and the value the code
    // wants (its column as wide as the internal __resourceName input, which it does not print), and
    // the provider's warning says what the tenant has.
    expect(drift.output, drift.output).to.match(/~ 1 to update/);
    expect(drift.output).to.match(/displayName\s*: "ODJ Connector – Paris 2"/);
    expect(drift.output).to.contain('displayName "renamed in the portal" → "ODJ Connector – Paris 2"');
    expect(drift.output).to.match(/no changes were expected/i);

    // The next deployment puts it back.
    await project.run(["up", "--yes"], { stack: "prod" });
    expect(emulator.connectors().find((c) => c.id === connectorId)?.displayName).to.equal(
      "ODJ Connector – Paris 2",
    );
    // drift.yml's last step: intune-health with the stack (its config and managed ids through the
    // Automation API), the federated credential, the Markdown for the job summary.
    // The connector software on the server checks in (a connector Pulumi created has none yet).
    emulator.heartbeat(connectorId, { state: "active", version: "6.2504.2001.8" });
    const summary = path.join(copy.dir, "summary.md");
    const health = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [HEALTH_TOOL, "--stack", "prod", "--min-healthy", "1", "--markdown", summary],
        { cwd: copy?.dir, env: project.env },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });
    expect(health.code, health.stdout + health.stderr).to.equal(0);
    expect(health.stdout).to.match(/^HEALTHY: 1 of 1 connectors healthy \(needs 1;/);
    expect(health.stdout).to.contain("unmanaged: 0 connectors not in the stack");
    expect(readFileSync(summary, "utf8")).to.contain(
      `| ✅ healthy | ODJ Connector – Paris 2 | \`${connectorId}\` |`,
    );

    const log = JSON.stringify(emulator.requestLog());
    expect(log).not.to.contain(github.requestToken);
    for (const token of github.issuedTokens) expect(log).not.to.contain(token);
  });
});
