/**
 * The pieces of the fleet's engine runner that need no CLI: the change counts read from an event
 * log, and a failed process's message, whose diagnostic lines the summary's error is taken from.
 * The e2e fleet tests run the real CLI through it.
 */
import { expect } from "chai";
import { ProcessFailed, summaryChanges } from "pulumi-intune-domain-join/internal/fleet/engine";
import { firstErrorLine } from "pulumi-intune-domain-join/internal/fleet/outcome";

const line = (event: Record<string, unknown>) =>
  JSON.stringify({ sequence: 1, timestamp: 1765000000, ...event });

describe("fleet engine runner", () => {
  it("reads the change counts from the event log's summary event, and none from a log without one", () => {
    const log = [
      line({ cancelEvent: {} }),
      line({ diagnosticEvent: { message: "summaryEvent is only a word here", severity: "info" } }),
      line({
        summaryEvent: {
          maybeCorrupt: false,
          durationSeconds: 2,
          resourceChanges: { create: 2, same: 1 },
          PolicyPacks: {},
        },
      }),
      line({ engineEvent: {} }),
      "",
    ].join("\n");
    expect(summaryChanges(log)).to.deep.equal({ create: 2, same: 1 });
    expect(summaryChanges(line({ diagnosticEvent: { message: "no summary" } }))).to.deep.equal({});
    expect(summaryChanges(line({ summaryEvent: { maybeCorrupt: false } }))).to.deep.equal({});
  });

  it("a failed process's message puts each diagnostic on a line of its own, stderr first", () => {
    const failed = new ProcessFailed(
      255,
      "Updating (prod-contoso):\n",
      "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end\n",
    );
    expect(firstErrorLine(failed.message)).to.equal(
      "the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end",
    );
    expect(new ProcessFailed(1, "", "").message).to.equal("exit code 1");
    expect(new ProcessFailed(2, "out\n", "").message).to.equal("out\nexit code 2");
  });
});
