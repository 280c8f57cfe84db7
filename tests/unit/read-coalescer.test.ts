import { expect } from "chai";
import type { GraphConnector } from "pulumi-intune-domain-join/internal/logic/schema";
import {
  ConnectorReader,
  ReadCoalescer,
  coalescerFor,
  coalescingEnabled,
} from "pulumi-intune-domain-join/internal/graph/read-coalescer";

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const connector = (n: number): GraphConnector =>
  ({ id: ID(n), displayName: `c${n}`, state: "active" }) as GraphConnector;

/** A reader over a fixed tenant, counting calls; the list may leave connectors out or fail. */
class FakeReader implements ConnectorReader {
  lists = 0;
  gets: string[] = [];
  listError: Error | undefined;
  hiddenFromList = new Set<string>();
  getErrors = new Map<string, Error>();
  constructor(public tenant: GraphConnector[]) {}
  async list() {
    this.lists++;
    await new Promise((r) => setTimeout(r, 1));
    if (this.listError) throw this.listError;
    return this.tenant.filter((c) => !this.hiddenFromList.has(c.id));
  }
  async get(id: string) {
    this.gets.push(id);
    const error = this.getErrors.get(id);
    if (error) throw error;
    return this.tenant.find((c) => c.id === id);
  }
}

/** setTimeout on a clock that moves only when the test says; records when timers fired. */
class ManualTimers {
  private time = 0;
  private pending: { id: number; at: number; fn: () => void }[] = [];
  private nextId = 1;
  readonly fired: number[] = [];
  now = () => this.time;
  set = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.pending.push({ id, at: this.time + ms, fn });
    return id;
  };
  clear = (handle: unknown) => {
    this.pending = this.pending.filter((t) => t.id !== handle);
  };
  advanceTo(time: number): void {
    for (;;) {
      const due = this.pending.filter((t) => t.at <= time).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = due.at;
      this.clear(due.id);
      this.fired.push(due.at);
      due.fn();
    }
    this.time = time;
  }
}

describe("read coalescer", () => {
  it("serves many concurrent reads from one list", async () => {
    const reader = new FakeReader([1, 2, 3, 4, 5, 6, 7, 8].map(connector));
    const coalescer = new ReadCoalescer(reader, { windowMs: 5, threshold: 4 });
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((n) => coalescer.read(ID(n))));
    expect(results.map((c) => c?.displayName)).to.deep.equal([
      "c1",
      "c2",
      "c3",
      "c4",
      "c5",
      "c6",
      "c7",
      "c8",
    ]);
    expect(reader.lists).to.equal(1);
    expect(reader.gets).to.deep.equal([]);
  });

  it("uses plain GETs for a few reads", async () => {
    const reader = new FakeReader([1, 2].map(connector));
    const coalescer = new ReadCoalescer(reader, { windowMs: 5, threshold: 4 });
    const results = await Promise.all([coalescer.read(ID(1)), coalescer.read(ID(2))]);
    expect(results.map((c) => c?.id)).to.deep.equal([ID(1), ID(2)]);
    expect(reader.lists).to.equal(0);
    expect(reader.gets).to.have.length(2);
  });

  it("confirms a connector missing from the list with its own GET: a lagging list drops nothing", async () => {
    const reader = new FakeReader([1, 2, 3, 4, 5, 6].map(connector));
    reader.hiddenFromList.add(ID(3));
    const coalescer = new ReadCoalescer(reader, { windowMs: 5, threshold: 2 });
    const results = await Promise.all([1, 2, 3, 4, 9].map((n) => coalescer.read(ID(n))));
    expect(results[2]?.id).to.equal(ID(3));
    expect(results[4]).to.equal(undefined);
    expect(reader.gets).to.deep.equal([ID(3), ID(9)]);
    expect(reader.lists).to.equal(1);
  });

  it("fails every read of the batch when the list fails, reporting none as gone", async () => {
    const reader = new FakeReader([1, 2, 3, 4, 5].map(connector));
    reader.listError = new Error("503 from list");
    const coalescer = new ReadCoalescer(reader, { windowMs: 5, threshold: 2 });
    const settled = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => coalescer.read(ID(n))));
    expect(settled.every((s) => s.status === "rejected" && /503 from list/.test(String(s.reason)))).to.equal(
      true,
    );
    expect(reader.gets).to.deep.equal([]);
  });

  it("closes a batch after maxWaitMs even while reads keep arriving", async () => {
    // Timers on a manual clock: a read every 2 ms never leaves the 20 ms window quiet, so only
    // maxWaitMs (30 ms) closes batches: at 30, 60 and (the window after the last read) 90 ms.
    const timers = new ManualTimers();
    const reader = new FakeReader(Array.from({ length: 40 }, (_, i) => connector(i)));
    const coalescer = new ReadCoalescer(reader, {
      windowMs: 20,
      maxWaitMs: 30,
      threshold: 2,
      setTimer: timers.set,
      clearTimer: timers.clear,
      now: timers.now,
    });
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      pending.push(coalescer.read(ID(i)));
      timers.advanceTo(timers.now() + 2);
    }
    timers.advanceTo(1000);
    await Promise.all(pending);
    expect(timers.fired).to.deep.equal([30, 60, 90]);
    expect(reader.lists).to.equal(3);
    expect(reader.gets).to.deep.equal([]);
  });

  it("is off by default and on with INTUNE_READ_COALESCING=1", () => {
    expect(coalescingEnabled({})).to.equal(false);
    expect(coalescingEnabled({ INTUNE_READ_COALESCING: "0" })).to.equal(false);
    expect(coalescingEnabled({ INTUNE_READ_COALESCING: "1" })).to.equal(true);
    expect(coalescingEnabled({ INTUNE_READ_COALESCING: "on" })).to.equal(true);
  });
  it("accepts 1, true and on in any letter case and with surrounding spaces; anything else or unset is off", () => {
    expect(coalescingEnabled({ INTUNE_READ_COALESCING: " On " })).to.equal(true);
    expect(coalescingEnabled({ INTUNE_READ_COALESCING: "TRUE" })).to.equal(true);
    expect(coalescingEnabled({ INTUNE_READ_COALESCING: "true" })).to.equal(true);
    expect(coalescingEnabled({ INTUNE_READ_COALESCING: "1" })).to.equal(true);
    expect(coalescingEnabled({ INTUNE_READ_COALESCING: "0" })).to.equal(false);
    expect(coalescingEnabled({ INTUNE_READ_COALESCING: "off" })).to.equal(false);
    expect(coalescingEnabled({ INTUNE_READ_COALESCING: "" })).to.equal(false);
    expect(coalescingEnabled({})).to.equal(false);
  });

  it("counts reads, lists, GETs and confirmations exactly", async () => {
    const reader = new FakeReader([1, 2, 3, 4, 5, 6].map(connector));
    reader.hiddenFromList.add(ID(3));
    const coalescer = new ReadCoalescer(reader, { windowMs: 5, threshold: 2 });
    // 5 reads > threshold 2: one list; 3 (hidden) and 9 (absent) confirmed by their own GET.
    await Promise.all([1, 2, 3, 4, 9].map((n) => coalescer.read(ID(n))));
    expect(coalescer.stats).to.deep.equal({ reads: 5, lists: 1, gets: 2, confirmations: 2 });
    // 2 reads: plain GETs, no list, nothing to confirm.
    await Promise.all([1, 2].map((n) => coalescer.read(ID(n))));
    expect(coalescer.stats).to.deep.equal({ reads: 7, lists: 1, gets: 4, confirmations: 2 });
  });

  it("serves a batch of exactly threshold (3) reads by GETs and a batch of 4 by one list", async () => {
    const reader = new FakeReader([1, 2, 3, 4].map(connector));
    const coalescer = new ReadCoalescer(reader, { windowMs: 5, threshold: 3 });
    await Promise.all([1, 2, 3].map((n) => coalescer.read(ID(n))));
    expect(reader.lists).to.equal(0);
    expect(reader.gets).to.deep.equal([ID(1), ID(2), ID(3)]);
    await Promise.all([1, 2, 3, 4].map((n) => coalescer.read(ID(n))));
    expect(reader.lists).to.equal(1);
    expect(reader.gets).to.deep.equal([ID(1), ID(2), ID(3)]);
  });

  it("matches ids from the list without letter case: a read in upper case finds a listed lower-case id, and the reverse", async () => {
    const lower = { id: "aaaaaaaa-0000-4000-8000-00000000000a", displayName: "lower" } as GraphConnector;
    const upper = { id: "BBBBBBBB-0000-4000-8000-00000000000B", displayName: "upper" } as GraphConnector;
    const reader = new FakeReader([lower, upper]);
    const coalescer = new ReadCoalescer(reader, { windowMs: 5, threshold: 1 });
    const results = await Promise.all([
      coalescer.read("AAAAAAAA-0000-4000-8000-00000000000A"),
      coalescer.read("bbbbbbbb-0000-4000-8000-00000000000b"),
    ]);
    expect(results.map((c) => c?.displayName)).to.deep.equal(["lower", "upper"]);
    expect(reader.lists).to.equal(1);
    expect(reader.gets).to.deep.equal([]);
    expect(coalescer.stats.confirmations).to.equal(0);
  });

  it("rejects a read served by GET with that GET's error, and answers the other read of the batch", async () => {
    const timers = new ManualTimers();
    const reader = new FakeReader([connector(1), connector(2)]);
    const failure = new Error("403 from get");
    reader.getErrors.set(ID(2), failure);
    const coalescer = new ReadCoalescer(reader, {
      windowMs: 5,
      threshold: 4,
      setTimer: timers.set,
      clearTimer: timers.clear,
      now: timers.now,
    });
    const outcomes = [1, 2].map((n) =>
      coalescer.read(ID(n)).then(
        (c) => ({ found: c?.id }),
        (error: unknown) => ({ error }),
      ),
    );
    timers.advanceTo(5);
    // The reader answers at once: by the next turn of the event loop every read has settled.
    const settled = await Promise.race([
      Promise.all(outcomes),
      new Promise((resolve) => setImmediate(() => resolve("still pending"))),
    ]);
    expect(settled).to.deep.equal([{ found: ID(1) }, { error: failure }]);
    expect(reader.gets).to.deep.equal([ID(1), ID(2)]);
  });

  it("clears only timers it set: the first read of a batch clears nothing, each later read clears the previous timer", async () => {
    const timers = new ManualTimers();
    const cleared: unknown[] = [];
    const reader = new FakeReader([1, 2, 3].map(connector));
    const coalescer = new ReadCoalescer(reader, {
      windowMs: 5,
      threshold: 4,
      setTimer: timers.set,
      clearTimer: (handle) => {
        cleared.push(handle);
        timers.clear(handle);
      },
      now: timers.now,
    });
    const reads = [1, 2, 3].map((n) => coalescer.read(ID(n)));
    timers.advanceTo(5);
    await Promise.all(reads);
    expect(cleared).to.deep.equal([1, 2]);
    expect(timers.fired).to.deep.equal([5]);
  });

  it("keeps one coalescer per reader: the same reader gets the same one, another reader its own", () => {
    const reader = new FakeReader([]);
    const other = new FakeReader([]);
    const first = coalescerFor(reader, { threshold: 1 });
    expect(coalescerFor(reader)).to.equal(first);
    expect(coalescerFor(other)).to.not.equal(first);
    expect(coalescerFor(other)).to.equal(coalescerFor(other));
  });
});
