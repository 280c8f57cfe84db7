/**
 * The provider's methods against the emulator over real HTTPS, with tokens from the real
 * @azure/identity. Each test asserts on the emulator's request log: the requests are the cost.
 */
import { expect } from "chai";
import { Emulator } from "../../emulator";
import { AdoptionError } from "../../provider/glue/implementation";
import { CONNECTOR_ODATA_TYPE } from "../../provider/logic/schema";
import { GraphError } from "../../provider/graph/errors";
import { TestProvider, graphCalls, providerFor, startTestEmulator } from "../support/provider-harness";

describe("provider against the emulator (HTTPS, real @azure/identity)", function () {
  let emulator: Emulator;
  let t: TestProvider;

  before(async () => {
    emulator = await startTestEmulator({ seed: 2 });
  });
  after(async () => {
    await emulator.close();
  });
  beforeEach(() => {
    emulator.reset({ seed: 2 });
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
    it("PATCHes only the changed property, then reads back after 204", async () => {
      const { id, outs } = await created();
      const result = await t.provider.update(id, outs, {
        displayName: "Renamed",
        version: outs.version ?? undefined,
      });
      expect(graphCalls(emulator)).to.deep.equal(["PATCH 204", "GET 200"]);
      expect(emulator.requestLog({ kind: "graph" })[0].body).to.deep.equal({
        "@odata.type": CONNECTOR_ODATA_TYPE,
        displayName: "Renamed",
      });
      expect(result.outs).to.include({ displayName: "Renamed", connectorId: id });
    });

    it("uses the body of a 200 PATCH without a second read", async () => {
      emulator.setOptions({ patchReturnsBody: true });
      const { id, outs } = await created();
      const result = await t.provider.update(id, outs, { displayName: "Renamed", state: "error" });
      expect(graphCalls(emulator)).to.deep.equal(["PATCH 200"]);
      expect(emulator.requestLog({ kind: "graph" })[0].body).to.deep.equal({
        "@odata.type": CONNECTOR_ODATA_TYPE,
        displayName: "Renamed",
        state: "error",
      });
      expect(result.outs).to.include({ displayName: "Renamed", state: "error" });
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

    it("adopts and PATCHes only what differs", async () => {
      const existing = emulator.connectors()[0];
      await t.provider.create({
        connectorId: existing.id,
        displayName: "HQ connector",
        state: existing.state,
      });
      expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200", "PATCH 204", "GET 200"]);
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
    it("retries 429 with Retry-After", async () => {
      emulator.addFault({ method: "POST", path: "/beta/", status: 429, retryAfter: 0.05, count: 2 });
      await t.provider.create({ displayName: "x" });
      expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200", "POST 429", "POST 429", "POST 201"]);
      expect(emulator.connectors().filter((c) => c.displayName === "x")).to.have.length(1);
    });

    it("retries 429 without Retry-After, backing off", async () => {
      emulator.addFault({ method: "POST", path: "/beta/", status: 429, retryAfter: null, count: 2 });
      await t.provider.create({ displayName: "x" });
      expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200", "POST 429", "POST 429", "POST 201"]);
    });

    it("rides out the emulator's real write limit", async () => {
      emulator.setOptions({ throttle: { enabled: true, windowMs: 500, appWrites: 3, retryAfter: true } });
      try {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => t.provider.create({ displayName: `bulk ${i}` })),
        );
        expect(new Set(results.map((r) => r.id)).size).to.equal(8);
        expect(emulator.connectors().filter((c) => c.displayName.startsWith("bulk "))).to.have.length(8);
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
      emulator.addFault({ method: "POST", path: "/beta/", applyThen: 504, delayMs: 300, count: 1 });
      const racing = t.provider
        .create({ displayName: "Twin", allowDuplicateDisplayName: true })
        .catch((e) => e);
      while (emulator.summary().POST === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const other = emulator.seed([{ displayName: "Twin" }])[0];
      const error = await racing;
      expect((error as Error).message).to.contain('2 new connectors are named "Twin"');
      expect((error as Error).message).to.contain(other.id);
      expect(emulator.summary().POST).to.equal(1);
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
