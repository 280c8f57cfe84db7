/**
 * --resume: only the tenants the last run did not finish well run again — failed, never started,
 * interrupted, new or changed in the fleet file; the rest are carried over.
 */
import { expect } from "chai";
import * as fc from "fast-check";
import { planResume } from "pulumi-intune-domain-join/internal/fleet/resume";
import { FleetSummary, TenantResult } from "pulumi-intune-domain-join/internal/fleet/summary";

type Outcome = TenantResult["outcome"];

function result(name: string, outcome: Outcome, more: Partial<TenantResult> = {}): TenantResult {
  return {
    name,
    tenantId: "",
    stack: name,
    outcome,
    changes: null,
    detail: null,
    startedAt: outcome === "not run" ? null : "2026-12-07T10:00:00.000Z",
    finishedAt: outcome === "not run" ? null : "2026-12-07T10:00:10.000Z",
    seconds: null,
    error: null,
    log: null,
    digest: `d-${name}`,
    ...more,
  };
}

const last = (tenants: TenantResult[]): FleetSummary => ({
  version: 1,
  command: "up",
  project: "intune-fleet",
  fleetDigest: "f",
  shard: null,
  startedAt: "2026-12-07T10:00:00.000Z",
  finishedAt: null,
  seconds: null,
  exitCode: null,
  tenants,
});

describe("fleet --resume", () => {
  it("reruns the failed, the never started, the interrupted, the new and the changed; carries the rest", () => {
    const previous = last([
      result("a", "ok"),
      result("b", "failed"),
      result("c", "not run"),
      result("d", "changes"),
      result("e", "findings", { digest: "old" }),
      result("f", "ok", { finishedAt: null }),
      result("gone", "failed"),
    ]);
    const plan = planResume(
      previous,
      ["a", "b", "c", "d", "e", "f", "new"].map((name) => ({ name, digest: `d-${name}` })),
    );
    expect(plan.run).to.deep.equal(["b", "c", "e", "f", "new"]);
    expect(plan.interrupted).to.deep.equal(["f"]);
    expect(plan.carried.map((t) => [t.name, t.outcome, t.carried])).to.deep.equal([
      ["a", "ok", true],
      ["d", "changes", true],
    ]);
    expect(Object.fromEntries(plan.reasons)).to.deep.equal({
      b: "the last run ended it failed",
      c: "the last run did not run it",
      e: "its entry in the fleet file changed since the last run",
      f: "the last run stopped in the middle of it",
      new: "not in the last run",
    });
  });

  it("with no record, every tenant runs", () => {
    const plan = planResume(undefined, [{ name: "a", digest: "x" }]);
    expect(plan.run).to.deep.equal(["a"]);
    expect(plan.reasons.get("a")).to.equal("no record of a last run");
  });

  it("property: each tenant runs or is carried, never both; carried ones finished well with the same entry", () => {
    const entry = fc.record({
      outcome: fc.constantFrom<Outcome>("ok", "changes", "findings", "failed", "not run"),
      interrupted: fc.boolean(),
      inLast: fc.boolean(),
      changed: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), (entries) => {
        const names = entries.map((_, i) => `t${i}`);
        const previous = last(
          entries.flatMap((e, i) =>
            e.inLast
              ? [
                  result(
                    names[i],
                    e.outcome,
                    e.interrupted ? { startedAt: "2026-12-07T10:00:00.000Z", finishedAt: null } : {},
                  ),
                ]
              : [],
          ),
        );
        const plan = planResume(
          previous,
          entries.map((e, i) => ({ name: names[i], digest: e.changed ? "new" : `d-${names[i]}` })),
        );
        const carried = plan.carried.map((t) => t.name);
        expect([...plan.run, ...carried].sort()).to.deep.equal([...names].sort());
        expect(plan.run.filter((n) => carried.includes(n))).to.deep.equal([]);
        entries.forEach((e, i) => {
          const finishedWell = ["ok", "changes", "findings"].includes(e.outcome);
          const shouldCarry = e.inLast && !e.interrupted && finishedWell && !e.changed;
          expect(carried.includes(names[i]), `${names[i]}: ${JSON.stringify(e)}`).to.equal(shouldCarry);
          expect(plan.interrupted.includes(names[i])).to.equal(e.inLast && e.interrupted);
        });
        // The fleet's order is kept.
        expect(plan.run).to.deep.equal(names.filter((n) => plan.run.includes(n)));
      }),
    );
  });
});
