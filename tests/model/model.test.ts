/**
 * Model-based fault testing at the provider level (see run.ts), in `npm test`: a fixed seed so a
 * run is repeatable, bounded to about a minute. The planted-bug check shows the generator finds an
 * ownership violation on its own when the provider's ownership guard is switched off
 * (`preCreateRead: false`); killed `up`s are left out there, so that only the guard decides.
 */
import { expect } from "chai";
import { formatFigures, runModel } from "intune-test-support/model/run";

/** The npm test configuration: 150 sequences of ≤ 12 steps (~50 s here). */
export const NPM_TEST_RUN = { seed: 20261128, numRuns: 150, maxSteps: 12 };
/** The plugin form hands every call to the same implementation: fewer sequences show the wiring. */
const PLUGIN_RUNS = 60;

describe("model-based fault testing (fast-check, provider level)", function () {
  this.timeout(600_000);

  it(`finds no violation of I1–I5 in ${NPM_TEST_RUN.numRuns} sequences of ≤ ${NPM_TEST_RUN.maxSteps} steps (seed ${NPM_TEST_RUN.seed})`, async () => {
    const figures = await runModel(NPM_TEST_RUN);
    console.log(formatFigures(figures));
    expect(figures.violations, formatFigures(figures)).to.equal(0);
  });

  it(`holds I1–I5 for the intune plugin's provider too, configured by provider config (seed ${NPM_TEST_RUN.seed})`, async () => {
    const figures = await runModel({ ...NPM_TEST_RUN, numRuns: PLUGIN_RUNS, form: "plugin" });
    console.log(formatFigures(figures));
    expect(figures.sequences).to.be.at.least(PLUGIN_RUNS);
    expect(figures.violations, formatFigures(figures)).to.equal(0);
  });

  it("finds the planted bug: with preCreateRead false a connector the stack does not own is touched (I1)", async () => {
    const figures = await runModel({
      ...NPM_TEST_RUN,
      numRuns: 300,
      preCreateRead: false,
      killedUps: false,
      only: ["I1"],
    });
    console.log(formatFigures(figures));
    expect(figures.failure?.invariants, formatFigures(figures)).to.deep.equal(["I1"]);
  });
});
