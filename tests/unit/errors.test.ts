import { expect } from "chai";
import { GraphError, parseGraphError, unwrapIntuneMessage } from "../../provider/graph/errors";

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
});
