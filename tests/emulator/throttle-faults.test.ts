// Throttling (Intune's ODJ limits, scaled down) and fault injection.
import { expect } from "chai";
import fetch from "node-fetch";
import type { Emulator } from "intune-graph-emulator";
import { startTestEmulator } from "intune-test-support/emulator";
import {
  CONNECTORS,
  eventually,
  graph,
  intuneMessage,
  requestToken,
  send,
  tokenFor,
  GRAPH_SCOPE,
  type ConnectorBody,
  type EntraErrorBody,
  type GraphErrorBody,
} from "intune-test-support/emulator-requests";

describe("emulator: throttling and faults", function () {
  this.timeout(10_000);
  let emu: Emulator;
  let writer: string;
  let reader: string;

  before(async () => {
    emu = await startTestEmulator();
    writer = await tokenFor(emu, "writer");
    reader = await tokenFor(emu, "reader");
  });
  after(() => emu.close());
  beforeEach(() => emu.reset({ seed: 1 }));

  const item = () => `${CONNECTORS}/${emu.connectors()[0].id}`;

  describe("throttling", () => {
    it("answers 429 TooManyRequests with a fractional Retry-After past the per-app write limit, changing nothing", async () => {
      emu.setOptions({ throttle: { appWrites: 2, windowMs: 400 } });
      for (const name of ["one", "two"]) {
        expect(
          (await graph(emu, "PATCH", item(), { token: writer, body: { displayName: name } })).status,
        ).to.equal(200);
      }
      const res = await graph<GraphErrorBody>(emu, "PATCH", item(), {
        token: writer,
        body: { displayName: "three" },
      });
      expect(res.status).to.equal(429);
      expect(res.body.error.code).to.equal("TooManyRequests");
      expect(res.body.error.message).to.equal("Please retry again later.");
      expect(res.body.error.innerError.code).to.equal("429");
      const retryAfter = Number(res.headers.get("retry-after"));
      expect(retryAfter).to.be.greaterThan(0).and.at.most(0.4);
      expect(emu.connectors()[0].displayName).to.equal("two");
      // Reads still fit in the overall limit.
      expect((await graph(emu, "GET", item(), { token: writer })).status).to.equal(200);

      await new Promise((r) => setTimeout(r, retryAfter * 1000 + 5));
      expect(
        (await graph(emu, "PATCH", item(), { token: writer, body: { displayName: "three" } })).status,
      ).to.equal(200);
      expect(emu.summary().throttled).to.equal(1);
    });

    it("omits Retry-After when told to (the robustness case of a 429 without one)", async () => {
      emu.setOptions({ throttle: { appAll: 1, retryAfter: false } });
      await graph(emu, "GET", CONNECTORS, { token: writer });
      const res = await graph(emu, "GET", CONNECTORS, { token: writer });
      expect(res.status).to.equal(429);
      expect(res.headers.get("retry-after")).to.equal(null);
    });

    it("counts every app against the tenant limit", async () => {
      emu.setOptions({ throttle: { tenantAll: 3 } });
      await graph(emu, "GET", CONNECTORS, { token: writer });
      await graph(emu, "GET", CONNECTORS, { token: writer });
      expect((await graph(emu, "GET", CONNECTORS, { token: reader })).status).to.equal(200);
      expect((await graph(emu, "GET", CONNECTORS, { token: reader })).status).to.equal(429);
    });

    it("keeps the per-app limit per app", async () => {
      emu.setOptions({ throttle: { appAll: 2 } });
      await graph(emu, "GET", CONNECTORS, { token: writer });
      await graph(emu, "GET", CONNECTORS, { token: writer });
      expect((await graph(emu, "GET", CONNECTORS, { token: writer })).status).to.equal(429);
      expect((await graph(emu, "GET", CONNECTORS, { token: reader })).status).to.equal(200);
    });

    it("does not throttle when turned off", async () => {
      emu.setOptions({ throttle: { enabled: false, appAll: 1 } });
      for (let i = 0; i < 5; i++)
        expect((await graph(emu, "GET", CONNECTORS, { token: writer })).status).to.equal(200);
    });

    it("refuses bad throttle settings", () => {
      expect(() => emu.setOptions({ throttle: { appWrites: 0 } })).to.throw(/appWrites/);
      expect(() => emu.setOptions({ pageSize: 1.5 })).to.throw(/pageSize/);
    });
  });

  describe("faults", () => {
    it("answer with a status, count down, and are logged", async () => {
      emu.addFault({ method: "GET", path: "domainJoinConnectors", status: 503, retryAfter: 2, count: 2 });
      for (let i = 0; i < 2; i++) {
        const res = await graph<GraphErrorBody>(emu, "GET", CONNECTORS, { token: writer });
        expect(res.status).to.equal(503);
        expect(res.body.error.code).to.equal("ServiceUnavailable");
        expect(res.headers.get("retry-after")).to.equal("2");
        expect(res.headers.get("request-id")).to.be.a("string");
      }
      expect((await graph(emu, "GET", CONNECTORS, { token: writer })).status).to.equal(200);
      expect(emu.requestLog({ kind: "graph" }).map((e) => e.fault)).to.deep.equal([
        "status 503",
        "status 503",
        undefined,
      ]);
    });

    it("send 429 without Retry-After when retryAfter is null", async () => {
      emu.addFault({ status: 429, retryAfter: null });
      const res = await graph<GraphErrorBody>(emu, "GET", CONNECTORS, { token: writer });
      expect(res.status).to.equal(429);
      expect(res.body.error.innerError.code).to.equal("429");
      expect(res.headers.get("retry-after")).to.equal(null);
    });

    it("answer 500 as Intune does, with a wrapped message", async () => {
      emu.addFault({ status: 500 });
      const res = await graph<GraphErrorBody>(emu, "GET", CONNECTORS, { token: writer });
      expect(res.status).to.equal(500);
      expect(res.body.error.code).to.equal("InternalError");
      expect(intuneMessage(res.body).Message).to.match(/^An internal server error has occurred/);
    });

    it("match a path by regular expression and a method", async () => {
      emu.addFault({ path: "/domainJoinConnectors/[0-9a-f-]{36}$/", method: "DELETE", status: 502 });
      expect((await graph(emu, "GET", item(), { token: writer })).status).to.equal(200);
      expect((await graph(emu, "DELETE", item(), { token: writer })).status).to.equal(502);
      expect(emu.connectors()).to.have.length(1);
    });

    it("answer the token endpoint in Entra's shape", async () => {
      emu.addFault({ path: "/oauth2/v2.0/token", status: 503, retryAfter: 1 });
      const app = emu.app("writer");
      const res = await requestToken<EntraErrorBody>(emu, {
        grant_type: "client_credentials",
        client_id: app.clientId,
        client_secret: app.secret,
        scope: GRAPH_SCOPE,
      });
      expect(res.status).to.equal(503);
      expect(res.body.error).to.equal("temporarily_unavailable");
      expect(res.body.error_description).to.match(/^AADSTS\d+: /);
      expect(res.headers.get("retry-after")).to.equal("1");
      expect(emu.requestLog({ kind: "token" })[0]).to.include({ status: 503, fault: "status 503" });
    });

    it("delay an answer past the client's timeout, then do the work anyway", async () => {
      emu.addFault({ method: "PATCH", delayMs: 300 });
      let error: Error | undefined;
      try {
        await fetch(`${emu.url}${item()}`, {
          method: "PATCH",
          headers: { Authorization: `Bearer ${writer}`, "Content-Type": "application/json" },
          body: JSON.stringify({ displayName: "slow" }),
          timeout: 100,
        });
      } catch (err) {
        error = err as Error;
      }
      expect(error?.name).to.equal("FetchError");
      expect(error?.message).to.match(/timeout/);
      expect(emu.connectors()[0].displayName).to.not.equal("slow");
      await eventually(() => emu.connectors()[0].displayName === "slow", 5000);
    });

    it("drop the connection without doing the work", async () => {
      emu.addFault({ method: "PATCH", drop: true });
      const before = emu.connectors()[0];
      let error: Error | undefined;
      try {
        await graph(emu, "PATCH", item(), { token: writer, body: { displayName: "lost" } });
      } catch (err) {
        error = err as Error;
      }
      expect(error?.name).to.equal("FetchError");
      expect(emu.connectors()[0]).to.deep.equal(before);
      expect(emu.requestLog({ kind: "graph" })[0]).to.include({ status: 0, fault: "drop" });
    });

    it("copies a rule's label to the log entries of the requests it shapes, and to no other", async () => {
      emu.addFault({ method: "GET", status: 503, count: 2, label: "outage-1" });
      for (let i = 0; i < 3; i++) await graph(emu, "GET", item(), { token: writer });
      expect(emu.requestLog({ kind: "graph" }).map((e) => [e.status, e.faultLabel])).to.deep.equal([
        [503, "outage-1"],
        [503, "outage-1"],
        [200, undefined],
      ]);
      expect(() => emu.addFault({ status: 500, label: 5 as never })).to.throw("fault label must be a string");
    });

    it("apply a POST and then answer 504: the unknown-outcome case", async () => {
      emu.addFault({ method: "POST", applyThen: 504 });
      const res = await graph<GraphErrorBody>(emu, "POST", CONNECTORS, {
        token: writer,
        body: { displayName: "ODJ-504" },
      });
      expect(res.status).to.equal(504);
      expect(res.body.error.code).to.equal("GatewayTimeout");
      expect(emu.connectors().map((c) => c.displayName)).to.include("ODJ-504");
      expect(emu.requestLog({ kind: "graph" })[0].fault).to.equal("applyThen 504");
    });

    it("apply a PATCH and then drop the connection", async () => {
      emu.addFault({ method: "PATCH", applyThen: "drop" });
      let error: Error | undefined;
      try {
        await graph(emu, "PATCH", item(), { token: writer, body: { displayName: "applied" } });
      } catch (err) {
        error = err as Error;
      }
      expect(error?.name).to.equal("FetchError");
      expect(emu.connectors()[0].displayName).to.equal("applied");
    });

    it("leave the admin API alone, and go away with clearFaults or reset", async () => {
      emu.addFault({ status: 500, count: 5 });
      const admin = await send<unknown[]>(`${emu.url}/_emulator/connectors`);
      expect(admin.status).to.equal(200);
      emu.clearFaults();
      expect((await graph<ConnectorBody>(emu, "GET", item(), { token: writer })).status).to.equal(200);
      emu.addFault({ status: 500 });
      emu.reset();
      expect((await graph(emu, "GET", CONNECTORS, { token: writer })).status).to.equal(200);
    });

    it("hit every matching request for forMs from the first one, then go", async () => {
      emu.addFault({ method: "GET", path: "domainJoinConnectors", status: 429, forMs: 400 });
      // Not started until a request matches.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await graph(emu, "GET", CONNECTORS, { token: writer })).status);
      expect(statuses).to.deep.equal([429, 429, 429]);
      await new Promise((resolve) => setTimeout(resolve, 450));
      expect((await graph(emu, "GET", CONNECTORS, { token: writer })).status).to.equal(200);
    });

    it("refuse rules that make no sense", () => {
      expect(() => emu.addFault({ status: 42 })).to.throw(/status/);
      expect(() => emu.addFault({ path: "x" })).to.throw(/needs/);
      expect(() => emu.addFault({ status: 500, drop: true })).to.throw(/at most one/);
      expect(() => emu.addFault({ status: 500, count: 0 })).to.throw(/count/);
      expect(() => emu.addFault({ status: 500, forMs: 0 })).to.throw(/forMs/);
      expect(() => emu.addFault({ status: 500, forMs: "10" as unknown as number })).to.throw(/forMs/);
      expect(() => emu.addFault({ status: 500, forMs: 10, count: 2 })).to.throw(/count or forMs/);
      expect(() => emu.addFault({ status: 500, path: "/([/" })).to.throw();
    });
  });

  describe("latency", () => {
    it("is added to Graph and token responses", async () => {
      // A lower bound, and a relation: a slow machine can only lengthen the first answer.
      emu.setOptions({ latencyMs: 300 });
      const started = Date.now();
      await graph(emu, "GET", CONNECTORS, { token: writer });
      const slowed = Date.now() - started;
      expect(slowed).to.be.at.least(300);
      emu.setOptions({ latencyMs: 0 });
      const again = Date.now();
      await graph(emu, "GET", CONNECTORS, { token: writer });
      expect(Date.now() - again).to.be.below(slowed);
    });
  });
});
