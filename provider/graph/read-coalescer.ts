/**
 * Refresh at scale: `pulumi refresh` calls `read` for every resource at once, in one provider
 * process. Reads that arrive close together are answered from one paged list of the connectors
 * instead of one GET each — 5 requests instead of 500 for 500 connectors at Graph's page size.
 *
 * - A batch collects reads until none has arrived for `windowMs` (at most `maxWaitMs` after the
 *   first). A batch of `threshold` reads or fewer is served by plain GETs, one each.
 * - A connector missing from the list is confirmed by its own GET before being reported gone, so a
 *   stale or partial list never drops a resource from state.
 * - An error of the list fails every read of the batch (nothing is reported gone on an error).
 */
import type { GraphConnector } from "../logic/schema";
import { SETTINGS, fromEnvironment } from "../auth/settings";

/** What the coalescer needs from the connectors API (ConnectorsApi fits). */
export interface ConnectorReader {
  list(): Promise<GraphConnector[]>;
  get(id: string): Promise<GraphConnector | undefined>;
}

export interface ReadCoalescerOptions {
  /** A batch closes when no read has arrived for this long. Default 20 ms. */
  windowMs?: number;
  /** …or this long after its first read, whichever comes first. Default 250 ms. */
  maxWaitMs?: number;
  /** A batch with more reads than this is served by one list; otherwise by GETs. Default 4. */
  threshold?: number;
  /** Timers, replaceable in tests. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  now?: () => number;
}

interface Waiter {
  id: string;
  resolve: (connector: GraphConnector | undefined) => void;
  reject: (error: unknown) => void;
}

interface Batch {
  waiters: Waiter[];
  openedAt: number;
  timer: unknown;
}

/** Counters of how reads were served, for tests and benchmarks. */
export interface CoalescerStats {
  reads: number;
  lists: number;
  gets: number;
  confirmations: number;
}

export class ReadCoalescer {
  private readonly windowMs: number;
  private readonly maxWaitMs: number;
  private readonly threshold: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly now: () => number;
  private batch: Batch | undefined;
  readonly stats: CoalescerStats = { reads: 0, lists: 0, gets: 0, confirmations: 0 };

  constructor(
    private readonly reader: ConnectorReader,
    options: ReadCoalescerOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 20;
    this.maxWaitMs = options.maxWaitMs ?? 250;
    this.threshold = options.threshold ?? 4;
    this.setTimer =
      options.setTimer ??
      ((fn, ms) => {
        const handle = setTimeout(fn, ms);
        handle.unref?.();
        return handle;
      });
    this.clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as NodeJS.Timeout));
    this.now = options.now ?? Date.now;
  }

  /** The connector, or undefined when it is gone (confirmed by its own GET). */
  read(id: string): Promise<GraphConnector | undefined> {
    this.stats.reads++;
    return new Promise((resolve, reject) => {
      const now = this.now();
      if (!this.batch) this.batch = { waiters: [], openedAt: now, timer: undefined };
      const batch = this.batch;
      batch.waiters.push({ id, resolve, reject });
      if (batch.timer !== undefined) this.clearTimer(batch.timer);
      const wait = Math.max(0, Math.min(this.windowMs, batch.openedAt + this.maxWaitMs - now));
      batch.timer = this.setTimer(() => this.flush(batch), wait);
    });
  }

  private flush(batch: Batch): void {
    if (this.batch === batch) this.batch = undefined;
    const { waiters } = batch;
    if (waiters.length > this.threshold) void this.serveFromList(waiters);
    else for (const waiter of waiters) void this.serveByGet(waiter);
  }

  private async serveByGet(waiter: Waiter): Promise<void> {
    this.stats.gets++;
    try {
      waiter.resolve(await this.reader.get(waiter.id));
    } catch (error) {
      waiter.reject(error);
    }
  }

  private async serveFromList(waiters: Waiter[]): Promise<void> {
    this.stats.lists++;
    let byId: Map<string, GraphConnector>;
    try {
      const all = await this.reader.list();
      byId = new Map(all.map((c) => [c.id.toLowerCase(), c]));
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    for (const waiter of waiters) {
      const found = byId.get(waiter.id.toLowerCase());
      if (found) waiter.resolve(found);
      else {
        // Not in the list: maybe gone, maybe a list that lags. Only its own GET decides.
        this.stats.confirmations++;
        void this.serveByGet(waiter);
      }
    }
  }
}

/**
 * Coalescing is off unless INTUNE_READ_COALESCING is 1, true or on. `npm run bench` measured it: at
 * N = 500 and `--parallel 64` a refresh makes 40 requests instead of 500, but takes longer (each
 * batch waits for a whole list, page after page), and at Pulumi's default parallelism (8) batches
 * are too small to pay for a list. Turn it on when the request budget (1000 per 20 s per app,
 * shared with other tools) matters more than refresh time.
 */
export function coalescingEnabled(env: NodeJS.ProcessEnv): boolean {
  const value = fromEnvironment(SETTINGS.readCoalescing, env)?.trim().toLowerCase();
  return value === "1" || value === "true" || value === "on";
}

const coalescers = new WeakMap<ConnectorReader, ReadCoalescer>();

/** The coalescer of one connectors API (one per connection, so per process and credential). */
export function coalescerFor(reader: ConnectorReader, options?: ReadCoalescerOptions): ReadCoalescer {
  let coalescer = coalescers.get(reader);
  if (!coalescer) {
    coalescer = new ReadCoalescer(reader, options);
    coalescers.set(reader, coalescer);
  }
  return coalescer;
}
