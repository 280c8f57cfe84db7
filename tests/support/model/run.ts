/**
 * Runs the model: fast-check generates command sequences, each one runs against a freshly reset
 * emulator and a new stack, every stack command is checked against I1–I3 and I5, and the sequence
 * ends with the settling run of I4. A failure is shrunk and reported with its seed, the shrunk
 * commands and the line that replays it. `npm test` runs it with a fixed seed (model.test.ts);
 * `npm run soak` calls `runModel` with more runs and any seed; level "cli" uses the real CLI
 * (cli-model.ts). From a shell (NODE_EXTRA_CA_CERTS = the emulator's CA):
 *   node dist/scripts/model-replay.js --seed 7 --runs 400 [--level cli] [--verbose]
 */
import * as fc from "fast-check";
import { VARIANT_CHOICES, type Emulator, type ServiceVariants } from "intune-graph-emulator";
import { DomainJoinConnectorProvider } from "pulumi-intune-domain-join/internal/connector/provider";
import { CliWorld } from "./cli-model";
import { Model, ModelCommand, modelCommands } from "./commands";
import { ALL_INVARIANTS, InvariantId, ModelViolation } from "./invariants";
import { ProviderForm, ProviderWorld, SEEDED, World, startModelEmulator } from "./world";

export interface ModelRunOptions {
  /** Default: random (printed in the figures, so a failing soak can be replayed). */
  seed?: number;
  numRuns: number;
  /** Commands per sequence, at most. */
  maxSteps: number;
  /** "provider": the engine stand-in (fast); "cli": the real pulumi CLI (see cli-model.ts). */
  level?: "provider" | "cli";
  /** Provider option; false switches off the ownership guard (the planted bug). */
  preCreateRead?: boolean;
  /**
   * Provider level: which form the engine stand-in drives — the dynamic provider (default) or the
   * intune plugin's provider, configured by provider config as the engine configures it.
   */
  form?: ProviderForm;
  /** Include killed `up`s + repair-pending (default true). */
  killedUps?: boolean;
  /** Weight faults toward the command right after them (the real CLI level; see commands.ts). */
  faultBias?: boolean;
  /** Invariants that count as violations (default all). */
  only?: readonly InvariantId[];
  /** Replay: fast-check's counterexample path, and the commands' replay path. */
  path?: string;
  replayPath?: string;
  /** Shrink a failure (default true). */
  shrink?: boolean;
  /** Stop running (and shrinking) sequences after this long; unset: no limit. */
  timeLimitMs?: number;
  /** Called after each sequence with its journal (progress for long runs). */
  log?: (line: string) => void;
}

export interface ModelFailure {
  invariants: InvariantId[];
  /** The violation, then the journal of the shrunk sequence (what each command resolved to). */
  message: string;
  /** The shrunk sequence, one command a line. */
  commands: string[];
  path: string;
  replayPath?: string;
  /** A shell line that replays it. */
  replay: string;
}

/** What one sequence's service is: a value of every variant (emulator/graph/variants.ts) and a page size. */
export interface ServiceChoice {
  variants: ServiceVariants;
  pageSize: number;
}

/** Figures of the sequences run under one value of one variant ("patchResponse=no-content"). */
export interface VariantFigures {
  sequences: number;
  steps: number;
  faults: number;
  /** Fault commands whose rule shaped at least one request. */
  faultsHit: number;
  violations: number;
}

export interface ModelFigures {
  seed: number;
  /** Sequences run, shrinking included. */
  sequences: number;
  /** Commands run. */
  steps: number;
  /** Fault commands injected; those whose rule shaped at least one request; Graph requests shaped. */
  faults: number;
  faultsHit: number;
  faultHits: number;
  /** Failing sequences found (fast-check stops at the first and shrinks it): 0 or 1. */
  violations: number;
  /** The same figures per value of each variant, e.g. "patchResponse=no-content", "pageSize=2". */
  byVariant: Record<string, VariantFigures>;
  wallMs: number;
  failure?: ModelFailure;
}

/**
 * One service per sequence: each variant's values, and page sizes of 2 (a tenant of a few
 * connectors spans pages) and 100. fast-check shrinks toward the first value, the default.
 */
export function serviceChoices(): fc.Arbitrary<ServiceChoice> {
  const variants = Object.fromEntries(
    Object.entries(VARIANT_CHOICES).map(([name, values]) => [name, fc.constantFrom(...(values as string[]))]),
  ) as { [K in keyof ServiceVariants]: fc.Arbitrary<ServiceVariants[K]> };
  return fc.record({ variants: fc.record(variants), pageSize: fc.constantFrom(100, 2) });
}

/** "patchResponse=no-content" for each variant of a choice, and its page size. */
export function describeChoice(choice: ServiceChoice): string[] {
  return [...Object.entries(choice.variants).map(([k, v]) => `${k}=${v}`), `pageSize=${choice.pageSize}`];
}

/** A fresh world for one sequence (default: by level). */
export type WorldFactory = (emulator: Emulator) => Promise<World> | World;

export async function runModel(options: ModelRunOptions, makeWorld?: WorldFactory): Promise<ModelFigures> {
  const started = Date.now();
  const seed = options.seed ?? (Math.random() * 2 ** 31) | 0;
  const only = options.only ?? ALL_INVARIANTS;
  const figures: ModelFigures = {
    seed,
    sequences: 0,
    steps: 0,
    faults: 0,
    faultsHit: 0,
    faultHits: 0,
    violations: 0,
    byVariant: {},
    wallMs: 0,
  };
  const emulator = await startModelEmulator();
  const preCreateRead = options.preCreateRead;
  const factory: WorldFactory =
    makeWorld ??
    (options.level === "cli"
      ? (emu) => CliWorld.create(emu, only)
      : (emu) =>
          new ProviderWorld(emu, {
            only,
            form: options.form ?? "dynamic",
            ...(preCreateRead !== undefined && { preCreateRead }),
          }));
  try {
    const commands = fc.commands(
      modelCommands({
        allowDuplicate: await knowsAllowDuplicate(),
        killedUps: options.killedUps ?? true,
        faultBias: options.faultBias ?? false,
      }),
      {
        maxCommands: options.maxSteps,
        size: "max",
        ...(options.replayPath !== undefined && { replayPath: options.replayPath }),
      },
    );
    const property = fc.asyncProperty(serviceChoices(), commands, async (service, sequence) => {
      emulator.reset({ seed: SEEDED });
      emulator.setOptions({ variants: service.variants, pageSize: service.pageSize });
      const world = await factory(emulator);
      const sequenceStarted = Date.now();
      figures.sequences++;
      try {
        await fc.asyncModelRun(() => ({ model: { names: [], next: 0 } as Model, real: world }), sequence);
        await world.settle();
      } catch (error) {
        if (error instanceof Error) {
          error.message += `\n  service: ${describeChoice(service).join(", ")}`;
          error.message += `\n  journal: ${world.journal.join(" ; ")}`;
        }
        throw error;
      } finally {
        const log = emulator.requestLog();
        const labels = new Set(log.map((e) => e.faultLabel));
        const hit = world.faultLabels.filter((label) => labels.has(label)).length;
        figures.steps += world.stats.steps;
        figures.faults += world.stats.faults;
        figures.faultsHit += hit;
        figures.faultHits += log.filter((e) => e.fault !== undefined).length;
        for (const key of describeChoice(service)) {
          const v = (figures.byVariant[key] ??= {
            sequences: 0,
            steps: 0,
            faults: 0,
            faultsHit: 0,
            violations: 0,
          });
          v.sequences++;
          v.steps += world.stats.steps;
          v.faults += world.stats.faults;
          v.faultsHit += hit;
        }
        await world.close();
        const took = ((Date.now() - sequenceStarted) / 1000).toFixed(1);
        options.log?.(
          `sequence ${figures.sequences} (${took} s, ${describeChoice(service).join(" ")}): ${world.journal.join(" ; ") || "(empty)"}`,
        );
      }
    });
    const details = await fc.check(property, {
      seed,
      numRuns: options.numRuns,
      ...(options.path !== undefined && { path: options.path }),
      endOnFailure: options.shrink === false,
      ...(options.timeLimitMs !== undefined && { skipAllAfterTimeLimit: options.timeLimitMs }),
    });
    if (details.failed && details.counterexample) {
      figures.violations = 1;
      figures.failure = describeFailure(details, options, [...details.counterexample[1]]);
      // The shrunk counterexample's service is the one that violates.
      for (const key of describeChoice(details.counterexample[0])) {
        (figures.byVariant[key] ??= {
          sequences: 0,
          steps: 0,
          faults: 0,
          faultsHit: 0,
          violations: 0,
        }).violations = 1;
      }
    }
  } finally {
    await emulator.close();
    figures.wallMs = Date.now() - started;
  }
  return figures;
}

function describeFailure(
  details: fc.RunDetails<[ServiceChoice, Iterable<ModelCommand>]>,
  options: ModelRunOptions,
  sequence: ModelCommand[],
): ModelFailure {
  const error = details.errorInstance;
  const message = error instanceof Error ? error.message : String(error);
  const invariants =
    error instanceof ModelViolation ? [...new Set(error.violations.map((v) => v.invariant))] : [];
  const replayPath = /replayPath="([^"]*)"/.exec(String(details.counterexample?.[1]))?.[1];
  const path = details.counterexamplePath ?? "";
  const args = [
    `--seed ${details.seed}`,
    `--path "${path}"`,
    replayPath ? `--replay-path "${replayPath}"` : "",
    `--max-steps ${options.maxSteps}`,
    options.level === "cli" ? "--level cli" : "",
    options.preCreateRead === false ? "--pre-create-read false" : "",
    options.only ? `--only ${options.only.join(",")}` : "",
    options.killedUps === false ? "--no-killed-ups" : "",
  ];
  return {
    invariants,
    message,
    // Only the commands that ran (a command whose precondition failed was skipped).
    commands: sequence.filter((c) => (c as { hasRan?: boolean }).hasRan !== false).map((c) => c.toString()),
    path,
    ...(replayPath !== undefined && { replayPath }),
    replay: `node dist/scripts/model-replay.js ${args.filter(Boolean).join(" ")}`,
  };
}

/** Whether the provider accepts allowDuplicateDisplayName (only then do sequences use it). */
async function knowsAllowDuplicate(): Promise<boolean> {
  const result = await new DomainJoinConnectorProvider().check(
    {},
    { displayName: "x", allowDuplicateDisplayName: true },
  );
  return !result.failures?.length;
}

/** The figures and any failure as text, for a person. */
export function formatFigures(figures: ModelFigures): string {
  const lines = [
    `model: ${figures.sequences} sequences, ${figures.steps} steps, ${figures.faults} faults ` +
      `(${figures.faultsHit} hit a request; ${figures.faultHits} requests shaped), ${figures.violations} violation(s), seed ${figures.seed}, ` +
      `${(figures.wallMs / 1000).toFixed(1)} s`,
  ];
  const f = figures.failure;
  if (f) {
    lines.push(
      `violated: ${f.invariants.join(", ") || "(error)"}`,
      ...f.message.split("\n").map((l) => `  ${l}`),
      "shrunk sequence:",
      ...f.commands.map((c, i) => `  ${i + 1}. ${c}`),
      `replay: ${f.replay}`,
    );
  }
  return lines.join("\n");
}
