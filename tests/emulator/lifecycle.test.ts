// Connectors living their own lives: seeding, heartbeats, portal edits, the service removing
// inactive ones, persistence across restarts, reset.
import { expect } from "chai";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Emulator } from "intune-graph-emulator";
import { startTestEmulator } from "intune-test-support/emulator";
import {
  CONNECTORS,
  eventually,
  graph,
  tokenFor,
  type ConnectorBody,
  type ListBody,
} from "intune-test-support/emulator-requests";

const SEVEN_DIGIT_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;
const FIXED_ID = "6b1f2e3d-4c5b-4a69-8877-665544332211";

describe("emulator: connector lifecycle", function () {
  this.timeout(10_000);
  let emu: Emulator;
  let token: string;

  before(async () => {
    emu = await startTestEmulator({ seed: 2 });
    token = await tokenFor(emu, "writer");
  });
  after(() => emu.close());
  beforeEach(() => emu.reset());

  describe("seeding", () => {
    it("generates realistic active connectors from a number", () => {
      const connectors = emu.connectors();
      expect(connectors).to.have.length(2);
      for (const c of connectors) {
        expect(c.state).to.equal("active");
        expect(c.version).to.match(/^6\.\d{4}\.\d{4}\.\d+$/);
        expect(c.lastConnectionDateTime).to.match(SEVEN_DIGIT_UTC);
        expect(Date.now() - Date.parse(c.lastConnectionDateTime)).to.be.below(10 * 60_000);
      }
      expect(new Set(connectors.map((c) => c.displayName)).size).to.equal(2);
    });

    it("completes partial connectors and keeps given ids", () => {
      const [c] = emu.seed([{ id: FIXED_ID.toUpperCase(), displayName: "SRV-A", state: "error" }]);
      expect(c).to.include({ id: FIXED_ID, displayName: "SRV-A", state: "error" });
      expect(() => emu.seed([{ id: FIXED_ID }])).to.throw(/already exists/);
      expect(() => emu.seed([{ id: "nope" }])).to.throw(/GUID/);
      expect(() => emu.seed([{ state: "paused" as never }])).to.throw(/state/);
    });

    it("reset reseeds with the start seed, or with the one given", () => {
      emu.seed(3);
      emu.reset();
      expect(emu.connectors()).to.have.length(2);
      emu.reset({ seed: [{ displayName: "ONLY" }] });
      expect(emu.connectors().map((c) => c.displayName)).to.deep.equal(["ONLY"]);
    });
  });

  describe("out-of-band changes", () => {
    it("an admin's portal edit shows on the next GET", async () => {
      const [c] = emu.connectors();
      const edited = emu.editOutOfBand(c.id, { displayName: "RENAMED-IN-PORTAL", version: "6.2501.2000.5" });
      expect(edited).to.include({ id: c.id, displayName: "RENAMED-IN-PORTAL", version: "6.2501.2000.5" });
      const res = await graph<ConnectorBody>(emu, "GET", `${CONNECTORS}/${c.id}`, { token });
      expect(res.body).to.include({ displayName: "RENAMED-IN-PORTAL", version: "6.2501.2000.5" });
      expect(() => emu.editOutOfBand(c.id, { state: "sleeping" as never })).to.throw(/state/);
      expect(() => emu.editOutOfBand(FIXED_ID, { displayName: "x" })).to.throw(/no connector/);
    });

    it("a connector removed out of band answers 404", async () => {
      const [c] = emu.connectors();
      emu.removeOutOfBand(c.id);
      expect((await graph(emu, "GET", `${CONNECTORS}/${c.id}`, { token })).status).to.equal(404);
      expect(() => emu.removeOutOfBand(c.id)).to.throw(/no connector/);
    });

    it("a heartbeat moves lastConnectionDateTime and may report state and version", async () => {
      const [c] = emu.seed([{ state: "inactive", lastConnectionDateTime: "2025-01-01T00:00:00Z" }]);
      expect(c.lastConnectionDateTime).to.equal("2025-01-01T00:00:00.0000000Z");
      const before = Date.now();
      const beat = emu.heartbeat(c.id, { state: "active", version: "6.2504.2001.9" });
      const after = Date.now();
      expect(beat).to.include({ state: "active", version: "6.2504.2001.9" });
      expect(beat.lastConnectionDateTime).to.match(SEVEN_DIGIT_UTC);
      expect(Date.parse(beat.lastConnectionDateTime)).to.be.within(before, after);
    });
  });

  describe("timers", () => {
    it("active connectors heartbeat on heartbeatMs", async () => {
      const live = await startTestEmulator({
        seed: [{ state: "active" }, { state: "inactive" }],
        heartbeatMs: 20,
      });
      try {
        const [active, inactive] = live.connectors();
        await eventually(() => live.connectors()[0].lastConnectionDateTime !== active.lastConnectionDateTime);
        expect(live.connectors()[1].lastConnectionDateTime).to.equal(inactive.lastConnectionDateTime);
      } finally {
        await live.close();
      }
    });

    it("inactive connectors not seen for removeInactiveAfterMs are removed, on the emulator's clock", async () => {
      const day = 24 * 3_600_000;
      const ago = (days: number) => new Date(Date.now() - days * day).toISOString();
      const live = await startTestEmulator({
        removeInactiveAfterMs: 30 * day,
        seed: [
          { displayName: "GONE-31-DAYS", lastConnectionDateTime: ago(31) },
          { displayName: "ACTIVE", lastConnectionDateTime: ago(0) },
          { displayName: "INACTIVE-6-DAYS", lastConnectionDateTime: ago(6) },
        ],
      });
      try {
        const names = () => live.connectors().map((c) => c.displayName);
        const liveToken = await tokenFor(live, "reader");
        const res = await graph<ListBody>(live, "GET", CONNECTORS, { token: liveToken });
        expect(res.body.value.map((c) => c.displayName)).to.deep.equal(["ACTIVE", "INACTIVE-6-DAYS"]);
        // A connector created through Graph never connected: it ages from its creation.
        const writerToken = await tokenFor(live, "writer");
        await graph(live, "POST", CONNECTORS, { token: writerToken, body: { displayName: "NEW" } });
        live.advanceClock(25 * day);
        expect(names()).to.deep.equal(["ACTIVE", "NEW"]);
        expect(live.connectors()[0].state).to.equal("inactive");
        live.advanceClock(6 * day);
        expect(names()).to.deep.equal([]);
      } finally {
        await live.close();
      }
    });

    it("counted from becoming inactive (removeInactiveFrom inactive): five days later for a connector that had contact; from its creation for one that never had", async () => {
      const day = 24 * 3_600_000;
      const live = await startTestEmulator({
        removeInactiveAfterMs: 30 * day,
        removeInactiveFrom: "inactive",
        seed: [{ displayName: "STOPS-NOW", lastConnectionDateTime: new Date().toISOString() }],
      });
      try {
        const names = () => live.connectors().map((c) => c.displayName);
        const writerToken = await tokenFor(live, "writer");
        await graph(live, "POST", CONNECTORS, { token: writerToken, body: { displayName: "NEVER" } });
        live.advanceClock(31 * day);
        expect(names()).to.deep.equal(["STOPS-NOW"]);
        live.advanceClock(4 * day + 3_600_000);
        expect(names()).to.deep.equal([]);
      } finally {
        await live.close();
      }
    });
  });

  describe("persistence", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), "emulator-persist-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("saves every change and loads it at the next start", async () => {
      const file = path.join(dir, "connectors.json");
      const first = await startTestEmulator({ persistFile: file, seed: 1 });
      let created: ConnectorBody;
      try {
        const t = await tokenFor(first, "writer");
        created = (
          await graph<ConnectorBody>(first, "POST", CONNECTORS, { token: t, body: { displayName: "KEPT" } })
        ).body;
        await graph(first, "PATCH", `${CONNECTORS}/${created.id}`, {
          token: t,
          body: { version: "6.2504.2001.8" },
        });
      } finally {
        await first.close();
      }
      const saved = JSON.parse(readFileSync(file, "utf8")) as { connectors: { id: string }[] };
      expect(saved.connectors.map((c) => c.id)).to.include(created.id);
      expect(readdirSync(dir)).to.deep.equal(["connectors.json"]);

      const second = await startTestEmulator({ persistFile: file, seed: 5 });
      try {
        expect(second.connectors()).to.have.length(2);
        const t = await tokenFor(second, "reader");
        const res = await graph<ConnectorBody>(second, "GET", `${CONNECTORS}/${created.id}`, { token: t });
        expect(res.body).to.include({ displayName: "KEPT", version: "6.2504.2001.8", state: "inactive" });
        second.removeOutOfBand(created.id);
      } finally {
        await second.close();
      }
      expect((JSON.parse(readFileSync(file, "utf8")) as { connectors: unknown[] }).connectors).to.have.length(
        1,
      );
    });

    it("refuses a file that is not the emulator's", async () => {
      const file = path.join(dir, "broken.json");
      writeFileSync(file, "{ not json");
      let message = "";
      try {
        await startTestEmulator({ persistFile: file });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.include("not valid JSON");
    });
  });
});
