/**
 * Repairing the checkpoint of a local (`file://`) Pulumi backend after a killed run.
 *
 * The backend's blob driver (gocloud.dev fileblob) writes a `<file>.attrs` sidecar with a plain
 * create-then-write before each atomic rename of the file itself; a SIGKILL in between leaves the
 * sidecar empty, and every later read of the checkpoint fails with "failed to load checkpoint:
 * EOF" — `pulumi cancel` included. A missing sidecar is read as defaults, so an empty or non-JSON
 * one is moved aside. A checkpoint that does not parse is replaced by the newest `.bak`, backup or
 * history copy of the same stack that does; broken files are kept beside, renamed. After a repair,
 * the lock of a process that is gone from this host is released (any other lock is named).
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir, hostname } from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";

/** Why fileblob cannot decode an `.attrs` sidecar (json.Decoder: EOF on empty), or undefined. */
export function sidecarProblem(bytes: Buffer): string | undefined {
  const text = bytes.toString("utf8");
  if (text.trim() === "") return "empty";
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? undefined
      : "not a JSON object";
  } catch {
    return "not JSON";
  }
}

/** A checkpoint file's stack name ("organization/project/stack"), or why it does not parse. */
export function parseCheckpoint(bytes: Buffer): { stack: string } | { problem: string } {
  if (bytes.length === 0) return { problem: "empty" };
  let text: string;
  try {
    // Pulumi detects compression from the content, whatever the file name says.
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) text = zlib.gunzipSync(bytes).toString("utf8");
    else if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0xfd2fb528)
      text = zlib.zstdDecompressSync(bytes).toString("utf8");
    else text = bytes.toString("utf8");
  } catch {
    return { problem: "compressed data is damaged" };
  }
  let value: { checkpoint?: { stack?: unknown } };
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: text.trim() === "" ? "empty" : "not JSON (truncated?)" };
  }
  const stack = value?.checkpoint?.stack;
  return typeof stack === "string" ? { stack } : { problem: "not a Pulumi checkpoint" };
}

/** When a copy of a checkpoint was taken: the nanosecond stamp in its name, else its mtime. */
export function copyTime(file: string, mtimeMs: number): Date {
  const stamp = /[-.](\d{16,})\.(?:checkpoint\.)?json(?:\.gz|\.zst)?$/.exec(path.basename(file));
  return new Date(stamp ? Number(BigInt(stamp[1]) / 1_000_000n) : mtimeMs);
}

export interface StoredFile {
  path: string;
  bytes: Buffer;
  mtimeMs: number;
}

export interface CheckpointPlan {
  /** Sidecars the driver cannot decode: moved aside (a missing sidecar is read as defaults). */
  sidecars: { path: string; problem: string }[];
  /** The checkpoint Pulumi reads, when it does not parse, and the copy to restore it from. */
  broken?: { path: string; problem: string; restore?: { path: string; when: Date } };
}

/**
 * Pure decision from file contents: which sidecars go aside, and, when the checkpoint itself does
 * not parse, the newest copy (`.bak`, history, backup; the earliest listed wins a tie) that parses
 * and names the same stack. `stack` is "project/stack".
 */
export function planCheckpointRepair(input: {
  stack: string;
  checkpoint?: StoredFile;
  sidecars: { path: string; bytes: Buffer }[];
  copies: StoredFile[];
}): CheckpointPlan {
  const sidecars = input.sidecars.flatMap((f) => {
    const problem = sidecarProblem(f.bytes);
    return problem ? [{ path: f.path, problem }] : [];
  });
  const parsed = input.checkpoint ? parseCheckpoint(input.checkpoint.bytes) : undefined;
  if (!input.checkpoint || !parsed || !("problem" in parsed)) return { sidecars };
  const sameStack = (name: string) => name === input.stack || name.endsWith(`/${input.stack}`);
  let restore: { path: string; when: Date } | undefined;
  for (const copy of input.copies) {
    const c = parseCheckpoint(copy.bytes);
    const when = copyTime(copy.path, copy.mtimeMs);
    if ("stack" in c && sameStack(c.stack) && (!restore || when > restore.when))
      restore = { path: copy.path, when };
  }
  return { sidecars, broken: { path: input.checkpoint.path, problem: parsed.problem, restore } };
}

/**
 * Whether a stack lock (`.pulumi/locks/...`, JSON with pid and hostname) was left by a process of
 * this host that no longer runs. Anything else, unreadable locks included, counts as held.
 */
export function lockIsStale(bytes: Buffer, host: string, running: (pid: number) => boolean): boolean {
  try {
    const lock = JSON.parse(bytes.toString("utf8"));
    return lock?.hostname === host && Number.isInteger(lock.pid) && lock.pid > 0 && !running(lock.pid);
  } catch {
    return false;
  }
}

/** The program's Pulumi.yaml, searching upwards like the CLI. */
function projectFile(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    for (const name of ["Pulumi.yaml", "Pulumi.yml"])
      if (existsSync(path.join(d, name))) return path.join(d, name);
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * The local directory of a file:// backend URL (`file://~/state`, `file://./state`,
 * `file:///srv/state`, `file:///C:/state` on Windows), or undefined for any other backend.
 */
export function localBackend(
  url: string,
  paths: path.PlatformPath = path,
  home: string = homedir(),
): string | undefined {
  if (!url.startsWith("file://")) return undefined;
  let dir = decodeURIComponent(url.slice("file://".length).split("?")[0]);
  // A drive letter after the third slash: the path starts at the drive, not at "/".
  if (/^\/[A-Za-z]:[\\/]/.test(dir)) dir = dir.slice(1);
  return paths.resolve(dir === "~" || dir.startsWith("~/") ? paths.join(home, dir.slice(1)) : dir);
}

/**
 * The stack's checkpoint on a local backend (`url`: the backend the CLI uses): checked and, unless
 * dry, repaired. Prints one line
 * per finding; returns false when a dry run found something to repair (the state cannot be read).
 */
export function checkCheckpoint(stackArg: string | undefined, dryRun: boolean, url: string): boolean {
  const yaml = projectFile(process.cwd());
  const project = yaml && /^name:\s*["']?([^"'\s#]+)/m.exec(readFileSync(yaml, "utf8"))?.[1];
  const root = localBackend(url);
  if (!root) {
    // Only the scheme: some backend URLs carry credentials (postgres://user:password@…).
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
    console.log(
      `checkpoint: not checked: checkpoint repair covers file:// backends only (this backend: ${scheme ? `${scheme}://` : "unknown"})`,
    );
    return true;
  }
  if (!yaml || !project) return true;
  let named = stackArg || process.env.PULUMI_STACK;
  if (!named) {
    // The CLI's own lookup fails on a broken checkpoint: read the workspace's selection.
    const home = process.env.PULUMI_HOME || path.join(homedir(), ".pulumi");
    const hash = createHash("sha1").update(realpathSync(yaml)).digest("hex");
    const settings = path.join(home, "workspaces", `${project}-${hash}-workspace.json`);
    try {
      const json = JSON.parse(readFileSync(settings, "utf8"));
      named = json.stacks?.[url] ?? json.stack;
    } catch {
      // no selection
    }
  }
  if (!named) {
    console.log("checkpoint: no stack selected, not checked (pass --stack)");
    return true;
  }
  const parts = named.split("/");
  const stack = parts[parts.length - 1];
  const proj = parts.length > 1 ? parts[parts.length - 2] : project;
  const pulumiDir = path.join(root, ".pulumi");
  const rel = (file: string) => path.relative(root, file);
  const read = (file: string): StoredFile => ({
    path: file,
    bytes: readFileSync(file),
    mtimeMs: statSync(file).mtimeMs,
  });
  const list = (dir: string, test: (name: string) => boolean) =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter(test)
          .map((n) => path.join(dir, n))
      : [];

  const stacksDir = path.join(pulumiDir, "stacks", proj);
  const historyDir = path.join(pulumiDir, "history", proj, stack);
  const backupsDir = path.join(pulumiDir, "backups", proj, stack);
  const variants = [".json", ".json.gz", ".json.zst"].map((ext) => path.join(stacksDir, stack + ext));
  // Like the CLI: the most recently modified variant is the checkpoint.
  const checkpoint = variants
    .filter((f) => existsSync(f))
    .map(read)
    .sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
  const isCopy = (n: string) => /\.json(\.gz|\.zst)?$/.test(n) && !n.endsWith(".history.json");
  const sidecars = [
    ...[...variants, ...variants.map((f) => `${f}.bak`), path.join(stacksDir, `${stack}.pulumi-tags`)]
      .map((f) => `${f}.attrs`)
      .filter((f) => existsSync(f)),
    ...list(historyDir, (n) => n.endsWith(".attrs")),
    ...list(backupsDir, (n) => n.endsWith(".attrs")),
  ].map(read);
  const broken = checkpoint && "problem" in parseCheckpoint(checkpoint.bytes);
  const copies = broken
    ? [
        ...variants.map((f) => `${f}.bak`).filter((f) => existsSync(f)),
        ...list(historyDir, (n) => n.includes(".checkpoint.") && isCopy(n)),
        ...list(backupsDir, isCopy),
      ].map(read)
    : [];
  const plan = planCheckpointRepair({ stack: `${proj}/${stack}`, checkpoint, sidecars, copies });

  const stamp = new Date().toISOString().replace(/[-:]|\.\d+/g, "");
  const aside = (file: string) => {
    const to = `${file}.corrupt-${stamp}`;
    if (!dryRun) renameSync(file, to);
    return path.basename(to);
  };
  const verb = dryRun ? "would move" : "moved";
  for (const s of plan.sidecars) {
    console.log(
      `checkpoint: sidecar ${rel(s.path)} is ${s.problem}, so the CLI cannot read ${path.basename(s.path, ".attrs")}; ${verb} it aside to ${aside(s.path)}`,
    );
  }
  if (plan.broken) {
    const b = plan.broken;
    if (!b.restore) {
      throw new Error(
        `checkpoint: ${rel(b.path)} is ${b.problem} and no .bak, history or backup copy of ${proj}/${stack} parses; nothing restored`,
      );
    }
    const from = `${rel(b.restore.path)} (${b.restore.when.toISOString()})`;
    if (dryRun) {
      console.log(
        `checkpoint: ${rel(b.path)} is ${b.problem}; would restore ${from}, keeping the broken file`,
      );
    } else {
      let kept = aside(b.path);
      if (existsSync(`${b.path}.attrs`)) kept += ` (its sidecar as ${aside(`${b.path}.attrs`)})`;
      const tmp = `${b.path}.restoring-${stamp}`;
      writeFileSync(tmp, readFileSync(b.restore.path));
      renameSync(tmp, b.path);
      console.log(
        `checkpoint: ${rel(b.path)} was ${b.problem}; restored from ${from}, broken file kept as ${kept}`,
      );
    }
  }
  const repaired = plan.broken !== undefined || plan.sidecars.length > 0;
  if (checkpoint && !repaired) console.log(`checkpoint: ${rel(checkpoint.path)} sound`);
  if (repaired) {
    // `pulumi cancel` fails on a broken checkpoint too, so the killed run's lock may still be
    // there. Only a lock whose process is gone from this host is released.
    for (const line of releaseStaleLocks(root, proj, stack, dryRun)) console.log(`checkpoint: ${line}`);
  }
  return !dryRun || !repaired;
}

/**
 * Releases the locks of a stack on a local backend (`root`) that a process of this host left and
 * that no longer runs, as `pulumi cancel` would, but only those; names any other lock. Returns one
 * line per lock.
 */
export function releaseStaleLocks(root: string, project: string, stack: string, dryRun = false): string[] {
  const dir = path.join(root, ".pulumi", "locks", "organization", project, stack);
  const rel = (file: string) => path.relative(root, file);
  const lines: string[] = [];
  const locks = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(".json")) : [];
  for (const lock of locks.map((n) => path.join(dir, n))) {
    const bytes = readFileSync(lock);
    if (!lockIsStale(bytes, hostname(), processRunning)) {
      lines.push(
        `the stack stays locked by ${rel(lock)} (its process may run): \`pulumi cancel\` releases it`,
      );
      continue;
    }
    if (!dryRun) {
      rmSync(lock);
      rmSync(`${lock}.attrs`, { force: true });
    }
    const pid = JSON.parse(bytes.toString("utf8")).pid;
    lines.push(
      `lock ${rel(lock)} of a process that is gone (pid ${pid}, this host): ${dryRun ? "would release" : "released"} it`,
    );
  }
  return lines;
}

/**
 * A Linux process's state letter (`R`, `S`, `Z`, …) from /proc/<pid>/stat, or undefined where there
 * is no /proc or no such process. The command's name, in parentheses, may hold spaces: the state is
 * the first field after its closing parenthesis.
 */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat
      .slice(stat.lastIndexOf(")") + 1)
      .trim()
      .split(" ")[0];
  } catch {
    return undefined;
  }
}

/**
 * Whether a process of this host still runs, asked with signal 0 (which tests, and sends nothing).
 * EPERM means it runs as another user: alive, so its lock is never released. Only ESRCH, no such
 * process, counts as gone; any other answer counts as running, to err on the side of the lock. A
 * process that answers but has ended (a zombie: a `pulumi` killed with its parent stays one until
 * init collects it, a second or two) is gone: it holds nothing.
 */
export function processRunning(
  pid: number,
  kill: (pid: number, signal: 0) => void = (p, s) => void process.kill(p, s),
  state: (pid: number) => string | undefined = processState,
): boolean {
  try {
    kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
  const letter = state(pid);
  return letter !== "Z" && letter !== "X";
}
