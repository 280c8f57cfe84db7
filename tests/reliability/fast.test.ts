/**
 * The fast part of the reliability suite: every scenario not marked soak, against one emulator.
 * `npm run soak` runs these and the slow ones, and prints the table.
 */
import { expect } from "chai";
import { Emulator } from "../../emulator";
import { startTestEmulator } from "../support/provider-harness";
import { SCENARIOS, runScenario } from "./scenarios";

describe("reliability: faults survived, bad input refused, nothing lost, nothing leaked", function () {
  this.timeout(120_000);
  let emulator: Emulator;

  before(async () => {
    emulator = await startTestEmulator({ seed: 2 });
  });
  after(() => emulator?.close());

  for (const scenario of SCENARIOS.filter((s) => !s.soak)) {
    it(`${scenario.id} ${scenario.category}: ${scenario.name}`, async () => {
      const outcome = await runScenario(emulator, scenario);
      expect(outcome.detail, outcome.detail).to.be.a("string");
      expect(outcome.duplicates, `duplicates: ${outcome.detail}`).to.equal(0);
      expect(outcome.lost, `lost: ${outcome.detail}`).to.equal(0);
      expect(outcome.ok, outcome.detail).to.equal(true);
    });
  }
});
