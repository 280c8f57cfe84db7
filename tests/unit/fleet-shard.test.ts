/**
 * Sharding a fleet: a stable partition. Every tenant in exactly one shard, sizes within one of
 * each other, the same deal whatever the order of the fleet file, and the same deal every time.
 */
import { expect } from "chai";
import * as fc from "fast-check";
import { namesInShard, parseShard, shardOf } from "pulumi-intune-domain-join/internal/fleet/shard";

const names = fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,11}$/), {
  maxLength: 60,
  selector: (n) => n.toLowerCase(),
});

describe("fleet shards", () => {
  it("reads i/n and refuses anything else, naming the option and the value", () => {
    expect(parseShard("2/4")).to.deep.equal({ index: 2, count: 4 });
    expect(parseShard(" 1 / 1 ")).to.deep.equal({ index: 1, count: 1 });
    for (const bad of ["0/3", "4/3", "2", "a/b", "1/0", "-1/2", "1/257", ""]) {
      expect(parseShard(bad)).to.equal(
        `--shard must be i/n, shard i of n, with whole numbers 1 ≤ i ≤ n ≤ 256 (e.g. 2/4); got ${JSON.stringify(bad)}`,
      );
    }
  });

  it("deals names in name order like cards (an example worked by hand)", () => {
    const fleet = ["echo", "Bravo", "alpha", "delta", "charlie"];
    expect(namesInShard(fleet, { index: 1, count: 2 })).to.deep.equal(["echo", "alpha", "charlie"]);
    expect(namesInShard(fleet, { index: 2, count: 2 })).to.deep.equal(["Bravo", "delta"]);
    expect(namesInShard(fleet, { index: 3, count: 3 })).to.deep.equal(["charlie"]);
  });

  it("property: every tenant in exactly one shard, sizes within one, the fleet's order kept", () => {
    fc.assert(
      fc.property(names, fc.integer({ min: 1, max: 12 }), (fleet, count) => {
        const shards = Array.from({ length: count }, (_, i) => namesInShard(fleet, { index: i + 1, count }));
        expect(shards.flat().sort()).to.deep.equal([...fleet].sort());
        const sizes = shards.map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).to.be.at.most(1);
        for (const shard of shards) expect(shard).to.deep.equal(fleet.filter((n) => shard.includes(n)));
      }),
    );
  });

  it("property: the order of the fleet file does not move a tenant, and the deal is the same every time", () => {
    fc.assert(
      fc.property(
        names.chain((fleet) =>
          fc.tuple(fc.constant(fleet), fc.shuffledSubarray(fleet, { minLength: fleet.length })),
        ),
        fc.integer({ min: 1, max: 12 }),
        ([fleet, shuffled], count) => {
          const a = shardOf(fleet, count);
          const b = shardOf(shuffled, count);
          for (const name of fleet) expect(b.get(name)).to.equal(a.get(name));
          expect([...shardOf(fleet, count)]).to.deep.equal([...a]);
        },
      ),
    );
  });
});
