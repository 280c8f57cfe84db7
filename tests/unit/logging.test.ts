import { expect } from "chai";
import { format } from "node:util";
import { AzureLogger, getLogLevel, setLogLevel } from "@azure/logger";
import {
  createDebugLogger,
  debugEnabled,
  loggableHeaders,
  scrubSecrets,
} from "pulumi-intune-domain-join/internal/config/logging";

function headers(values: Record<string, string>) {
  return { get: (name: string) => values[name] ?? null };
}

describe("debug logging", () => {
  it("is on for INTUNE_DEBUG=1 or true (any case), or DEBUG naming intune, and off otherwise", () => {
    for (const env of [
      { INTUNE_DEBUG: "1" },
      { INTUNE_DEBUG: "TRUE" },
      { DEBUG: "intune" },
      { DEBUG: "express, intune" },
      { DEBUG: "intune:graph" },
    ]) {
      expect(debugEnabled(env), JSON.stringify(env)).to.equal(true);
    }
    for (const env of [
      {},
      { INTUNE_DEBUG: "0" },
      { INTUNE_DEBUG: "yes" },
      { DEBUG: "myintune" },
      { DEBUG: "intunes" },
      { DEBUG: "express" },
    ]) {
      expect(debugEnabled(env), JSON.stringify(env)).to.equal(false);
    }
  });

  it("writes one '[intune] {json}' line per event when on, and nothing when off", () => {
    const lines: string[] = [];
    const logger = createDebugLogger({ INTUNE_DEBUG: "1" }, (line) => lines.push(line));
    expect(logger.enabled).to.equal(true);
    logger.log("graph.request", { method: "GET", attempt: 2 });
    expect(lines).to.have.length(1);
    expect(lines[0].startsWith("[intune] {")).to.equal(true);
    const entry = JSON.parse(lines[0].slice("[intune] ".length));
    expect(entry).to.include({ event: "graph.request", method: "GET", attempt: 2 });
    expect(entry.time).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

    const off = createDebugLogger({}, (line) => lines.push(line));
    expect(off.enabled).to.equal(false);
    off.log("graph.request", { method: "GET" });
    expect(lines).to.have.length(1);
  });

  it("logs only the allow-listed response headers", () => {
    expect(
      loggableHeaders(
        headers({
          "request-id": "r",
          "client-request-id": "c",
          "retry-after": "2",
          "content-type": "application/json",
          date: "d",
          location: "l",
          "x-ms-ags-diagnostic": "x",
          "set-cookie": "secret",
          authorization: "Bearer x",
        }),
      ),
    ).to.deep.equal({
      "request-id": "r",
      "client-request-id": "c",
      "retry-after": "2",
      "content-type": "application/json",
      date: "d",
      location: "l",
      "x-ms-ags-diagnostic": "x",
    });
    expect(loggableHeaders(headers({}))).to.deep.equal({});
  });

  it("scrubs tokens and secrets of four characters or more from text", () => {
    const jwt = "eyJhbGciOi.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    expect(scrubSecrets(`failed: ${jwt} (x)`)).to.equal("failed: [redacted token] (x)");
    expect(scrubSecrets("eyJab.cdefg.hij")).to.equal("eyJab.cdefg.hij");
    expect(scrubSecrets("secret s3cr3t and s3cr3t again", ["s3cr3t", undefined])).to.equal(
      "secret [redacted] and [redacted] again",
    );
    expect(scrubSecrets("abc abcd", ["abc"])).to.equal("abc abcd");
    expect(scrubSecrets("abc abcd", ["abcd"])).to.equal("abc [redacted]");
    expect(scrubSecrets("nothing here")).to.equal("nothing here");
  });

  it("writes each event to stderr as one line ending in a newline by default", () => {
    const chunks: string[] = [];
    const stderrWrite = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      createDebugLogger({ INTUNE_DEBUG: "1" }).log("graph.response", { status: 204 });
    } finally {
      process.stderr.write = stderrWrite;
    }
    expect(chunks).to.have.length(1);
    expect(chunks[0]).to.match(/^\[intune\] \{[^\n]*\}\n$/);
    expect(JSON.parse(chunks[0].slice("[intune] ".length))).to.include({
      event: "graph.response",
      status: 204,
    });
  });

  it("redacts no plain text when no secrets are given", () => {
    // Whatever the default list is, it must hold no value: any ordinary sentence comes back whole.
    expect(scrubSecrets("Stryker was here, and so was the connector")).to.equal(
      "Stryker was here, and so was the connector",
    );
  });
});

describe("debug logging through the Azure SDK's logger (AZURE_LOG_LEVEL)", () => {
  const original = AzureLogger.log;
  const level = getLogLevel();
  let lines: string[];
  beforeEach(() => {
    lines = [];
    AzureLogger.log = (...args: unknown[]) => lines.push(format(...args));
  });
  afterEach(() => {
    setLogLevel(level);
    AzureLogger.log = original;
  });

  it("writes the same events as azure:intune:info lines at level info or verbose", () => {
    for (const value of ["info", "verbose"] as const) {
      setLogLevel(value);
      const logger = createDebugLogger({}, () => expect.fail("INTUNE_DEBUG is not set"));
      expect(logger.enabled, value).to.equal(true);
      logger.log("graph.retry", { method: "PATCH", attempt: 1, delayMs: 1500 });
    }
    expect(lines).to.have.length(2);
    for (const text of lines) {
      expect(text.startsWith("azure:intune:info {")).to.equal(true);
      const entry = JSON.parse(text.slice("azure:intune:info ".length));
      expect(entry).to.include({ event: "graph.retry", method: "PATCH", attempt: 1, delayMs: 1500 });
    }
  });

  it("stays silent at level warning, error or unset", () => {
    for (const value of ["warning", "error", undefined] as const) {
      setLogLevel(value);
      const logger = createDebugLogger({});
      expect(logger.enabled, String(value)).to.equal(false);
      logger.log("graph.request", { method: "GET" });
    }
    expect(lines).to.deep.equal([]);
  });

  it("prefers INTUNE_DEBUG's stderr lines when both are set", () => {
    setLogLevel("info");
    const written: string[] = [];
    createDebugLogger({ INTUNE_DEBUG: "1" }, (line) => written.push(line)).log("graph.request", {
      method: "GET",
    });
    expect(written).to.have.length(1);
    expect(lines).to.deep.equal([]);
  });
});
