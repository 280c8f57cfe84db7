/**
 * A plain-HTTP loopback server answering from a script, for unit tests of the Graph client's
 * pipeline (retries, paging, redirects) without the emulator. Plain http is accepted by the
 * client only on loopback, which is exactly this.
 */
import * as http from "node:http";
import { AddressInfo, Socket } from "node:net";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The client's port: the same port twice means one kept-alive connection served both. */
  remotePort: number;
}

export type ScriptedAnswer =
  { status: number; headers?: Record<string, string>; body?: unknown; delayMs?: number } | { drop: true };

export class ScriptedServer {
  readonly requests: RecordedRequest[] = [];
  private script: ScriptedAnswer[] = [];
  private fallback: ScriptedAnswer = {
    status: 500,
    body: { error: { code: "NoScript", message: "no answer scripted" } },
  };
  private server = http.createServer((req, res) => this.handle(req, res));
  private readonly sockets = new Set<Socket>();
  origin = "";

  constructor() {
    // No idle timeout: a kept-alive connection stays open until the client closes it, and no
    // server timer is left running between requests (tests count the client's timers).
    this.server.keepAliveTimeout = 0;
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  /** Connections from clients that are still open (kept alive or in use). */
  get openConnections(): number {
    return this.sockets.size;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  answer(...answers: ScriptedAnswer[]): this {
    this.script.push(...answers);
    return this;
  }

  always(answer: ScriptedAnswer): this {
    this.fallback = answer;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      this.requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        remotePort: req.socket.remotePort ?? 0,
      });
      const answer = this.script.shift() ?? this.fallback;
      if ("drop" in answer) {
        req.socket.destroy();
        return;
      }
      setTimeout(() => {
        const text =
          answer.body === undefined
            ? ""
            : typeof answer.body === "string"
              ? answer.body
              : JSON.stringify(answer.body);
        res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
        res.end(text);
      }, answer.delayMs ?? 0);
    });
  }
}
