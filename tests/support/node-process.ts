/**
 * A package bin run as a user runs it: a child Node process with the given environment. It is
 * asynchronous because the emulator answering it runs in the test's own process.
 */
import { execFile } from "node:child_process";

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runNode(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  /** The working directory: a Pulumi program's, for the tools that open its stack. */
  cwd?: string,
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, ...args],
      { env: { ...process.env, ...env }, cwd },
      (error, stdout, stderr) => {
        const code = error ? (error as { code?: unknown }).code : 0;
        if (typeof code !== "number") reject(error ?? new Error("no exit code"));
        else resolve({ code, stdout, stderr });
      },
    );
  });
}
