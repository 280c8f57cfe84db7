/**
 * The model's teardown check (I4) on what the real CLI prints. Regression: seed 20261207 at the
 * CLI level found a destroy whose DELETE the service refused (variant deleteRegistered "refused")
 * reported as a violation, because the CLI adds the stack's own "update failed" to the
 * connector's error, which the check took for an unexplained failure.
 */
import { expect } from "chai";
import { diagnostics } from "intune-test-support/model/cli-model";
import { teardown } from "intune-test-support/model/invariants";
import { OwnershipLedger, type StepFacts } from "intune-test-support/model/ledger";

const ID = "0dd0a000-0000-4000-8000-00000000000b";
const REFUSED =
  `delete connector ${ID}: DELETE /beta/deviceManagement/domainJoinConnectors/${ID} failed with 400 BadRequest: ` +
  "The Intune Connector for Active Directory can't be removed through a graph API call while its server is registered. " +
  "Hint: Intune's docs say … uninstall the connector from the server, and Intune removes it after 30 days inactive";

function cliOutput(error: string): { code: number; output: string } {
  return {
    code: 255,
    output: [
      "Destroying (dev):",
      "",
      "Diagnostics:",
      "  pulumi-nodejs:dynamic/intune:DomainJoinConnector (r0):",
      `    error: ${error}`,
      "",
      "  pulumi:pulumi:Stack (model-dev):",
      "    error: update failed",
      "",
    ].join("\n"),
  };
}

function destroyFacts(output: { code: number; output: string }): StepFacts {
  const connector = {
    id: ID,
    displayName: "ODJ A",
    version: "6.2504.2001.8",
    state: "active" as const,
    lastConnectionDateTime: "2026-12-07T05:00:00Z",
  };
  const tenant = new Map([[ID, connector]]);
  return {
    label: "destroy",
    program: new Map(),
    before: tenant,
    after: tenant,
    state: {
      resources: [{ name: "r0", id: ID, inputs: {}, outputs: {}, pendingDelete: false }],
      pendingCreates: [],
    },
    creates: [],
    deleted: [],
    errors: diagnostics(output as never),
    texts: [output.output],
  };
}

describe("model invariants: a destroy the service refuses (CLI level)", () => {
  it("reads the connector's error and the stack's summary from the CLI's diagnostics", () => {
    const errors = diagnostics(cliOutput(REFUSED) as never);
    expect(errors.map((e) => [e.name, e.message])).to.deep.equal([
      ["r0", REFUSED],
      ["", "update failed"],
    ]);
  });

  it("is no violation: the refusal is named with what to do, and the resource stays in state", () => {
    expect(teardown(destroyFacts(cliOutput(REFUSED)), new OwnershipLedger())).to.deep.equal([]);
  });

  it("any other destroy failure still is, with the stack's summary", () => {
    const violations = teardown(
      destroyFacts(cliOutput("delete connector: 500 InternalError")),
      new OwnershipLedger(),
    );
    expect(violations.map((v) => v.message)).to.deep.equal([
      "destroy after faults stopped failed for r0: step: delete connector: 500 InternalError",
      "destroy after faults stopped failed for : step: update failed",
    ]);
  });
});
