#!/usr/bin/env node
/**
 * intune-repair-pending: settles the connectors a killed `pulumi up` left "pending create".
 *
 * When the CLI dies while a create is in flight, Pulumi cannot know whether the connector was
 * made, and a non-interactive `pulumi refresh` leaves it pending, so the next `up` creates it
 * again: a duplicate. This tool asks Intune instead. For each pending create of a
 * DomainJoinConnector it lists the tenant's connectors that no resource of the stack holds and
 * that match the inputs (display name, and version/state when set; the id when adopting):
 *   - exactly one: recorded in the stack as the resource (state export, edit, import, refresh);
 *   - none: the create never happened; the pending entry is dropped and `up` creates it;
 *   - several: left alone, the candidates are named, and the tool exits 1.
 *
 * Run it in the program's directory, after `pulumi cancel` if the stack is still locked (it names
 * the locks that stop it, on any backend: state/stack-lock.ts):
 *   npx intune-repair-pending --stack prod [--dry-run]
 * It uses the stack's `intune:` config (via `pulumi config --show-secrets`) and the environment.
 *
 * Two more leftovers of a killed run are repaired first, in the same pass:
 *   - a checkpoint that no longer loads ("failed to load checkpoint: EOF") on a local file://
 *     backend (see local-backend.ts; other backends are not checked, and it says so);
 *   - DomainJoinConnector outputs without `__provider` (left by a failed create before this was
 *     fixed), which make refresh and destroy fail with "code must be a string": it is copied from
 *     the inputs.
 */
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { connect } from "../connection";
import { CreateFields, sameCreateFields } from "../connector/ownership";
import { readIntents } from "../connector/create-journal";
import { PROVIDER_KEY } from "../connector/constants";
import { GraphConnector } from "../connector/definition";
import {
  PendingDecision,
  RESOURCE_TYPES,
  StateResource,
  decide,
  managedConnectorIds,
  restoreProviderOutputs,
  settledResource,
} from "./decisions";
import { checkCheckpoint } from "../state/local-backend";
import { explainLocked } from "../state/stack-lock";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(
      "usage: intune-repair-pending [--stack NAME] [--dry-run]   (run in the Pulumi program's directory)",
    );
    return 0;
  }
  const dryRun = values["dry-run"];
  // The Automation API drives the `pulumi` on PATH, in this directory, with this environment.
  const workspace = await LocalWorkspace.create({ workDir: process.cwd() });
  const backendUrl = process.env.PULUMI_BACKEND_URL || ((await workspace.whoAmI()).url ?? "");
  if (!checkCheckpoint(values.stack, dryRun, backendUrl)) {
    console.log("dry run: the state cannot be read until the checkpoint is repaired; nothing else checked");
    return 0;
  }
  const selected = (await workspace.stack())?.name;
  const stackName = values.stack ?? process.env.PULUMI_STACK ?? selected;
  if (!stackName) throw new Error("no stack selected: pass --stack <name>");

  const exported = await workspace.exportStack(stackName);
  const deployment = exported.deployment ?? {};
  const repaired = restoreProviderOutputs(deployment.resources ?? []);
  for (const urn of repaired.fixed) {
    console.log(
      `${urn.split("::").pop()} outputs lack ${PROVIDER_KEY}: ${dryRun ? "would copy" : "copied"} it from its inputs`,
    );
  }
  const pending: StateResource[] = (deployment.pending_operations ?? [])
    .filter(
      (op: { type: string; resource: StateResource }) =>
        op.type === "creating" && RESOURCE_TYPES.includes(op.resource.type),
    )
    .map((op: { resource: StateResource }) => op.resource);
  if (pending.length === 0 && repaired.fixed.length === 0) {
    console.log("no pending creates of DomainJoinConnector: nothing to repair");
    return 0;
  }
  const decisions = pending.length > 0 ? await settlePending(pending, deployment, workspace, stackName) : [];
  const ambiguous = decisions.some((d) => d.action === "ambiguous") ? 1 : 0;
  if (dryRun) return ambiguous;

  // Pulumi's documented repair path: edit the exported state and import it. Settled creates
  // become resources (outputs completed by the refresh below); ambiguous ones stay pending.
  deployment.resources = repaired.resources;
  const settled = new Map(decisions.filter((d) => d.action !== "ambiguous").map((d) => [d.urn, d]));
  deployment.pending_operations = (deployment.pending_operations ?? []).filter(
    (op: { resource: StateResource }) => !settled.has(op.resource.urn),
  );
  for (const op of pending) {
    const d = settled.get(op.urn);
    if (d?.action === "import" && d.id) deployment.resources.push(settledResource(op, d.id));
  }
  try {
    await workspace.importStack(stackName, { ...exported, deployment });
  } catch (error) {
    throw explainLocked(error, stackName); // a killed run's lock, on any backend
  }
  // The notes of the creates now settled have served.
  const settledFields = pending.filter((op) => settled.has(op.urn)).map((op) => op.inputs ?? {});
  for (const { file: note, intent } of readIntents()) {
    if (settledFields.some((f) => sameCreateFields(f as CreateFields, intent))) rmSync(note, { force: true });
  }
  if (settled.size === 0) return ambiguous;
  // Stack.select makes the stack the workspace's current one; the user's selection is put back.
  const stack = await Stack.select(stackName, workspace);
  try {
    await stack.refresh({ onOutput: (out) => process.stdout.write(out) });
  } catch (caught) {
    const error = explainLocked(caught, stackName);
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    if (selected && selected !== stackName) await workspace.selectStack(selected);
  }
  return ambiguous;
}

/** Asks the tenant which connector each pending create made; prints one line per create. */
async function settlePending(
  pending: StateResource[],
  deployment: { resources?: StateResource[] },
  workspace: LocalWorkspace,
  stackName: string,
): Promise<PendingDecision[]> {
  const tracked = new Set(managedConnectorIds(deployment.resources ?? []));
  // `pulumi config --show-secrets`: the same settings, looked up as the provider does in a deployment.
  const config = await workspace.getAllConfig(stackName);
  const connection = connect({ config: (key) => config[key]?.value });
  let tenant: GraphConnector[];
  try {
    tenant = await connection.api.list();
  } finally {
    connection.close();
  }
  const notes = readIntents();
  const decisions = decide(
    pending,
    tracked,
    tenant,
    notes.map((n) => n.intent),
  );
  for (const d of decisions) {
    const what =
      d.action === "import"
        ? `made ${d.id}: import it`
        : d.action === "clear"
          ? "was never made: clear it (the next up creates it)"
          : `is ambiguous, candidates ${d.candidates.join(", ")}: left pending`;
    console.log(`${d.urn.split("::").pop()} ${what}`);
  }
  return decisions;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`intune-repair-pending: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
