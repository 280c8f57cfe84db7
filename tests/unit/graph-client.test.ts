import { expect } from "chai";
import { format } from "node:util";
import { AzureLogger, getLogLevel, setLogLevel } from "@azure/logger";
import {
  GraphClient,
  GraphClientOptions,
  parseGraphEndpoint,
} from "pulumi-intune-domain-join/internal/graph/client";
import { ConnectorsApi } from "pulumi-intune-domain-join/internal/graph/connectors";
import {
  GraphConnectionError,
  GraphError,
  GraphRequestRefusedError,
  OutcomeUnknownError,
} from "pulumi-intune-domain-join/internal/graph/errors";
import { RequestLimiter } from "pulumi-intune-domain-join/internal/graph/limiter";
import { RetryOptions } from "pulumi-intune-domain-join/internal/config/retry-options";
import { FakeClock } from "intune-test-support/fake-clock";
import { ScriptedServer } from "intune-test-support/scripted-server";

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
    expect(request.headers.accept).to.equal("application/json");
    expect(request.headers["return-client-request-id"]).to.equal("true");
    expect(request.headers["retry-attempt"]).to.equal(undefined);
    expect(request.headers["content-type"]).to.equal(undefined); // no body, no content type
  });

  it("sends a write's body as JSON, with its content type", async () => {
    server.answer({ status: 201, body: connector });
    await client.send({
      operation: "create",
      method: "POST",
      path: "/deviceManagement/domainJoinConnectors",
      body: { displayName: "Paris – ☕" },
    });
    const request = server.requests[0];
    expect(request.method).to.equal("POST");
    expect(request.headers["content-type"]).to.equal("application/json");
    expect(request.body).to.equal('{"displayName":"Paris – ☕"}');
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
    for (const id of [
      "../users",
      "x?$select=id",
      "%2F..%2F",
      `${ID}#frag`,
      `../../users/${ID}`,
      `${ID}/../../users`,
      `${ID}0`,
    ]) {
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

  it("accepts plain http on each loopback name, and nothing but http or https", () => {
    expect(parseGraphEndpoint("http://localhost:8443").origin).to.equal("http://localhost:8443");
    expect(parseGraphEndpoint("http://[::1]:8443").origin).to.equal("http://[::1]:8443");
    for (const endpoint of [
      "http://127.0.0.2",
      "http://graph.localhost",
      "ftp://127.0.0.1",
      "ws://localhost",
    ]) {
      expect(() => parseGraphEndpoint(endpoint), endpoint).to.throw(
        GraphRequestRefusedError,
        `graphEndpoint "${endpoint}" must use https (plain http is accepted only for loopback addresses)`,
      );
    }
  });

  it("refuses an endpoint that is not a URL, naming the value", () => {
    expect(() => parseGraphEndpoint("graph.microsoft.com")).to.throw(
      GraphRequestRefusedError,
      'graphEndpoint "graph.microsoft.com" is not a URL',
    );
  });

  it("refuses an endpoint with credentials, a query or a fragment: only an origin is accepted", () => {
    for (const endpoint of [
      "https://user@graph.microsoft.com",
      "https://:secret@graph.microsoft.com",
      "https://graph.microsoft.com/?x=1",
      "https://graph.microsoft.com/#top",
    ]) {
      expect(() => parseGraphEndpoint(endpoint), endpoint).to.throw(
        GraphRequestRefusedError,
        `graphEndpoint "${endpoint}" must be an origin such as https://graph.microsoft.com`,
      );
    }
    // A path is dropped, not refused: the API version is the client's to add.
    expect(parseGraphEndpoint("https://graph.microsoft.com/beta").href).to.equal(
      "https://graph.microsoft.com/",
    );
  });

  it("joins a relative path containing a colon under the API version", () => {
    expect(client.resolve("/deviceManagement/x:y").href).to.equal(
      `${server.origin}/beta/deviceManagement/x:y`,
    );
  });

  it("refuses a same-origin link outside the API version, or carrying credentials, sending nothing", async () => {
    const port = new URL(server.origin).port;
    for (const link of [
      `${server.origin}/v1.0/deviceManagement/domainJoinConnectors`,
      `${server.origin}/betax/deviceManagement/domainJoinConnectors`,
      `${server.origin}/beta`,
    ]) {
      const error = await client.send({ operation: "list", method: "GET", path: link }).catch((e) => e);
      expect(error, link).to.be.instanceOf(GraphRequestRefusedError);
      expect((error as Error).message, link).to.equal(
        `refused to request ${new URL(link).pathname}: outside /beta/`,
      );
    }
    for (const link of [`http://user@127.0.0.1:${port}/beta/x`, `http://:pw@127.0.0.1:${port}/beta/x`]) {
      const error = await client.send({ operation: "list", method: "GET", path: link }).catch((e) => e);
      expect(error, link).to.be.instanceOf(GraphRequestRefusedError);
      expect((error as Error).message, link).to.equal("refused to request /beta/x: outside /beta/");
    }
    expect(server.requests).to.have.length(0);
  });

  it("stops following redirects after three, returning the fourth as an error", async () => {
    server.always({ status: 302, headers: { location: "/beta/again" } });
    const error = await client.send({ operation: "read", method: "GET", path: "/x" }).catch((e) => e);
    expect(error).to.be.instanceOf(GraphError);
    expect((error as GraphError).status).to.equal(302);
    expect(server.requests.map((r) => r.url)).to.deep.equal([
      "/beta/x",
      "/beta/again",
      "/beta/again",
      "/beta/again",
    ]);
  });

  it("follows a 300 with a location, but not a 3xx without one, nor a 400 with one", async () => {
    server.answer({ status: 300, headers: { location: "/beta/chosen" } }, { status: 200, body: connector });
    await client.send({ operation: "read", method: "GET", path: "/x" });
    expect(server.requests.map((r) => r.url)).to.deep.equal(["/beta/x", "/beta/chosen"]);

    server.answer({ status: 302 });
    const unlocated = await client.send({ operation: "read", method: "GET", path: "/y" }).catch((e) => e);
    expect((unlocated as GraphError).status).to.equal(302);

    server.answer({ status: 400, headers: { location: "/beta/elsewhere" } });
    const refused = await client.send({ operation: "read", method: "GET", path: "/z" }).catch((e) => e);
    expect((refused as GraphError).status).to.equal(400);
    expect(server.requests.map((r) => r.url)).to.deep.equal([
      "/beta/x",
      "/beta/chosen",
      "/beta/y",
      "/beta/z",
    ]);
  });

  it("treats a 300 without a location as an error, not a success", async () => {
    server.answer({ status: 300, body: connector });
    const error = await client.send({ operation: "read", method: "GET", path: "/x" }).catch((e) => e);
    expect(error).to.be.instanceOf(GraphError);
    expect((error as GraphError).status).to.equal(300);
  });

  it("serves consecutive requests over one kept-alive connection", async () => {
    server.always({ status: 200, body: connector });
    for (let i = 0; i < 3; i++) await client.send({ operation: "read", method: "GET", path: "/x" });
    expect(new Set(server.requests.map((r) => r.remotePort)).size).to.equal(1);
  });

  it("closes its kept-alive connections on close()", async () => {
    server.always({ status: 200, body: connector });
    await client.send({ operation: "read", method: "GET", path: "/x" });
    expect(server.openConnections).to.equal(1);
    client.close();
    // The server never closes an idle connection (keepAliveTimeout 0); a closed client's goes within a few turns.
    for (let turn = 0; turn < 50 && server.openConnections > 0; turn++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(server.openConnections).to.equal(0);
  });

  it("leaves no timer running once an answer is in (a process can exit at once)", async () => {
    server.always({ status: 200, body: connector });
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    // Counted from after a first request: the test runner's own timers come and go with it.
    await client.send({ operation: "read", method: "GET", path: "/x" });
    const before = timers();
    for (let i = 0; i < 3; i++) await client.send({ operation: "read", method: "GET", path: "/x" });
    expect(timers()).to.equal(before);
  });

  it("says a request timed out when it did, and names the cause when the connection dropped", async () => {
    const once = new GraphClient({ endpoint: server.origin, tokens, retry: { ...fast, maxAttempts: 1 } });
    try {
      server.answer({ status: 200, body: connector, delayMs: 1000 });
      const slow = await once
        .send({ operation: "read connector", method: "GET", path: "/x" })
        .catch((e) => e);
      expect(slow).to.be.instanceOf(GraphConnectionError);
      expect((slow as GraphConnectionError).timedOut).to.equal(true);
      const id = (slow as GraphConnectionError).clientRequestId;
      // The time it gave up after is wall time (0.3 s of timeout, more on a loaded machine): not pinned.
      const [said, took] = (slow as Error).message.split(" in ");
      expect(said).to.equal(
        `read connector: GET /beta/x got no answer (timed out) (client-request-id: ${id}) — gave up after 1 attempt`,
      );
      expect(took).to.match(/^0\.\ds$/);

      server.answer({ drop: true });
      const dropped = await once
        .send({ operation: "read connector", method: "GET", path: "/y" })
        .catch((e) => e);
      expect(dropped).to.be.instanceOf(GraphConnectionError);
      expect((dropped as GraphConnectionError).timedOut).to.equal(false);
      expect((dropped as Error).message).to.equal(
        `read connector: GET /beta/y got no answer (ECONNRESET: request to ${server.origin}/beta/y failed, ` +
          `reason: socket hang up) (client-request-id: ${(dropped as GraphConnectionError).clientRequestId})` +
          " — gave up after 1 attempt in 0s",
      );
    } finally {
      once.close();
    }
  });

  it("starts a retry from the URL asked for, not from where a redirect led", async () => {
    server.answer(
      { status: 302, headers: { location: "/beta/y" } },
      { status: 503, headers: { "retry-after": "0" } },
      { status: 200, body: connector },
    );
    await client.send({ operation: "read", method: "GET", path: "/x" });
    expect(server.requests.map((r) => r.url)).to.deep.equal(["/beta/x", "/beta/y", "/beta/x"]);
  });

  it("reports a final answer as it is, without a 'gave up' note, on the last attempt too", async () => {
    const once = new GraphClient({ endpoint: server.origin, tokens, retry: { ...fast, maxAttempts: 1 } });
    try {
      server.answer({
        status: 404,
        headers: { "request-id": "r-404" },
        body: { error: { code: "ResourceNotFound", message: "not here" } },
      });
      const error = (await once
        .send({ operation: "read connector", method: "GET", path: "/x" })
        .catch((e) => e)) as GraphError;
      expect(error).to.be.instanceOf(GraphError);
      expect(error.message).not.to.contain("gave up");
      expect(error.message).not.to.contain("undefined");
      expect(error.requestId).to.equal("r-404");
    } finally {
      once.close();
    }
  });

  it("hands back the request-id of a success, and the Retry-After of a final 429", async () => {
    server.answer({ status: 200, body: connector, headers: { "request-id": "r-ok" } });
    const ok = await client.send({ operation: "read", method: "GET", path: "/x" });
    expect(ok.requestId).to.equal("r-ok");
    // A Retry-After past the deadline: a 429 is otherwise retried whatever maxAttempts says.
    const once = new GraphClient({ endpoint: server.origin, tokens, retry: { ...fast, deadlineMs: 20 } });
    try {
      server.answer({ status: 429, headers: { "retry-after": "7" } });
      const error = (await once
        .send({ operation: "read", method: "GET", path: "/x" })
        .catch((e) => e)) as GraphError;
      expect(error.status).to.equal(429);
      expect(error.retryAfterMs).to.equal(7000);
      expect(error.message).to.contain("gave up after 1 attempt in");
    } finally {
      once.close();
    }
  });

  it("resends a POST whose connection was refused (it never left the machine)", async () => {
    const closed = await new ScriptedServer().start();
    await closed.stop();
    const refused = new GraphClient({ endpoint: closed.origin, tokens, retry: { ...fast, maxAttempts: 2 } });
    try {
      const error = await refused
        .send({ operation: "create", method: "POST", path: "/x", body: {} })
        .catch((e) => e);
      expect(error).to.be.instanceOf(GraphConnectionError);
      expect((error as Error).message).to.contain(
        `got no answer (ECONNREFUSED: request to ${closed.origin}/beta/x failed, reason: connect ECONNREFUSED ` +
          `127.0.0.1:${new URL(closed.origin).port})`,
      );
      expect((error as Error).message).to.contain("gave up after 2 attempts");
    } finally {
      refused.close();
    }
  });
});

describe("Graph client timing (fake clock: delays asserted to the millisecond, no waiting)", () => {
  let server: ScriptedServer;
  let clock: FakeClock;
  const clients: GraphClient[] = [];

  beforeEach(async () => {
    server = await new ScriptedServer().start();
    clock = new FakeClock(1_000_000);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server.stop();
  });

  function clientWith(retry: Partial<RetryOptions> = {}, extra: Partial<GraphClientOptions> = {}) {
    const c = new GraphClient({
      endpoint: server.origin,
      tokens: new CountingTokens(),
      clock,
      random: () => 1,
      retry: {
        maxAttempts: 6,
        baseDelayMs: 1000,
        maxDelayMs: 30_000,
        maxRetryAfterMs: 120_000,
        deadlineMs: 300_000,
        requestTimeoutMs: 5000,
        ...retry,
      },
      ...extra,
    });
    clients.push(c);
    return c;
  }
  const read = (c: GraphClient) => c.send({ operation: "read connector", method: "GET", path: "/x" });

  it("waits exactly the Retry-After of each answer (fractional seconds), then succeeds", async () => {
    server.answer(
      { status: 429, headers: { "retry-after": "2.128" } },
      { status: 503, headers: { "retry-after": "0.5" } },
      { status: 200, body: connector },
    );
    const response = await read(clientWith());
    expect(response.attempts).to.equal(3);
    expect(clock.sleeps).to.deep.equal([2128, 500]);
    expect(server.requests).to.have.length(3);
  });

  it("waits until the HTTP date of a Retry-After, measured on the client's clock", async () => {
    clock.time = Date.parse("Sat, 28 Nov 2026 13:00:00 GMT");
    server.answer(
      { status: 429, headers: { "retry-after": "Sat, 28 Nov 2026 13:00:03 GMT" } },
      { status: 200, body: connector },
    );
    await read(clientWith());
    expect(clock.sleeps).to.deep.equal([3000]);
  });

  it("caps a long Retry-After at maxRetryAfterMs", async () => {
    server.answer({ status: 429, headers: { "retry-after": "600" } }, { status: 200, body: connector });
    await read(clientWith({ maxRetryAfterMs: 120_000 }));
    expect(clock.sleeps).to.deep.equal([120_000]);
  });

  it("gives up at once, without waiting, when the Retry-After ends past the deadline", async () => {
    server.answer({ status: 429, headers: { "retry-after": "11" } }, { status: 200, body: connector });
    const error = await read(clientWith({ deadlineMs: 10_000 })).catch((e) => e);
    expect(error).to.be.instanceOf(GraphError);
    expect((error as GraphError).status).to.equal(429);
    expect((error as Error).message).to.contain("gave up after 1 attempt in 0s");
    expect(clock.sleeps).to.deep.equal([]);
    expect(server.requests).to.have.length(1);
  });

  it("retries answers 429 past maxAttempts, as Graph's guidance says, until one succeeds", async () => {
    const throttled = { status: 429, headers: { "retry-after": "1" } };
    server.answer(...Array.from({ length: 9 }, () => throttled), { status: 200, body: connector });
    const response = await clientWith({ maxAttempts: 3 }).send({
      operation: "read",
      method: "GET",
      path: "/x",
    });
    expect(response.status).to.equal(200);
    expect(server.requests).to.have.length(10);
    expect(clock.sleeps).to.deep.equal(Array.from({ length: 9 }, () => 1000));
  });

  it("still counts other failures between answers 429 against maxAttempts", async () => {
    const throttled = { status: 429, headers: { "retry-after": "1" } };
    const busy = { status: 503, body: { error: { code: "ServiceUnavailable", message: "busy" } } };
    server.answer(busy, throttled, busy, throttled, busy, { status: 200, body: connector });
    const error = await clientWith({ maxAttempts: 3 })
      .send({ operation: "read", method: "GET", path: "/x" })
      .catch((e) => e);
    expect((error as GraphError).status).to.equal(503);
    expect((error as Error).message).to.contain("gave up after 5 attempts");
    expect(server.requests).to.have.length(5);
  });

  it("counts the time already spent against the deadline", async () => {
    server.always({ status: 429, headers: { "retry-after": "6" } });
    const error = await read(clientWith({ deadlineMs: 10_000 })).catch((e) => e);
    expect((error as Error).message).to.contain("gave up after 2 attempts in 6s");
    expect(clock.sleeps).to.deep.equal([6000]);
    expect(server.requests).to.have.length(2);
  });

  it("backs off exponentially without Retry-After: 1 s, 2 s, 4 s (jitter at its top)", async () => {
    server.answer({ status: 429 }, { status: 429 }, { status: 503 }, { status: 200, body: connector });
    await read(clientWith());
    expect(clock.sleeps).to.deep.equal([1000, 2000, 4000]);
  });

  it("backs off by half the step at the bottom of the jitter", async () => {
    server.answer({ status: 429 }, { status: 429 }, { status: 200, body: connector });
    await read(clientWith({}, { random: () => 0 }));
    expect(clock.sleeps).to.deep.equal([500, 1000]);
  });

  it("retries when the delay ends exactly at the deadline", async () => {
    server.answer({ status: 429, headers: { "retry-after": "10" } }, { status: 200, body: connector });
    const response = await read(clientWith({ deadlineMs: 10_000 }));
    expect(response.attempts).to.equal(2);
    expect(clock.sleeps).to.deep.equal([10_000]);
  });

  it("logs each request, response and retry, with the time since the first attempt", async () => {
    const events: Record<string, unknown>[] = [];
    const logger = {
      enabled: true,
      log: (event: string, fields: Record<string, unknown>) => events.push({ event, ...fields }),
    };
    server.answer(
      {
        status: 503,
        headers: { "retry-after": "1.5", "request-id": "r-1", date: "Sat, 28 Nov 2026 13:00:00 GMT" },
      },
      {
        status: 200,
        body: connector,
        headers: { "request-id": "r-2", "x-ms-secret": "not logged", date: "Sat, 28 Nov 2026 13:00:02 GMT" },
      },
    );
    await read(clientWith({}, { logger }));
    const id = events[0].clientRequestId;
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    expect(events).to.deep.equal([
      {
        event: "graph.request",
        method: "GET",
        path: "/beta/x",
        attempt: 1,
        clientRequestId: id,
        body: undefined,
      },
      {
        event: "graph.response",
        method: "GET",
        path: "/beta/x",
        attempt: 1,
        status: 503,
        ms: 0,
        headers: {
          "request-id": "r-1",
          "retry-after": "1.5",
          "content-type": "application/json",
          date: "Sat, 28 Nov 2026 13:00:00 GMT",
        },
      },
      { event: "graph.retry", method: "GET", attempt: 1, delayMs: 1500 },
      {
        event: "graph.request",
        method: "GET",
        path: "/beta/x",
        attempt: 2,
        clientRequestId: id,
        body: undefined,
      },
      {
        event: "graph.response",
        method: "GET",
        path: "/beta/x",
        attempt: 2,
        status: 200,
        ms: 1500,
        headers: {
          "request-id": "r-2",
          "content-type": "application/json",
          date: "Sat, 28 Nov 2026 13:00:02 GMT",
        },
      },
    ]);
  });

  it("logs a connection that got no answer, with the error it became", async () => {
    const events: Record<string, unknown>[] = [];
    const logger = {
      enabled: true,
      log: (event: string, fields: Record<string, unknown>) => events.push({ event, ...fields }),
    };
    server.answer({ drop: true }, { status: 200, body: connector });
    await read(clientWith({}, { logger }));
    const failure = events.find((e) => e.event === "graph.connection-error");
    expect(failure).to.deep.include({ method: "GET", path: "/beta/x", attempt: 1 });
    expect(failure?.error).to.equal(
      `read connector: GET /beta/x got no answer (ECONNRESET: request to ${server.origin}/beta/x failed, ` +
        `reason: socket hang up) (client-request-id: ${failure?.clientRequestId})`,
    );
    expect(events.map((e) => e.event)).to.deep.equal([
      "graph.request",
      "graph.connection-error",
      "graph.retry",
      "graph.request",
      "graph.response",
    ]);
  });

  it("counts PATCH and DELETE as writes in the shared limiter, as well as POST; GET is not held back", async () => {
    const limiter = new RequestLimiter({ windowMs: 1000, writes: 1, all: 100 }, clock);
    const c = clientWith({}, { limiter });
    server.always({ status: 204 });
    const started: Record<string, number> = {};
    const t0 = clock.now();
    for (const method of ["PATCH", "DELETE", "GET", "POST"] as const) {
      await c.send({ operation: method, method, path: `/x`, body: method === "GET" ? undefined : {} });
      started[method] = clock.now() - t0;
    }
    // One write per second: each write after the first waits for the window to slide.
    expect(started).to.deep.equal({ PATCH: 0, DELETE: 1000, GET: 1000, POST: 2000 });
    expect(clock.sleeps).to.deep.equal([1000, 1000]);
  });
});

describe("Graph client and the Azure SDK log (AZURE_LOG_LEVEL=info)", () => {
  let server: ScriptedServer;
  let lines: string[];
  const original = AzureLogger.log;
  const level = getLogLevel();
  beforeEach(async () => {
    server = await new ScriptedServer().start();
    lines = [];
    AzureLogger.log = (...args: unknown[]) => lines.push(format(...args));
    setLogLevel("info");
  });
  afterEach(async () => {
    setLogLevel(level);
    AzureLogger.log = original;
    await server.stop();
  });

  it("gets nothing of a Graph exchange that is not allow-listed: no token, no other header", async () => {
    // The pipeline has no core logPolicy, which would print response headers unredacted.
    const client = new GraphClient({ endpoint: server.origin, tokens: new CountingTokens(), retry: fast });
    try {
      server.answer({ status: 200, body: connector, headers: { "x-ms-secret": "s3cr3t-header" } });
      await client.send({
        operation: "read",
        method: "GET",
        path: `/deviceManagement/domainJoinConnectors/${ID}`,
      });
    } finally {
      client.close();
    }
    const log = lines.join("\n");
    expect(log).not.to.contain("token-1");
    expect(log).not.to.contain("s3cr3t-header");
  });
});
