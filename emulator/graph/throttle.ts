// Intune's ODJ service limits: per app per tenant and per tenant, writes and all requests, over a
// sliding window. Sliding (a log of timestamps) rather than fixed buckets, so that Retry-After can
// say exactly when the oldest counted request leaves the window.
import type { ThrottleOptions } from "../types";

export type ThrottleSettings = Required<ThrottleOptions>;

export const DEFAULT_THROTTLE: ThrottleSettings = {
  enabled: true,
  windowMs: 20_000,
  appWrites: 100,
  appAll: 1000,
  tenantWrites: 200,
  tenantAll: 2000,
  retryAfter: true,
};

export type ThrottleDecision = { throttled: false } | { throttled: true; retryAfterMs: number };

export function mergeThrottle(base: ThrottleSettings, patch: ThrottleOptions = {}): ThrottleSettings {
  const merged: ThrottleSettings = { ...base };
  for (const [key, value] of Object.entries(patch) as [keyof ThrottleSettings, unknown][]) {
    if (value === undefined) continue;
    if (key === "enabled" || key === "retryAfter") {
      if (typeof value !== "boolean") throw new Error(`throttle.${key} must be true or false`);
      merged[key] = value;
    } else if (key in DEFAULT_THROTTLE) {
      if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
        throw new Error(`throttle.${key} must be a whole number ≥ 1`);
      }
      merged[key] = value;
    } else {
      throw new Error(`unknown throttle option '${String(key)}'`);
    }
  }
  return merged;
}

export class Throttle {
  /** Window key → timestamps (ms) of the requests counted in it, oldest first. */
  private readonly windows = new Map<string, number[]>();

  constructor(private settings: ThrottleSettings = DEFAULT_THROTTLE) {}

  get current(): ThrottleSettings {
    return { ...this.settings };
  }

  configure(settings: ThrottleSettings): void {
    this.settings = settings;
  }

  reset(): void {
    this.windows.clear();
  }

  /**
   * Count a request, and say whether it is over a limit. A throttled request counts too, as
   * Microsoft documents ("all requests accrue against your usage limits"; "Microsoft Graph continues
   * to log resource usage while a client is being throttled", throttling.md): a client that retries
   * at once stays throttled longer, one that waits for Retry-After gets through.
   */
  admit(appId: string, isWrite: boolean, now = Date.now()): ThrottleDecision {
    const s = this.settings;
    if (!s.enabled) return { throttled: false };
    const limits: [string, number][] = [
      [`app-all:${appId}`, s.appAll],
      ["tenant-all", s.tenantAll],
    ];
    if (isWrite) limits.push([`app-writes:${appId}`, s.appWrites], ["tenant-writes", s.tenantWrites]);

    let retryAfterMs = 0;
    for (const [key, limit] of limits) {
      const times = this.prune(key, now);
      const over = times.length >= limit;
      times.push(now);
      // Over: the request (this one counted) that must leave the window before one more fits.
      if (over) retryAfterMs = Math.max(retryAfterMs, times[times.length - limit] + s.windowMs - now);
    }
    return retryAfterMs > 0 ? { throttled: true, retryAfterMs } : { throttled: false };
  }

  private prune(key: string, now: number): number[] {
    let times = this.windows.get(key);
    if (!times) {
      times = [];
      this.windows.set(key, times);
    }
    const cutoff = now - this.settings.windowMs;
    let drop = 0;
    while (drop < times.length && times[drop] <= cutoff) drop++;
    if (drop > 0) times.splice(0, drop);
    return times;
  }
}

/** Retry-After in seconds, fractional like Intune's ("2.128"). */
export function formatRetryAfter(ms: number): string {
  return String(Math.max(1, Math.ceil(ms)) / 1000);
}
