/**
 * What the provider does under each reading of what Microsoft leaves open about a connector's life
 * (emulator variants deleteRegistered, heartbeatVersion, newConnectorState, createRequires; the
 * argument is in docs/reference.md): a user always learns what happened and what to do, nothing is
 * silently kept in or dropped from state, writes stay bounded, and a lost create never doubles.
 */
import { expect } from "chai";
import { graphCalls, providerFor, type TestProvider } from "intune-test-support/provider-harness";
import { useEmulator } from "intune-test-support/emulator";
import { rejection } from "intune-test-support/thrown";

const REGISTERED = "0dd0c000-0000-4000-8000-000000000001";
const INSTALLED = "6.2504.2001.8";
const UPGRADE = "6.2505.1000.2";

describe("the provider under Microsoft's open readings of a connector's life (emulator, HTTPS)", function () {
  this.timeout(30_000);
  const emulator = useEmulator({
    reset: { seed: [{ id: REGISTERED, displayName: "HQ-SRV01", version: INSTALLED, state: "active" }] },
  });
  let t: TestProvider;
  beforeEach(() => {
    t = providerFor(emulator);
  });
  afterEach(() => t.provider.close());

  const adopt = (extra: Record<string, unknown> = {}) =>
    t.provider.create({ connectorId: REGISTERED, displayName: "HQ-SRV01", version: INSTALLED, ...extra });

  describe("a declared version and the one the software reports", () => {
    it("after an upgrade: each nightly refresh + diff says both versions and writes nothing, run after run", async () => {
      const adopted = await adopt();
      emulator.heartbeat(REGISTERED, { version: UPGRADE });
      const declared = { connectorId: REGISTERED, displayName: "HQ-SRV01", version: INSTALLED };
      emulator.clearLog();
      for (let night = 0; night < 3; night++) {
        emulator.heartbeatRunning();
        const read = await t.provider.read(REGISTERED, adopted.outs);
        expect(read.props).to.include({ version: UPGRADE });
        const diff = await t.provider.diff(REGISTERED, read.props ?? {}, declared);
        expect(diff.changes).to.equal(false);
      }
      expect(graphCalls(emulator).filter((c) => !c.startsWith("GET") && c !== "token")).to.deep.equal([]);
      const told = t.warnings.filter(
        (w) => w.includes(`connector ${REGISTERED}`) && w.includes("reports version"),
      );
      expect(told).to.have.length(3);
      expect(told[0]).to.contain(
        `its software reports version "${UPGRADE}", the stack declares "${INSTALLED}"`,
      );
      expect(told[0]).to.contain("does not write version");
    });

    it("a rename of a connector whose software reports another version writes the name only, and does not fail", async () => {
      emulator.heartbeat(REGISTERED, { version: UPGRADE });
      const adopted = await adopt();
      expect(adopted.outs).to.include({ version: UPGRADE, displayName: "HQ-SRV01" });
      emulator.clearLog();
      const renamed = await t.provider.update(REGISTERED, adopted.outs, {
        connectorId: REGISTERED,
        displayName: "HQ-SRV01 (Paris)",
        version: INSTALLED,
      });
      expect(renamed.outs).to.include({ displayName: "HQ-SRV01 (Paris)", version: UPGRADE });
      const patch = emulator.requestLog({ kind: "graph" }).find((e) => e.method === "PATCH");
      expect(patch?.body).to.deep.equal({
        "@odata.type": "#microsoft.graph.deviceManagementDomainJoinConnector",
        displayName: "HQ-SRV01 (Paris)",
      });
    });

    it("a connector no software checked in to (one the stack made) gets the declared version written", async () => {
      const made = await t.provider.create({ displayName: "ODJ NEW", version: INSTALLED });
      const diff = await t.provider.diff(made.id, made.outs, { displayName: "ODJ NEW", version: UPGRADE });
      expect(diff.changes).to.equal(true);
      const updated = await t.provider.update(made.id, made.outs, {
        displayName: "ODJ NEW",
        version: UPGRADE,
      });
      expect(updated.outs).to.include({ version: UPGRADE });
    });
  });

  describe("removing a connector whose software checked in", () => {
    it("refused: destroy fails naming Graph's answer and what to do; the connector stays, and so does the resource", async () => {
      emulator.setOptions({ variants: { deleteRegistered: "refused" } });
      const adopted = await adopt({ deleteOnDestroy: true });
      const error = await rejection(t.provider.delete(REGISTERED, adopted.outs));
      expect(error.message).to.contain(
        `DELETE /beta/deviceManagement/domainJoinConnectors/${REGISTERED} failed with 400`,
      );
      expect(error.message).to.contain("can't be removed through a graph API call");
      expect(error.message).to.contain("uninstall the connector from the server");
      expect(error.message).to.contain("set deleteOnDestroy: false, run pulumi up, then destroy");
      expect(error.message).to.match(/request-id: [0-9a-f-]{36}/);
      expect(emulator.connectors().map((c) => c.id)).to.deep.equal([REGISTERED]);
      // What the message offers works: released instead, with no request.
      emulator.clearLog();
      const released = await t.provider.update(REGISTERED, adopted.outs, {
        connectorId: REGISTERED,
        displayName: "HQ-SRV01",
        deleteOnDestroy: false,
      });
      await t.provider.delete(REGISTERED, released.outs);
      expect(graphCalls(emulator)).to.deep.equal([]);
    });

    it("reappears: the delete warns that the server may bring it back; when it does, a new create is refused, pointing at adoption", async () => {
      emulator.setOptions({ variants: { deleteRegistered: "reappears" } });
      const adopted = await adopt({ deleteOnDestroy: true });
      await t.provider.delete(REGISTERED, adopted.outs);
      expect(t.warnings.join("\n")).to.contain(
        `connector ${REGISTERED} ("HQ-SRV01") was deleted; it was active, its server last checking in at`,
      );
      expect(t.warnings.join("\n")).to.contain(
        "uninstall the connector from the server to remove it for good",
      );
      expect(emulator.connectors()).to.deep.equal([]);
      emulator.heartbeatRunning();
      expect(emulator.connectors().map((c) => c.id)).to.deep.equal([REGISTERED]);
      const error = await rejection(t.provider.create({ displayName: "HQ-SRV01" }));
      expect(error.message).to.contain(`connectorId: "${REGISTERED}"`);
      expect(emulator.connectors()).to.have.length(1);
    });
  });

  describe("a create whose answer is lost, whatever a new connector shows", () => {
    for (const newConnectorState of ["inactive", "active", "error"] as const) {
      for (const newConnectorContact of ["year-one", "created-at"] as const) {
        for (const version of [undefined, INSTALLED]) {
          it(`state ${newConnectorState}, last contact ${newConnectorContact}, version ${version ?? "none"}: found, not made twice`, async () => {
            emulator.setOptions({ variants: { newConnectorState, newConnectorContact } });
            emulator.addFault({ method: "POST", path: "/beta/", applyThen: 504 });
            const created = await t.provider.create({ displayName: "ODJ LOST", ...(version && { version }) });
            expect(emulator.summary().POST).to.equal(1);
            const lost = emulator.connectors().filter((c) => c.displayName === "ODJ LOST");
            expect(lost.map((c) => c.id)).to.deep.equal([created.id]);
          });
        }
      }
    }
  });

  describe("a POST the service refuses for a property it requires", () => {
    it("version: fails naming the property and saying to declare it; nothing is created", async () => {
      emulator.setOptions({ variants: { createRequires: "version" } });
      const error = await rejection(t.provider.create({ displayName: "ODJ NEW" }));
      expect(error.message).to.contain("failed with 400 BadRequest");
      expect(error.message).to.contain("'version' is required");
      expect(error.message).to.contain(
        "Hint: the service requires version on create: declare it on the resource",
      );
      expect(emulator.connectors().map((c) => c.id)).to.deep.equal([REGISTERED]);
      const made = await t.provider.create({ displayName: "ODJ NEW", version: INSTALLED });
      expect(made.outs).to.include({ version: INSTALLED });
    });
  });
});
