/**
 * The connector operations over a scripted loopback server, with a fake clock: reads after a
 * write that ride out replication lag, a 403 that is never taken for "gone", and a lost POST
 * reconciled on every property it sent, not just the display name.
 */
import { expect } from "chai";
import { GraphClient } from "../../provider/graph/client";
import { ConnectorsApi, CreateReconciliationError } from "../../provider/graph/connectors";
import { GraphError } from "../../provider/graph/errors";
import { FakeClock } from "../support/fake-clock";
import { ScriptedServer } from "../support/scripted-server";

const ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const OTHER = "9d2c4b1a-0000-4000-8000-00000000beef";
const connector = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  displayName: "Paris",
  version: null,
  state: "inactive",
  lastConnectionDateTime: null,
  ...extra,
});
const TYPE = "#microsoft.graph.deviceManagementDomainJoinConnector";

describe("connectors API (scripted server, fake clock)", () => {
  let server: ScriptedServer;
  let clock: FakeClock;
  let client: GraphClient;
  let api: ConnectorsApi;

  beforeEach(async () => {
    server = await new ScriptedServer().start();
    clock = new FakeClock();
    client = new GraphClient({
      endpoint: server.origin,
      tokens: { getToken: async () => "t", refresh: async () => "t" },
      clock,
      retry: { maxAttempts: 1, requestTimeoutMs: 5000 },
    });
    api = new ConnectorsApi(client, { clock, readAfterWriteMs: 5000, reconcileMs: 4000 });
  });
  afterEach(async () => {
    client.close();
    await server.stop();
  });

  describe("reading back after a write (replication lag)", () => {
    it("retries a read answered 404 right after a 204 PATCH: 250 ms, then 500 ms", async () => {
      server.answer(
        { status: 204 },
        { status: 404 },
        { status: 404 },
        { status: 200, body: connector(ID, { displayName: "Lyon" }) },
      );
      const updated = await api.update(ID, { displayName: "Lyon" });
      expect(updated.displayName).to.equal("Lyon");
      expect(server.requests.map((r) => r.method)).to.deep.equal(["PATCH", "GET", "GET", "GET"]);
      expect(clock.sleeps).to.deep.equal([250, 500]);
    });

    it("gives up when the connector stays invisible past readAfterWriteMs, saying so", async () => {
      server.answer({ status: 204 });
      server.always({ status: 404 });
      const error = await api.update(ID, { displayName: "Lyon" }).catch((e) => e);
      expect((error as Error).message).to.equal(
        `read connector ${ID} after update: connector ${ID} was written but reading it back answered 404 for 5000 ms`,
      );
      // 250 + 500 + 1000 + 2000 = 3750 ms; another 2000 would pass the 5000 ms budget.
      expect(clock.sleeps).to.deep.equal([250, 500, 1000, 2000]);
      expect(server.requests.filter((r) => r.method === "GET")).to.have.length(5);
    });
  });

  describe("reading a connector", () => {
    it("answers undefined for 404 (gone)", async () => {
      server.answer({ status: 404, body: { error: { code: "ResourceNotFound", message: "gone" } } });
      expect(await api.get(ID)).to.equal(undefined);
    });

    it("throws for 403: a refused read says nothing about whether the connector exists", async () => {
      server.answer({ status: 403, body: { error: { code: "Forbidden", message: "no permission" } } });
      const error = await api.get(ID).catch((e) => e);
      expect(error).to.be.instanceOf(GraphError);
      expect((error as GraphError).status).to.equal(403);
    });
  });

  describe("a POST whose answer was lost, reconciled", () => {
    const lostPost = { status: 504, body: { error: { code: "GatewayTimeout", message: "lost" } } };

    it("takes the new connector with the version it sent, not a new namesake with another version", async () => {
      server.answer(lostPost, {
        status: 200,
        body: {
          value: [connector(OTHER, { version: "2.2.2.2" }), connector(ID, { version: "1.1.1.1" })],
        },
      });
      const result = await api.create(
        { "@odata.type": TYPE, displayName: "Paris", version: "1.1.1.1" },
        { before: new Set() },
      );
      expect(result).to.deep.include({ reconciled: true });
      expect(result.connector.id).to.equal(ID);
      expect(server.requests.map((r) => r.method)).to.deep.equal(["POST", "GET"]);
    });

    it("takes the new connector with the state it sent, not a new namesake in another state", async () => {
      server.answer(lostPost, {
        status: 200,
        body: { value: [connector(ID, { state: "active" }), connector(OTHER, { state: "inactive" })] },
      });
      const result = await api.create(
        { "@odata.type": TYPE, displayName: "Paris", state: "inactive" },
        { before: new Set() },
      );
      expect(result.connector.id).to.equal(OTHER);
    });

    it("names both candidates when they match on every property sent", async () => {
      server.answer(lostPost, {
        status: 200,
        body: { value: [connector(ID, { version: "1.1.1.1" }), connector(OTHER, { version: "1.1.1.1" })] },
      });
      const error = await api
        .create({ "@odata.type": TYPE, displayName: "Paris", version: "1.1.1.1" }, { before: new Set() })
        .catch((e) => e);
      expect(error).to.be.instanceOf(CreateReconciliationError);
      expect((error as CreateReconciliationError).candidates).to.deep.equal([ID, OTHER]);
    });
  });
});
