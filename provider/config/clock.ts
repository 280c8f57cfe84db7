/**
 * Time, as the provider's waits see it: an injectable clock, so tests and the model run retries,
 * the limiter's window and the token cache's expiry on fake time. Below auth/ and graph/, which
 * both wait on it.
 */

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
