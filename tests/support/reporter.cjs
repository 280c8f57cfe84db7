// Mocha's spec reporter, plus the run's counts written to MOCHA_STATS_FILE for scripts/run-tests.mjs.
const Mocha = require("mocha");
const { writeFileSync } = require("node:fs");

class SpecWithStats extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once("end", () => {
      if (process.env.MOCHA_STATS_FILE)
        writeFileSync(process.env.MOCHA_STATS_FILE, JSON.stringify(runner.stats));
    });
  }
}

module.exports = SpecWithStats;
