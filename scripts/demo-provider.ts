/**
 * The provider's whole lifecycle against the emulator, step by step, with the Graph requests
 * each step cost: adopt a registered connector (renaming it), create one, refresh after an
 * out-of-band rename and a heartbeat, update, and destroy (delete the created, release the adopted).
 */
import * as path from "node:path";
import { startEmulator } from "../emulator";
import { DomainJoinConnectorProvider } from "../provider/glue/implementation";

async function main(): Promise<void> {
  const emulator = await startEmulator({ stateDir: path.resolve(__dirname, "../../.emulator"), seed: 2 });
  const writer = emulator.app("writer");
  const warnings: string[] = [];
  const provider = new DomainJoinConnectorProvider({
    env: {
      ...process.env,
      AZURE_TENANT_ID: emulator.tenantId,
      AZURE_CLIENT_ID: writer.clientId,
      AZURE_CLIENT_SECRET: writer.secret,
      AZURE_AUTHORITY_HOST: emulator.authorityHost,
      INTUNE_GRAPH_ENDPOINT: emulator.graphEndpoint,
    },
    warn: (m) => warnings.push(m),
  });
  console.log(`Emulator at ${emulator.url} (tenant ${emulator.tenantId}), seeded with:`);
  for (const c of emulator.connectors()) console.log(`  ${c.id}  ${c.displayName}  ${c.state}  ${c.version}`);
  console.log("");

  async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
    emulator.clearLog();
    const started = Date.now();
    const result = await work();
    console.log(`${label.padEnd(58)} ${emulator.summaryLine()}  (${Date.now() - started} ms)`);
    for (const w of warnings.splice(0)) console.log(`  warning: ${w}`);
    return result;
  }

  try {
    const registered = emulator.connectors()[0];
    const adopted = await step(`adopt ${registered.id.slice(0, 8)}… renaming it`, () =>
      provider.create({ connectorId: registered.id, displayName: "ODJ Connector – Headquarters" }),
    );
    const created = await step('create "ODJ Connector – Branch office"', () =>
      provider.create({ displayName: "ODJ Connector – Branch office" }),
    );
    emulator.editOutOfBand(created.id, { displayName: "renamed in the portal" });
    emulator.heartbeat(adopted.id, { state: "active" });
    const refreshed = await step("refresh the created one (drift: renamed in the portal)", () =>
      provider.read(created.id, created.outs),
    );
    await step("update it back (PATCH of displayName only)", () =>
      provider.update(created.id, refreshed.props ?? {}, { displayName: "ODJ Connector – Branch office" }),
    );
    await step("refresh the adopted one (heartbeat moved lastConnection)", () =>
      provider.read(adopted.id, adopted.outs),
    );
    await step("destroy the created one", () => provider.delete(created.id, created.outs));
    await step("destroy the adopted one (released)", () => provider.delete(adopted.id, adopted.outs));
    console.log("\nConnectors left in the tenant:");
    for (const c of emulator.connectors()) console.log(`  ${c.id}  ${c.displayName}  ${c.state}`);
  } finally {
    provider.close();
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
