// Messages a person reads, pinned whole by literal text: a test that only looks for a fragment lets
// the rest of the sentence (the count, the hint, the ids) break unnoticed.
import { expect } from "chai";
import {
  GraphConnectionError,
  GraphError,
  OutcomeUnknownError,
  parseGraphError,
} from "pulumi-intune-domain-join/internal/graph/errors";
import { duplicateNameMessage } from "pulumi-intune-domain-join/internal/connector/ownership";

const A = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const B = "9b2c1d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d";

function connector(id: string, displayName: string) {
  return { id, displayName, version: null, state: null, lastConnectionDateTime: null };
}

describe("messages, whole", () => {
  it("the duplicate-name message for one namesake and for two", () => {
    expect(duplicateNameMessage("ODJ Paris", [connector(A, "ODJ Paris")])).to.equal(
      `create connector "ODJ Paris": the tenant already has a connector with this display name: ${A} ("ODJ Paris"). ` +
        `Nothing was created. To manage it, adopt it: connectorId: "${A}". To create a second connector with the ` +
        "same name anyway, set allowDuplicateDisplayName: true",
    );
    expect(
      duplicateNameMessage("ODJ Paris", [connector(A, "ODJ Paris"), connector(B, " odj paris")]),
    ).to.equal(
      `create connector "ODJ Paris": the tenant already has 2 connectors with this display name: ${A} ("ODJ Paris"), ` +
        `${B} (" odj paris"). Nothing was created. To manage one of them, adopt it: connectorId: "${A}". To create ` +
        "a second connector with the same name anyway, set allowDuplicateDisplayName: true",
    );
  });

  it("a 401 and a 429 carry their hints; an empty body falls back to the status text, then to 'no error body'", () => {
    const base = { operation: "read connector x", method: "GET", path: "/beta/x" };
    const noHeaders = { get: () => null };
    const e401 = new GraphError(
      parseGraphError({ ...base, status: 401, statusText: "Unauthorized" }, "", noHeaders),
    );
    expect(e401.name).to.equal("GraphError");
    expect(e401.message).to.equal(
      "read connector x: GET /beta/x failed with 401: Unauthorized. Hint: the access token was refused: check " +
        "that the tenant id, client id and cloud match, and that the token was issued for this cloud's Graph",
    );
    const e429 = new GraphError(parseGraphError({ ...base, status: 429 }, "  ", noHeaders));
    expect(e429.message).to.equal(
      "read connector x: GET /beta/x failed with 429: no error body. Hint: Intune throttled the request; the " +
        "retry budget ran out (limits: 100 writes per 20 s per app per tenant)",
    );
    const e500 = new GraphError(
      parseGraphError({ ...base, status: 500 }, `  ${"x".repeat(600)}  `, noHeaders),
    );
    expect(e500.graphMessage).to.equal("x".repeat(500));
    expect(e500.hint).to.equal(undefined);
  });

  it("a connection failure names the cause and its code, or says it timed out; an unknown outcome wraps it", () => {
    const cause = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const lost = new GraphConnectionError({
      operation: 'create connector "P"',
      method: "POST",
      path: "/beta/c",
      clientRequestId: "cid-1",
      cause,
      timedOut: false,
    });
    expect(lost.name).to.equal("GraphConnectionError");
    expect(lost.message).to.equal(
      'create connector "P": POST /beta/c got no answer (ECONNRESET: socket hang up) (client-request-id: cid-1)',
    );
    const plain = new GraphConnectionError({
      operation: "op",
      method: "GET",
      path: "/p",
      clientRequestId: "cid-2",
      cause: new Error("boom"),
      timedOut: false,
    });
    expect(plain.message).to.equal("op: GET /p got no answer (boom) (client-request-id: cid-2)");
    const notError = new GraphConnectionError({
      operation: "op",
      method: "GET",
      path: "/p",
      clientRequestId: "cid-3",
      cause: "weird",
      timedOut: false,
    });
    expect(notError.message).to.equal("op: GET /p got no answer (weird) (client-request-id: cid-3)");
    const slow = new GraphConnectionError({
      operation: "op",
      method: "GET",
      path: "/p",
      clientRequestId: "cid-4",
      cause,
      timedOut: true,
    });
    expect(slow.message).to.equal("op: GET /p got no answer (timed out) (client-request-id: cid-4)");
    const unknown = new OutcomeUnknownError('create connector "P"', lost);
    expect(unknown.name).to.equal("OutcomeUnknownError");
    expect(unknown.message).to.equal(
      'create connector "P": the outcome is unknown: create connector "P": POST /beta/c got no answer ' +
        "(ECONNRESET: socket hang up) (client-request-id: cid-1)",
    );
  });
});
