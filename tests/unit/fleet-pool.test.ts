/** The fleet's pool: never more at once than asked, each item once, a failure stops nothing. */
import { expect } from "chai";
import * as fc from "fast-check";
import { runPool } from "pulumi-intune-domain-join/internal/fleet/pool";

/** Resolves after `turns` turns of the event loop. */
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe("fleet pool", () => {
  it("property: at most `limit` at once, every item once and in order, failures kept to themselves", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ turns: fc.nat(5), fails: fc.boolean() }), { maxLength: 25 }),
        fc.integer({ min: 1, max: 6 }),
        async (items, limit) => {
          let running = 0;
          let most = 0;
          const started: number[] = [];
          const results = await runPool(items, limit, async (item, index) => {
            started.push(index);
            running++;
            most = Math.max(most, running);
            await turns(item.turns);
            running--;
            if (item.fails) throw new Error(`item ${index}`);
            return index * 10;
          });
          expect(most).to.be.at.most(limit);
          // The lanes are all used: with enough items that each take a turn, `limit` run at once.
          if (items.length >= limit && items.every((i) => i.turns > 0)) expect(most).to.equal(limit);
          expect(started).to.deep.equal(items.map((_, i) => i));
          results.forEach((result, i) => {
            if (items[i].fails) expect(result).to.deep.include({ status: "rejected" });
            else expect(result).to.deep.equal({ status: "fulfilled", value: i * 10 });
          });
        },
      ),
    );
  });

  it("property: once stopped, nothing new starts; those under way finish; the rest are not started", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(20),
        async (n, limit, stopAfter) => {
          let stopped = false;
          let starts = 0;
          const results = await runPool(
            Array.from({ length: n }, (_, i) => i),
            limit,
            async (i) => {
              starts++;
              if (starts >= stopAfter) stopped = true;
              await turns(1);
              return i;
            },
            () => stopped,
          );
          const ran = results.filter((r) => r.status === "fulfilled").length;
          expect(ran).to.equal(starts);
          expect(results.slice(ran).every((r) => r.status === "not started")).to.equal(true);
          // Every lane stops at its next turn: at most `limit - 1` more starts after the one that stopped it.
          if (n > 0) expect(starts).to.be.at.most(Math.min(n, Math.max(stopAfter, 1) + limit - 1));
        },
      ),
    );
  });

  it("refuses a limit that is not a whole number of at least 1", async () => {
    for (const limit of [0, -1, 1.5, NaN]) {
      let error: unknown;
      try {
        await runPool([1], limit, async (x) => x);
      } catch (e) {
        error = e;
      }
      expect(String(error)).to.contain(`limit must be a whole number ≥ 1, got ${limit}`);
    }
  });
});
