// The HTTP plumbing shared by the Entra, Graph and admin handlers. Handlers return a Reply instead
// of writing to the socket, so the server can delay it, replace it (fault rules) or drop it.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless it is already a string. */
  body?: unknown;
}

/** One request as the handlers see it. */
export interface IncomingCall {
  method: string;
  /** The path only: clients such as MSAL append query strings that must not affect routing. */
  path: string;
  query: URLSearchParams;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  requestId: string;
  /** The client's id if it sent one, else a new one: what the answer echoes. */
  clientRequestId: string;
  /** The id the client sent, if any. */
  sentClientRequestId?: string;
  received: Date;
  /** Filled in by handlers for the request log. */
  note: { appId?: string; body?: unknown };
}

export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor() {
    super(`request body larger than ${MAX_BODY_BYTES} bytes`);
  }
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export type JsonParse = { ok: true; value: unknown } | { ok: false };

export function parseJson(body: Buffer): JsonParse {
  try {
    return { ok: true, value: JSON.parse(body.toString("utf8")) };
  } catch {
    return { ok: false };
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function writeReply(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: string | undefined;
  if (reply.body !== undefined) {
    payload = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    headers["Content-Length"] = String(Buffer.byteLength(payload));
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, body, headers: { "Content-Type": "application/json; charset=utf-8", ...headers } };
}

/** A timer that does not keep the process alive: a closed emulator must let mocha exit. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** A header's value as one string (Node gives arrays for repeated headers). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
