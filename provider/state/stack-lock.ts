/**
 * A stack that a self-managed backend (file://, azblob://, s3://, gs://) holds locked.
 *
 * Pulumi's diy backend takes a lock, one object under `.pulumi/locks/`, before any command that
 * writes a stack (up, refresh, destroy, import, stack import) and refuses, at once and without
 * waiting, when another one is there:
 *   error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to
 *   end or delete the lock file with `pulumi cancel`.
 *     azblob://state/.pulumi/locks/organization/proj/prod/<uuid>.json: created by ci@runner-7 (pid 4242) at 2026-…
 * A killed `pulumi up` never removes its lock. On a file:// backend the repair tool releases a
 * lock whose process is gone from this host (local-backend.ts); on any other backend it has no
 * access to the objects and cannot tell a dead run from a live one elsewhere, so it names each lock
 * and says how to release it.
 */
import { hostname } from "node:os";
import { processRunning } from "./local-backend";

export interface HeldLock {
  /** Where the lock is, as Pulumi names it (the backend URL and the object's key). */
  where: string;
  user: string;
  host: string;
  pid: number;
  /** When it was taken, as Pulumi prints it (RFC 3339). */
  since: string;
}

/**
 * The locks named in Pulumi's refusal to lock a stack, each once (the Automation API's error can
 * hold the CLI's output twice), or undefined when `text` holds no refusal.
 */
export function lockRefusal(text: string): HeldLock[] | undefined {
  if (!/the stack is currently locked by \d+ lock\(s\)/.test(text)) return undefined;
  const locks = new Map<string, HeldLock>();
  for (const [, where, user, host, pid, since] of text.matchAll(
    /^\s+(\S+): created by (.*)@(\S+) \(pid (\d+)\) at (\S+)\s*$/gm,
  ))
    locks.set(where, { where, user, host, pid: Number(pid), since });
  return [...locks.values()];
}

/**
 * What to tell the person whose repair the lock stopped: each lock, whether its process is gone
 * (this host only: a pid means nothing elsewhere), and how to release it.
 */
export function lockedStackMessage(
  stack: string,
  locks: HeldLock[],
  host: string = hostname(),
  running: (pid: number) => boolean = processRunning,
): string {
  const lines = locks.map((lock) => {
    const verdict =
      lock.host !== host
        ? "taken on another host, where it may still run"
        : running(lock.pid)
          ? "its process still runs on this host: let it finish"
          : "its process is gone from this host (a killed run)";
    return `  ${lock.where}: created by ${lock.user}@${lock.host} (pid ${lock.pid}) at ${lock.since}: ${verdict}`;
  });
  return [
    `the stack ${stack} is locked, so its state cannot be written; nothing was changed:`,
    ...(lines.length ? lines : ["  (Pulumi named no lock)"]),
    "A killed pulumi command leaves its lock behind. Once no pulumi command runs on this stack, " +
      `\`pulumi cancel --stack ${stack} --yes\` releases every lock of it; then run intune-repair-pending again.`,
  ].join("\n");
}

/** The error to report for a failed stack write: a lock refusal made clear, anything else as it is. */
export function explainLocked(error: unknown, stack: string): unknown {
  const text = error instanceof Error ? error.message : String(error);
  const locks = lockRefusal(text);
  return locks ? new Error(lockedStackMessage(stack, locks)) : error;
}
