import { expect } from "chai";
import {
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  isRestError,
} from "@azure/core-rest-pipeline";
import { createNodeFetchHttpClient } from "pulumi-intune-domain-join/internal/graph/http-client";
import { graphLogPolicy } from "pulumi-intune-domain-join/internal/graph/policies/log";
import { silentLogger } from "pulumi-intune-domain-join/internal/config/logging";
import { realClock } from "pulumi-intune-domain-join/internal/config/clock";
import { ScriptedServer } from "intune-test-support/scripted-server";
import { rejection } from "intune-test-support/thrown";

describe("node-fetch transport for the core pipeline", () => {
  let server: ScriptedServer;
  const client = createNodeFetchHttpClient();
  beforeEach(async () => {
    server = await new ScriptedServer().start();
  });
  afterEach(async () => {
    client.close();
    await server.stop();
  });
  const request = (path: string, extra: Partial<Parameters<typeof createPipelineRequest>[0]> = {}) =>
    createPipelineRequest({ url: `${server.origin}${path}`, allowInsecureConnection: true, ...extra });

  it("sends the method, headers and body as given and returns status, headers and text", async () => {
    server.answer({ status: 201, headers: { "request-id": "r-9" }, body: { id: "x" } });
    const response = await client.sendRequest(
      request("/a?b=c", {
        method: "POST",
        headers: createHttpHeaders({ "Content-Type": "application/json", "client-request-id": "c-1" }),
        body: '{"displayName":"Paris"}',
      }),
    );
    expect(response.status).to.equal(201);
    expect(response.headers.get("request-id")).to.equal("r-9");
    expect(response.bodyAsText).to.equal('{"id":"x"}');
    const [sent] = server.requests;
    expect(sent.method).to.equal("POST");
    expect(sent.url).to.equal("/a?b=c");
    expect(sent.headers["client-request-id"]).to.equal("c-1");
    expect(sent.body).to.equal('{"displayName":"Paris"}');
  });

  it("returns a redirect instead of following it", async () => {
    server.answer({ status: 302, headers: { location: "/elsewhere" } });
    const response = await client.sendRequest(request("/a"));
    expect(response.status).to.equal(302);
    // node-fetch makes the location absolute; the origin lock checks it either way.
    expect(response.headers.get("location")).to.equal(`${server.origin}/elsewhere`);
    expect(server.requests.map((r) => r.url)).to.deep.equal(["/a"]);
  });

  it("refuses plain http unless the request allows it, and any other scheme, sending nothing", async () => {
    const plain = request("/a", { allowInsecureConnection: false });
    const error = await rejection(client.sendRequest(plain));
    expect(error.message).to.equal(`refused to send a request to ${server.origin}: https only`);
    expect(isRestError(error) && error.request).to.equal(plain);
    const ftp = createPipelineRequest({ url: "ftp://127.0.0.1:21/a", allowInsecureConnection: true });
    expect((await rejection(client.sendRequest(ftp))).message).to.equal(
      "refused to send a request to ftp://127.0.0.1: https only",
    );
    expect(server.requests).to.have.length(0);
  });

  it("fails with code TIMEOUT, naming the time allowed, when the answer is late", async () => {
    server.answer({ status: 200, body: {}, delayMs: 1000 });
    const error = await rejection(client.sendRequest(request("/slow", { timeout: 100 })));
    expect(isRestError(error) && error.code).to.equal("TIMEOUT");
    expect(error.message).to.equal("no answer within 100 ms");
  });

  it("keeps Node's code and node-fetch's message for a dropped connection", async () => {
    server.answer({ drop: true });
    const error = await rejection(client.sendRequest(request("/drop")));
    expect(isRestError(error) && error.code).to.equal("ECONNRESET");
    expect(error.message).to.equal(`request to ${server.origin}/drop failed, reason: socket hang up`);
  });

  it("stops when the caller's abort signal fires", async () => {
    server.answer({ status: 200, body: {}, delayMs: 1000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await rejection(client.sendRequest(request("/a", { abortSignal: controller.signal })));
    expect(isRestError(error)).to.equal(true);
    expect(Date.now() - started).to.be.lessThan(900);
  });
});

describe("Graph pipeline policies", () => {
  it("refuse a request sent without its exchange, naming the omission", async () => {
    const pipeline = createEmptyPipeline();
    pipeline.addPolicy(graphLogPolicy({ logger: silentLogger, clock: realClock }));
    const client = {
      sendRequest: async () => ({ status: 200, headers: createHttpHeaders(), request: {} as never }),
    };
    const error = await rejection(
      pipeline.sendRequest(client, createPipelineRequest({ url: "https://graph.example/beta/x" })),
    );
    expect(error.message).to.equal("a Graph request was sent without its exchange (beginExchange)");
  });
});
