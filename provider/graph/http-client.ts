/**
 * The transport under the Graph client's @azure/core-rest-pipeline pipeline: node-fetch (the
 * project's HTTP library) as a core `HttpClient`. It sends exactly one exchange — a redirect is
 * returned, never followed (the origin lock decides) — within the request's `timeout`, body
 * included, reads the body as text, and keeps connections alive until `close()`.
 */
import * as http from "node:http";
import * as https from "node:https";
import fetch from "node-fetch";
import {
  HttpClient,
  PipelineRequest,
  PipelineResponse,
  RestError,
  createHttpHeaders,
} from "@azure/core-rest-pipeline";

/** A core HttpClient that can also close its idle keep-alive connections. */
export interface ClosableHttpClient extends HttpClient {
  close(): void;
}

/** The RestError code of an exchange that took longer than the request's `timeout`. */
export const TIMEOUT_CODE = "TIMEOUT";

export function createNodeFetchHttpClient(): ClosableHttpClient {
  // Keep-alive: one TLS handshake serves many requests of a stack; 16 sockets per origin.
  const agentOptions = { keepAlive: true, maxSockets: 16 };
  const agents = { "https:": new https.Agent(agentOptions), "http:": new http.Agent(agentOptions) };
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const url = new URL(request.url);
      if (url.protocol !== "https:" && !(url.protocol === "http:" && request.allowInsecureConnection)) {
        throw new RestError(`refused to send a request to ${url.origin}: https only`, { request });
      }
      const controller = new AbortController();
      let timedOut = false;
      const timer =
        request.timeout > 0
          ? setTimeout(() => {
              timedOut = true;
              controller.abort();
            }, request.timeout)
          : undefined;
      const cancel = () => controller.abort();
      request.abortSignal?.addEventListener("abort", cancel);
      try {
        const response = await fetch(url.toString(), {
          method: request.method,
          headers: request.headers.toJSON(),
          body: request.body as string | undefined,
          agent: agents[url.protocol as "https:" | "http:"],
          redirect: "manual",
          signal: controller.signal as never,
        });
        const bodyAsText = await response.text();
        const headers = createHttpHeaders();
        response.headers.forEach((value, name) => headers.set(name, value));
        return { request, status: response.status, headers, bodyAsText };
      } catch (error) {
        if (timedOut) {
          throw new RestError(`no answer within ${request.timeout} ms`, { code: TIMEOUT_CODE, request });
        }
        // node-fetch's message and Node's code (ECONNRESET…) are kept: together they say what happened.
        const cause = error as { message?: string; code?: string };
        throw new RestError(String(cause.message ?? error), { code: cause.code, request });
      } finally {
        clearTimeout(timer);
        request.abortSignal?.removeEventListener("abort", cancel);
      }
    },
    close() {
      agents["https:"].destroy();
      agents["http:"].destroy();
    },
  };
}
