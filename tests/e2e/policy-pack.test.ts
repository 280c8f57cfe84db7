/**
 * The policy pack run by the real Pulumi CLI (`--policy-pack`) against the emulator: a mandatory
 * violation stops `up` before any write, an advisory one is reported and the update goes on, and
 * a policy config file changes enforcement and thresholds — for the dynamic resource of TypeScript
 * programs and for the plugin's resource in a YAML program alike.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ProgramCopy, REPO_ROOT, connectionEnv, copyProgram, writes } from "intune-test-support/e2e";
import { useEmulator } from "intune-test-support/emulator";
import { intunePluginDir, yamlHostDir } from "intune-test-support/plugin";

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString().replace(/\.\d+Z$/, "Z");
/** What a CLI whose Node.js host cannot run plugins is given; a current CLI takes the folder. */
const PACK = path.join(REPO_ROOT, "policy", "pulumi-analyzer-policy");
const FIXTURE = path.join(REPO_ROOT, "tests", "e2e", "fixtures", "policy-fleet");
const ADOPT = "SRV-CURRENT,SRV-DEPRECATED,SRV-DOWN";

describe("policy pack with the real Pulumi CLI (e2e)", function () {
  this.timeout(180_000);
  const emulator = useEmulator({
    seed: 0,
    reset: {
      // Each state is Intune's for the last contact (the emulator derives it): active, active, error.
      seed: () => [
        { displayName: "SRV-CURRENT", version: "6.2504.2001.8", lastConnectionDateTime: ago(0.5) },
        { displayName: "SRV-DEPRECATED", version: "6.2409.1000.1", lastConnectionDateTime: ago(0.5) },
        { displayName: "SRV-DOWN", version: "6.2504.2001.8", lastConnectionDateTime: ago(72) },
      ],
    },
  });
  let copy: ProgramCopy | undefined;

  afterEach(() => copy?.cleanup());

  const program = async (config: Record<string, string>) => {
    copy = copyProgram(FIXTURE, {
      ...connectionEnv(emulator),
      AZURE_CLIENT_SECRET: emulator.app("writer").secret,
    });
    await copy.project.initStack("dev", config);
    return copy;
  };
  const packConfig = (dir: string, config: unknown) => {
    const file = path.join(dir, "policy-config.json");
    writeFileSync(file, JSON.stringify(config));
    return file;
  };

  it("a declared deprecated version is mandatory: preview and up fail, and nothing is written", async () => {
    const { project } = await program({ "intune-policy-fleet:declaredVersion": "6.2409.1000.1" });
    const preview = await project.run(["preview", "--policy-pack", PACK], {
      stack: "dev",
      allowFailure: true,
    });
    expect(preview.code).to.not.equal(0);
    expect(preview.output).to.match(/\[mandatory\]\s+intune-connector-version/);
    expect(preview.output).to.contain("Declared version 6.2409.1000.1 is older than 6.2501.2000.5");

    emulator.clearLog();
    const up = await project.run(["up", "--yes", "--policy-pack", PACK], {
      stack: "dev",
      allowFailure: true,
    });
    expect(up.code).to.not.equal(0);
    expect(up.output).to.match(/\[mandatory\]\s+intune-connector-version/);
    expect(writes(emulator)).to.equal(0);
    expect(emulator.connectors().map((c) => c.displayName)).to.not.include("SRV-DECLARED");
  });

  it("judges the plugin's connectors in a YAML program the same way: mandatory before a write, advisory after", async () => {
    const source = mkdtempSync(path.join(tmpdir(), "intune-policy-yaml-"));
    try {
      const yaml = (version: string) =>
        [
          "name: intune-policy-yaml",
          "runtime: yaml",
          "resources:",
          "  declared:",
          "    type: intune:DomainJoinConnector",
          "    properties: { displayName: SRV-DECLARED, version: " + JSON.stringify(version) + " }",
          "  down:",
          "    type: intune:DomainJoinConnector",
          "    properties: { displayName: SRV-DOWN, registeredName: SRV-DOWN }",
          "",
        ].join("\n");
      writeFileSync(path.join(source, "Pulumi.yaml"), yaml("6.2409.1000.1"));
      copy = copyProgram(
        source,
        { ...connectionEnv(emulator), AZURE_CLIENT_SECRET: emulator.app("writer").secret },
        { pathDirs: [intunePluginDir(), yamlHostDir()] },
      );
      await copy.project.initStack("dev", {});
      emulator.clearLog();
      const refused = await copy.project.run(["up", "--yes", "--policy-pack", PACK], {
        stack: "dev",
        allowFailure: true,
      });
      expect(refused.code).to.not.equal(0);
      expect(refused.output).to.match(
        /\[mandatory\]\s+intune-connector-version\s+\(intune:index:DomainJoinConnector: declared\)/,
      );
      expect(writes(emulator)).to.equal(0);

      writeFileSync(path.join(copy.dir, "Pulumi.yaml"), yaml("6.2504.2001.8"));
      const up = await copy.project.run(["up", "--yes", "--policy-pack", PACK], { stack: "dev" });
      expect(up.output).to.match(
        /\[advisory\]\s+intune-connector-health\s+\(intune:index:DomainJoinConnector: down\)/,
      );
      expect(up.output).to.contain('"SRV-DOWN": state is error');
      await copy.project.run(["destroy", "--yes", "--skip-preview"], { stack: "dev" });
    } finally {
      rmSync(source, { recursive: true, force: true });
    }
  });

  it("a supported declared version passes, and the update creates the connector", async () => {
    const { project } = await program({ "intune-policy-fleet:declaredVersion": "6.2501.2000.5" });
    const up = await project.run(["up", "--yes", "--policy-pack", PACK], { stack: "dev" });
    expect(up.output).to.not.contain("intune-connector-version");
    expect(emulator.connectors().map((c) => c.displayName)).to.include("SRV-DECLARED");
  });

  it("unhealthy adopted connectors are advisory: reported by name and rule, and the update goes on", async () => {
    const { project } = await program({ "intune-policy-fleet:adopt": ADOPT });
    const up = await project.run(["up", "--yes", "--policy-pack", PACK], { stack: "dev" });
    expect(up.output).to.match(/\[advisory\]\s+intune-connector-health\s+\(\S+: srv-deprecated\)/);
    expect(up.output).to.contain('"SRV-DEPRECATED": version 6.2409.1000.1 is older than 6.2501.2000.5');
    expect(up.output).to.match(/\[advisory\]\s+intune-connector-health\s+\(\S+: srv-down\)/);
    expect(up.output).to.match(
      /"SRV-DOWN": state is error: no heartbeat for more than an hour \(last check-in (2 d 23 h|3 d) ago\)/,
    );
    expect(up.output).to.not.match(/\S+: srv-current\)/);
    expect(up.output).to.match(/\[advisory\]\s+intune-minimum-healthy-connectors/);
    expect(up.output).to.contain("1 healthy connector of 3, fewer than the 2 needed");
    const state = JSON.parse(await project.exportState("dev")) as {
      deployment: { resources: { type: string }[] };
    };
    const managed = state.deployment.resources.filter((r) => r.type.endsWith("intune:DomainJoinConnector"));
    expect(managed).to.have.length(3);
  });

  it("a policy config file makes health mandatory with its own window, or turns a policy off", async () => {
    const { project, dir } = await program({ "intune-policy-fleet:adopt": ADOPT });
    await project.run(["up", "--yes"], { stack: "dev" });

    const strict = packConfig(dir, {
      "intune-connector-health": { enforcementLevel: "mandatory", silentAfterHours: 0.25 },
      "intune-minimum-healthy-connectors": "disabled",
    });
    emulator.clearLog();
    const blocked = await project.run(
      ["up", "--yes", "--refresh", "--policy-pack", PACK, "--policy-pack-config", strict],
      { stack: "dev", allowFailure: true },
    );
    expect(blocked.code).to.not.equal(0);
    expect(blocked.output).to.match(/\[mandatory\]\s+intune-connector-health\s+\(\S+: srv-deprecated\)/);
    // The window the file sets (15 min) catches a connector whose last check-in was 30 min ago,
    // which Intune itself still calls active.
    expect(blocked.output).to.match(/"SRV-CURRENT": silent for 3\d min \(more than 0\.25 h\)/);
    expect(blocked.output).to.not.contain("intune-minimum-healthy-connectors");
    expect(writes(emulator)).to.equal(0);

    const off = packConfig(dir, { all: "disabled" });
    const quiet = await project.run(["preview", "--policy-pack", PACK, "--policy-pack-config", off], {
      stack: "dev",
    });
    expect(quiet.output).to.not.match(/\[(advisory|mandatory)\]/);
  });

  it("counts each domain of the config: a violation per short domain, and a config the options' check refuses stops the preview", async () => {
    const { project, dir } = await program({ "intune-policy-fleet:adopt": ADOPT });
    const domains = packConfig(dir, {
      "intune-minimum-healthy-connectors": {
        domains: {
          "corp.contoso.com": ["SRV-CURRENT", "SRV-DOWN"],
          "emea.contoso.com": ["SRV-DEPRECATED"],
          "apac.contoso.com": [],
        },
      },
    });
    const up = await project.run(["up", "--yes", "--policy-pack", PACK, "--policy-pack-config", domains], {
      stack: "dev",
    });
    expect(up.output).to.contain(
      "The stack's connectors: domain corp.contoso.com has 1 healthy connector of 2 (healthy: SRV-CURRENT; unhealthy: SRV-DOWN), fewer than the 2 it needs for redundancy",
    );
    expect(up.output).to.contain(
      "The stack's connectors: domain emea.contoso.com has 0 healthy connectors of 1 (unhealthy: SRV-DEPRECATED), fewer than the 2 it needs",
    );
    expect(up.output).to.contain(
      "The stack's connectors: domain apac.contoso.com has no connector, fewer than the 2 it needs",
    );
    expect(up.output.match(/\[advisory\]\s+intune-minimum-healthy-connectors/g)).to.have.length(3);

    const bad = packConfig(dir, {
      "intune-minimum-healthy-connectors": { domains: { "corp.contoso.com": [] }, domainPattern: "^SRV-.+$" },
    });
    emulator.clearLog();
    const refused = await project.run(["preview", "--policy-pack", PACK, "--policy-pack-config", bad], {
      stack: "dev",
      allowFailure: true,
    });
    expect(refused.code).to.not.equal(0);
    expect(refused.output).to.contain(
      'the config of policy intune-minimum-healthy-connectors: domainPattern "^SRV-.+$" has no capture group',
    );
    expect(refused.output).to.not.match(/^\s+at .+:\d+:\d+\)?$/m);
    expect(writes(emulator)).to.equal(0);
  });

  it("a threshold outside the schema is refused with the policy, the property and the rule broken", async () => {
    const { project, dir } = await program({ "intune-policy-fleet:adopt": "SRV-CURRENT" });
    const bad = packConfig(dir, { "intune-connector-health": { minimumVersion: "latest" } });
    const preview = await project.run(["preview", "--policy-pack", PACK, "--policy-pack-config", bad], {
      stack: "dev",
      allowFailure: true,
    });
    expect(preview.code).to.not.equal(0);
    expect(preview.output).to.contain("intune-connector-health");
    expect(preview.output).to.contain("minimumVersion");
    expect(preview.output).to.not.match(/^\s+at .+:\d+:\d+\)?$/m);
  });
});
