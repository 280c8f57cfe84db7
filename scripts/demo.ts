/**
 * `npm run demo`: the project's main job, end to end, on this machine. Starts the emulator with a
 * tenant holding two registered connectors, then drives the root stack (Pulumi.yaml) with the
 * real Pulumi CLI and a local file backend: `pulumi preview`, then `pulumi up`, which adopts one
 * registered connector (renaming it) and creates another. Prints the stack outputs and the Graph
 * requests each step cost. The tenant and the state persist under .pulumi-state/demo, so a second
 * run shows no changes and makes no writes; `npm run demo -- --fresh` starts over.
 */
import { rmSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { Emulator, clientEnvironment, startEmulator } from "intune-graph-emulator";
import { PulumiProject, REPO_ROOT, ensurePulumiCli } from "intune-test-support/pulumi-cli";

const STACK = "demo";
const STATE_DIR = path.join(REPO_ROOT, ".pulumi-state", STACK);

/** The tenant the demo starts from: two connectors the connector software registered. */
const REGISTERED = [
  {
    id: "8c39f54e-6512-4a2f-bd3a-2cb66d02f722",
    displayName: "ODJ-HQ-SRV01",
    state: "active" as const,
    version: "6.2504.2001.8",
  },
  {
    id: "ee93ee79-aa0e-423c-a8f8-bd007b6016cc",
    displayName: "ODJ-BRANCH-SRV02",
    state: "active" as const,
    version: "6.2501.2000.5",
  },
];

/** The stack config an admin would write in Pulumi.demo.yaml. */
const CONNECTORS = [
  { connectorId: REGISTERED[0].id, displayName: "ODJ Connector – Headquarters" },
  { name: "branch-office", displayName: "ODJ Connector – Branch office" },
];

function heading(text: string): void {
  console.log(`\n━━ ${text} ${"━".repeat(Math.max(0, 70 - text.length))}`);
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { fresh: { type: "boolean", default: false } } });
  if (values.fresh) rmSync(STATE_DIR, { recursive: true, force: true });

  heading("Pulumi CLI");
  const bin = ensurePulumiCli();
  console.log(`  ${bin}/pulumi`);

  const emulator: Emulator = await startEmulator({
    stateDir: path.join(REPO_ROOT, ".emulator"),
    persistFile: path.join(STATE_DIR, "tenant.json"),
    seed: REGISTERED,
  });
  try {
    // The registered connectors' servers keep running between demo runs: they check in now, as
    // they would have. (Intune turns a connector error after an hour without a heartbeat.)
    for (const { id } of REGISTERED)
      if (emulator.connectors().some((c) => c.id === id)) emulator.heartbeat(id);
    heading(`Emulated tenant ${emulator.tenantId} at ${emulator.url}`);
    for (const c of emulator.connectors())
      console.log(`  ${c.id}  ${(c.displayName ?? "(no name)").padEnd(30)} ${c.state}`);

    const project = new PulumiProject({
      dir: REPO_ROOT,
      backendDir: STATE_DIR,
      passphrase: "demo-local-state-only",
      env: clientEnvironment(emulator, "writer"),
    });
    await project.initStack(STACK, { "intune-connectors:connectors": CONNECTORS });
    const cost: string[] = [];

    for (const [label, args] of [
      ["pulumi preview", ["preview"]],
      ["pulumi up", ["up", "--yes", "--skip-preview"]],
    ] as const) {
      emulator.clearLog();
      const started = Date.now();
      const result = await project.run([...args], { stack: STACK });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      heading(`${label}  (${seconds} s)`);
      console.log(
        indent(result.stdout.replace(/^(@ .*|.*pulumi-resource-pulumi-nodejs from \$PATH.*)\n/gm, "")),
      );
      cost.push(`  ${label.padEnd(16)} ${emulator.summaryLine()}`);
    }

    heading("Stack outputs");
    const outputs = (await project.outputs(STACK)).connectors as Record<
      string,
      { id: string; displayName: string; state: string; lastConnectionDateTime: string }
    >;
    for (const [name, c] of Object.entries(outputs)) {
      console.log(
        `  ${name}\n    id ${c.id}  "${c.displayName}"  ${c.state}  last contact ${c.lastConnectionDateTime}`,
      );
    }
    const health = (await project.outputs(STACK)).health as {
      healthy: boolean;
      healthyCount: number;
      unhealthy: Record<string, string[]>;
    };
    console.log(
      `  health: ${health.healthy ? "healthy" : "UNHEALTHY"}, ${health.healthyCount} healthy` +
        Object.entries(health.unhealthy)
          .map(([name, rules]) => `; ${name}: ${rules.join(", ")}`)
          .join(""),
    );
    heading("Graph requests");
    console.log(cost.join("\n"));
    console.log(
      `\nState and tenant are kept in ${path.relative(REPO_ROOT, STATE_DIR)}/: run again for a no-op (no writes),` +
        " or `npm run demo -- --fresh` to start over.",
    );
  } finally {
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
