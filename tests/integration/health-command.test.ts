/**
 * intune-health as a user runs it: a child process against the emulator over HTTPS, a mixed
 * fleet seeded, exit codes, the table, JSON and Markdown.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runNode } from "intune-test-support/node-process";
import { emulatorEnv, graphCalls } from "intune-test-support/provider-harness";
import { useEmulator } from "intune-test-support/emulator";

const TOOL = require.resolve("pulumi-intune-domain-join/internal/health/command");
const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString().replace(/\.\d+Z$/, "Z");
const TYPE = "pulumi-nodejs:dynamic/intune:DomainJoinConnector";

describe("intune-health against a mixed fleet (child process, emulator)", function () {
  this.timeout(60_000);
  const emulator = useEmulator({ seed: 0 });
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "intune-health-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[], env: NodeJS.ProcessEnv = emulatorEnv(emulator)) => runNode(TOOL, args, env);
  // Each state is what Intune gives for the last contact: the emulator derives it.
  const mixed = () =>
    emulator.seed([
      { displayName: "SRV-CURRENT", version: "6.2504.2001.8", lastConnectionDateTime: ago(0.5) },
      { displayName: "SRV-DEPRECATED", version: "6.2409.1000.1", lastConnectionDateTime: ago(0.5) },
      { displayName: "SRV-DOWN", version: "6.2504.2001.8", lastConnectionDateTime: ago(72) },
      { displayName: "SRV-STOPPED", version: "6.2504.2001.8", lastConnectionDateTime: ago(150) },
      {
        displayName: "SRV-LEFTOVER",
        version: "6.2409.1000.1",
        lastConnectionDateTime: "0001-01-01T00:00:00Z",
      },
    ]);

  it("exits 1 on a mixed fleet, naming each verdict in the table, the JSON and the Markdown", async () => {
    const seeded = mixed();
    emulator.clearLog();
    const json = path.join(dir, "health.json");
    const markdown = path.join(dir, "summary.md");
    const result = await run(["--json", json, "--markdown", markdown]);
    expect(result.code, result.stderr).to.equal(1);
    expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200"]);

    const lines = result.stdout.split("\n");
    expect(lines[0]).to.equal(
      "UNHEALTHY: 1 of 5 connectors healthy (needs 2; version ≥ 6.2501.2000.5, state active)",
    );
    expect(lines[1]).to.equal(
      "domains: none given, so the tenant is counted as one domain (--domain counts each domain on its own)",
    );
    expect(lines[2]).to.equal(
      "healthyCount: 1 healthy connector of 5, fewer than the 2 needed for redundancy; no domains were given, so all are counted as one domain",
    );
    const row = (name: string) => lines.find((l) => l.includes(name)) ?? "";
    expect(row("SRV-CURRENT")).to.match(/^healthy\s+SRV-CURRENT\s/);
    expect(row("SRV-DEPRECATED")).to.contain("version 6.2409.1000.1 is older than 6.2501.2000.5");
    expect(row("SRV-DOWN")).to.match(/^UNHEALTHY\s+SRV-DOWN\s+\S+\s+6\.2504\.2001\.8\s+error\s+3 d ago\s/);
    expect(row("SRV-DOWN")).to.contain(
      "state is error: no heartbeat for more than an hour (last check-in 3 d ago)",
    );
    expect(row("SRV-STOPPED")).to.contain(
      "state is inactive: no heartbeat for more than five days (last check-in 6 d 6 h ago); bring its server back, or leave it: Intune removes inactive connectors after 30 days",
    );
    expect(row("SRV-LEFTOVER")).to.match(
      /UNHEALTHY\s+SRV-LEFTOVER\s.*\bnever\b.*has never checked in with Intune/,
    );

    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report.healthy).to.equal(false);
    expect(report.healthyCount).to.equal(1);
    expect(report.options).to.deep.equal({ minimumVersion: "6.2501.2000.5", minimumHealthy: 2 });
    expect(report.perDomain).to.equal(false);
    expect(report.domains).to.deep.equal([
      { domain: null, healthyCount: 1, total: 5, connectors: seeded.map((c) => c.id), notFound: [] },
    ]);
    const byName = Object.fromEntries(
      report.connectors.map((c: { displayName: string; findings: { rule: string }[] }) => [
        c.displayName,
        c.findings.map((f) => f.rule),
      ]),
    );
    expect(byName).to.deep.equal({
      "SRV-CURRENT": [],
      "SRV-DEPRECATED": ["version"],
      "SRV-DOWN": ["state"],
      "SRV-STOPPED": ["state"],
      "SRV-LEFTOVER": ["version", "state", "contact"],
    });
    expect(report.connectors.map((c: { id: string }) => c.id)).to.deep.equal(seeded.map((c) => c.id));
    expect(
      report.connectors.find((c: { displayName: string }) => c.displayName === "SRV-LEFTOVER").silentHours,
    ).to.equal(null);

    const md = readFileSync(markdown, "utf8");
    expect(md.split("\n")[0]).to.equal(
      "## Intune domain join connectors: ❌ UNHEALTHY: 1 of 5 connectors healthy (needs 2; version ≥ 6.2501.2000.5, state active)",
    );
    expect(md).to.contain("| verdict | display name | id | version | state | last contact | findings |");
    expect(md).to.contain(
      `| ✅ healthy | SRV-CURRENT | \`${seeded[0].id}\` | 6.2504.2001.8 | active | 30 min ago | — |`,
    );
    expect(md).to.contain(
      `| ❌ unhealthy | SRV-LEFTOVER | \`${seeded[4].id}\` | 6.2409.1000.1 | inactive | never |`,
    );
  });

  it("exits 0 when every connector is healthy and there are enough of them, appending to the summary file", async () => {
    emulator.seed([
      { displayName: "SRV-A", lastConnectionDateTime: ago(0.5) },
      { displayName: "SRV-B", lastConnectionDateTime: ago(0.8) },
    ]);
    const markdown = path.join(dir, "summary.md");
    writeFileSync(markdown, "# earlier step\n");
    const result = await run(["--markdown", markdown]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout.split("\n")[0]).to.match(/^HEALTHY: 2 of 2 connectors healthy/);
    expect(readFileSync(markdown, "utf8")).to.match(
      /^# earlier step\n## Intune domain join connectors: ✅ HEALTHY/,
    );
  });

  it("takes the thresholds it is given", async () => {
    mixed();
    const result = await run([
      "--min-version",
      "6.2409",
      "--silent-after-hours",
      "100",
      "--min-healthy",
      "1",
    ]);
    expect(result.stdout.split("\n")[0]).to.equal(
      "UNHEALTHY: 2 of 5 connectors healthy (needs 1; version ≥ 6.2409, state active, contact within 100 h)",
    );
    expect(result.code).to.equal(1);
  });

  it("with an exported state, lists connectors the stack does not manage and managed ones that vanished", async () => {
    const [a, b] = emulator.seed([{ displayName: "SRV-A" }, { displayName: "SRV-B" }]);
    const gone = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const state = path.join(dir, "state.json");
    writeFileSync(
      state,
      JSON.stringify({
        version: 3,
        deployment: {
          resources: [
            { urn: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", type: "pulumi:pulumi:Stack" },
            { urn: "urn:pulumi:dev::p::x::a", type: TYPE, id: a.id.toUpperCase() },
            { urn: "urn:pulumi:dev::p::x::gone", type: TYPE, id: gone },
          ],
        },
      }),
    );
    const json = path.join(dir, "health.json");
    const result = await run(["--state", state, "--json", json]);
    expect(result.code).to.equal(1);
    expect(result.stdout).to.contain("unmanaged: 1 connector not in the stack");
    expect(result.stdout).to.contain(
      `vanished: ${gone} is in the stack but no longer in the tenant (pulumi refresh drops it)`,
    );
    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report.findings).to.deep.equal([
      {
        rule: "unmanaged",
        connectorId: b.id,
        message: `"SRV-B" (${b.id}) is not managed by the stack: adopt it with connectorId, or remove a leftover`,
      },
    ]);
    expect(report.vanished).to.deep.equal([gone]);
  });

  it("with an exported state, finds a declared version the connector software does not run, whatever the verdicts", async () => {
    const [upgraded, same] = emulator.seed([
      { displayName: "SRV-A", version: "6.2504.2001.8" },
      { displayName: "SRV-B", version: "6.2504.2001.8" },
    ]);
    emulator.heartbeat(upgraded.id, { version: "6.2505.1000.2" });
    const state = path.join(dir, "declared.json");
    const resource = (name: string, id: string, version: string) => ({
      urn: `urn:pulumi:dev::p::x::${name}`,
      type: TYPE,
      id,
      inputs: { connectorId: id, displayName: name, version },
    });
    writeFileSync(
      state,
      JSON.stringify({
        version: 3,
        deployment: {
          resources: [
            resource("SRV-A", upgraded.id, "6.2504.2001.8"),
            resource("SRV-B", same.id, "6.2504.2001.8"),
          ],
        },
      }),
    );
    const json = path.join(dir, "declared-health.json");
    const result = await run(["--state", state, "--json", json]);
    expect(result.code, result.stdout + result.stderr).to.equal(1);
    const report = JSON.parse(readFileSync(json, "utf8"));
    const declared = report.findings.filter((f: { rule: string }) => f.rule === "declaredVersion");
    expect(declared).to.have.length(1);
    expect(declared[0].connectorId).to.equal(upgraded.id);
    expect(declared[0].message).to.contain(
      'its software reports version "6.2505.1000.2", the stack declares "6.2504.2001.8"',
    );
    expect(result.stdout).to.contain("declaredVersion");
  });

  describe("with two domains, one short", () => {
    // Named as the connector software names them, by their server's FQDN.
    const twoDomains = () =>
      emulator.seed([
        { displayName: "SRV01.corp.contoso.com", version: "6.2504.2001.8", lastConnectionDateTime: ago(0.2) },
        { displayName: "SRV02.corp.contoso.com", version: "6.2501.2000.5", lastConnectionDateTime: ago(0.3) },
        { displayName: "SRV01.emea.contoso.com", version: "6.2504.2001.8", lastConnectionDateTime: ago(0.4) },
        { displayName: "SRV02.emea.contoso.com", version: "6.2504.2001.8", lastConnectionDateTime: ago(72) },
        { displayName: "LAB-TEST", version: "6.2504.2001.8", lastConnectionDateTime: ago(0.5) },
      ]);

    it("counts each domain given by flags, names the short one and its connectors, notes the one in no domain", async () => {
      const seeded = twoDomains();
      emulator.clearLog();
      const json = path.join(dir, "health.json");
      const markdown = path.join(dir, "summary.md");
      const result = await run([
        "--domain",
        "corp.contoso.com",
        "--domain",
        "emea.contoso.com",
        "--domain-pattern",
        "^[^.]+\\.(.+)$",
        "--json",
        json,
        "--markdown",
        markdown,
      ]);
      expect(result.code, result.stderr).to.equal(1);
      expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200"]);
      const lines = result.stdout.split("\n");
      const row = (name: string) =>
        lines.find((l) => /^(healthy|UNHEALTHY) /.test(l) && l.includes(name)) ?? "";
      expect(lines.slice(0, 5)).to.deep.equal([
        "UNHEALTHY: 4 of 5 connectors healthy (needs 2 per domain; version ≥ 6.2501.2000.5, state active)",
        "domains: corp.contoso.com 2 of 2 healthy; emea.contoso.com 1 of 2 healthy",
        "healthyCount: domain emea.contoso.com has 1 healthy connector of 2 (healthy: SRV01.emea.contoso.com; unhealthy: SRV02.emea.contoso.com), fewer than the 2 it needs for redundancy",
        `in no domain: "LAB-TEST" (${seeded[4].id}) counts for none: its name does not match domainPattern, and it is listed under no domain`,
        "",
      ]);
      expect(lines[5]).to.match(
        /^VERDICT\s+DISPLAY NAME\s+ID\s+DOMAIN\s+VERSION\s+STATE\s+LAST CONTACT\s+FINDINGS$/,
      );
      expect(row("SRV02.emea")).to.match(
        /^UNHEALTHY\s+SRV02\.emea\.contoso\.com\s+\S+\s+emea\.contoso\.com\s+6\.2504\.2001\.8\s+error\s/,
      );
      expect(row("LAB-TEST")).to.match(/^healthy\s+LAB-TEST\s+\S+\s+—\s+6\.2504/);
      // 6.2501.2000.5 is supported: healthy, with Microsoft's advice beside it.
      expect(row("SRV02.corp")).to.match(
        /^healthy\s+SRV02\.corp\.contoso\.com\s+\S+\s+corp\.contoso\.com\s+6\.2501\.2000\.5\s+active\s/,
      );
      expect(row("SRV02.corp")).to.contain(
        "advisory: version 6.2501.2000.5 is supported, but Microsoft asks to install 6.2504.2001.8 or later to avoid issues with the Internet Explorer Enhanced Security Configuration setting (advice: the verdict does not change)",
      );

      const report = JSON.parse(readFileSync(json, "utf8"));
      expect(report.perDomain).to.equal(true);
      expect(report.options).to.deep.equal({
        minimumVersion: "6.2501.2000.5",
        minimumHealthy: 2,
        domains: { "corp.contoso.com": [], "emea.contoso.com": [] },
        domainPattern: "^[^.]+\\.(.+)$",
      });
      expect(report.domains).to.deep.equal([
        {
          domain: "corp.contoso.com",
          healthyCount: 2,
          total: 2,
          connectors: [seeded[0].id, seeded[1].id],
          notFound: [],
        },
        {
          domain: "emea.contoso.com",
          healthyCount: 1,
          total: 2,
          connectors: [seeded[2].id, seeded[3].id],
          notFound: [],
        },
      ]);
      expect(report.unassigned).to.deep.equal([
        {
          id: seeded[4].id,
          displayName: "LAB-TEST",
          reason: "its name does not match domainPattern, and it is listed under no domain",
        },
      ]);
      expect(report.findings).to.deep.equal([
        {
          rule: "healthyCount",
          domain: "emea.contoso.com",
          message:
            "domain emea.contoso.com has 1 healthy connector of 2 (healthy: SRV01.emea.contoso.com; unhealthy: SRV02.emea.contoso.com), fewer than the 2 it needs for redundancy",
        },
      ]);
      expect(report.connectors.map((c: { domain: string | null }) => c.domain)).to.deep.equal([
        "corp.contoso.com",
        "corp.contoso.com",
        "emea.contoso.com",
        "emea.contoso.com",
        null,
      ]);
      expect(report.connectors[1].healthy).to.equal(true);
      expect(report.connectors[1].advisories.map((a: { rule: string }) => a.rule)).to.deep.equal([
        "recommendedVersion",
      ]);

      const md = readFileSync(markdown, "utf8");
      expect(md).to.contain("- domains: corp.contoso.com 2 of 2 healthy; emea.contoso.com 1 of 2 healthy\n");
      expect(md).to.contain(
        "| verdict | display name | id | domain | version | state | last contact | findings |",
      );
      expect(md).to.contain(`| ✅ healthy | LAB-TEST | \`${seeded[4].id}\` | — | 6.2504.2001.8 | active |`);
    });

    it("takes the domains from a config file, a connector listed by name or id, and a domain with no connector", async () => {
      const seeded = twoDomains();
      const config = path.join(dir, "health-options.json");
      writeFileSync(
        config,
        JSON.stringify({
          minimumHealthy: 1,
          domains: {
            "corp.contoso.com": [],
            "emea.contoso.com": [seeded[2].id.toUpperCase(), "srv02.emea.contoso.com"],
            "lab.contoso.com": ["LAB-TEST"],
            "apac.contoso.com": [],
          },
          domainPattern: "^[^.]+\\.(.+)$",
        }),
      );
      const result = await run(["--config", config]);
      expect(result.code, result.stderr).to.equal(1);
      const lines = result.stdout.split("\n");
      expect(lines.slice(0, 4)).to.deep.equal([
        "UNHEALTHY: 4 of 5 connectors healthy (needs 1 per domain; version ≥ 6.2501.2000.5, state active)",
        "domains: corp.contoso.com 2 of 2 healthy; emea.contoso.com 1 of 2 healthy; lab.contoso.com 1 of 1 healthy; apac.contoso.com 0 of 0 healthy",
        "healthyCount: domain apac.contoso.com has no connector, fewer than the 1 it needs: a connector processes enrollment requests only for its own server's domain, so none are processed for apac.contoso.com",
        "",
      ]);
      // A flag replaces the file's value of its option: now every domain has what it needs but apac.
      const flags = await run(["--config", config, "--min-healthy", "0"]);
      expect(flags.stdout.split("\n")[0]).to.match(
        /^UNHEALTHY: 4 of 5 connectors healthy \(needs 0 per domain;/,
      );
      expect(flags.stdout).to.not.contain("healthyCount:");
    });

    it("exits 0 when every domain has enough healthy connectors, whatever the advice", async () => {
      emulator.seed([
        { displayName: "SRV01.corp.contoso.com", version: "6.2501.2000.5", lastConnectionDateTime: ago(0.2) },
        { displayName: "SRV02.corp.contoso.com", version: "6.2503.1000.1", lastConnectionDateTime: ago(0.3) },
      ]);
      const result = await run([
        "--domain",
        "corp.contoso.com=SRV01.corp.contoso.com,SRV02.corp.contoso.com",
      ]);
      expect(result.code, result.stdout).to.equal(0);
      expect(result.stdout.split("\n")[0]).to.equal(
        "HEALTHY: 2 of 2 connectors healthy (needs 2 per domain; version ≥ 6.2501.2000.5, state active)",
      );
      expect(result.stdout.match(/advisory: /g)).to.have.length(2);
    });

    it("exits 2 on bad domain options, naming the flag or the file's key, before any request", async () => {
      const config = path.join(dir, "bad.json");
      writeFileSync(config, JSON.stringify({ domains: { corp: ["SRV-A"], emea: ["srv-a"] }, minHealthy: 1 }));
      emulator.clearLog();
      const cases: [string[], string][] = [
        [
          ["--domain", "corp", "--domain-pattern", "^[^.]+\\..+$"],
          '--domain-pattern "^[^.]+\\\\..+$" has no capture group: put the part of the display name that is the domain in parentheses, e.g. "^[^.]+\\.(.+)$"',
        ],
        [
          ["--domain", "corp", "--domain-pattern", "(["],
          '--domain-pattern "([" is not a regular expression (Invalid regular expression: /([/i: Unterminated character class)',
        ],
        [
          ["--domain-pattern", "^[^.]+\\.(.+)$"],
          "--domain-pattern needs --domain: the domains that must be served, so that a domain with no connector at all is found",
        ],
        [
          ["--domain", "corp=SRV-A", "--domain", "corp=SRV-B"],
          "--domain corp is given twice: give each domain once, with all its connectors (--domain corp=A,B)",
        ],
        [
          ["--domain", "corp", "--domain", "CORP."],
          '--domain lists the domain "CORP." twice (as "corp" too; domains compare without letter case or a final dot): list it once',
        ],
        [
          ["--config", config],
          `minHealthy (in --config ${config}) is not a health option; accepted: minimumVersion, silentAfterHours, minimumHealthy, domains, domainPattern; ` +
            `domains (in --config ${config}) puts the connector "srv-a" in two domains, "corp" and "emea": a connector serves only the domain of the server it is installed on; list it under that one`,
        ],
      ];
      for (const [args, message] of cases) {
        const result = await run(args);
        expect(result.code, args.join(" ")).to.equal(2);
        expect(result.stderr, args.join(" ")).to.equal(`intune-health: could not check: ${message}\n`);
      }
      expect(graphCalls(emulator)).to.deep.equal([]);
    });
  });

  it("exits 2 when it cannot check, saying why without the secret", async () => {
    const env = { ...emulatorEnv(emulator), AZURE_CLIENT_SECRET: "wrong-secret-value-123" };
    const result = await run([], env);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/^intune-health: could not check: /);
    expect(result.stderr).to.contain("AADSTS7000215");
    expect(result.stdout + result.stderr).not.to.contain("wrong-secret-value-123");
  });

  it("exits 2 on a bad argument or state file, naming it, before any request", async () => {
    emulator.clearLog();
    const bad = await run(["--min-healthy", "two"]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.equal(
      'intune-health: could not check: --min-healthy must be a whole number, 0 or more, got "two"\n',
    );
    const notState = path.join(dir, "not-state.json");
    writeFileSync(notState, JSON.stringify({ hello: 1 }));
    const wrong = await run(["--state", notState]);
    expect(wrong.code).to.equal(2);
    expect(wrong.stderr).to.contain(
      "the state has no deployment.resources: give the output of `pulumi stack export`",
    );
    expect(graphCalls(emulator)).to.deep.equal([]);
  });
});
