/**
 * A client-side rate limiter, shared by every resource of one provider process, so a large stack
 * stays inside Intune's limits instead of storming the service and living on 429s.
 * Defaults are the Intune ODJ service limits (logic/limits.ts).
 */
import { Clock, realClock } from "../config/clock";
import { INTUNE_ODJ_LIMITS, RateLimits } from "../logic/limits";

/** Ends a slot: the request's answer came back, or its attempt failed. Calling it again does nothing. */
export type SettleSlot = () => void;

interface Slot {
  write: boolean;
  /** When the answer came back; undefined while the request is in flight. */
  settledAt?: number;
}

/**
 * Sliding-window limiter: a request may start when the window holds fewer than the limit. A slot
 * counts from its start until a window after it settles; while in flight it holds its place.
 */
export class RequestLimiter {
  private slots: Slot[] = [];
  // Requests of one kind wait in arrival order; reads have their own line so they never wait
  // behind writes held back by the write limit.
  private readonly queues = { read: Promise.resolve(), write: Promise.resolve() };
  /** Resolved (and replaced) whenever a slot settles: a waiter blocked by requests in flight wakes. */
  private wakeWaiters: () => void = () => undefined;
  private settled = this.nextSettle();

  constructor(
    readonly limits: RateLimits = INTUNE_ODJ_LIMITS,
    private readonly clock: Clock = realClock,
  ) {}

  /** Waits until one more request of this kind fits in the window, then holds a slot for it. */
  acquire(isWrite: boolean): Promise<SettleSlot> {
    const line = isWrite ? "write" : "read";
    const turn = this.queues[line].then(() => this.waitForSlot(isWrite));
    this.queues[line] = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async waitForSlot(isWrite: boolean): Promise<SettleSlot> {
    for (;;) {
      const now = this.clock.now();
      const horizon = now - this.limits.windowMs;
      this.slots = this.slots.filter((s) => s.settledAt === undefined || s.settledAt > horizon);
      const waitAll = this.waitFor(this.slots, this.limits.all, now);
      const waitWrite = isWrite
        ? this.waitFor(
            this.slots.filter((s) => s.write),
            this.limits.writes,
            now,
          )
        : 0;
      const wait = Math.max(waitAll, waitWrite);
      if (wait <= 0) {
        const slot: Slot = { write: isWrite };
        this.slots.push(slot);
        return () => {
          if (slot.settledAt !== undefined) return;
          slot.settledAt = this.clock.now();
          const wake = this.wakeWaiters;
          this.settled = this.nextSettle();
          wake();
        };
      }
      // Woken by the time the first settled slot leaves the window, or by a slot settling.
      const wake = this.settled;
      await (Number.isFinite(wait) ? Promise.race([this.clock.sleep(wait), wake]) : wake);
    }
  }

  private nextSettle(): Promise<void> {
    return new Promise<void>((resolve) => (this.wakeWaiters = resolve));
  }

  /**
   * How long until one of `slots` leaves the window when they fill it: the earliest settled
   * slot's expiry, Infinity when all are in flight, 0 when there is room.
   */
  private waitFor(slots: Slot[], limit: number, now: number): number {
    if (slots.length < limit) return 0;
    let earliest = Infinity;
    for (const s of slots) if (s.settledAt !== undefined) earliest = Math.min(earliest, s.settledAt);
    return earliest + this.limits.windowMs - now;
  }
}
