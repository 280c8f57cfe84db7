import { expect } from "chai";
import { decide, parseRetryAfter, retryDelay } from "pulumi-intune-domain-join/internal/graph/retry-rules";

const options = { baseDelayMs: 1000, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 };

describe("retry rules", () => {
  it("retries 429 for every method, POST included (a throttled request was not processed)", () => {
    for (const method of ["GET", "POST", "PATCH", "DELETE"]) {
      expect(decide(method, { kind: "response", status: 429 }), method).to.equal("retry");
    }
  });

  it("retries 500/502/503/504 for GET, PATCH and DELETE", () => {
    for (const method of ["GET", "PATCH", "DELETE"]) {
      for (const status of [500, 502, 503, 504]) {
        expect(decide(method, { kind: "response", status }), `${method} ${status}`).to.equal("retry");
      }
    }
  });

  it("never resends a POST whose outcome is unknown (5xx, lost connection, timeout)", () => {
    for (const status of [500, 502, 503, 504]) {
      expect(decide("POST", { kind: "response", status })).to.equal("outcome-unknown");
    }
    expect(decide("POST", { kind: "connection", code: "ECONNRESET", timedOut: false })).to.equal(
      "outcome-unknown",
    );
    expect(decide("POST", { kind: "connection", timedOut: true })).to.equal("outcome-unknown");
  });

  it("retries a POST that never left the machine (connection refused)", () => {
    expect(decide("POST", { kind: "connection", code: "ECONNREFUSED", timedOut: false })).to.equal("retry");
  });

  it("returns client errors at once", () => {
    for (const status of [400, 401, 403, 404, 409]) {
      expect(decide("GET", { kind: "response", status })).to.equal("return");
    }
  });

  it("parses Retry-After as (fractional) seconds or an HTTP date", () => {
    expect(parseRetryAfter("2")).to.equal(2000);
    expect(parseRetryAfter("2.128")).to.equal(2128);
    expect(parseRetryAfter("0")).to.equal(0);
    const now = Date.parse("Sat, 28 Nov 2026 13:00:00 GMT");
    expect(parseRetryAfter("Sat, 28 Nov 2026 13:00:05 GMT", now)).to.equal(5000);
    expect(parseRetryAfter("Sat, 28 Nov 2026 12:59:00 GMT", now)).to.equal(0);
    expect(parseRetryAfter(null)).to.equal(undefined);
    expect(parseRetryAfter("soon")).to.equal(undefined);
    expect(parseRetryAfter("-3")).to.equal(undefined);
  });

  it("honours Retry-After, capped", () => {
    expect(retryDelay(1, 2128, options)).to.equal(2128);
    expect(retryDelay(1, 600_000, options)).to.equal(120_000);
  });

  it("backs off exponentially with jitter between half and all of the step, capped", () => {
    expect(retryDelay(1, undefined, options, () => 0)).to.equal(500);
    expect(retryDelay(1, undefined, options, () => 1)).to.equal(1000);
    expect(retryDelay(3, undefined, options, () => 1)).to.equal(4000);
    expect(retryDelay(3, undefined, options, () => 0)).to.equal(2000);
    expect(retryDelay(20, undefined, options, () => 1)).to.equal(30_000);
  });

  it("retries a POST that failed before leaving the machine: ECONNREFUSED, ENOTFOUND and EAI_AGAIN", () => {
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]) {
      expect(decide("POST", { kind: "connection", code, timedOut: false }), code).to.equal("retry");
    }
  });

  it("does not resend a POST on other connection errors (ECONNRESET, ETIMEDOUT, EPIPE)", () => {
    for (const code of ["ECONNRESET", "ETIMEDOUT", "EPIPE"]) {
      expect(decide("POST", { kind: "connection", code, timedOut: false }), code).to.equal("outcome-unknown");
    }
  });

  it("parses a Retry-After with whitespace around it", () => {
    expect(parseRetryAfter(" 2 ")).to.equal(2000);
    const now = Date.parse("Sat, 28 Nov 2026 13:00:00 GMT");
    expect(parseRetryAfter("  Sat, 28 Nov 2026 13:00:05 GMT\t", now)).to.equal(5000);
  });

  it("ignores an empty Retry-After", () => {
    expect(parseRetryAfter("")).to.equal(undefined);
    expect(parseRetryAfter("   ")).to.equal(undefined);
  });

  it("refuses seconds followed by junk ('1.5abc')", () => {
    expect(parseRetryAfter("1.5abc")).to.equal(undefined);
  });

  it("refuses an HTTP date with junk after it", () => {
    // Date.parse alone would read this as 5 s from now.
    const now = Date.parse("Sat, 28 Nov 2026 13:00:00 GMT");
    expect(parseRetryAfter("Sat, 28 Nov 2026 13:00:05 GMT 2", now)).to.equal(undefined);
  });

  it("refuses an HTTP date with junk before it", () => {
    // Date.parse alone would read this as 5 s from now.
    const now = Date.parse("Sat, 28 Nov 2026 13:00:00 GMT");
    expect(parseRetryAfter("in Sat, 28 Nov 2026 13:00:05 GMT", now)).to.equal(undefined);
  });

  it("refuses a date of the right shape that is not a date (month 'Foo')", () => {
    const now = Date.parse("Sat, 28 Nov 2026 13:00:00 GMT");
    expect(parseRetryAfter("Sat, 28 Foo 2026 13:00:05 GMT", now)).to.equal(undefined);
  });
});
