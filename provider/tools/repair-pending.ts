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
 * Run it in the program's directory, after `pulumi cancel` if the stack is still locked:
 *   npx intune-repair-pending --stack prod [--dry-run]
 * It uses the stack's `intune:` config (via `pulumi config --show-secrets`) and the environment.
 *
 * Two more leftovers of a killed run are repaired first, in the same pass:
 *   - a checkpoint that no longer loads ("failed to load checkpoint: EOF") on a local file://
 *     backend (see local-backend.ts);
 *   - DomainJoinConnector outputs without `__provider` (left by a failed create before this was
 *     fixed), which make refresh and destroy fail with "code must be a string": it is copied from
 *     the inputs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { DomainJoinConnectorProvider } from "../glue/implementation";
import {
  CreateFields,
  createCandidates,
  effectiveDeleteOnDestroy,
  idKey,
  sameCreateFields,
} from "../logic/ownership";
import { CreateIntent, readIntents } from "../glue/create-journal";
import { GraphConnector, PROVIDER_KEY } from "../logic/schema";
import { checkCheckpoint } from "./local-backend";

const TYPE = "pulumi-nodejs:dynamic/intune:DomainJoinConnector";

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
}

export interface PendingDecision {
  urn: string;
  action: "import" | "clear" | "ambiguous";
  id?: string;
  candidates: string[];
}

/**
 * Pure decision: which connector each pending create made. Candidates already held by the
 * stack, or claimed by an earlier pending create, are never chosen twice. A create is matched
 * only against connectors that did not exist before its POST, as the provider noted them on
 * this machine (see create-journal.ts), or taken by the id the note records. With no note, the
 * POST is taken as never sent: the pending entry is cleared and, were a connector made after
 * all, the next `up` refuses the duplicate name and names it for adoption. Nothing the stack
 * does not own is ever recorded.
 */
export function decide(
  pending: StateResource[],
  tracked: Set<string>,
  tenant: GraphConnector[],
  intents: CreateIntent[] = [],
): PendingDecision[] {
  const claimed = new Set([...tracked].map(idKey));
  return pending.map((op) => {
    const inputs = op.inputs ?? {};
    const adoptId = typeof inputs.connectorId === "string" ? idKey(inputs.connectorId) : undefined;
    const fields = inputs as CreateFields;
    const notes = intents.filter((i) => sameCreateFields(i, fields));
    // A note that names the connector its POST made, when that connector is there and free.
    const made = notes
      .map((i) => (i.made ? idKey(i.made) : undefined))
      .filter((id): id is string => id !== undefined && !claimed.has(id))
      .flatMap((id) => tenant.filter((c) => idKey(c.id) === id));
    const open = notes.find((i) => !i.made);
    const candidates = adoptId
      ? tenant.filter((c) => idKey(c.id) === adoptId && !claimed.has(adoptId))
      : made.length > 0
        ? made
        : open
          ? createCandidates(tenant, fields, { before: new Set(open.before.map(idKey)), held: claimed })
          : [];
    if (candidates.length === 1) {
      claimed.add(idKey(candidates[0].id));
      return { urn: op.urn, action: "import", id: candidates[0].id, candidates: [candidates[0].id] };
    }
    return {
      urn: op.urn,
      action: candidates.length === 0 ? "clear" : "ambiguous",
      candidates: candidates.map((c) => c.id),
    };
  });
}

interface StateEntry extends StateResource {
  outputs?: Record<string, unknown>;
}

/**
 * Outputs of a DomainJoinConnector without `__provider` (a failed create stored them so) break
 * refresh and destroy; the resource's own inputs hold the same provider. Returns the repaired
 * list (input untouched) and the URNs repaired.
 */
export function restoreProviderOutputs(resources: StateEntry[]): {
  resources: StateEntry[];
  fixed: string[];
} {
  const fixed: string[] = [];
  const out = resources.map((r) => {
    if (r.type !== TYPE || r.outputs?.[PROVIDER_KEY] !== undefined || r.inputs?.[PROVIDER_KEY] === undefined)
      return r;
    fixed.push(r.urn);
    return { ...r, outputs: { ...r.outputs, [PROVIDER_KEY]: r.inputs[PROVIDER_KEY] } };
  });
  return { resources: out, fixed };
}

function pulumi(args: string[], stack: string | undefined): { code: number; stdout: string; stderr: string } {
  const full = stack ? [...args, "--stack", stack] : args;
  const result = spawnSync("pulumi", full, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw new Error(`could not run pulumi: ${result.error.message}`);
  return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

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
  if (!checkCheckpoint(values.stack, dryRun)) {
    console.log("dry run: the state cannot be read until the checkpoint is repaired; nothing else checked");
    return 0;
  }
  const exported = pulumi(["stack", "export"], values.stack);
  if (exported.code !== 0) throw new Error(`pulumi stack export failed: ${exported.stderr.trim()}`);
  const deployment = JSON.parse(exported.stdout).deployment ?? {};
  const repaired = restoreProviderOutputs(deployment.resources ?? []);
  for (const urn of repaired.fixed) {
    console.log(
      `${urn.split("::").pop()} outputs lack ${PROVIDER_KEY}: ${dryRun ? "would copy" : "copied"} it from its inputs`,
    );
  }
  const pending: StateResource[] = (deployment.pending_operations ?? [])
    .filter(
      (op: { type: string; resource: StateResource }) => op.type === "creating" && op.resource.type === TYPE,
    )
    .map((op: { resource: StateResource }) => op.resource);
  if (pending.length === 0 && repaired.fixed.length === 0) {
    console.log("no pending creates of DomainJoinConnector: nothing to repair");
    return 0;
  }
  const decisions = pending.length > 0 ? await settlePending(pending, deployment, values.stack) : [];
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
    if (d?.action !== "import") continue;
    const inputs = op.inputs ?? {};
    const adopted = typeof inputs.connectorId === "string";
    const deleteOnDestroy = effectiveDeleteOnDestroy(
      inputs as Parameters<typeof effectiveDeleteOnDestroy>[0],
    );
    deployment.resources.push({
      ...op,
      id: d.id,
      outputs: { ...inputs, connectorId: d.id, adopted, deleteOnDestroy },
    });
  }
  const file = path.join(mkdtempSync(path.join(tmpdir(), "intune-repair-")), "state.json");
  writeFileSync(file, JSON.stringify({ ...JSON.parse(exported.stdout), deployment }), { mode: 0o600 });
  try {
    const imported = pulumi(["stack", "import", "--file", file], values.stack);
    if (imported.code !== 0) throw new Error(`pulumi stack import failed: ${imported.stderr.trim()}`);
  } finally {
    rmSync(path.dirname(file), { recursive: true, force: true });
  }
  // The notes of the creates now settled have served.
  const settledFields = pending.filter((op) => settled.has(op.urn)).map((op) => op.inputs ?? {});
  for (const { file: note, intent } of readIntents()) {
    if (settledFields.some((f) => sameCreateFields(f as CreateFields, intent))) rmSync(note, { force: true });
  }
  if (settled.size === 0) return ambiguous;
  const refreshed = pulumi(["refresh", "--yes", "--skip-preview", "--non-interactive"], values.stack);
  process.stdout.write(refreshed.stdout);
  process.stderr.write(refreshed.stderr);
  if (refreshed.code !== 0) return refreshed.code;
  return ambiguous;
}

/** Asks the tenant which connector each pending create made; prints one line per create. */
async function settlePending(
  pending: StateResource[],
  deployment: { resources?: StateResource[] },
  stack: string | undefined,
): Promise<PendingDecision[]> {
  const tracked = new Set<string>(
    (deployment.resources ?? []).filter((r) => r.type === TYPE && r.id).map((r) => r.id as string),
  );
  const configOut = pulumi(["config", "--json", "--show-secrets"], stack);
  if (configOut.code !== 0) throw new Error(`pulumi config failed: ${configOut.stderr.trim()}`);
  const config = JSON.parse(configOut.stdout) as Record<string, { value?: unknown }>;
  const provider = new DomainJoinConnectorProvider();
  await provider.configure({
    config: {
      get: (key: string) => (config[key]?.value === undefined ? undefined : String(config[key].value)),
      require: (key: string) => String(config[key]?.value ?? ""),
    },
  });
  let tenant: GraphConnector[];
  try {
    tenant = await provider.connect().api.list();
  } finally {
    provider.close();
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
