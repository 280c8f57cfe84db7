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
