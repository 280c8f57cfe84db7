/**
 * Sharding a fleet across pipeline jobs: `--shard i/n` runs shard i of n. Pure. The tenants are
 * put in order of their names (code units, letter case aside, then as written) and dealt like
 * cards: the k-th (from 0) goes to shard k mod n + 1. So every tenant is in exactly one shard, the
 * shards' sizes differ by one at most, the order of the fleet file does not matter, and the same
 * fleet always deals the same way. Adding or removing a tenant may move others to another shard,
 * which is harmless: a shard holds no state (each stack's is in the backend).
 */

export interface ShardSpec {
  /** From 1. */
  index: number;
  count: number;
}

/** The most shards a fleet is dealt into (a pipeline's matrix is smaller still). */
export const MAX_SHARDS = 256;

/** Reads `i/n`; returns the reason it is refused as a string. */
export function parseShard(text: string, option = "--shard"): ShardSpec | string {
  const match = /^\s*(\d{1,4})\s*\/\s*(\d{1,4})\s*$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || index < 1 || count < 1 || index > count || count > MAX_SHARDS) {
    return (
      `${option} must be i/n, shard i of n, with whole numbers 1 ≤ i ≤ n ≤ ${MAX_SHARDS} (e.g. 2/4); ` +
      `got ${JSON.stringify(text)}`
    );
  }
  return { index, count };
}

/** The order tenants are dealt in. */
function dealOrder(names: readonly string[]): string[] {
  return [...names].sort((a, b) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
}

/** Each name's shard (from 1). */
export function shardOf(names: readonly string[], count: number): Map<string, number> {
  return new Map(dealOrder(names).map((name, k) => [name, (k % count) + 1]));
}

/** The names shard `spec.index` of `spec.count` holds, in the fleet's own order. */
export function namesInShard(names: readonly string[], spec: ShardSpec): string[] {
  const shards = shardOf(names, spec.count);
  return names.filter((name) => shards.get(name) === spec.index);
}

export const shardLabel = (spec: ShardSpec) => `${spec.index}/${spec.count}`;
