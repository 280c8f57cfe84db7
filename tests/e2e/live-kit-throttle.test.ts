/**
 * The live kit's throttling checks (S41, S42, U40; `npm run test:live -- --throttle`) against the
 * emulator's Intune limits: after a quiet 20 s, a burst of renames of the run's own connector is
 * taken 100 times and then answered 429; the 429's shape is judged; and the clean-up, throttled
 * itself, still deletes everything. In the end-to-end tier: each run waits out the write window
 * twice (before the burst, and for the clean-up after it), about 45 s.
 */
import { expect } from "chai";
import { expectCleanedUp, ids, kitAgainst } from "../integration/live-kit-run";

const THROTTLE_ROWS = ["S41", "S42", "U40"];

describe("live acceptance kit: the throttling burst against the emulator's limits (e2e)", function () {
  this.timeout(150_000);

  it("Intune's limits as published: S41 and S42 documented, U40 not checkable (every 429 had Retry-After)", async () => {
    const run = await kitAgainst({}, { throttle: true, only: THROTTLE_ROWS });
    const rows = Object.fromEntries(run.report.rows.map((r) => [r.id, r]));
    expect(rows.S41.verdict, JSON.stringify(rows.S41)).to.equal("documented");
    expect(rows.S41.note).to.match(/^100 taken, 10 answered 429, 0 other, in \d+ ms$/);
    expect(rows.S42.verdict, JSON.stringify(rows.S42)).to.equal("documented");
    expect(rows.U40.verdict).to.equal("not checkable");
    expect(rows.U40.why).to.equal("each of the 10 answers 429 carried Retry-After");
    expect(run.report.run.throttle).to.equal(true);
    expect(run.report.ok).to.equal(true);
    expectCleanedUp(run);
  });

  it("429s without Retry-After: U40 documented, S42 different on the header alone", async () => {
    const run = await kitAgainst(
      { throttle: { retryAfter: false } },
      { throttle: true, only: THROTTLE_ROWS },
    );
    expect(ids(run.report, "documented")).to.have.members(["S41", "U40"]);
    expect(ids(run.report, "different")).to.deep.equal(["S42"]);
    const s42 = run.report.rows.find((r) => r.id === "S42");
    expect(s42?.expected).to.deep.equal(["Retry-After in seconds"]);
    expect(s42?.observed?.[0]).to.deep.include({
      status: 429,
      code: "TooManyRequests",
      headers: { "retry-after": "(absent)" },
    });
    expectCleanedUp(run);
  });
});
