/**
 * The inventory functions against the emulator over HTTPS with the real @azure/identity: what they
 * return, the requests they make, and their errors.
 */
import { expect } from "chai";
import { ConnectorLookupError, getConnector, getConnectors } from "pulumi-intune-domain-join";
import { ConfigurationError } from "pulumi-intune-domain-join/internal/config/settings";
import { emulatorEnv, graphCalls } from "intune-test-support/provider-harness";
import { useEmulator } from "intune-test-support/emulator";
import { rejection } from "intune-test-support/thrown";

describe("inventory against the emulator (getConnectors, getConnector)", function () {
  const emulator = useEmulator({ seed: 0 });
  const options = () => ({ env: emulatorEnv(emulator), config: () => undefined });

  beforeEach(() => {
    emulator.seed([
      { displayName: "ODJ – Paris", version: "6.2504.2001.8", state: "active" },
      { displayName: "ODJ – Lyon", version: "6.2409.1000.1", state: "active" },
      { displayName: "Legacy", version: "6.2501.2000.5", state: "inactive" },
    ]);
    emulator.clearLog();
  });

  it("returns the tenant's connectors, filtered, from one token and one list page", async () => {
    const found = await getConnectors(
      { displayName: { prefix: "ODJ" }, minVersion: "6.2501.2000.5" },
      options(),
    );
    expect(found.map((c) => [c.displayName, c.version, c.state])).to.deep.equal([
      ["ODJ – Paris", "6.2504.2001.8", "active"],
    ]);
    expect(Object.keys(found[0]).sort()).to.deep.equal([
      "displayName",
      "id",
      "lastConnectionDateTime",
      "state",
      "version",
    ]);
    expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200"]);
  });

  it("reads one list page per 100 connectors", async () => {
    emulator.seed(247);
    emulator.clearLog();
    const all = await getConnectors({}, options());
    expect(all).to.have.length(250);
    expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200", "GET 200", "GET 200"]);
  });

  it("finds one connector by its exact display name, to adopt it by id", async () => {
    const lyon = await getConnector("ODJ – Lyon", options());
    expect(lyon.id).to.equal(emulator.connectors().find((c) => c.displayName === "ODJ – Lyon")?.id);
  });

  it("fails clearly when no connector, or several, bear the name", async () => {
    const none = await rejection(getConnector("Marseille", options()));
    expect(none).to.be.instanceOf(ConnectorLookupError);
    expect(none.name).to.equal("ConnectorLookupError");
    expect(none.message).to.equal(
      'getConnector: no connector is named "Marseille" (the tenant has 3: "ODJ – Paris", "ODJ – Lyon", "Legacy"). ' +
        'To adopt a connector by the name it registered under and rename it, give the resource registeredName: "Marseille" ' +
        "instead of a connectorId from getConnector: the name is then looked up once, when the resource is created",
    );
    // Pulumi prints an error with its RunError mark as its message alone: one line in a program.
    expect((none as unknown as { __pulumiRunError?: boolean }).__pulumiRunError).to.equal(true);
    expect(Object.keys(none)).not.to.include("__pulumiRunError");
    const [twin] = emulator.seed([{ displayName: "Legacy" }]);
    const several = await rejection(getConnector("Legacy", options()));
    expect(several.message).to.match(
      /^getConnector: 2 connectors are named "Legacy" \(.+\): pick one by its id with connectorId$/,
    );
    expect(several.message).to.contain(twin.id);
  });

  it("refuses a bad filter or name before any request", async () => {
    const bad = await rejection(getConnectors({ maxVersion: "latest" }, options()));
    expect(bad).to.be.instanceOf(ConfigurationError);
    expect(bad.message).to.equal(
      'getConnectors: maxVersion must be a dotted version number such as "6.2501.2000.5", got "latest"',
    );
    // For a program: no stack, and Pulumi's RunError mark, so the CLI prints the message alone.
    expect(bad.stack).to.equal("");
    expect((bad as unknown as { __pulumiRunError?: boolean }).__pulumiRunError).to.equal(true);
    const empty = await rejection(getConnector("", options()));
    expect(empty.message).to.equal('getConnector: displayName must be a non-empty string, got ""');
    const number = await rejection(getConnector(42 as never, options()));
    expect(number.message).to.equal("getConnector: displayName must be a non-empty string, got 42");
    const both = await rejection(getConnectors({ minVersion: "x", maxVersion: "y" }, options()));
    expect(both.message).to.equal(
      'getConnectors: minVersion must be a dotted version number such as "6.2501.2000.5", got "x"; ' +
        'maxVersion must be a dotted version number such as "6.2501.2000.5", got "y"',
    );
    expect(graphCalls(emulator)).to.deep.equal([]);
  });

  it("reads the stack config it is given before the environment", async () => {
    // A wrong secret in the config wins over the right one in the environment.
    const config = (key: string) => (key === "intune:clientSecret" ? "not-the-secret" : undefined);
    const error = await rejection(getConnectors({}, { env: emulatorEnv(emulator), config }));
    expect(error.message).to.contain("AADSTS7000215");
  });
});
