#!/usr/bin/env node
/**
 * Replays (or runs) the model-based fault tests from the command line, e.g. the line a failing
 * run printed:
 *   node dist/scripts/model-replay.js --seed 42 --path "7:1:0" --replay-path "AAB" --max-steps 12
 * Without --path it runs --runs sequences from --seed (default random). Options: --level cli,
 * --pre-create-read false, --only I1,I3, --no-killed-ups, --no-shrink, --verbose. Needs
 * NODE_EXTRA_CA_CERTS set to the emulator's CA (`node emulator/dist/cli.js ca` prints its path).
 */
import { parseArgs } from "node:util";
import { InvariantId } from "intune-test-support/model/invariants";
import { formatFigures, runModel } from "intune-test-support/model/run";
import { runCliModel } from "intune-test-support/model/cli-model";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: "string" },
      path: { type: "string" },
      "replay-path": { type: "string" },
      runs: { type: "string" },
      "max-steps": { type: "string" },
      level: { type: "string", default: "provider" },
      "pre-create-read": { type: "string" },
      only: { type: "string" },
      "no-shrink": { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
      "no-killed-ups": { type: "boolean", default: false },
    },
  });
  const cli = values.level === "cli";
  const options = {
    ...(values.seed !== undefined && { seed: Number(values.seed) }),
    ...(values.path !== undefined && { path: values.path }),
    ...(values["replay-path"] !== undefined && { replayPath: values["replay-path"] }),
    // Defaults: the npm test configuration, or the CLI level's 30 sequences of ≤ 14 steps.
    numRuns: Number(values.runs ?? (cli ? 30 : 150)),
    maxSteps: Number(values["max-steps"] ?? (cli ? 14 : 12)),
    ...(values["pre-create-read"] !== undefined && { preCreateRead: values["pre-create-read"] !== "false" }),
    ...(values.only !== undefined && { only: values.only.split(",") as InvariantId[] }),
    shrink: !values["no-shrink"],
    killedUps: !values["no-killed-ups"],
    ...(values.verbose && { log: (line: string) => console.log(line) }),
  };
  const figures = cli ? await runCliModel(options) : await runModel(options);
  console.log(formatFigures(figures));
  return figures.violations ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
