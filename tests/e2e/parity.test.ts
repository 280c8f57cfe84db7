/**
 * Parity: one behaviour suite, run against both forms with the real CLI — a TypeScript program on
 * the dynamic provider, and a YAML program on the intune plugin — so that a promise kept by one
 * form and not the other cannot land. Each form lives one story on its own stack: adopt and create,
 * a no-op preview that asks Graph nothing, a rename, drift found by refresh and shown by preview
 * --diff with both names, bad input, two resources on one connector, a bad getConnectors filter, a
 * provider pointed at another tenant, a provider setting changed, and destroy.
 */
import { expect } from "chai";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { Emulator } from "intune-graph-emulator";
import {
  ProgramCopy,
  REPO_ROOT,
  connectionEnv,
  copyProgram,
  runLogged,
  writes,
} from "intune-test-support/e2e";
import { startTestEmulator } from "intune-test-support/emulator";
import { intunePluginDir, yamlHostDir } from "intune-test-support/plugin";

const HQ = "8c39f54e-6512-4a2f-bd3a-2cb66d02f722";
const OTHER_TENANT = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
const STACK = "dev";

/** What a step's program declares, in neither form's words. */
interface ProgramSpec {
  connectors: { name: string; args: Record<string, unknown> }[];
  /** getConnectors' arguments, as the plugin's schema names them. */
  filter?: Record<string, unknown>;
}

interface Form {
  name: string;
  setup(emulator: Emulator): ProgramCopy;
  write(dir: string, program: ProgramSpec): void;
}

const yamlValue = (value: unknown) => JSON.stringify(value); // JSON is YAML

const FORMS: Form[] = [
  {
    name: "a TypeScript program on the dynamic provider",
    setup: (emulator) =>
      copyProgram(path.join(REPO_ROOT, "tests/e2e/fixtures/parity-typescript"), connectionEnv(emulator)),
    write: (dir, { connectors, filter }) => {
      // The inventory's filter names the states `state`; the plugin's flat arguments, `states`.
      const tsFilter = filter && { ...filter, state: filter.states, states: undefined };
      writeFileSync(path.join(dir, "program.json"), JSON.stringify({ connectors, filter: tsFilter }));
    },
  },
  {
    name: "a YAML program on the intune plugin",
    setup: (emulator) =>
      copyProgram(path.join(REPO_ROOT, "tests/e2e/fixtures/parity-yaml"), connectionEnv(emulator), {
        pathDirs: [intunePluginDir(), yamlHostDir()],
      }),
    write: (dir, { connectors, filter }) => {
      const lines = ["name: intune-parity", "runtime: yaml", "resources:"];
      for (const { name, args } of connectors) {
        lines.push(
          `  ${name}:`,
          "    type: intune:DomainJoinConnector",
          `    properties: ${yamlValue(args)}`,
        );
      }
      if (filter) {
        lines.push("variables:", "  found:", "    fn::invoke:", "      function: intune:getConnectors");
        lines.push(`      arguments: ${yamlValue(filter)}`, "      return: connectors");
      }
      lines.push("outputs:");
      for (const { name } of connectors) lines.push(`  ${name}Id: \${${name}.connectorId}`);
      if (filter) lines.push("  found: ${found}");
      writeFileSync(path.join(dir, "Pulumi.yaml"), `${lines.join("\n")}\n`);
    },
  },
];

const HQ_ADOPTED = { name: "hq", args: { connectorId: HQ, displayName: "HQ" } };
const BRANCH = { name: "branch", args: { displayName: "Branch" } };

for (const form of FORMS) {
  describe(`parity, the real Pulumi CLI: ${form.name} (e2e)`, function () {
    this.timeout(300_000);
    let emulator: Emulator;
    let copy: ProgramCopy;
    let base: ProgramSpec;

    before(async () => {
      emulator = await startTestEmulator({
        seed: [{ id: HQ, displayName: "ODJ-HQ-SRV01", version: "6.2504.2001.8", state: "active" }],
      });
      copy = form.setup(emulator);
      await copy.project.initStack(STACK, {}, { "intune:clientSecret": emulator.app("writer").secret });
    });
    after(async () => {
      copy?.cleanup();
      await emulator?.close();
    });

    const declare = (program: ProgramSpec) => form.write(copy.dir, program);
    const run = (args: string[]) => runLogged(copy, emulator, STACK, args);
    /** A command that must fail; the emulator's log then holds its requests alone. */
    const refused = async (args: string[]) => {
      emulator.clearLog();
      const result = await copy.project.run(args, { stack: STACK, allowFailure: true });
      expect(result.code, result.output).to.not.equal(0);
      return result;
    };

    it("adopts one connector and creates one; a second preview changes nothing and asks Graph nothing", async () => {
      base = { connectors: [HQ_ADOPTED, BRANCH] };
      declare(base);
      await run(["up", "--yes", "--skip-preview"]);
      expect(emulator.summary()).to.include({ POST: 1, PATCH: 1, DELETE: 0 });
      expect(
        emulator
          .connectors()
          .map((c) => c.displayName)
          .sort(),
      ).to.deep.equal(["Branch", "HQ"]);
      const preview = await run(["preview", "--expect-no-changes"]);
      expect(emulator.summaryLine(), preview.output).to.equal("Graph: no requests");
    });

    it("renames with one PATCH of the display name alone", async () => {
      base = { connectors: [HQ_ADOPTED, { name: "branch", args: { displayName: "Branch (renamed)" } }] };
      declare(base);
      await run(["up", "--yes", "--skip-preview"]);
      expect(emulator.summary()).to.include({ POST: 0, PATCH: 1, DELETE: 0 });
      const patch = emulator.requestLog({ kind: "graph" }).find((e) => e.method === "PATCH");
      expect(patch?.body).to.deep.equal({
        "@odata.type": "#microsoft.graph.deviceManagementDomainJoinConnector",
        displayName: "Branch (renamed)",
      });
    });

    it("shows a portal rename, found by refresh, in preview --diff with both names, and undoes it with one PATCH", async () => {
      emulator.editOutOfBand(HQ, { displayName: "Renamed in the portal" });
      await run(["refresh", "--yes", "--skip-preview"]);
      const preview = await run(["preview", "--diff"]);
      // Dynamic: the provider's warning; plugin: the engine's detailed diff (`"…" => "HQ"`).
      expect(preview.output).to.match(/displayName:? "Renamed in the portal"\s*(=>|→)\s*"HQ"/);
      expect(writes(emulator)).to.equal(0);
      await run(["up", "--yes", "--skip-preview"]);
      expect(emulator.summary()).to.include({ PATCH: 1, POST: 0 });
      expect(emulator.connectors().find((c) => c.id === HQ)?.displayName).to.equal("HQ");
    });

    it("shows a software upgrade, found by refresh, in preview with both versions, and never writes the version back", async () => {
      const declaring = {
        connectors: [
          { ...HQ_ADOPTED, args: { ...HQ_ADOPTED.args, version: "6.2504.2001.8" } },
          ...base.connectors.slice(1),
        ],
      };
      declare(declaring);
      await run(["up", "--yes", "--skip-preview"]);
      emulator.heartbeat(HQ, { version: "6.2505.1000.2" });
      for (let night = 0; night < 2; night++) {
        emulator.clearLog();
        await run(["refresh", "--yes", "--skip-preview"]);
        const preview = await run(["preview", "--diff"]);
        expect(preview.output).to.contain(
          'its software reports version "6.2505.1000.2", the stack declares "6.2504.2001.8"',
        );
        await run(["up", "--yes", "--skip-preview"]);
        expect(writes(emulator), emulator.summaryLine()).to.equal(0);
      }
      declare(base);
    });

    it("refuses bad input in preview, naming the property and the value, before any request", async () => {
      declare({
        connectors: [
          HQ_ADOPTED,
          { name: "branch", args: { displayName: "Branch", connectorId: "not-a-guid" } },
        ],
      });
      const result = await refused(["preview"]);
      expect(result.output).to.contain("connectorId must be the GUID of an existing connector");
      expect(result.output).to.contain('got "not-a-guid"');
      expect(emulator.requestLog({ kind: "graph" })).to.deep.equal([]);
      declare(base);
    });

    it("refuses two resources on one connector (its id in another letter case) before any write, naming both", async () => {
      declare({
        connectors: [
          ...base.connectors,
          { name: "hq2", args: { connectorId: HQ.toUpperCase(), displayName: "HQ 2" } },
        ],
      });
      for (const args of [["preview"], ["up", "--yes", "--skip-preview"]]) {
        const result = await refused(args);
        expect(result.output).to.match(/one resource only/i);
        expect(result.output).to.contain('"hq"');
        expect(result.output).to.contain('"hq2"');
        expect(
          writes(emulator),
          `${args.join(" ")}: ${JSON.stringify(emulator.requestLog())}\n${result.output}`,
        ).to.equal(0);
      }
      expect(emulator.connectors().find((c) => c.id === HQ)?.displayName).to.equal("HQ");
      declare(base);
    });

    it("refuses a getConnectors filter that is not one before any request", async () => {
      declare({ ...base, filter: { states: ["activ"] } });
      const result = await refused(["preview"]);
      expect(result.output).to.contain("state must be one of active, error, inactive");
      expect(emulator.requestLog({ kind: "graph" })).to.deep.equal([]);
      declare(base);
    });

    it("refuses a provider pointed at another tenant before any request, naming both; refresh drops nothing", async () => {
      const expectRefusal = (output: string, what: string) => {
        expect(output, what).to.contain(`the connector lives in tenant ${emulator.tenantId}`);
        expect(output, what).to.contain(`but the provider now points at tenant ${OTHER_TENANT}`);
        expect(emulator.requestLog({ kind: "graph" }), what).to.deep.equal([]);
      };
      // By the stack's config: the preview of the change is refused.
      copy.project.writeConfig(STACK, { "intune:tenantId": OTHER_TENANT });
      expectRefusal((await refused(["preview"])).output, "config: preview");
      copy.project.writeConfig(STACK, {});
      // By the environment, as a pipeline's variable would: refresh (which takes the providers of
      // the state, their settings falling back to the environment) is refused too, and drops nothing.
      copy.project.env.AZURE_TENANT_ID = OTHER_TENANT;
      try {
        for (const args of [["preview"], ["refresh", "--yes", "--skip-preview"]]) {
          expectRefusal((await refused(args)).output, `environment: ${args[0]}`);
        }
      } finally {
        copy.project.env.AZURE_TENANT_ID = emulator.tenantId;
      }
      const state = JSON.parse(await copy.project.exportState(STACK)) as {
        deployment: { resources?: { type: string }[] };
      };
      const connectors = (state.deployment.resources ?? []).filter((r) =>
        r.type.endsWith("DomainJoinConnector"),
      );
      expect(connectors).to.have.length(2);
      await run(["preview", "--expect-no-changes"]);
    });

    it("takes a changed provider setting that keeps the tenant in place: no replacement, no write", async () => {
      copy.project.writeConfig(STACK, { "intune:maxAttempts": "3" });
      const up = await run(["up", "--yes", "--skip-preview"]);
      expect(up.output).to.not.match(/replace/i);
      expect(writes(emulator)).to.equal(0);
      copy.project.writeConfig(STACK, {});
    });

    it("destroy deletes the created connector and releases the adopted one", async () => {
      const result = await run(["destroy", "--yes", "--skip-preview"]);
      expect(emulator.summary()).to.include({ DELETE: 1 });
      expect(result.output).to.contain(`connector ${HQ} ("HQ") was released, not deleted`);
      expect(emulator.connectors().map((c) => c.id)).to.deep.equal([HQ]);
    });
  });
}
