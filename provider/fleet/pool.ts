/**
 * A tiny pool: work on items with at most `limit` at once, in the items' order. Pure (no I/O of
 * its own). A piece of work that fails never stops the others; once `stopped()` says so, no new
 * item starts (those already running finish) and the ones never started are reported as such.
 */

export type PoolResult<R> =
  { status: "fulfilled"; value: R } | { status: "rejected"; reason: unknown } | { status: "not started" };

export async function runPool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
  stopped: () => boolean = () => false,
): Promise<PoolResult<R>[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a whole number ≥ 1, got ${limit}`);
  const results: PoolResult<R>[] = items.map(() => ({ status: "not started" }));
  let next = 0;
  async function lane(): Promise<void> {
    while (next < items.length && !stopped()) {
      const index = next++;
      try {
        results[index] = { status: "fulfilled", value: await work(items[index], index) };
      } catch (reason) {
        results[index] = { status: "rejected", reason };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => lane()));
  return results;
}
