/**
 * The provider's methods against the emulator over real HTTPS, with tokens from the real
 * @azure/identity. Each test asserts on the emulator's request log: the requests are the cost.
 */
import { expect } from "chai";
import { Emulator } from "intune-graph-emulator";
import { AdoptionError } from "pulumi-intune-domain-join/internal/logic/errors";
import { CONNECTOR_ODATA_TYPE } from "pulumi-intune-domain-join/internal/connector/constants";
import { GraphError } from "pulumi-intune-domain-join/internal/graph/errors";
import { FAST_RETRY, TestProvider, graphCalls, providerFor } from "intune-test-support/provider-harness";
import { useEmulator } from "intune-test-support/emulator";

describe("provider against the emulator (HTTPS, real @azure/identity)", function () {
  const emulator = useEmulator({ seed: 2 });
  let t: TestProvider;

  beforeEach(() => {
    t = providerFor(emulator);
  });
  afterEach(() => t.provider.close());

  async function created(displayName = "Branch office") {
    const result = await t.provider.create({ displayName });
    emulator.clearLog();
    return result;
  }

  describe("create", () => {
    it("reads the tenant, POSTs once (201) with @odata.type and the given properties, and returns the service's object", async () => {
      const result = await t.provider.create({ displayName: "Branch office", version: "6.2504.2001.8" });
      expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200", "POST 201"]);
      const [list, post] = emulator.requestLog({ kind: "graph" });
      expect(list.path).to.equal("/beta/deviceManagement/domainJoinConnectors");
      expect(post.body).to.deep.equal({
        "@odata.type": CONNECTOR_ODATA_TYPE,
        displayName: "Branch office",
        version: "6.2504.2001.8",
      });
      expect(result.id).to.match(/^[0-9a-f-]{36}$/);
      expect(result.outs).to.include({
        connectorId: result.id,
        displayName: "Branch office",
        version: "6.2504.2001.8",
        adopted: false,
        deleteOnDestroy: true,
      });
      expect(result.outs.lastConnectionDateTime).to.be.a("string");
      expect(emulator.connectors().map((c) => c.id)).to.include(result.id);
    });

    it("shares one listing of the tenant between the creates of a deployment", async () => {
      await Promise.all(["a", "b", "c", "d", "e"].map((displayName) => t.provider.create({ displayName })));
      await t.provider.create({ displayName: "f" }); // within the reuse window: no new listing
      expect(emulator.summary()).to.include({ GET: 1, POST: 6 });
    });

    it("refuses a display name that the tenant already has, in any letter case, before any write", async () => {
      const [existing] = emulator.seed([{ displayName: "ODJ Paris" }]);
      emulator.clearLog();
      const error = await t.provider.create({ displayName: "odj paris " }).catch((e) => e);
      expect((error as Error).name).to.equal("OwnershipError");
      expect((error as Error).message).to.contain(existing.id);
      expect((error as Error).message).to.contain(`connectorId: "${existing.id}"`);
      expect(emulator.summary()).to.include({ POST: 0, PATCH: 0, DELETE: 0 });
    });

    it("refuses two creates of one display name in a deployment unless both allow it", async () => {
      const [first, second] = await Promise.allSettled([
        t.provider.create({ displayName: "Twin" }),
        t.provider.create({ displayName: "Twin" }),
      ]);
      expect([first.status, second.status].sort()).to.deep.equal(["fulfilled", "rejected"]);
      expect(emulator.connectors().filter((c) => c.displayName === "Twin")).to.have.length(1);
      await t.provider.create({ displayName: "Pair", allowDuplicateDisplayName: true });
      await t.provider.create({ displayName: "Pair", allowDuplicateDisplayName: true });
      expect(emulator.connectors().filter((c) => c.displayName === "Pair")).to.have.length(2);
    });

    it("refuses a second adoption of one connector id in a deployment, before any write", async () => {
      const [existing] = emulator.connectors();
      await t.provider.create({ connectorId: existing.id, displayName: "first claim" });
      emulator.clearLog();
      const error = await t.provider
        .create({ connectorId: existing.id.toUpperCase(), displayName: "second claim" })
        .catch((e) => e);
      expect((error as Error).name).to.equal("OwnershipError");
      expect((error as Error).message).to.contain('displayName "first claim"');
      expect((error as Error).message).to.contain('displayName "second claim"');
      expect(emulator.summary()).to.include({ GET: 0, PATCH: 0 });
      expect(emulator.connectors().find((c) => c.id === existing.id)?.displayName).to.equal("first claim");
    });

    it("serves many calls with one token", async () => {
      await t.provider.create({ displayName: "a" });
      await t.provider.create({ displayName: "b" });
      await t.provider.create({ displayName: "c" });
      expect(emulator.summary()).to.include({ token: 1, POST: 3 });
    });
  });

  describe("update", () => {
    it("PATCHes only the changed property and takes the documented 200's body, without a second read", async () => {
      const { id, outs } = await created();
      const result = await t.provider.update(id, outs, {
        displayName: "Renamed",
        version: outs.version ?? undefined,
      });
      expect(graphCalls(emulator)).to.deep.equal(["PATCH 200"]);
      expect(emulator.requestLog({ kind: "graph" })[0].body).to.deep.equal({
        "@odata.type": CONNECTOR_ODATA_TYPE,
        displayName: "Renamed",
      });
      expect(result.outs).to.include({ displayName: "Renamed", connectorId: id });
    });

    it("reads the connector back after a PATCH answered 204 (variant patchResponse no-content)", async () => {
      emulator.setOptions({ variants: { patchResponse: "no-content" } });
      const { id, outs } = await created();
      const result = await t.provider.update(id, outs, { displayName: "Renamed", version: "6.2504.2001.8" });
      expect(graphCalls(emulator)).to.deep.equal(["PATCH 204", "GET 200"]);
      expect(emulator.requestLog({ kind: "graph" })[0].body).to.deep.equal({
        "@odata.type": CONNECTOR_ODATA_TYPE,
        displayName: "Renamed",
        version: "6.2504.2001.8",
      });
      expect(result.outs).to.include({ displayName: "Renamed", version: "6.2504.2001.8" });
    });

    it("never writes a declared state (Intune sets it from heartbeats): no PATCH when only state differs", async () => {
      const { id, outs } = await created();
      const result = await t.provider.update(id, outs, { displayName: outs.displayName, state: "active" });
      expect(graphCalls(emulator)).to.deep.equal([]);
      expect(result.outs).to.include({ state: "inactive" });
    });

    for (const patchResponse of ["no-content", "body"] as const) {
      it(`fails naming the property when the service ignores it (PATCH answered ${patchResponse === "body" ? "200 with the old value" : "204"})`, async () => {
        const { id, outs } = await created();
        emulator.setOptions({ variants: { patchResponse }, ignoredPatchProperties: ["version"] });
        const error = await t.provider
          .update(id, outs, { displayName: "Renamed", version: "6.2504.2001.8" })
          .catch((e) => e);
        expect((error as Error).name).to.equal("VerificationError");
        expect((error as Error).message).to.equal(
          `update connector ${id}: the service did not take version (version: asked "6.2504.2001.8", service has "")`,
        );
        expect(graphCalls(emulator)).to.deep.equal(
          patchResponse === "body" ? ["PATCH 200"] : ["PATCH 204", "GET 200"],
        );
        expect(emulator.connectors().find((c) => c.id === id)).to.include({
          displayName: "Renamed",
          version: "",
        });
      });
    }

    it("fails naming the property when an adopted connector does not take it, keeping id and outputs", async () => {
      const existing = emulator.connectors()[0];
      emulator.setOptions({ ignoredPatchProperties: ["displayName"] });
      const error = await t.provider
        .create({ connectorId: existing.id, displayName: "Not taken" })
        .catch((e) => e);
      expect((error as Error).name).to.equal("VerificationError");
      expect((error as Error).message).to.contain(
        `adopt connector ${existing.id}: the service did not take displayName (displayName: asked "Not taken", service has ${JSON.stringify(existing.displayName)})`,
      );
      expect((error as { id?: string }).id).to.equal(existing.id);
      expect((error as { properties?: Record<string, unknown> }).properties).to.include({
        connectorId: existing.id,
        displayName: existing.displayName,
        adopted: true,
      });
    });

    it("rides out replication lag: a read-back after a 204 answered 404 right after the PATCH is retried", async () => {
      const { id, outs } = await created();
      emulator.setOptions({ replicationLag: { reads: 2 }, variants: { patchResponse: "no-content" } });
      const result = await t.provider.update(id, outs, { displayName: "Renamed" });
      expect(graphCalls(emulator)).to.deep.equal(["PATCH 204", "GET 404", "GET 404", "GET 200"]);
      expect(result.outs).to.include({ connectorId: id, displayName: "Renamed" });
    });

    it("fails, saying so, when the connector stays invisible past the read-back budget", async () => {
      const { id, outs } = await created();
      emulator.setOptions({ replicationLag: { reads: 1000 }, variants: { patchResponse: "no-content" } });
      const error = await t.provider.update(id, outs, { displayName: "Renamed" }).catch((e) => e);
      // The harness gives the read-back 1000 ms: reads at 0, 250 and 750 ms, then no time for a 4th.
      expect((error as Error).message).to.contain(
        `connector ${id} was written but reading it back answered 404 for 1000 ms`,
      );
      expect(graphCalls(emulator)).to.deep.equal(["PATCH 204", "GET 404", "GET 404", "GET 404"]);
    });

    it("makes no request when only deleteOnDestroy changes", async () => {
      const { id, outs } = await created();
      const result = await t.provider.update(id, outs, {
        displayName: outs.displayName,
        deleteOnDestroy: false,
      });
      expect(graphCalls(emulator)).to.deep.equal([]);
      expect(result.outs).to.include({ deleteOnDestroy: false, displayName: outs.displayName });
    });
  });

  describe("read (refresh)", () => {
    it("reports an out-of-band rename and a heartbeat", async () => {
      const { id, outs } = await created();
      emulator.editOutOfBand(id, { displayName: "Renamed in the portal" });
      emulator.heartbeat(id, { state: "active" });
      const result = await t.provider.read(id, outs);
      expect(graphCalls(emulator)).to.deep.equal(["GET 200"]);
      expect(result.id).to.equal(id);
      expect(result.props).to.include({
        displayName: "Renamed in the portal",
        state: "active",
        adopted: false,
      });
      expect(result.props.lastConnectionDateTime).not.to.equal(outs.lastConnectionDateTime);
    });

    it("answers an empty id when the connector is gone (404)", async () => {
      const { id, outs } = await created();
      emulator.removeOutOfBand(id);
      expect(await t.provider.read(id, outs)).to.deep.equal({ id: "" });
    });

    it("fails on 403 and keeps the resource: a refused read is not a deleted connector", async () => {
      const { id, outs } = await created();
      const noRoles = providerFor(emulator, "no-roles");
      const error = await noRoles.provider.read(id, outs).catch((e) => e);
      noRoles.provider.close();
      expect(error).to.be.instanceOf(GraphError);
      expect((error as GraphError).status).to.equal(403);
      expect((error as Error).message).to.contain(`read connector ${id}: GET`);
      expect((error as Error).message).to.contain(
        "DeviceManagementConfiguration.Read.All or DeviceManagementConfiguration.ReadWrite.All",
      );
      expect(emulator.connectors().map((c) => c.id)).to.include(id);
    });

    it("fails, never dropping state, on any other error", async () => {
      const { id, outs } = await created();
      emulator.addFault({ method: "GET", path: "/beta/", status: 500, count: 100 });
      const error = await t.provider.read(id, outs).catch((e) => e);
      expect(error).to.be.instanceOf(GraphError);
      expect((error as GraphError).status).to.equal(500);
      expect((error as Error).message).to.contain(`read connector ${id}`);
      emulator.clearFaults();
    });
  });

  describe("delete", () => {
    it("DELETEs a created connector, and a second delete of it (404) succeeds", async () => {
      const { id, outs } = await created();
      await t.provider.delete(id, outs);
      await t.provider.delete(id, outs);
      expect(graphCalls(emulator)).to.deep.equal(["DELETE 204", "DELETE 404"]);
      expect(emulator.connectors().map((c) => c.id)).not.to.include(id);
    });
  });

  describe("adopt and release", () => {
    it("adopts an existing connector with one GET when nothing differs", async () => {
      const existing = emulator.connectors()[0];
      const result = await t.provider.create({ connectorId: existing.id, displayName: existing.displayName });
      expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200"]);
      expect(result.id).to.equal(existing.id);
      expect(result.outs).to.include({
        adopted: true,
        deleteOnDestroy: false,
        displayName: existing.displayName,
      });
    });

    describe("by the name it registered under (registeredName)", () => {
      it("lists the tenant once, adopts the one so named (letter case and spaces aside) and renames it", async () => {
        const [registered] = emulator.seed([{ displayName: "ODJ-LAB-SRV77" }]);
        emulator.clearLog();
        const result = await t.provider.create({
          registeredName: " odj-lab-srv77",
          displayName: "HQ connector",
        });
        expect(result.id).to.equal(registered.id);
        expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200", "GET 200", "PATCH 200"]);
        expect(result.outs).to.include({
          connectorId: registered.id,
          displayName: "HQ connector",
          adopted: true,
          deleteOnDestroy: false,
          registeredName: " odj-lab-srv77",
        });
        // Later runs work by id: a read and an update never look the name up again.
        emulator.clearLog();
        const read = await t.provider.read(result.id, result.outs);
        expect(read.props).to.include({ displayName: "HQ connector", registeredName: " odj-lab-srv77" });
        const updated = await t.provider.update(result.id, result.outs, {
          registeredName: " odj-lab-srv77",
          displayName: "HQ",
        });
        expect(updated.outs).to.include({
          displayName: "HQ",
          registeredName: " odj-lab-srv77",
          adopted: true,
        });
        expect(graphCalls(emulator)).to.deep.equal(["GET 200", "PATCH 200"]);
      });

      it("fails, writing nothing, when no connector or several bear the name, naming what there is", async () => {
        const [one, two] = emulator.seed([{ displayName: "TWIN" }, { displayName: "twin " }]);
        const names = emulator.connectors().map((c) => JSON.stringify(c.displayName));
        const none = await t.provider
          .create({ registeredName: "ODJ-NOWHERE", displayName: "x" })
          .catch((e) => e);
        expect((none as Error).name).to.equal("AdoptionError");
        expect((none as Error).message).to.equal(
          'adopt the connector registered as "ODJ-NOWHERE": the tenant has no connector with this display name ' +
            `(it has 4: ${names.join(", ")}). Check registeredName, or adopt by id with connectorId`,
        );
        const several = await t.provider.create({ registeredName: "TWIN", displayName: "x" }).catch((e) => e);
        expect((several as Error).message).to.equal(
          `adopt the connector registered as "TWIN": 2 connectors have this display name (${one.id}, ${two.id}). ` +
            `Adopt the right one by id instead: connectorId: "${one.id}"`,
        );
        expect(emulator.summary()).to.include({ PATCH: 0, POST: 0, DELETE: 0 });
      });

      it("refuses a name whose connector another resource of the deployment adopted, before any write", async () => {
        const [registered] = emulator.seed([{ displayName: "ODJ-SHARED" }]);
        await t.provider.create({ connectorId: registered.id, displayName: "ODJ-SHARED" });
        const error = await t.provider
          .create({ registeredName: "ODJ-SHARED", displayName: "mine" })
          .catch((e) => e);
        expect((error as Error).name).to.equal("OwnershipError");
        expect(emulator.summary().PATCH).to.equal(0);
      });
    });

    it("adopts and PATCHes only what differs", async () => {
      const existing = emulator.connectors()[0];
      await t.provider.create({
        connectorId: existing.id,
        displayName: "HQ connector",
        state: existing.state,
      });
      expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200", "PATCH 200"]);
      expect(emulator.requestLog({ kind: "graph" })[1].body).to.deep.equal({
        "@odata.type": CONNECTOR_ODATA_TYPE,
        displayName: "HQ connector",
      });
    });

    it("releases an adopted connector on delete: no request, a warning, the connector stays", async () => {
      const existing = emulator.connectors()[0];
      const { id, outs } = await t.provider.create({
        connectorId: existing.id,
        displayName: existing.displayName,
      });
      emulator.clearLog();
      await t.provider.delete(id, outs);
      expect(graphCalls(emulator)).to.deep.equal([]);
      expect(t.warnings.join("\n")).to.contain(`connector ${id}`).and.to.contain("released, not deleted");
      expect(emulator.connectors().map((c) => c.id)).to.include(id);
    });

    it("deletes an adopted connector when deleteOnDestroy is true", async () => {
      const existing = emulator.connectors()[0];
      const { id, outs } = await t.provider.create({
        connectorId: existing.id,
        displayName: existing.displayName,
        deleteOnDestroy: true,
      });
      await t.provider.delete(id, outs);
      expect(emulator.connectors().map((c) => c.id)).not.to.include(id);
    });

    describe("deleteOnDestroy through a destroy: given either way, or left to the default", () => {
      const ways = ["created", "adopted by id", "adopted by name"] as const;
      for (const way of ways) {
        for (const given of [undefined, true, false]) {
          // The default deletes what the stack created and releases what it adopted.
          const deleted = given ?? way === "created";
          it(`${way}, deleteOnDestroy ${given}: ${deleted ? "deleted" : "released, with a warning"}`, async () => {
            const [registered] = emulator.seed([{ displayName: "ODJ-DESTROY-ME" }]);
            const inputs = {
              created: { displayName: "ODJ made here" },
              "adopted by id": { connectorId: registered.id, displayName: "ODJ-DESTROY-ME" },
              "adopted by name": { registeredName: "ODJ-DESTROY-ME", displayName: "ODJ-DESTROY-ME" },
            }[way];
            const { id, outs } = await t.provider.create({
              ...inputs,
              ...(given !== undefined && { deleteOnDestroy: given }),
            });
            expect(outs.deleteOnDestroy).to.equal(deleted);
            emulator.clearLog();
            await t.provider.delete(id, outs);
            expect(emulator.connectors().some((c) => c.id === id)).to.equal(!deleted);
            expect(graphCalls(emulator)).to.deep.equal(deleted ? ["DELETE 204"] : []);
            const warned = t.warnings.find((w) => w.includes(`connector ${id}`));
            // A deleted connector whose software checks in may come back (variant deleteRegistered).
            expect(warned).to.equal(
              deleted
                ? way === "created"
                  ? undefined
                  : `connector ${id} ("${outs.displayName}") was deleted; it was active, its server last checking in at ` +
                    `${outs.lastConnectionDateTime}. While the Intune Connector for Active Directory runs there, Intune ` +
                    "may list it again at its next check-in: uninstall the connector from the server to remove it for good"
                : `connector ${id} ("${outs.displayName}") was released, not deleted: ` +
                    `${way === "created" ? "deleteOnDestroy is false" : "it was adopted"}, so it stays in Intune. ` +
                    "Set deleteOnDestroy: true to delete it",
            );
          });
        }
      }
    });

    it("fails clearly when the connector to adopt does not exist", async () => {
      const missing = "00000000-0000-4000-8000-00000000dead";
      const error = await t.provider.create({ connectorId: missing, displayName: "x" }).catch((e) => e);
      expect(error).to.be.instanceOf(AdoptionError);
      expect((error as Error).message).to.contain(
        `adopt connector ${missing}: no connector with this id exists`,
      );
      expect(emulator.summary().POST).to.equal(0);
    });

    it("reads an existing connector for DomainJoinConnector.get (props hold only the provider)", async () => {
      const existing = emulator.connectors()[1];
      const result = await t.provider.read(existing.id, { __provider: "shim" });
      expect(result.props).to.include({
        connectorId: existing.id,
        displayName: existing.displayName,
        adopted: true,
      });
    });
  });

  describe("authentication and permissions", () => {
    it("answers a 401 with one fresh token and one retry", async () => {
      const { id, outs } = await created();
      emulator.addFault({ path: "/beta/", status: 401, count: 1 });
      const result = await t.provider.read(id, outs);
      expect(result.id).to.equal(id);
      expect(graphCalls(emulator)).to.deep.equal(["GET 401", "token", "GET 200"]);
    });

    it("says the tenant has no active Intune licence when Intune refuses for that, not that a permission is missing", async () => {
      const existing = emulator.connectors()[0];
      emulator.setOptions({ intuneLicensed: false });
      const error = await t.provider.create({ displayName: "Unlicensed" }).catch((e) => e);
      expect(error).to.be.instanceOf(GraphError);
      const message = (error as Error).message;
      expect(message).to.match(
        /^list connectors: GET \S+ failed with 403 Forbidden: The tenant does not have an active Intune license\./,
      );
      expect(message).to.contain(
        "Hint: the tenant has no active Intune licence, which the Microsoft Graph API for Intune requires",
      );
      expect(message).not.to.contain("application permission");
      expect(emulator.connectors()).to.have.length(2);
      expect(emulator.connectors()[0]).to.deep.equal(existing);
    });

    it("names the missing permission on 403 and changes nothing", async () => {
      const reader = providerFor(emulator, "reader");
      const existing = emulator.connectors()[0];
      const error = await reader.provider
        .update(
          existing.id,
          { ...existing, adopted: true, deleteOnDestroy: false, connectorId: existing.id },
          { displayName: "nope" },
        )
        .catch((e) => e);
      reader.provider.close();
      expect(error).to.be.instanceOf(GraphError);
      const message = (error as Error).message;
      expect(message).to.contain(`update connector ${existing.id}: PATCH`);
      expect(message).to.contain("failed with 403");
      expect(message).to.contain(
        "Hint: the application needs the Microsoft Graph application permission DeviceManagementConfiguration.ReadWrite.All",
      );
      expect(message).to.match(/request-id: [0-9a-f-]{36}/);
      expect(message).to.match(/client-request-id: [0-9a-f-]{36}/);
      expect(message).not.to.contain("_version");
      expect(emulator.connectors()[0].displayName).to.equal(existing.displayName);
    });

    it("surfaces a refused secret (AADSTS7000215) without the secret", async () => {
      const bad = providerFor(emulator, "writer", {
        env: { ...emulatorEnvWithSecret(emulator, "not-the-secret-12345") },
      });
      const error = await bad.provider.create({ displayName: "x" }).catch((e) => e);
      bad.provider.close();
      expect((error as Error).name).to.equal("AuthenticationError");
      expect((error as Error).message).to.contain("AADSTS7000215");
      expect((error as Error).message).not.to.contain("not-the-secret-12345");
      expect(emulator.summary().POST).to.equal(0);
    });
  });

  describe("throttling", () => {
    /**
     * Gaps between consecutive POSTs as the emulator received them. Lower bounds only: a slow
     * machine can only widen a gap, so these never fail for being slow, only for not waiting.
     * (The exact delays are pinned with a fake clock in tests/unit/graph-client.test.ts.)
     */
    function postGaps(): number[] {
      const times = emulator
        .requestLog({ kind: "graph" })
        .filter((e) => e.method === "POST")
        .map((e) => Date.parse(e.time));
      return times.slice(1).map((time, i) => time - times[i]);
    }
    // The log's timestamps have millisecond resolution.
    const CLOCK_TOLERANCE_MS = 2;

    it("retries 429 with Retry-After, waiting at least the Retry-After before each retry", async () => {
      // 0.3 s is far above the harness's backoff (20 ms base), so ignoring the header shows.
      emulator.addFault({ method: "POST", path: "/beta/", status: 429, retryAfter: 0.3, count: 2 });
      await t.provider.create({ displayName: "x" });
      expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200", "POST 429", "POST 429", "POST 201"]);
      expect(emulator.connectors().filter((c) => c.displayName === "x")).to.have.length(1);
      const gaps = postGaps();
      expect(gaps).to.have.length(2);
      for (const gap of gaps) expect(gap).to.be.at.least(300 - CLOCK_TOLERANCE_MS);
    });

    it("retries 429 without Retry-After, backing off: at least half of 150 ms, then of 300 ms", async () => {
      const slow = providerFor(emulator, "writer", {
        retry: { ...FAST_RETRY, baseDelayMs: 150, maxDelayMs: 1000 },
      });
      emulator.addFault({ method: "POST", path: "/beta/", status: 429, retryAfter: null, count: 2 });
      try {
        await slow.provider.create({ displayName: "x" });
      } finally {
        slow.provider.close();
      }
      expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200", "POST 429", "POST 429", "POST 201"]);
      const [first, second] = postGaps();
      // Jitter draws each delay between half and all of its step: 75-150 ms, then 150-300 ms.
      expect(first).to.be.at.least(75 - CLOCK_TOLERANCE_MS);
      expect(second).to.be.at.least(150 - CLOCK_TOLERANCE_MS);
    });

    it("rides out the emulator's real write limit", async () => {
      emulator.setOptions({ throttle: { enabled: true, windowMs: 500, appWrites: 3, retryAfter: true } });
      try {
        // allSettled: a failed create must not end the test while the others still run.
        const settled = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) => t.provider.create({ displayName: `bulk ${i}` })),
        );
        const failures = settled.flatMap((s) => (s.status === "rejected" ? [String(s.reason)] : []));
        expect(failures, failures.join("\n")).to.deep.equal([]);
        const results = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
        expect(new Set(results.map((r) => r.id)).size).to.equal(8);
        expect(emulator.connectors().filter((c) => c.displayName?.startsWith("bulk "))).to.have.length(8);
        expect(emulator.summary().throttled).to.be.greaterThan(0);
      } finally {
        emulator.setOptions({
          throttle: { enabled: true, windowMs: 20_000, appWrites: 100, retryAfter: true },
        });
      }
    });
  });

  describe("POST with an unknown outcome", () => {
    for (const applyThen of [504, "drop"] as const) {
      it(`adopts the connector a POST applied but answered ${applyThen}, making no duplicate`, async () => {
        const before = emulator.connectors().length;
        emulator.addFault({ method: "POST", path: "/beta/", applyThen, count: 1 });
        const result = await t.provider.create({ displayName: "Exactly once" });
        expect(emulator.connectors()).to.have.length(before + 1);
        expect(emulator.connectors().filter((c) => c.displayName === "Exactly once")).to.have.length(1);
        expect(result.outs).to.include({
          displayName: "Exactly once",
          adopted: false,
          deleteOnDestroy: true,
        });
        expect(emulator.summary().POST).to.equal(1);
        expect(t.warnings.join("\n")).to.contain("took it instead of creating a second one");
      });
    }

    it("with a same-named connector allowed, takes only the new one an applied POST made", async () => {
      const [old] = emulator.seed([{ displayName: "Twin" }]);
      emulator.addFault({ method: "POST", path: "/beta/", applyThen: 504, count: 1 });
      const result = await t.provider.create({ displayName: "Twin", allowDuplicateDisplayName: true });
      const twins = emulator.connectors().filter((c) => c.displayName === "Twin");
      expect(twins).to.have.length(2);
      expect(result.id).not.to.equal(old.id);
      expect(twins.map((c) => c.id)).to.include(result.id);
      expect(emulator.summary().POST).to.equal(1);
    });

    it("never takes a same-named connector that was there before a POST that did not apply", async () => {
      const [old] = emulator.seed([{ displayName: "Twin" }]);
      emulator.addFault({ method: "POST", path: "/beta/", status: 503, count: 100 });
      const error = await t.provider
        .create({ displayName: "Twin", allowDuplicateDisplayName: true })
        .catch((e) => e);
      emulator.clearFaults();
      expect((error as Error).message).to.contain(
        "nothing was created; running the deployment again is safe",
      );
      expect((error as Error).message).not.to.contain(old.id);
      expect(
        emulator
          .connectors()
          .filter((c) => c.displayName === "Twin")
          .map((c) => c.id),
      ).to.deep.equal([old.id]);
    });

    it("fails naming the candidates when several new connectors match", async () => {
      // Another writer creates a namesake while our POST's answer is lost: both are new.
      // A first create takes the tenant listing that the next one reuses, so the only GET after
      // the lost POST is the reconciliation's; the emulator holds it 500 ms before answering,
      // time enough to add the namesake once the POST shows in the log (polled every 5 ms).
      await t.provider.create({ displayName: "first" });
      emulator.clearLog();
      emulator.addFault({ method: "POST", path: "/beta/", applyThen: 504, count: 1 });
      emulator.addFault({ method: "GET", path: "/beta/", delayMs: 500, count: 1 });
      const racing = t.provider
        .create({ displayName: "Twin", allowDuplicateDisplayName: true })
        .catch((e) => e);
      while (emulator.summary().POST === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      // Another writer's POST: like ours, it never contacted Intune.
      const other = emulator.seed([
        { displayName: "Twin", lastConnectionDateTime: "0001-01-01T00:00:00Z" },
      ])[0];
      const error = await racing;
      expect(graphCalls(emulator)).to.deep.equal(["POST 504", "GET 200"]);
      expect((error as Error).message).to.contain('2 new connectors are named "Twin"');
      expect((error as Error).message).to.contain(other.id);
      expect(emulator.summary().POST).to.equal(1);
    });

    it("never takes a namesake that checks in (active): connector software registered it, no POST", async () => {
      await t.provider.create({ displayName: "first" });
      emulator.clearLog();
      emulator.addFault({ method: "POST", path: "/beta/", status: 503, count: 100 });
      emulator.addFault({ method: "GET", path: "/beta/", delayMs: 500, count: 1 });
      const racing = t.provider
        .create({ displayName: "Registered", allowDuplicateDisplayName: true })
        .catch((e) => e);
      while (emulator.summary().POST === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      // Checked in a minute ago, so Intune shows it active.
      const registered = emulator.seed([
        { displayName: "Registered", lastConnectionDateTime: new Date(Date.now() - 60_000).toISOString() },
      ])[0];
      expect(registered.state).to.equal("active");
      const error = await racing;
      emulator.clearFaults();
      expect((error as Error).message).to.contain("nothing was created");
      expect((error as Error).message).not.to.contain(registered.id);
    });

    it("two lost creates of identical connectors take one each, making no orphan", async () => {
      emulator.addFault({ method: "POST", path: "/beta/", applyThen: "drop", count: 2 });
      const results = await Promise.all([
        t.provider.create({ displayName: "Pair", allowDuplicateDisplayName: true }),
        t.provider.create({ displayName: "Pair", allowDuplicateDisplayName: true }),
      ]);
      const pair = emulator.connectors().filter((c) => c.displayName === "Pair");
      expect(pair).to.have.length(2);
      expect(new Set(results.map((r) => r.id))).to.deep.equal(new Set(pair.map((c) => c.id)));
      expect(emulator.summary().POST).to.equal(2);
    });

    it("says nothing was created when the POST did not apply", async () => {
      emulator.addFault({ method: "POST", path: "/beta/", status: 504, count: 1 });
      const error = await t.provider.create({ displayName: "Never made" }).catch((e) => e);
      expect((error as Error).message).to.contain(
        "nothing was created; running the deployment again is safe",
      );
      expect(emulator.summary().POST).to.equal(1);
    });
  });

  describe("secrets", () => {
    it("never puts the client secret or a token in the request log or in errors", async () => {
      const secret = emulator.app("writer").secret;
      const { id, outs } = await created();
      await t.provider.update(id, outs, { displayName: "x" });
      emulator.addFault({ method: "GET", path: "/beta/", status: 500, count: 100 });
      const error = await t.provider.read(id, outs).catch((e) => e);
      emulator.clearFaults();
      const everything = JSON.stringify(emulator.requestLog()) + String((error as Error).message);
      expect(everything).not.to.contain(secret);
      expect(everything).not.to.match(/eyJ[A-Za-z0-9_-]{10,}\./);
    });
  });
});

function emulatorEnvWithSecret(emulator: Emulator, secret: string): NodeJS.ProcessEnv {
  return { AZURE_CLIENT_SECRET: secret, AZURE_CLIENT_ID: emulator.app("writer").clientId };
}
