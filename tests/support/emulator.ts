/** Emulators that this test process trusts: the one way tests, soak and their helpers start one. */
import * as path from "node:path";
import { Emulator, EmulatorOptions, startEmulator } from "intune-graph-emulator";

/**
 * The CA folder. Node reads NODE_EXTRA_CA_CERTS once at start-up, so the tests can only trust the
 * CA named there; every emulator under test must use that folder.
 */
export function trustedStateDir(): string {
  const caFile = process.env.NODE_EXTRA_CA_CERTS;
  if (!caFile) {
    throw new Error(
      "NODE_EXTRA_CA_CERTS is not set: run `node emulator/dist/cli.js ca` and start mocha with NODE_EXTRA_CA_CERTS=<that path>",
    );
  }
  return path.dirname(caFile);
}

export function startTestEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ stateDir: trustedStateDir(), ...options });
}

type Seed = EmulatorOptions["seed"];

/** What `useEmulator` starts, and what each test starts from. */
export interface UseEmulatorOptions extends EmulatorOptions {
  /**
   * Before each test the emulator is reset (connectors, request log, faults, throttle, clock and
   * runtime options) and seeded again: with the start seed by default, or with `{ seed }` (a
   * function is called before each test, for seeds relative to the time).
   * `false`: no reset, for suites whose tests build on each other or reset it themselves.
   */
  reset?: boolean | { seed: Seed | (() => Seed) };
}

/**
 * The one emulator set-up of a mocha suite: call it in a `describe` body. It registers a `before`
 * hook that starts an emulator (trusted by this process), a `beforeEach` that resets it (see
 * `reset`), and an `after` that closes it. Hooks run in the order they are registered, so the
 * suite's own `before`/`beforeEach` hooks written after this call see the emulator started and
 * reset.
 *
 * Returns a handle that stands for the running emulator: `handle.summary()` is the started
 * emulator's `summary()`. Using it outside the suite's tests and hooks — before the `before` hook
 * ran or after `after` closed it — throws. `options` may be a function, called in the `before`
 * hook, when the start options depend on what an earlier hook made (a token issuer's URL).
 */
export function useEmulator(options: UseEmulatorOptions | (() => UseEmulatorOptions) = {}): Emulator {
  let running: Emulator | undefined;
  let resetTo: { seed?: Seed | (() => Seed) } | undefined;
  before(async () => {
    const { reset = true, ...start } = typeof options === "function" ? options() : options;
    resetTo = reset === false ? undefined : reset === true ? {} : { seed: reset.seed };
    running = await startTestEmulator(start);
  });
  beforeEach(() => {
    if (!resetTo) return;
    const { seed } = resetTo;
    running?.reset({ seed: typeof seed === "function" ? seed() : seed });
  });
  after(async () => {
    const closing = running;
    running = undefined;
    await closing?.close();
  });
  const current = (): Emulator => {
    if (running) return running;
    throw new Error("useEmulator: the emulator runs only during the suite's hooks and tests");
  };
  return new Proxy({} as Emulator, {
    get(_target, property) {
      const emulator = current();
      const value: unknown = Reflect.get(emulator, property, emulator);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(emulator) : value;
    },
    set(_target, property, value) {
      return Reflect.set(current(), property, value);
    },
    has(_target, property) {
      return Reflect.has(current(), property);
    },
    getPrototypeOf() {
      return Reflect.getPrototypeOf(current());
    },
  });
}
