/**
 * Shared set-up for integration tests: providers that reach an emulator (intune-test-support/emulator)
 * over real HTTPS with the real @azure/identity, configured the way users configure them (environment).
 */
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Emulator, clientEnvironment } from "intune-graph-emulator";
import {
  DomainJoinConnectorProvider,
  ProviderEnvironment,
} from "pulumi-intune-domain-join/internal/connector/provider";

/** Environment variables that point a provider at the emulator as the given app. */
export function emulatorEnv(emulator: Emulator, appName = "writer"): NodeJS.ProcessEnv {
  return clientEnvironment(emulator, appName);
}

const TEST_JOURNAL = path.join(tmpdir(), `intune-tests-journal-${process.pid}`);

/** Retry budget small enough for tests, same behaviour. */
export const FAST_RETRY = {
  baseDelayMs: 20,
  maxDelayMs: 200,
  maxRetryAfterMs: 2000,
  requestTimeoutMs: 2000,
  deadlineMs: 20_000,
};

export interface TestProvider {
  provider: DomainJoinConnectorProvider;
  warnings: string[];
}

/** What a test provider is given: the emulator's settings as its environment, fast timings, warnings kept. */
export function providerEnvironment(
  emulator: Emulator,
  appName = "writer",
  overrides: Partial<ProviderEnvironment> & { env?: NodeJS.ProcessEnv } = {},
  warnings: string[] = [],
): ProviderEnvironment {
  const { env, ...rest } = overrides;
  return {
    warn: (m) => warnings.push(m),
    retry: FAST_RETRY,
    apiOptions: { readAfterWriteMs: 1000, reconcileMs: 1000 },
    // Calls here come from the test, not a program's registrations: nothing to wait for, unless
    // the test asks (tests/integration/one-owner.test.ts).
    claimsSettleMs: 0,
    ...rest,
    // Notes of POSTs in flight go to a folder of this test process, not the machine's shared one.
    env: { ...emulatorEnv(emulator, appName), INTUNE_CREATE_JOURNAL: TEST_JOURNAL, ...env },
  };
}

export function providerFor(
  emulator: Emulator,
  appName = "writer",
  overrides: Partial<ProviderEnvironment> & { env?: NodeJS.ProcessEnv } = {},
): TestProvider {
  const warnings: string[] = [];
  const provider = new DomainJoinConnectorProvider(
    providerEnvironment(emulator, appName, overrides, warnings),
  );
  return { provider, warnings };
}

/**
 * The requests the emulator logged, in order: "token" for each token issued (OpenID discovery
 * left out), "METHOD status" for Graph; admin calls left out.
 */
export function graphCalls(emulator: Emulator): string[] {
  return emulator
    .requestLog()
    .filter((e) => e.kind === "graph" || (e.kind === "token" && e.method === "POST"))
    .map((e) => (e.kind === "token" ? "token" : `${e.method} ${e.status}`));
}
