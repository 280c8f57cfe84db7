/**
 * The fast part of the reliability suite: every scenario not marked soak, against one emulator.
 * `npm run soak` runs these and the slow ones, and prints the table.
 */
import { expect } from "chai";
import { useEmulator } from "intune-test-support/emulator";
import { SCENARIOS, Scenario, runScenario } from "intune-test-support/scenarios";

/**
 * Scenarios whose fault is an emulator fault rule, on this emulator. Not: F32 (its fault is a
 * wrong secret), F33 (its own emulator, with short-lived tokens), S01 (a read-only app).
 */
const INJECTS_FAULT_RULES = (scenario: Scenario) =>
  (scenario.category === "fault" && !["F32", "F33"].includes(scenario.id)) || scenario.id === "S02";

describe("reliability: faults survived, bad input refused, nothing lost, nothing leaked", function () {
  this.timeout(120_000);
  // runScenario resets it for each scenario.
  const emulator = useEmulator({ seed: 2, reset: false });

  for (const scenario of SCENARIOS.filter((s) => !s.soak)) {
    it(`${scenario.id} ${scenario.category}: ${scenario.name}`, async () => {
      const outcome = await runScenario(emulator, scenario);
      if (INJECTS_FAULT_RULES(scenario)) {
        // A fault the provider never met would let the scenario pass without testing anything.
        const shaped = emulator.requestLog().filter((e) => e.fault !== undefined);
        expect(shaped, `no request met the injected fault: ${outcome.detail}`).not.to.deep.equal([]);
      }
      expect(outcome.duplicates, `duplicates: ${outcome.detail}`).to.equal(0);
      expect(outcome.lost, `lost: ${outcome.detail}`).to.equal(0);
      expect(outcome.ok, outcome.detail).to.equal(true);
    });
  }
});
