// The readings of what Microsoft leaves open about a connector's life (emulator/graph/variants.ts):
// removing one whose software runs, who writes `version`, the state of one that never checked in,
// what a POST must carry. Each value is tried over real HTTPS, as a client meets it.
import { expect } from "chai";
import type { Emulator } from "intune-graph-emulator";
import { startTestEmulator } from "intune-test-support/emulator";
import {
  CONNECTORS,
  CONNECTOR_TYPE,
  graph,
  tokenFor,
  type ConnectorBody,
  type GraphErrorBody,
} from "intune-test-support/emulator-requests";

const REGISTERED = "0dd0b000-0000-4000-8000-000000000001";
const INSTALLED = "6.2504.2001.8";
const UPGRADE = "6.2505.1000.2";

describe("emulator: readings Microsoft leaves open", function () {
  this.timeout(10_000);
  let emu: Emulator;
  let token: string;

  before(async () => {
    emu = await startTestEmulator({ seed: [] });
    token = await tokenFor(emu, "writer");
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.reset({ seed: [{ id: REGISTERED, displayName: "HQ-SRV01", version: INSTALLED, state: "active" }] });
  });

  const post = (body: Record<string, unknown>) =>
    graph<ConnectorBody & GraphErrorBody>(emu, "POST", CONNECTORS, {
      token,
      body: { "@odata.type": CONNECTOR_TYPE, ...body },
    });
  const remove = (id: string) => graph<GraphErrorBody>(emu, "DELETE", `${CONNECTORS}/${id}`, { token });
  const get = (id: string) => graph<ConnectorBody>(emu, "GET", `${CONNECTORS}/${id}`, { token });
  const ids = () => emu.connectors().map((c) => c.id);

  describe("deleteRegistered: DELETE of a connector whose software checked in", () => {
    it("removed (default): 204, and a later check-in of its software is dropped", async () => {
      expect((await remove(REGISTERED)).status).to.equal(204);
      expect(() => emu.heartbeat(REGISTERED)).to.throw(/no connector/i);
      expect(ids()).to.deep.equal([]);
    });

    it("reappears: 204, then the software's next check-in lists it again under its id", async () => {
      emu.setOptions({ variants: { deleteRegistered: "reappears" } });
      expect((await remove(REGISTERED)).status).to.equal(204);
      expect((await get(REGISTERED)).status).to.equal(404);
      expect(ids()).to.deep.equal([]);
      expect(emu.heartbeatRunning()).to.equal(1);
      const again = await get(REGISTERED);
      expect(again.status).to.equal(200);
      expect(again.body).to.include({ id: REGISTERED, displayName: "HQ-SRV01", state: "active" });
    });

    it("reappears: an out-of-band removal (the server uninstalled) is for good", async () => {
      emu.setOptions({ variants: { deleteRegistered: "reappears" } });
      emu.removeOutOfBand(REGISTERED);
      expect(() => emu.heartbeat(REGISTERED)).to.throw(/no connector/i);
    });

    it("refused: 400 naming why, and the connector stays", async () => {
      emu.setOptions({ variants: { deleteRegistered: "refused" } });
      const answer = await remove(REGISTERED);
      expect(answer.status).to.equal(400);
      expect(answer.body.error.code).to.equal("BadRequest");
      expect(answer.body.error.message).to.match(/can't be removed through a graph API call/);
      expect(ids()).to.deep.equal([REGISTERED]);
    });

    for (const reading of ["removed", "reappears", "refused"] as const) {
      it(`${reading}: a connector no software checked in to (made by POST) is removed for good`, async () => {
        emu.setOptions({ variants: { deleteRegistered: reading } });
        const made = await post({ displayName: "ODJ A" });
        expect((await remove(made.body.id)).status).to.equal(204);
        expect(() => emu.heartbeat(made.body.id)).to.throw(/no connector/i);
        expect(ids()).to.deep.equal([REGISTERED]);
      });
    }
  });

  describe("heartbeatVersion: who writes version", () => {
    it("reported (default): a check-in puts back the version the software runs; an upgrade reports the new one", async () => {
      await graph(emu, "PATCH", `${CONNECTORS}/${REGISTERED}`, { token, body: { version: "6.2501.2000.5" } });
      expect((await get(REGISTERED)).body.version).to.equal("6.2501.2000.5");
      emu.heartbeat(REGISTERED);
      expect((await get(REGISTERED)).body.version).to.equal(INSTALLED);
      emu.heartbeat(REGISTERED, { version: UPGRADE });
      expect((await get(REGISTERED)).body.version).to.equal(UPGRADE);
      emu.heartbeat(REGISTERED);
      expect((await get(REGISTERED)).body.version).to.equal(UPGRADE);
    });

    it("kept: a written version stays through check-ins; an upgrade still reports the new one", async () => {
      emu.setOptions({ variants: { heartbeatVersion: "kept" } });
      await graph(emu, "PATCH", `${CONNECTORS}/${REGISTERED}`, { token, body: { version: "6.2501.2000.5" } });
      emu.heartbeat(REGISTERED);
      expect((await get(REGISTERED)).body.version).to.equal("6.2501.2000.5");
      emu.heartbeat(REGISTERED, { version: UPGRADE });
      expect((await get(REGISTERED)).body.version).to.equal(UPGRADE);
    });

    it("reported: software checking in to a POSTed connector without a version reports a released one", async () => {
      const made = await post({ displayName: "ODJ A" });
      expect(made.body.version).to.equal("");
      emu.heartbeat(made.body.id);
      expect((await get(made.body.id)).body.version).to.match(/^6\.\d{4}\.\d{4}\.\d+$/);
    });
  });

  describe("newConnectorState: the state of a connector that never checked in", () => {
    for (const reading of ["inactive", "active", "error"] as const) {
      it(`${reading}: a POSTed connector reads ${reading} until its first check-in makes it active`, async () => {
        emu.setOptions({ variants: { newConnectorState: reading } });
        const made = await post({ displayName: "ODJ A" });
        expect(made.body.state).to.equal(reading);
        expect((await get(made.body.id)).body.state).to.equal(reading);
        emu.heartbeat(made.body.id);
        expect((await get(made.body.id)).body.state).to.equal("active");
      });
    }

    it("the default is inactive", () => {
      expect(emu.variants().newConnectorState).to.equal("inactive");
    });
  });

  describe("createRequires: what a POST must carry", () => {
    it("nothing (default): a POST of the type alone is taken", async () => {
      expect((await post({})).status).to.equal(201);
    });

    it("version: a POST without displayName or version is refused naming it; with both it is taken", async () => {
      emu.setOptions({ variants: { createRequires: "version" } });
      const noVersion = await post({ displayName: "ODJ A" });
      expect(noVersion.status).to.equal(400);
      expect(noVersion.body.error.message).to.contain("'version' is required");
      const noName = await post({ version: INSTALLED });
      expect(noName.status).to.equal(400);
      expect(noName.body.error.message).to.contain("'displayName' is required");
      expect((await post({ displayName: "ODJ A", version: INSTALLED })).status).to.equal(201);
      expect(emu.connectors()).to.have.length(2);
    });

    it("listed: state and lastConnectionDateTime are required too, never id", async () => {
      emu.setOptions({ variants: { createRequires: "listed" } });
      const partial = await post({ displayName: "ODJ A", version: INSTALLED });
      expect(partial.status).to.equal(400);
      expect(partial.body.error.message).to.contain("'lastConnectionDateTime' is required");
      const full = await post({
        displayName: "ODJ A",
        version: INSTALLED,
        state: "active",
        lastConnectionDateTime: "2026-12-01T00:00:00Z",
      });
      expect(full.status).to.equal(201);
      expect(emu.connectors()).to.have.length(2);
    });
  });
});
