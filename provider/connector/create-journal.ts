/**
 * A note, on this machine, of each POST in flight and of the connectors that existed before it.
 *
 * When `pulumi up` is killed during a create, the state only says "pending create". The repair
 * tool must then decide whether the POST was sent and which connector it made, and a connector
 * with the same display name that existed before the run looks exactly like one the POST made.
 * The provider writes this note after its pre-create read and before the POST. It removes it when
 * the POST made nothing, and adds the new id when it made a connector — the engine may still die
 * before it records that — and such notes are dropped after a day. Best effort:
 * if the note cannot be written, the repair tool treats the create as never sent, and the next
 * `up` refuses the duplicate name instead of guessing.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createFieldsOf, type CreateFields } from "./ownership";
import type { CreateIntent } from "../repair/decisions";
import { SETTINGS, fromEnvironment } from "../config/settings";

export type { CreateIntent };

/** How long a note of a create that succeeded is kept. */
const KEEP_MADE_MS = 24 * 3600 * 1000;

/** The folder of the notes: INTUNE_CREATE_JOURNAL, else a folder in the machine's temp dir. */
export function journalDir(env: NodeJS.ProcessEnv = process.env): string {
  return fromEnvironment(SETTINGS.createJournal, env) ?? path.join(tmpdir(), "pulumi-intune-create-journal");
}

/**
 * Writes the note; returns what settles it: called with the new id it records it, without one it
 * removes the note. Never throws: the note is a help, not a must.
 */
export function recordIntent(
  fields: CreateFields,
  before: ReadonlySet<string>,
  env: NodeJS.ProcessEnv = process.env,
): (made?: string) => void {
  const file = path.join(journalDir(env), `${randomUUID()}.json`);
  const intent: CreateIntent = {
    ...createFieldsOf(fields),
    before: [...before],
    at: new Date().toISOString(),
  };
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(intent), { mode: 0o600 });
  } catch {
    return () => undefined;
  }
  // Apart from the write: a note that is written must be settled, even if pruning fails.
  try {
    for (const old of readIntents(env)) {
      if (old.intent.made && Date.now() - Date.parse(old.intent.at) > KEEP_MADE_MS)
        rmSync(old.file, { force: true });
    }
  } catch {
    // best effort
  }
  return (made) => {
    try {
      if (made) writeFileSync(file, JSON.stringify({ ...intent, made }), { mode: 0o600 });
      else rmSync(file, { force: true });
    } catch {
      // best effort
    }
  };
}

/** The notes left behind, newest first, with the files that hold them. */
export function readIntents(env: NodeJS.ProcessEnv = process.env): { file: string; intent: CreateIntent }[] {
  const dir = journalDir(env);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  return names
    .flatMap((name) => {
      const file = path.join(dir, name);
      try {
        const intent = JSON.parse(readFileSync(file, "utf8")) as CreateIntent;
        return Array.isArray(intent.before) && typeof intent.at === "string" ? [{ file, intent }] : [];
      } catch {
        return [];
      }
    })
    .sort((a, b) => b.intent.at.localeCompare(a.intent.at));
}
