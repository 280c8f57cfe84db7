/**
 * The connector operations over a scripted loopback server, with a fake clock: reads after a
 * write that ride out replication lag, a 403 that is never taken for "gone", and a lost POST
 * reconciled on every property it sent, not just the display name.
 */
import { expect } from "chai";
import { GraphClient, GraphRequest, GraphResponse } from "pulumi-intune-domain-join/internal/graph/client";
import {
  ConnectorsApi,
  ConnectorsApiOptions,
  CreateReconciliationError,
} from "pulumi-intune-domain-join/internal/graph/connectors";
import {
  GraphError,
  GraphRequestRefusedError,
  OutcomeUnknownError,
} from "pulumi-intune-domain-join/internal/graph/errors";
import { FakeClock } from "intune-test-support/fake-clock";
import { ScriptedServer } from "intune-test-support/scripted-server";

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
// Lower case, with hex letters, and A sorts before B.
const A = "0aaaaaaa-0000-4000-8000-00000000000a";
const B = "0bbbbbbb-0000-4000-8000-00000000000b";
const C = "0ccccccc-0000-4000-8000-00000000000c";

/**
 * Stands in for the Graph client where a test must decide when and how each request is answered
 * (1000 pages, lost POSTs answered at a chosen moment); records every request.
 */
class StubClient {
  readonly requests: GraphRequest[] = [];
  constructor(private readonly answer: (request: GraphRequest) => Promise<GraphResponse<unknown>>) {}
  send<T>(request: GraphRequest): Promise<GraphResponse<T>> {
    this.requests.push(request);
    return this.answer(request) as Promise<GraphResponse<T>>;
  }
  get gets(): number {
    return this.requests.filter((r) => r.method === "GET").length;
  }
}
const stubApi = (stub: StubClient, options: ConnectorsApiOptions) =>
  new ConnectorsApi(stub as unknown as GraphClient, options);
const answered = (status: number, body: unknown): GraphResponse<unknown> => ({
  status,
  body,
  clientRequestId: "stub",
  attempts: 1,
});
/** What the client throws for a POST answered 504: the service may or may not have created it. */
const lostAnswer = (request: GraphRequest) =>
  new OutcomeUnknownError(
    request.operation,
    new GraphError({
      operation: request.operation,
      method: request.method,
      path: "/beta/deviceManagement/domainJoinConnectors",
      status: 504,
      code: "GatewayTimeout",
      message: "lost",
    }),
  );
/** POSTs are lost; GETs answer the listings given, one each, and fail loudly past the last. */
const lostPostThenListings = (...listings: unknown[][]) => {
  const script = [...listings];
  return new StubClient(async (request) => {
    if (request.method === "POST") throw lostAnswer(request);
    const value = script.shift();
    if (!value) throw new Error("stub: no more listings scripted");
    return answered(200, { value });
  });
};

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

    it("takes the new connector no software checks in with, not a namesake the connector software registered", async () => {
      const registered = {
        state: "active",
        lastConnectionDateTime: "2026-12-01T10:00:00.0000000Z",
        version: "6.2504.2001.8",
      };
      server.answer(lostPost, {
        status: 200,
        body: { value: [connector(ID, registered), connector(OTHER, { state: "inactive" })] },
      });
      const result = await api.create({ "@odata.type": TYPE, displayName: "Paris" }, { before: new Set() });
      expect(result.connector.id).to.equal(OTHER);
    });

    it("takes a new connector whose last contact is its creation time (variant newConnectorContact) while it is not active", async () => {
      const createdAt = { state: "inactive", lastConnectionDateTime: "2026-12-01T10:00:00.0000000Z" };
      server.answer(lostPost, { status: 200, body: { value: [connector(OTHER, createdAt)] } });
      const result = await api.create({ "@odata.type": TYPE, displayName: "Paris" }, { before: new Set() });
      expect(result.connector.id).to.equal(OTHER);
    });

    for (const sent of [undefined, "6.2504.2001.8"]) {
      it(`takes a new connector that shows active and its creation as last contact, with the version the POST sent (${sent ?? "none"})`, async () => {
        // Variants newConnectorState "active" and newConnectorContact "created-at" together.
        const posted = {
          state: "active",
          lastConnectionDateTime: "2026-12-01T10:00:00.0000000Z",
          version: sent ?? "",
        };
        server.answer(lostPost, { status: 200, body: { value: [connector(OTHER, posted)] } });
        const body = { "@odata.type": TYPE, displayName: "Paris", ...(sent && { version: sent }) };
        const result = await api.create(body, { before: new Set() });
        expect(result.connector.id).to.equal(OTHER);
      });
    }

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
  describe("reading back after a write: the deadline", () => {
    it("sleeps a last delay that ends exactly at readAfterWriteMs (3750 ms: 250, 500, 1000, 2000) and reads once more", async () => {
      const exact = new ConnectorsApi(client, { clock, readAfterWriteMs: 3750 });
      server.answer(
        { status: 204 },
        { status: 404 },
        { status: 404 },
        { status: 404 },
        { status: 404 },
        { status: 200, body: connector(ID, { displayName: "Lyon" }) },
      );
      const updated = await exact.update(ID, { displayName: "Lyon" });
      expect(updated.displayName).to.equal("Lyon");
      expect(clock.sleeps).to.deep.equal([250, 500, 1000, 2000]);
      expect(server.requests.filter((r) => r.method === "GET")).to.have.length(5);
    });
  });

  describe("updating a connector", () => {
    it("reads the connector back when PATCH answers 202 with a body: only a 200 body is taken as the result", async () => {
      server.answer(
        { status: 202, body: connector(ID, { displayName: "Paris" }) },
        { status: 200, body: connector(ID, { displayName: "Lyon" }) },
      );
      const updated = await api.update(ID, { displayName: "Lyon" });
      expect(updated.displayName).to.equal("Lyon");
      expect(server.requests.map((r) => r.method)).to.deep.equal(["PATCH", "GET"]);
    });
  });

  describe("refusing ids that are not GUIDs", () => {
    it('refuses to read the id "../deviceManagementScripts", sending nothing', async () => {
      const error = await api.get("../deviceManagementScripts").catch((e) => e);
      expect(error).to.be.instanceOf(GraphRequestRefusedError);
      expect((error as Error).message).to.equal(
        'connector id "../deviceManagementScripts" is not a GUID; refusing to build a Graph path from it',
      );
      expect(server.requests).to.have.length(0);
    });

    it("refuses an id that is not a string even when it prints as a GUID (an array holding one), sending nothing", async () => {
      const error = await api.get([ID] as unknown as string).catch((e) => e);
      expect(error).to.be.instanceOf(GraphRequestRefusedError);
      expect((error as Error).message).to.equal(
        `connector id ["${ID}"] is not a GUID; refusing to build a Graph path from it`,
      );
      expect(server.requests).to.have.length(0);
    });
  });

  describe("deleting a connector", () => {
    it('answers "deleted" for 204', async () => {
      server.answer({ status: 204 });
      expect(await api.delete(ID)).to.equal("deleted");
      expect(server.requests.map((r) => `${r.method} ${r.url}`)).to.deep.equal([
        `DELETE /beta/deviceManagement/domainJoinConnectors/${ID}`,
      ]);
    });

    it('answers "already-gone" for 404', async () => {
      server.answer({ status: 404, body: { error: { code: "ResourceNotFound", message: "gone" } } });
      expect(await api.delete(ID)).to.equal("already-gone");
    });

    it('throws for 403, naming the operation "delete connector <id>"', async () => {
      server.answer({ status: 403, body: { error: { code: "Forbidden", message: "no permission" } } });
      const error = await api.delete(ID).catch((e) => e);
      expect(error).to.be.instanceOf(GraphError);
      expect((error as GraphError).status).to.equal(403);
      expect((error as GraphError).operation).to.equal(`delete connector ${ID}`);
    });
  });

  describe("listing every page", () => {
    /** A tenant of `pages` pages of one connector each, each page linking to the next. */
    const pagedTenant = (pages: number) =>
      new StubClient(async (request) => {
        const page =
          request.path === "/deviceManagement/domainJoinConnectors" ? 0 : Number(request.path.split("=")[1]);
        const link =
          page + 1 < pages
            ? { "@odata.nextLink": `/deviceManagement/domainJoinConnectors?$skiptoken=${page + 1}` }
            : {};
        return answered(200, { value: [connector(`page-${page}`)], ...link });
      });

    it('follows exactly 1000 pages, each requested as "list connectors"', async () => {
      const stub = pagedTenant(1000);
      const all = await stubApi(stub, { clock }).list();
      expect(all).to.have.length(1000);
      expect(all[999].id).to.equal("page-999");
      expect(stub.requests).to.have.length(1000);
      expect(stub.requests[999].path).to.equal("/deviceManagement/domainJoinConnectors?$skiptoken=999");
      expect(new Set(stub.requests.map((r) => r.operation))).to.deep.equal(new Set(["list connectors"]));
    });

    it('stops a listing of 1001 pages after requesting 1000: "more than 1000 pages"', async () => {
      const stub = pagedTenant(1001);
      const error = await stubApi(stub, { clock })
        .list()
        .catch((e) => e);
      expect((error as Error).message).to.equal("list connectors: more than 1000 pages; stopping");
      expect(stub.requests).to.have.length(1000);
    });
  });

  describe("a listing shared by creates", () => {
    const tenant = () => new StubClient(async () => answered(200, { value: [connector(A)] }));

    it("reuses a listing exactly listReuseMs (3000 ms) old and lists again 1 ms later", async () => {
      const stub = tenant();
      const shared = stubApi(stub, { clock, listReuseMs: 3000 });
      const first = await shared.listShared();
      clock.time = 3000;
      expect(await shared.listShared()).to.equal(first);
      expect(stub.requests).to.have.length(1);
      clock.time = 3001;
      const again = await shared.listShared();
      expect(again).to.not.equal(first);
      expect(again.map((c) => c.id)).to.deep.equal([A]);
      expect(stub.requests).to.have.length(2);
    });

    it("does not reuse a listing that failed: the next call lists again", async () => {
      let calls = 0;
      const stub = new StubClient(async (request) => {
        if (++calls === 1)
          throw new GraphError({
            operation: request.operation,
            method: "GET",
            path: "/beta/deviceManagement/domainJoinConnectors",
            status: 503,
            message: "busy",
          });
        return answered(200, { value: [connector(A)] });
      });
      const shared = stubApi(stub, { clock, listReuseMs: 3000 });
      const error = await shared.listShared().catch((e) => e);
      expect((error as GraphError).status).to.equal(503);
      expect((await shared.listShared()).map((c) => c.id)).to.deep.equal([A]);
      expect(stub.requests).to.have.length(2);
    });
  });

  describe("a POST answered 2xx", () => {
    it("answers the connector with reconciled false for 201", async () => {
      server.answer({ status: 201, body: connector(ID) });
      const result = await api.create({ "@odata.type": TYPE, displayName: "Paris" });
      expect(result).to.deep.equal({ connector: connector(ID), reconciled: false });
      expect(server.requests.map((r) => r.method)).to.deep.equal(["POST"]);
    });

    it("fails when 204 brings no connector, naming the create and the status", async () => {
      server.answer({ status: 204 });
      const error = await api.create({ "@odata.type": TYPE, displayName: "Paris" }).catch((e) => e);
      expect((error as Error).message).to.equal(
        'create connector "Paris": Graph answered 204 without the new connector',
      );
      expect(server.requests.map((r) => r.method)).to.deep.equal(["POST"]);
    });

    it("fails when 201 brings a body without an id", async () => {
      server.answer({ status: 201, body: { displayName: "Paris" } });
      const error = await api.create({ "@odata.type": TYPE, displayName: "Paris" }).catch((e) => e);
      expect((error as Error).message).to.equal(
        'create connector "Paris": Graph answered 201 without the new connector',
      );
    });
  });

  describe("reconciling a lost POST: timing", () => {
    const body = { "@odata.type": TYPE, displayName: "Paris" };

    it("lists after 500, 1000 and 2000 ms and gives up before a 4000 ms wait would pass reconcileMs 4000", async () => {
      const stub = lostPostThenListings([], [], [], []);
      const error = await stubApi(stub, { clock, reconcileMs: 4000 })
        .create(body, { before: new Set() })
        .catch((e) => e);
      expect(error).to.be.instanceOf(CreateReconciliationError);
      expect((error as CreateReconciliationError).candidates).to.deep.equal([]);
      expect(clock.sleeps).to.deep.equal([500, 1000, 2000]);
      expect(stub.gets).to.equal(4);
    });

    it("still sleeps a delay that ends exactly at the deadline (reconcileMs 3500), not one that ends 1 ms past it (3499)", async () => {
      const exact = lostPostThenListings([], [], [], []);
      await stubApi(exact, { clock, reconcileMs: 3500 })
        .create(body, { before: new Set() })
        .catch(() => undefined);
      expect(clock.sleeps).to.deep.equal([500, 1000, 2000]);
      expect(exact.gets).to.equal(4);

      const short = new FakeClock();
      const under = lostPostThenListings([], [], [], []);
      await stubApi(under, { clock: short, reconcileMs: 3499 })
        .create(body, { before: new Set() })
        .catch(() => undefined);
      expect(short.sleeps).to.deep.equal([500, 1000]);
      expect(under.gets).to.equal(3);
    });

    it("takes the connector that appears on the third listing, after sleeping 500 and 1000 ms", async () => {
      const stub = lostPostThenListings([], [], [connector(A)]);
      const result = await stubApi(stub, { clock, reconcileMs: 4000 }).create(body, { before: new Set() });
      expect(result).to.deep.equal({ connector: connector(A), reconciled: true });
      expect(clock.sleeps).to.deep.equal([500, 1000]);
    });
  });

  describe("reconciling a lost POST: several candidates", () => {
    const body = { "@odata.type": TYPE, displayName: "Paris" };

    it("fails at once naming both candidates, in a CreateReconciliationError carrying the lost POST's error", async () => {
      const stub = lostPostThenListings([connector(A), connector(B)]);
      const error = await stubApi(stub, { clock })
        .create(body, { before: new Set() })
        .catch((e) => e);
      expect(error).to.be.instanceOf(CreateReconciliationError);
      const failure = error as CreateReconciliationError;
      expect(failure.name).to.equal("CreateReconciliationError");
      expect(failure.message).to.equal(
        'create connector "Paris": the outcome is unknown: create connector "Paris": POST ' +
          "/beta/deviceManagement/domainJoinConnectors failed with 504 GatewayTimeout: lost. " +
          `2 new connectors are named "Paris" (${A}, ${B}); one of them may have been created by this request. ` +
          "Adopt the right one with connectorId, or delete the extra one, then run again",
      );
      expect(failure.candidates).to.deep.equal([A, B]);
      expect(failure.cause).to.be.instanceOf(OutcomeUnknownError);
      expect(clock.sleeps).to.deep.equal([]);
      expect(stub.gets).to.equal(1);
    });

    it("counts a settled lost create out: a later lost create seeing two candidates fails instead of taking one", async () => {
      const stub = lostPostThenListings([connector(A)], [connector(A), connector(B)]);
      const sequential = stubApi(stub, { clock });
      const first = await sequential.create(body, { before: new Set() });
      expect(first.connector.id).to.equal(A);
      const error = await sequential.create(body, { before: new Set() }).catch((e) => e);
      expect(error).to.be.instanceOf(CreateReconciliationError);
      expect((error as CreateReconciliationError).candidates).to.deep.equal([A, B]);
    });

    /** POSTs are lost; every GET waits until `count` GETs are in flight, then all get `value`. */
    const listingsReleasedTogether = (count: number, value: unknown[]) => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const stub: StubClient = new StubClient(async (request) => {
        if (request.method === "POST") throw lostAnswer(request);
        if (stub.gets === count) release();
        await gate;
        return answered(200, { value });
      });
      return stub;
    };

    it("gives two identical concurrent lost creates one connector each, the lowest id to the first to settle", async () => {
      const stub = listingsReleasedTogether(2, [connector(B), connector(A)]);
      const concurrent = stubApi(stub, { clock });
      const context = { before: new Set<string>(), held: new Set<string>() };
      const results = await Promise.all([concurrent.create(body, context), concurrent.create(body, context)]);
      expect(results.map((r) => [r.connector.id, r.reconciled])).to.deep.equal([
        [A, true],
        [B, true],
      ]);
      expect([...context.held]).to.deep.equal([A, B]);
    });

    it("counts lost creates per fields: a lost create of Lyon does not let a lost create of Paris take one of two Paris candidates", async () => {
      const stub = listingsReleasedTogether(2, [
        connector(A),
        connector(B),
        connector(C, { displayName: "Lyon" }),
      ]);
      const concurrent = stubApi(stub, { clock });
      const [paris, lyon] = await Promise.allSettled([
        concurrent.create(body, { before: new Set() }),
        concurrent.create({ "@odata.type": TYPE, displayName: "Lyon" }, { before: new Set() }),
      ]);
      expect(paris.status).to.equal("rejected");
      expect(((paris as PromiseRejectedResult).reason as CreateReconciliationError).candidates).to.deep.equal(
        [A, B],
      );
      expect(lyon.status === "fulfilled" && lyon.value.connector.id).to.equal(C);
    });
  });
});
