import { expect } from "chai";
import {
  GraphConnectionError,
  GraphError,
  GraphRequestRefusedError,
  OutcomeUnknownError,
  parseGraphError,
  unwrapIntuneMessage,
} from "pulumi-intune-domain-join/internal/graph/errors";

const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name.toLowerCase()] ?? null });

const INTUNE_404 = JSON.stringify({
  _version: 3,
  Message:
    "An error has occurred - Operation ID (for customer support): 0b7c2f1e-0000-4000-8000-000000000001 - Activity ID: 5d1c2f1e-0000-4000-8000-000000000002 - Url: https://fef.msua06.manage.microsoft.com/DeviceFE/StatelessDeviceFEService/deviceManagement/domainJoinConnectors('x')?api-version=5025-01-01",
  CustomApiErrorPhrase: "",
  RetryAfter: null,
  ErrorSourceService: "",
  HttpHeaders: "{}",
});

describe("Graph error parsing", () => {
  it("unwraps Intune's JSON-in-a-string message", () => {
    expect(unwrapIntuneMessage(INTUNE_404)).to.match(
      /^An error has occurred - Operation ID \(for customer support\): 0b7c2f1e/,
    );
  });

  it("puts CustomApiErrorPhrase first when Intune sets it", () => {
    const nested = JSON.stringify({ Message: "details", CustomApiErrorPhrase: "Connector is busy" });
    expect(unwrapIntuneMessage(nested)).to.equal("Connector is busy — details");
  });

  it("leaves plain and malformed messages alone", () => {
    expect(unwrapIntuneMessage("Access token has expired or is not yet valid.")).to.equal(
      "Access token has expired or is not yet valid.",
    );
    expect(unwrapIntuneMessage("{not json")).to.equal("{not json");
  });

  it("builds an error naming operation, status, code, message, ids, date and a 404 hint", () => {
    const body = JSON.stringify({
      error: {
        code: "ResourceNotFound",
        message: INTUNE_404,
        innerError: { date: "2025-01-22T19:17:04", "request-id": "req-1", "client-request-id": "client-1" },
      },
    });
    const details = parseGraphError(
      {
        operation: "read connector x",
        method: "GET",
        path: "/beta/deviceManagement/domainJoinConnectors/x",
        status: 404,
      },
      body,
      headers({ "request-id": "req-1", "client-request-id": "client-1" }),
    );
    const error = new GraphError(details);
    expect(error).to.be.instanceOf(Error);
    expect(error.status).to.equal(404);
    expect(error.code).to.equal("ResourceNotFound");
    expect(error.requestId).to.equal("req-1");
    expect(error.clientRequestId).to.equal("client-1");
    expect(error.date).to.equal("2025-01-22T19:17:04");
    expect(error.message).to.match(
      /^read connector x: GET \/beta\/deviceManagement\/domainJoinConnectors\/x failed with 404 ResourceNotFound: An error has occurred/,
    );
    expect(error.message).to.contain(
      "(request-id: req-1, client-request-id: client-1, date: 2025-01-22T19:17:04)",
    );
    expect(error.message).to.contain("Hint: the connector does not exist");
    expect(error.message).not.to.contain("_version");
  });

  it("hints the missing write permission and admin consent on 403 for a write", () => {
    const error = new GraphError({
      operation: "update connector x",
      method: "PATCH",
      path: "/p",
      status: 403,
      code: "Forbidden",
      message: "Application is not authorized to perform this operation.",
    });
    expect(error.hint).to.contain("DeviceManagementConfiguration.ReadWrite.All");
    expect(error.hint).to.contain("admin consent");
    expect(error.message).to.contain(
      "Hint: the application needs the Microsoft Graph application permission DeviceManagementConfiguration.ReadWrite.All",
    );
  });

  it("hints the missing Intune licence, not a permission, on a 403 whose message names a licence", () => {
    for (const message of [
      "The tenant does not have an active Intune license.",
      "No valid LICENCE for this tenant",
    ]) {
      const error = new GraphError({
        operation: "list connectors",
        method: "GET",
        path: "/p",
        status: 403,
        message,
      });
      expect(error.hint, message).to.equal(
        "the tenant has no active Intune licence, which the Microsoft Graph API for Intune requires",
      );
    }
    const permission = new GraphError({
      operation: "list connectors",
      method: "GET",
      path: "/p",
      status: 403,
      message:
        "Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementConfiguration.Read.All",
    });
    expect(permission.hint).to.match(/^the application needs the Microsoft Graph application permission/);
  });

  describe("hints for the 400s Microsoft's sources leave open", () => {
    const badRequest = (method: string, message: string) =>
      new GraphError({ operation: "op", method, path: "/p", status: 400, code: "BadRequest", message });

    it("a refused DELETE: uninstall the connector, or release it with deleteOnDestroy false", () => {
      const { hint } = badRequest("DELETE", "The Intune Connector for Active Directory can't be removed.");
      expect(hint).to.contain("can't be removed through the Intune portal or through a graph API call");
      expect(hint).to.contain("uninstall the connector from the server");
      expect(hint).to.contain("set deleteOnDestroy: false, run pulumi up, then destroy");
    });

    it("a POST missing a property the client knows: declare it", () => {
      for (const property of ["version", "displayName"]) {
        const { hint } = badRequest(
          "POST",
          `The property '${property}' is required when creating a connector.`,
        );
        expect(hint).to.match(
          new RegExp(`^the service requires ${property} on create: declare it on the resource`),
        );
      }
    });

    it("a POST missing a property Intune sets: install the connector software and adopt what it registers", () => {
      for (const property of ["state", "lastConnectionDateTime"]) {
        const { hint } = badRequest(
          "POST",
          `The property '${property}' is required when creating a connector.`,
        );
        expect(hint).to.contain(`requires ${property} on create, which Intune sets`);
        expect(hint).to.contain("adopt the connector it registers");
      }
    });

    it("no hint for another 400: a PATCH, or a POST not about a required property", () => {
      expect(badRequest("PATCH", "The property 'version' is required.").hint).to.equal(undefined);
      expect(badRequest("POST", "Invalid patch, at least 1 property must be changed.").hint).to.equal(
        undefined,
      );
    });
  });

  it("hints either read permission on 403 for a read", () => {
    const error = new GraphError({
      operation: "read",
      method: "GET",
      path: "/p",
      status: 403,
      message: "no",
    });
    expect(error.hint).to.contain(
      "DeviceManagementConfiguration.Read.All or DeviceManagementConfiguration.ReadWrite.All",
    );
  });

  it("takes the request ids from the response headers over those in the body", () => {
    // Different ids in header and body, so a parser reading only the body is caught.
    const details = parseGraphError(
      { operation: "op", method: "GET", path: "/p", status: 404 },
      JSON.stringify({
        error: {
          code: "ResourceNotFound",
          message: "gone",
          innerError: { "request-id": "body-request-id", "client-request-id": "body-client-id" },
        },
      }),
      headers({ "request-id": "header-request-id", "client-request-id": "header-client-id" }),
    );
    expect(details.requestId).to.equal("header-request-id");
    expect(details.clientRequestId).to.equal("header-client-id");
    expect(new GraphError(details).message).to.contain(
      "(request-id: header-request-id, client-request-id: header-client-id)",
    );
  });

  it("takes the request id from the header when the body has none (or is not JSON)", () => {
    const plain = parseGraphError(
      { operation: "op", method: "GET", path: "/p", status: 502, statusText: "Bad Gateway" },
      "<html>bad gateway</html>",
      headers({ "request-id": "only-in-header", date: "Sat, 28 Nov 2026 13:00:00 GMT" }),
    );
    expect(plain.requestId).to.equal("only-in-header");
    expect(plain.clientRequestId).to.equal(undefined);
    expect(plain.date).to.equal("Sat, 28 Nov 2026 13:00:00 GMT");
  });

  it("takes ids from innerError when the headers lack them, and survives a non-JSON body", () => {
    const fromInner = parseGraphError(
      { operation: "op", method: "GET", path: "/p", status: 500 },
      JSON.stringify({
        error: { code: "InternalError", message: "boom", innerError: { "request-id": "r9" } },
      }),
      headers({}),
    );
    expect(fromInner.requestId).to.equal("r9");
    const html = parseGraphError(
      { operation: "op", method: "GET", path: "/p", status: 502, statusText: "Bad Gateway" },
      "<html>bad gateway</html>",
      headers({}),
    );
    expect(html.message).to.equal("<html>bad gateway</html>");
    const empty = parseGraphError(
      { operation: "op", method: "GET", path: "/p", status: 503, statusText: "Service Unavailable" },
      "",
      headers({}),
    );
    expect(empty.message).to.equal("Service Unavailable");
  });

  it("unwraps Intune's nested JSON even with whitespace around it", () => {
    const nested = `  \n${JSON.stringify({ Message: "details", CustomApiErrorPhrase: "" })}\n `;
    expect(unwrapIntuneMessage(nested)).to.equal("details");
  });

  it("trims the spaces around CustomApiErrorPhrase", () => {
    const nested = JSON.stringify({ Message: "details", CustomApiErrorPhrase: "  Connector is busy  " });
    expect(unwrapIntuneMessage(nested)).to.equal("Connector is busy — details");
  });

  it("ignores a nested Message that is not a string", () => {
    const withPhrase = JSON.stringify({ Message: 42, CustomApiErrorPhrase: "Connector is busy" });
    expect(unwrapIntuneMessage(withPhrase)).to.equal("Connector is busy");
    const alone = JSON.stringify({ Message: 42 });
    expect(unwrapIntuneMessage(alone)).to.equal('{"Message":42}');
  });

  it("says 'no error body' when there is neither a body nor a status text", () => {
    const details = parseGraphError(
      { operation: "op", method: "GET", path: "/p", status: 503 },
      "",
      headers({}),
    );
    expect(details.message).to.equal("no error body");
  });

  it("falls back to the status text when the body is only whitespace", () => {
    const details = parseGraphError(
      { operation: "op", method: "GET", path: "/p", status: 503, statusText: "Service Unavailable" },
      " \n\t ",
      headers({}),
    );
    expect(details.message).to.equal("Service Unavailable");
  });

  it("trims the whitespace around a non-JSON body", () => {
    const details = parseGraphError(
      { operation: "op", method: "GET", path: "/p", status: 502, statusText: "Bad Gateway" },
      "\n  <html>bad gateway</html>\n",
      headers({}),
    );
    expect(details.message).to.equal("<html>bad gateway</html>");
  });

  it("cuts a non-JSON body at 500 characters", () => {
    const details = parseGraphError(
      { operation: "op", method: "GET", path: "/p", status: 502 },
      "a".repeat(500) + "b".repeat(100),
      headers({}),
    );
    expect(details.message).to.equal("a".repeat(500));
  });
});

describe("Graph error messages and names", () => {
  const timedOut = new GraphConnectionError({
    operation: "create connector c",
    method: "POST",
    path: "/beta/deviceManagement/domainJoinConnectors",
    clientRequestId: "cr-1",
    cause: new Error("aborted"),
    timedOut: true,
  });

  it("builds a bare message when there is no code, no id and no hint", () => {
    const error = new GraphError({
      operation: "op",
      method: "GET",
      path: "/p",
      status: 400,
      message: "Bad request",
    });
    expect(error.message).to.equal("op: GET /p failed with 400: Bad request");
    expect(error.hint).to.equal(undefined);
  });

  it("hints a token mismatch on 401", () => {
    const error = new GraphError({
      operation: "read connector x",
      method: "GET",
      path: "/p",
      status: 401,
      code: "InvalidAuthenticationToken",
      message: "Access token validation failure",
    });
    expect(error.message).to.equal(
      "read connector x: GET /p failed with 401 InvalidAuthenticationToken: Access token validation failure. " +
        "Hint: the access token was refused: check that the tenant id, client id and cloud match, " +
        "and that the token was issued for this cloud's Graph",
    );
  });

  it("reads throttling.md's 429 sample: the top-level code and message, the ids and date from its inner error", () => {
    // concepts/throttling.md (microsoft-graph-docs-contrib), "Sample response", as printed there.
    const sample = JSON.stringify({
      error: {
        code: "TooManyRequests",
        innerError: {
          code: "429",
          date: "2020-08-18T12:51:51",
          message: "Please retry after",
          "request-id": "94fb3b52-452a-4535-a601-69e0a90e3aa2",
          status: "429",
        },
        message: "Please retry again later.",
      },
    });
    const details = parseGraphError(
      { operation: "list connectors", method: "GET", path: "/p", status: 429 },
      sample,
      headers({}),
      2128,
    );
    expect(details).to.include({
      code: "TooManyRequests",
      message: "Please retry again later.",
      requestId: "94fb3b52-452a-4535-a601-69e0a90e3aa2",
      date: "2020-08-18T12:51:51",
      retryAfterMs: 2128,
    });
  });

  it("hints the exhausted retry budget and Intune's write limit on 429", () => {
    const error = new GraphError({
      operation: "create connector c",
      method: "POST",
      path: "/p",
      status: 429,
      message: "Too many requests",
    });
    expect(error.hint).to.equal(
      "Intune throttled the request; the retry budget ran out (limits: 100 writes per 20 s per app per tenant)",
    );
  });

  it("names GraphError 'GraphError'", () => {
    const error = new GraphError({ operation: "op", method: "GET", path: "/p", status: 400, message: "m" });
    expect(error.name).to.equal("GraphError");
  });

  it("names GraphConnectionError 'GraphConnectionError'", () => {
    expect(timedOut.name).to.equal("GraphConnectionError");
  });

  it("names GraphRequestRefusedError 'GraphRequestRefusedError'", () => {
    expect(new GraphRequestRefusedError("refused").name).to.equal("GraphRequestRefusedError");
  });

  it("names OutcomeUnknownError 'OutcomeUnknownError'", () => {
    expect(new OutcomeUnknownError("create connector c", timedOut).name).to.equal("OutcomeUnknownError");
  });

  it("says a connection error 'timed out' when it did, with the client-request-id", () => {
    expect(timedOut.message).to.equal(
      "create connector c: POST /beta/deviceManagement/domainJoinConnectors got no answer (timed out) " +
        "(client-request-id: cr-1)",
    );
  });

  it("gives a connection error's cause with its code", () => {
    const cause = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const error = new GraphConnectionError({
      operation: "read connector x",
      method: "GET",
      path: "/p",
      clientRequestId: "cr-2",
      cause,
      timedOut: false,
    });
    expect(error.message).to.equal(
      "read connector x: GET /p got no answer (ECONNRESET: socket hang up) (client-request-id: cr-2)",
    );
  });

  it("gives a connection error's cause message alone when it has no code", () => {
    const error = new GraphConnectionError({
      operation: "read connector x",
      method: "GET",
      path: "/p",
      clientRequestId: "cr-3",
      cause: new Error("certificate has expired"),
      timedOut: false,
    });
    expect(error.message).to.equal(
      "read connector x: GET /p got no answer (certificate has expired) (client-request-id: cr-3)",
    );
  });

  it("prefixes an unknown outcome with the operation and keeps the cause's message", () => {
    const error = new OutcomeUnknownError("create connector c", timedOut);
    expect(error.message).to.equal(
      "create connector c: the outcome is unknown: create connector c: POST " +
        "/beta/deviceManagement/domainJoinConnectors got no answer (timed out) (client-request-id: cr-1)",
    );
    expect(error.cause).to.equal(timedOut);
  });
});
