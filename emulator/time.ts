// Timestamps in the formats the real services use.

/** What Intune reports for a connector that never checked in (.NET's DateTimeOffset.MinValue). */
export const NEVER_CONNECTED = "0001-01-01T00:00:00Z";
const NEVER_CONNECTED_MS = Date.parse(NEVER_CONNECTED);

/**
 * A DateTimeOffset as Intune serialises it: UTC with a 7-digit fraction (100 ns ticks) and `Z`.
 * JavaScript clocks stop at milliseconds, so the last four digits come from the monotonic clock:
 * the values look like the service's, and two stamps taken in the same millisecond still differ.
 */
export function serviceTimestamp(ms: number = Date.now()): string {
  const whole = Math.floor(ms);
  const subMs = Number(process.hrtime.bigint() % 10000n);
  const fraction = String(whole % 1000).padStart(3, "0") + String(subMs).padStart(4, "0");
  return `${new Date(whole).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** Milliseconds since the epoch of a service timestamp, or NaN when it is not a date. */
export function timestampMs(value: string): number {
  return Date.parse(value);
}

export function isNeverConnected(value: string): boolean {
  return timestampMs(value) === NEVER_CONNECTED_MS;
}

/** Bring a caller-supplied date (any ISO 8601 form) into the service's format; throws if not a date. */
export function normalizeTimestamp(value: string): string {
  const ms = timestampMs(value);
  if (Number.isNaN(ms)) throw new Error(`'${value}' is not an ISO 8601 date and time`);
  if (ms === NEVER_CONNECTED_MS) return NEVER_CONNECTED;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}0000Z`;
}

/** `innerError.date` in Graph errors: UTC without zone or fraction, e.g. 2025-01-22T19:17:04. */
export function innerErrorDate(at: Date): string {
  return at.toISOString().slice(0, 19);
}

/** Entra's `timestamp` field and error_description trailer: "2025-01-22 19:17:04Z". */
export function entraTimestamp(at: Date): string {
  return `${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 19)}Z`;
}

/**
 * The service's clock for everything a connector's life depends on (heartbeats, state, removal):
 * real time plus an offset that tests and demos move forward, so that an hour of silence takes no
 * hour. Tokens and throttling windows stay on real time: a token checked by a library that reads
 * the real clock must not expire because a test skipped a day.
 */
export class ServiceClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the clock forward; returns the new time. */
  advance(ms: number): number {
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0)
      throw new Error(`the clock moves forward only: give a number of milliseconds ≥ 0, got ${String(ms)}`);
    this.offsetMs += ms;
    return this.now();
  }

  /** Back to real time (emulator reset). */
  reset(): void {
    this.offsetMs = 0;
  }
}
