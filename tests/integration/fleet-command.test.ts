/**
 * intune-fleet as a person or a pipeline runs it, for what needs no Pulumi CLI: validate, shard,
 * merge, and every kind of bad input — one clear line, exit 2, never a stack trace or a secret.
 * Runs that drive stacks are in tests/e2e/fleet.test.ts.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { FLEET_COMMAND } from "intune-test-support/fleet";
import { REPO_ROOT } from "intune-test-support/pulumi-cli";

const CONTOSO = "4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83";
const FABRIKAM = "9b1d5c3e-2f4a-4e6b-8c7d-0a1b2c3d4e5f";
const APP = "2f6d9c1a-7b3e-4e58-9a41-0c5d8e7f6a21";
const SECRET = "Xy18Q~aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z";

const GOOD = `# Two customers, one partner app, one template.
stackPrefix: prod-
defaults:
  clientId: ${APP}
  credential: { federated: githubActions }
  template: standard
templates:
  standard:
    - name: hq
      displayName: "ODJ {{name}} HQ"
tenants:
  - name: contoso
    tenantId: ${CONTOSO}
  - name: fabrikam
    tenantId: ${FABRIKAM}
    credential: { clientSecretEnv: FABRIKAM_SECRET }
    connectors:
      - name: hq
        displayName: ODJ Fabrikam HQ
      - name: branch
        displayName: ODJ Fabrikam Branch
`;

function fleetRun(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [FLEET_COMMAND, ...args], { cwd }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const summary = (command: string, shard: { index: number; count: number } | null, tenants: object[]) => ({
  version: 1,
  command,
  project: "intune-fleet",
  fleetDigest: "0123456789abcdef",
  shard,
  startedAt: "2026-12-07T10:00:00.000Z",
  finishedAt: "2026-12-07T10:01:00.000Z",
  seconds: 60,
  exitCode: 0,
  tenants,
});

const result = (name: string, outcome: string) => ({
  name,
  tenantId: CONTOSO,
  stack: `prod-${name}`,
  outcome,
  changes: { create: 0, update: outcome === "changes" ? 1 : 0, delete: 0, replace: 0, same: 2 },
  detail: null,
  startedAt: "2026-12-07T10:00:00.000Z",
  finishedAt: "2026-12-07T10:00:30.000Z",
  seconds: 30,
  error: null,
  log: null,
  digest: "d",
});

describe("intune-fleet command (validate, shard, merge, bad input)", function () {
  this.timeout(30_000);
  let dir: string;
  const run = (...args: string[]) => fleetRun(args, dir);
  const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "intune-fleet-command-"));
    write("fleet.yaml", GOOD);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A refusal: exit 2, the expected line on stderr, no stack trace, nothing on stdout. */
  function refused(r: { code: number; stdout: string; stderr: string }, line: string | RegExp): void {
    expect(r.code, r.stderr).to.equal(2);
    if (typeof line === "string") expect(r.stderr).to.contain(line);
    else expect(r.stderr).to.match(line);
    expect(r.stderr).not.to.match(/^\s+at /m);
    expect(r.stdout).to.equal("");
  }

  it("validate lists each tenant with its stack, credential and connectors", async () => {
    const r = await run("validate", "--fleet", "fleet.yaml");
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(
      [
        "fleet.yaml: 2 tenants, project intune-fleet, form dynamic",
        `  contoso  stack prod-contoso  tenant ${CONTOSO}  global  federated  1 connector (template standard)`,
        `  fabrikam  stack prod-fabrikam  tenant ${FABRIKAM}  global  clientSecret  2 connectors (listed)`,
        "",
      ].join("\n"),
    );
  });

  it("the example fleet file (examples/fleet/fleet.yaml) is one: a template, a listed tenant, two credentials", async () => {
    const r = await run("validate", "--fleet", path.join(REPO_ROOT, "examples/fleet/fleet.yaml"));
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain(": 3 tenants, project intune-fleet, form dynamic\n");
    expect(r.stdout).to.match(
      /^ {2}fabrikam {2}stack prod-fabrikam .* usgov {2}clientSecret {2}2 connectors \(listed\)$/m,
    );
  });

  it("a fleet file holding a secret is refused, naming where, and the secret is printed nowhere", async () => {
    write(
      "secret.yaml",
      GOOD.replace(
        "credential: { clientSecretEnv: FABRIKAM_SECRET }",
        `credential: { clientSecret: "${SECRET}" }`,
      ),
    );
    const r = await run("up", "--fleet", "secret.yaml");
    refused(r, "intune-fleet: secret.yaml: 1 problem\n");
    expect(r.stderr).to.contain(
      'tenants[1] "fabrikam": credential.clientSecret would hold a secret in the fleet file',
    );
    expect(r.stderr + r.stdout).not.to.contain(SECRET);
  });

  it("every problem of a fleet file at once, each line naming the tenant, the property and the value", async () => {
    write(
      "bad.yaml",
      GOOD.replace(`tenantId: ${FABRIKAM}`, "tenantId: fabrikam.onmicrosoft.com").replace(
        "stackPrefix: prod-",
        "stackPrefix: prod-\nproject: intune fleet",
      ),
    );
    const r = await run("preview", "--fleet", "bad.yaml");
    refused(r, "intune-fleet: bad.yaml: 2 problems\n");
    expect(r.stderr).to.contain(
      `  project must be a Pulumi project name (letters, digits, '.', '_', '-'); got "intune fleet"`,
    );
    expect(r.stderr).to.contain(
      `  tenants[1] "fabrikam": tenantId must be the tenant's id, a GUID such as 4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83; got "fabrikam.onmicrosoft.com"`,
    );
  });

  it("a file that is not YAML or JSON, or not there", async () => {
    write("broken.yaml", "tenants:\n  - name: a\n   tenantId: x\n");
    refused(
      await run("validate", "--fleet", "broken.yaml"),
      /^intune-fleet: broken\.yaml is not YAML: .*\(3:\d+\)$/m,
    );
    write("broken.json", "{ tenants: [] }");
    refused(await run("validate", "--fleet", "broken.json"), /^intune-fleet: broken\.json is not JSON: /m);
    refused(
      await run("validate", "--fleet", "nowhere.yaml"),
      "intune-fleet: cannot read the fleet file nowhere.yaml: ENOENT",
    );
  });

  it("bad command lines: one line and the usage", async () => {
    // Each with the fleet file, so that what is refused is the case's own mistake.
    const cases: [string[], string][] = [
      [
        ["deploy"],
        'unknown command "deploy": one of preview, up, refresh, health, destroy, validate, shard, merge',
      ],
      [["up", "--parallel", "0"], '--parallel must be a whole number from 1 to 64, got "0"'],
      [["up", "--parallel", "2x"], '--parallel must be a whole number from 1 to 64, got "2x"'],
      [["up", "--min-healthy", "1"], "--min-healthy does not apply to `intune-fleet up`"],
      [
        ["up", "--shard", "3/2"],
        '--shard must be i/n, shard i of n, with whole numbers 1 ≤ i ≤ n ≤ 256 (e.g. 2/4); got "3/2"',
      ],
      [["up", "--stack-prefix", "a b"], "--stack-prefix must be letters, digits"],
      [["up", "--colour"], "Unknown option '--colour'"],
      [["shard"], "--shard i/n is required: which shard of how many"],
    ];
    for (const [args, message] of cases) refused(await run(...args, "--fleet", "fleet.yaml"), message);
    refused(
      await run("up"),
      "intune-fleet: --fleet FILE is required: the fleet file (YAML or JSON)\nusage: intune-fleet",
    );
    const none = await run();
    expect(none.code).to.equal(2);
    expect(none.stdout).to.match(/^usage: intune-fleet preview\|up\|refresh\|health\|destroy --fleet FILE/);
    const help = await run("up", "--help");
    expect(help.code).to.equal(0);
    expect(help.stdout).to.contain("intune-fleet merge SUMMARY.json…");
  });

  it("shard prints the tenants of a shard, one a line", async () => {
    const one = await run("shard", "--fleet", "fleet.yaml", "--shard", "1/2");
    const two = await run("shard", "--fleet", "fleet.yaml", "--shard", "2/2");
    expect([one.code, two.code]).to.deep.equal([0, 0]);
    expect([one.stdout, two.stdout]).to.deep.equal(["contoso\n", "fabrikam\n"]);
  });

  it("merge writes one summary of the shards, exits with its code, and appends its Markdown", async () => {
    write("one.json", JSON.stringify(summary("refresh", { index: 1, count: 2 }, [result("contoso", "ok")])));
    write(
      "two.json",
      JSON.stringify(summary("refresh", { index: 2, count: 2 }, [result("fabrikam", "changes")])),
    );
    write("summary.md", "# earlier step\n");
    const r = await run("merge", "one.json", "two.json", "--json", "merged.json", "--markdown", "summary.md");
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stdout.split("\n")[0]).to.equal("CHANGES: 1 of 2 tenants drifted from their stacks");
    const md = readFileSync(path.join(dir, "summary.md"), "utf8");
    expect(md.startsWith("# earlier step\n## Intune fleet `refresh`: 🟡 CHANGES")).to.equal(true);
    const merged = JSON.parse(readFileSync(path.join(dir, "merged.json"), "utf8"));
    expect(merged.tenants.map((t: { name: string; shard: string }) => [t.name, t.shard])).to.deep.equal([
      ["contoso", "1/2"],
      ["fabrikam", "2/2"],
    ]);
    expect(merged.exitCode).to.equal(1);

    // A shard that did not report: exit 2, its tenants named when the fleet file is given.
    const missing = await run("merge", "one.json", "--fleet", "fleet.yaml");
    expect(missing.code).to.equal(2);
    expect(missing.stdout).to.match(/^fabrikam\s+\s+not run .*its shard \(2\/2\) did not report$/m);
  });

  it("merge refuses what is not a finished summary, naming the file", async () => {
    write("garbage.json", "[1, 2]");
    refused(
      await run("merge", "garbage.json"),
      "intune-fleet: garbage.json is not a summary of intune-fleet: it is not a JSON object",
    );
    write("killed.json", JSON.stringify({ ...summary("up", null, []), finishedAt: null }));
    refused(
      await run("merge", "killed.json"),
      "killed.json is not a summary of intune-fleet: its run has not finished",
    );
    refused(await run("merge", "nothing.json"), "intune-fleet: cannot read nothing.json as JSON: ENOENT");
    refused(await run("merge"), "give the summaries to merge: intune-fleet merge a.json b.json …");
  });
});
