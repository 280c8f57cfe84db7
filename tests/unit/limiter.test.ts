import { expect } from "chai";
import { Clock } from "pulumi-intune-domain-join/internal/config/clock";
import { RequestLimiter } from "pulumi-intune-domain-join/internal/graph/limiter";
import { FakeClock } from "intune-test-support/fake-clock";

describe("request limiter", () => {
  it("lets the window's worth of writes through at once, then waits for the window to slide", async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ windowMs: 20_000, writes: 3, all: 100 }, clock);
    const started: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, () =>
        limiter.acquire(true).then((settle) => {
          started.push(clock.now());
          settle(); // answered at once
        }),
      ),
    );
    expect(started).to.deep.equal([0, 0, 0, 20_000, 20_000, 20_000, 40_000]);
  });

  it("does not hold reads behind writes that wait for the write limit", async () => {
    // Sleeps here last until the test moves time on.
    let wake: (() => void) | undefined;
    let time = 0;
    const clock: Clock = { now: () => time, sleep: () => new Promise<void>((resolve) => (wake = resolve)) };
    const limiter = new RequestLimiter({ windowMs: 1000, writes: 1, all: 100 }, clock);
    (await limiter.acquire(true))();
    const order: string[] = [];
    const write = limiter.acquire(true).then(() => order.push("write"));
    await limiter.acquire(false).then(() => order.push("read"));
    expect(order).to.deep.equal(["read"]);
    time = 1000;
    wake?.();
    await write;
    expect(order).to.deep.equal(["read", "write"]);
  });

  it("applies the overall limit to reads", async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ windowMs: 500, writes: 10, all: 2 }, clock);
    for (let i = 0; i < 5; i++) (await limiter.acquire(false))();
    expect(clock.now()).to.equal(1000);
  });

  it("counts a write exactly windowMs old as out of the window, and the new one as in it", async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ windowMs: 1000, writes: 1, all: 100 }, clock);
    (await limiter.acquire(true))();
    clock.time = 1000;
    const started: number[] = [];
    for (let i = 0; i < 2; i++) {
      (await limiter.acquire(true))();
      started.push(clock.now());
    }
    expect(started).to.deep.equal([1000, 2000]);
    expect(clock.sleeps).to.deep.equal([1000]);
  });

  it("counts a request from when its answer came back, not from when it left", async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ windowMs: 20_000, writes: 1, all: 100 }, clock);
    const settle = await limiter.acquire(true);
    clock.time = 300; // the answer took 300 ms
    settle();
    await limiter.acquire(true);
    expect(clock.now()).to.equal(20_300);
  });

  it("holds a full window while its requests are in flight, and wakes when one settles", async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ windowMs: 1000, writes: 1, all: 100 }, clock);
    const settle = await limiter.acquire(true);
    let started: number | undefined;
    const next = limiter.acquire(true).then(() => (started = clock.now()));
    // However long the first is in flight, the second waits, without sleeping blindly.
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(started).to.equal(undefined);
    expect(clock.sleeps).to.deep.equal([]);
    clock.time = 5000;
    settle();
    await next;
    expect(started).to.equal(6000);
    expect(clock.sleeps).to.deep.equal([1000]);
  });

  it("ignores a second settle of the same slot", async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ windowMs: 1000, writes: 1, all: 100 }, clock);
    const settle = await limiter.acquire(true);
    settle();
    clock.time = 800;
    settle(); // would move the slot's end to 800
    await limiter.acquire(true);
    expect(clock.now()).to.equal(1000);
  });

  it("does not count reads in flight against the write limit", async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ windowMs: 1000, writes: 1, all: 100 }, clock);
    await limiter.acquire(false); // a read that never settles
    await limiter.acquire(true);
    expect(clock.now()).to.equal(0);
  });
});
