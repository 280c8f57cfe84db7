import { expect } from "chai";
import { GraphClient, parseGraphEndpoint } from "../../provider/graph/client";
import { ConnectorsApi } from "../../provider/graph/connectors";
import {
  GraphConnectionError,
  GraphError,
  GraphRequestRefusedError,
  OutcomeUnknownError,
} from "../../provider/graph/errors";
import { RequestLimiter } from "../../provider/graph/limiter";
import { ScriptedServer } from "../support/scripted-server";

class CountingTokens {
  issued = 0;
  refreshed = 0;
  async getToken() {
    return `token-${this.issued || ++this.issued}`;
  }
  async refresh() {
    this.refreshed++;
    return `token-${++this.issued}`;
  }
}

const fast = {
  baseDelayMs: 1,
  maxDelayMs: 5,
  maxRetryAfterMs: 50,
  requestTimeoutMs: 300,
  deadlineMs: 10_000,
  maxAttempts: 4,
};
const ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const connector = {
  id: ID,
  displayName: "Paris",
  version: null,
  state: "inactive",
  lastConnectionDateTime: null,
};

describe("Graph client pipeline (scripted loopback server)", () => {
  let server: ScriptedServer;
  let tokens: CountingTokens;
  let client: GraphClient;

  beforeEach(async () => {
    server = await new ScriptedServer().start();
    tokens = new CountingTokens();
    client = new GraphClient({ endpoint: server.origin, tokens, retry: fast, userAgent: "test-agent/1.0" });
  });
  afterEach(async () => {
    client.close();
    await server.stop();
  });

  it("sends a bearer token, a client-request-id, the user agent and JSON", async () => {
    server.answer({ status: 200, body: connector });
    const response = await client.send({
      operation: "read",
      method: "GET",
      path: `/deviceManagement/domainJoinConnectors/${ID}`,
    });
    expect(response.status).to.equal(200);
    const request = server.requests[0];
    expect(request.url).to.equal(`/beta/deviceManagement/domainJoinConnectors/${ID}`);
    expect(request.headers.authorization).to.equal("Bearer token-1");
    expect(request.headers["client-request-id"]).to.match(/^[0-9a-f-]{36}$/);
    expect(request.headers["user-agent"]).to.equal("test-agent/1.0");
  });

  it("retries 503 on GET with the same client-request-id and a Retry-Attempt header", async () => {
    server.answer({ status: 503, headers: { "retry-after": "0.01" } }, { status: 200, body: connector });
    const response = await client.send({ operation: "read", method: "GET", path: "/x" });
    expect(response.attempts).to.equal(2);
    expect(server.requests[0].headers["client-request-id"]).to.equal(
      server.requests[1].headers["client-request-id"],
    );
    expect(server.requests[1].headers["retry-attempt"]).to.equal("1");
  });

  it("retries 429 on POST (not processed) but reports a 504 on POST as an unknown outcome, sent once", async () => {
    server.answer({ status: 429, headers: { "retry-after": "0" } }, { status: 504 });
    const error = await client
      .send({ operation: "create", method: "POST", path: "/x", body: {} })
      .catch((e) => e);
    expect(error).to.be.instanceOf(OutcomeUnknownError);
    expect(server.requests.map((r) => r.method)).to.deep.equal(["POST", "POST"]);
  });

  it("treats a dropped POST connection as an unknown outcome", async () => {
    server.answer({ drop: true });
    const error = await client
      .send({ operation: "create", method: "POST", path: "/x", body: {} })
      .catch((e) => e);
    expect(error).to.be.instanceOf(OutcomeUnknownError);
    expect((error as OutcomeUnknownError).cause).to.be.instanceOf(GraphConnectionError);
    expect(server.requests).to.have.length(1);
  });

  it("times out a slow answer and retries a GET", async () => {
    server.answer({ status: 200, body: connector, delayMs: 1000 }, { status: 200, body: connector });
    const response = await client.send({ operation: "read", method: "GET", path: "/x" });
    expect(response.attempts).to.equal(2);
  });

  it("gives up after the attempt budget, saying so", async () => {
    server.always({ status: 502, body: { error: { code: "BadGateway", message: "upstream" } } });
    const error = await client
      .send({ operation: "read connector", method: "GET", path: "/x" })
      .catch((e) => e);
    expect(error).to.be.instanceOf(GraphError);
    expect(server.requests).to.have.length(fast.maxAttempts);
    expect((error as Error).message).to.match(/gave up after 4 attempts/);
  });

  it("gets one fresh token after a 401 and retries once", async () => {
    server.answer(
      { status: 401, body: { error: { code: "InvalidAuthenticationToken", message: "expired" } } },
      { status: 200, body: connector },
    );
    await client.send({ operation: "read", method: "GET", path: "/x" });
    expect(tokens.refreshed).to.equal(1);
    expect(server.requests.map((r) => r.headers.authorization)).to.deep.equal([
      "Bearer token-1",
      "Bearer token-2",
    ]);
  });

  it("does not loop on repeated 401", async () => {
    server.always({ status: 401, body: { error: { code: "InvalidAuthenticationToken", message: "bad" } } });
    const error = await client.send({ operation: "read", method: "GET", path: "/x" }).catch((e) => e);
    expect(error).to.be.instanceOf(GraphError);
    expect((error as GraphError).status).to.equal(401);
    expect(server.requests).to.have.length(2);
  });

  it("follows paging links on the same origin", async () => {
    server.answer(
      {
        status: 200,
        body: {
          value: [connector],
          "@odata.nextLink": `${server.origin}/beta/deviceManagement/domainJoinConnectors?$skiptoken=2`,
        },
      },
      { status: 200, body: { value: [{ ...connector, id: "11111111-2222-3333-4444-555555555555" }] } },
    );
    const all = await new ConnectorsApi(client).list();
    expect(all).to.have.length(2);
    expect(server.requests[1].url).to.equal("/beta/deviceManagement/domainJoinConnectors?$skiptoken=2");
  });

  it("refuses a nextLink to another host, sending nothing there", async () => {
    server.answer({
      status: 200,
      body: {
        value: [connector],
        "@odata.nextLink": "https://evil.example.com/beta/deviceManagement/domainJoinConnectors?$skiptoken=2",
      },
    });
    const error = await new ConnectorsApi(client).list().catch((e) => e);
    expect(error).to.be.instanceOf(GraphRequestRefusedError);
    expect((error as Error).message).to.contain("refused to follow a link to https://evil.example.com");
    expect(server.requests).to.have.length(1);
  });

  it("refuses a redirect to another host", async () => {
    server.answer({ status: 302, headers: { location: "https://evil.example.com/beta/x" } });
    const error = await client.send({ operation: "read", method: "GET", path: "/x" }).catch((e) => e);
    expect(error).to.be.instanceOf(GraphRequestRefusedError);
  });

  it("follows a same-origin redirect", async () => {
    server.answer({ status: 307, headers: { location: "/beta/y" } }, { status: 200, body: connector });
    await client.send({ operation: "read", method: "GET", path: "/x" });
    expect(server.requests.map((r) => r.url)).to.deep.equal(["/beta/x", "/beta/y"]);
  });

  it("never builds a path from an id that is not a GUID", async () => {
    const api = new ConnectorsApi(client);
    for (const id of ["../users", "x?$select=id", "%2F..%2F", `${ID}#frag`]) {
      const error = await api.get(id).catch((e) => e);
      expect(error, id).to.be.instanceOf(GraphRequestRefusedError);
    }
    expect(server.requests).to.have.length(0);
  });

  it("reads back after a 204 PATCH, and uses the body of a 200 PATCH", async () => {
    const api = new ConnectorsApi(client);
    server.answer({ status: 204 }, { status: 200, body: { ...connector, displayName: "Lyon" } });
    expect((await api.update(ID, { displayName: "Lyon" })).displayName).to.equal("Lyon");
    server.answer({ status: 200, body: { ...connector, displayName: "Nice" } });
    expect((await api.update(ID, { displayName: "Nice" })).displayName).to.equal("Nice");
    expect(server.requests.map((r) => r.method)).to.deep.equal(["PATCH", "GET", "PATCH"]);
  });

  it("passes every request through the shared limiter", async () => {
    let acquired = 0;
    const limiter = new RequestLimiter();
    const original = limiter.acquire.bind(limiter);
    limiter.acquire = (isWrite: boolean) => {
      acquired++;
      return original(isWrite);
    };
    const limited = new GraphClient({ endpoint: server.origin, tokens, retry: fast, limiter });
    server.answer({ status: 429, headers: { "retry-after": "0" } }, { status: 200, body: connector });
    await limited.send({ operation: "read", method: "GET", path: "/x" });
    limited.close();
    expect(acquired).to.equal(2);
  });

  it("accepts only https origins, or http on loopback", () => {
    expect(() => parseGraphEndpoint("http://graph.microsoft.com")).to.throw(
      GraphRequestRefusedError,
      /must use https/,
    );
    expect(parseGraphEndpoint("http://127.0.0.1:1234").origin).to.equal("http://127.0.0.1:1234");
    expect(parseGraphEndpoint("https://graph.microsoft.us").origin).to.equal("https://graph.microsoft.us");
  });
});
