/**
 * A client-side rate limiter, shared by every resource of one provider process, so a large stack
 * stays inside Intune's limits instead of storming the service and living on 429s.
 * Defaults are the Intune ODJ service limits per app per tenant: 100 writes and 1000 requests
 * of any kind per 20 seconds.
 */

export interface RateLimits {
  /** Window length. Default 20 000 ms. */
  windowMs: number;
  /** Writes (POST, PATCH, PUT, DELETE) allowed per window. Default 100. */
  writes: number;
  /** Requests of any kind allowed per window. Default 1000. */
  all: number;
}

// A second of margin on the 20 s window: the service counts arrivals, this counts departures, and
// latency and clock skew between the two would otherwise let a few requests in early.
export const INTUNE_ODJ_LIMITS: RateLimits = { windowMs: 21_000, writes: 100, all: 1000 };

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Sliding-window limiter: a request may start when the window holds fewer than the limit. */
export class RequestLimiter {
  private readonly writes: number[] = [];
  private readonly all: number[] = [];
  // Requests of one kind wait in arrival order; reads have their own line so they never wait
  // behind writes held back by the write limit.
  private readonly queues = { read: Promise.resolve(), write: Promise.resolve() };

  constructor(
    readonly limits: RateLimits = INTUNE_ODJ_LIMITS,
    private readonly clock: Clock = realClock,
  ) {}

  /** Waits until one more request of this kind fits in the window, then records it. */
  acquire(isWrite: boolean): Promise<void> {
    const line = isWrite ? "write" : "read";
    const turn = this.queues[line].then(() => this.waitForSlot(isWrite));
    this.queues[line] = turn.catch(() => undefined);
    return turn;
  }

  private async waitForSlot(isWrite: boolean): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      prune(this.writes, now - this.limits.windowMs);
      prune(this.all, now - this.limits.windowMs);
      const waitAll = this.all.length >= this.limits.all ? this.all[0] + this.limits.windowMs - now : 0;
      const waitWrite =
        isWrite && this.writes.length >= this.limits.writes ? this.writes[0] + this.limits.windowMs - now : 0;
      const wait = Math.max(waitAll, waitWrite);
      if (wait <= 0) {
        this.all.push(now);
        if (isWrite) this.writes.push(now);
        return;
      }
      await this.clock.sleep(wait);
    }
  }
}

function prune(times: number[], olderThan: number): void {
  while (times.length > 0 && times[0] <= olderThan) times.shift();
}
