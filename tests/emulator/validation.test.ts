// The emulator's option checks, throttle, fault rules and request-body rules, called directly: the
// HTTP tests reach them too, but only these pin each message, default and boundary by literal
// values (never by a constant imported from the code under test).
import { expect } from "chai";
import { FaultInjector, describeFault } from "intune-graph-emulator/internal/faults";
import { checkConnectorBody } from "intune-graph-emulator/internal/graph/validation";
import {
  applyRuntimeOptions,
  checkStartOptions,
  type RuntimeSettings,
} from "intune-graph-emulator/internal/options";
import {
  Throttle,
  formatRetryAfter,
  mergeThrottle,
  type ThrottleSettings,
} from "intune-graph-emulator/internal/graph/throttle";
import type { FaultRule } from "intune-graph-emulator";

const THROTTLE: ThrottleSettings = {
  enabled: true,
  windowMs: 20_000,
  appWrites: 100,
  appAll: 1000,
  tenantWrites: 200,
  tenantAll: 2000,
  retryAfter: true,
};

describe("emulator validation (direct)", () => {
  describe("checkStartOptions", () => {
    it("defaults: port 0, global cloud, the default tenant, 3599 s tokens, and the runtime defaults", () => {
      expect(checkStartOptions({})).to.deep.equal({
        port: 0,
        cloud: "global",
        tenantId: "4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83",
        tokenLifetimeSeconds: 3599,
        heartbeatMs: undefined,
        removeInactiveAfterMs: undefined,
        removeInactiveFrom: "last-contact",
        runtime: {
          pageSize: 100,
          // The documented PATCH (200 with the object) and each undocumented behaviour's first reading.
          variants: {
            patchResponse: "body",
            getResponse: "entity",
            stateWrite: "until-heartbeat",
            createdVersion: "empty",
            createLocation: "header",
            newConnectorContact: "year-one",
            listQuery: "honoured",
            deleteRegistered: "removed",
            heartbeatVersion: "reported",
            newConnectorState: "inactive",
            createRequires: "nothing",
            unsupportedMethod: "405",
            paging: "skiptoken",
            contactWrite: "echoed",
          },
          latencyMs: 0,
          throttle: THROTTLE,
          ignoredPatchProperties: [],
          replicationLag: { reads: 0, ms: 0 },
          intuneLicensed: true,
        },
      });
    });

    it("accepts ports 0 and 65535 and refuses -1, 65536 and 1.5", () => {
      expect(checkStartOptions({ port: 65535 }).port).to.equal(65535);
      expect(() => checkStartOptions({ port: -1 })).to.throw("port must be 0-65535, got -1");
      expect(() => checkStartOptions({ port: 65536 })).to.throw("port must be 0-65535, got 65536");
      expect(() => checkStartOptions({ port: 1.5 })).to.throw("port must be 0-65535, got 1.5");
    });

    it("lower-cases the tenant id and refuses one that is not a GUID", () => {
      const settings = checkStartOptions({
        tenantId: "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE",
        cloud: "china",
      });
      expect(settings.tenantId).to.equal("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee");
      expect(settings.cloud).to.equal("china");
      expect(() => checkStartOptions({ tenantId: "contoso" })).to.throw(
        "tenantId must be a GUID, got 'contoso'",
      );
    });

    it("names the clouds when the cloud is unknown", () => {
      expect(() => checkStartOptions({ cloud: "mars" as never })).to.throw(
        "cloud must be one of global, usgov, usgovdod, china, got 'mars'",
      );
    });

    it("checks tokenLifetimeSeconds, heartbeatMs and removeInactiveAfterMs as whole numbers ≥ 1, and removeInactiveFrom", () => {
      expect(
        checkStartOptions({ tokenLifetimeSeconds: 1, heartbeatMs: 1, removeInactiveAfterMs: 1 }),
      ).to.include({
        tokenLifetimeSeconds: 1,
        heartbeatMs: 1,
        removeInactiveAfterMs: 1,
      });
      expect(() => checkStartOptions({ tokenLifetimeSeconds: 0 })).to.throw(
        "tokenLifetimeSeconds must be a whole number ≥ 1, got 0",
      );
      expect(() => checkStartOptions({ heartbeatMs: 0 })).to.throw(
        "heartbeatMs must be a whole number ≥ 1, got 0",
      );
      expect(() => checkStartOptions({ removeInactiveAfterMs: 2.5 })).to.throw(
        "removeInactiveAfterMs must be a whole number ≥ 1, got 2.5",
      );
      expect(checkStartOptions({ removeInactiveFrom: "inactive" }).removeInactiveFrom).to.equal("inactive");
      expect(() => checkStartOptions({ removeInactiveFrom: "death" as never })).to.throw(
        "removeInactiveFrom must be 'last-contact' or 'inactive', got 'death'",
      );
      expect(() => checkStartOptions({ tokenLifetimeSeconds: "60" as never })).to.throw(
        "tokenLifetimeSeconds must be a whole number ≥ 1, got 60",
      );
    });
  });

  describe("applyRuntimeOptions", () => {
    const base: RuntimeSettings = checkStartOptions({}).runtime;

    it("applies each option and leaves the base unchanged", () => {
      const next = applyRuntimeOptions(base, {
        pageSize: 1,
        variants: { patchResponse: "no-content", listQuery: "rejected" },
        latencyMs: 0,
        throttle: { appWrites: 1 },
        ignoredPatchProperties: ["displayName", "version", "state"],
        replicationLag: { ms: 5 },
        intuneLicensed: false,
      });
      expect(next).to.deep.equal({
        pageSize: 1,
        variants: {
          patchResponse: "no-content",
          getResponse: "entity",
          stateWrite: "until-heartbeat",
          createdVersion: "empty",
          createLocation: "header",
          newConnectorContact: "year-one",
          listQuery: "rejected",
          deleteRegistered: "removed",
          heartbeatVersion: "reported",
          newConnectorState: "inactive",
          createRequires: "nothing",
          unsupportedMethod: "405",
          paging: "skiptoken",
          contactWrite: "echoed",
        },
        latencyMs: 0,
        throttle: { ...THROTTLE, appWrites: 1 },
        ignoredPatchProperties: ["displayName", "version", "state"],
        replicationLag: { reads: 0, ms: 5 },
        intuneLicensed: false,
      });
      expect(base.pageSize).to.equal(100);
      expect(base.variants.patchResponse).to.equal("body");
      expect(base.throttle.appWrites).to.equal(100);
    });

    it("refuses bad values with a message naming the option", () => {
      const cases: [Parameters<typeof applyRuntimeOptions>[1], string][] = [
        [{ pageSize: 0 }, "pageSize must be a whole number ≥ 1, got 0"],
        [{ patchReturnsBody: "yes" as never }, "patchReturnsBody must be true or false"],
        [
          { variants: { patchResponse: "200" } as never },
          'variant patchResponse must be one of "body", "no-content", got "200"',
        ],
        [
          { variants: { pageSize: 2 } as never },
          "unknown variant 'pageSize' (variants: patchResponse, getResponse, stateWrite, createdVersion, createLocation, newConnectorContact, listQuery, deleteRegistered, heartbeatVersion, newConnectorState, createRequires, unsupportedMethod, paging, contactWrite)",
        ],
        [{ variants: [] as never }, 'variants must be an object such as { patchResponse: "no-content" }'],
        [{ intuneLicensed: "no" as never }, "intuneLicensed must be true or false"],
        [{ latencyMs: -1 }, "latencyMs must be a number ≥ 0"],
        [{ latencyMs: Number.NaN }, "latencyMs must be a number ≥ 0"],
        [{ latencyMs: "5" as never }, "latencyMs must be a number ≥ 0"],
        [
          { ignoredPatchProperties: "state" as never },
          "ignoredPatchProperties must be a list of displayName, version, state",
        ],
        [
          { ignoredPatchProperties: ["state", "colour"] as never },
          "ignoredPatchProperties must be a list of displayName, version, state",
        ],
        [
          { replicationLag: null as never },
          "replicationLag must be an object such as { reads: 2 } or { ms: 500 }",
        ],
        [
          { replicationLag: [1] as never },
          "replicationLag must be an object such as { reads: 2 } or { ms: 500 }",
        ],
        [
          { replicationLag: 3 as never },
          "replicationLag must be an object such as { reads: 2 } or { ms: 500 }",
        ],
        [
          { replicationLag: { reads: 1, a: 1, b: 2 } as never },
          "replicationLag takes reads and ms, not a, b",
        ],
        [{ replicationLag: { ms: -1 } }, "replicationLag.ms must be a whole number ≥ 0, got -1"],
        [{ replicationLag: { reads: 0.5 } }, "replicationLag.reads must be a whole number ≥ 0, got 0.5"],
        [
          { replicationLag: { reads: "1" as never } },
          "replicationLag.reads must be a whole number ≥ 0, got 1",
        ],
      ];
      for (const [patch, message] of cases) {
        expect(() => applyRuntimeOptions(base, patch), JSON.stringify(patch)).to.throw(message);
      }
    });

    it("accepts a replication lag of 0 reads and 0 ms", () => {
      expect(applyRuntimeOptions(base, { replicationLag: { reads: 0, ms: 0 } }).replicationLag).to.deep.equal(
        {
          reads: 0,
          ms: 0,
        },
      );
    });
  });

  describe("throttle", () => {
    it("mergeThrottle takes whole numbers ≥ 1 and booleans, and refuses anything else", () => {
      expect(
        mergeThrottle(THROTTLE, { windowMs: 1, enabled: false, retryAfter: false, tenantAll: undefined }),
      ).to.deep.equal({
        ...THROTTLE,
        windowMs: 1,
        enabled: false,
        retryAfter: false,
      });
      expect(() => mergeThrottle(THROTTLE, { enabled: 1 as never })).to.throw(
        "throttle.enabled must be true or false",
      );
      expect(() => mergeThrottle(THROTTLE, { retryAfter: "no" as never })).to.throw(
        "throttle.retryAfter must be true or false",
      );
      expect(() => mergeThrottle(THROTTLE, { appAll: 0 })).to.throw(
        "throttle.appAll must be a whole number ≥ 1",
      );
      expect(() => mergeThrottle(THROTTLE, { appAll: 1.5 })).to.throw(
        "throttle.appAll must be a whole number ≥ 1",
      );
      expect(() => mergeThrottle(THROTTLE, { appAll: "5" as never })).to.throw(
        "throttle.appAll must be a whole number ≥ 1",
      );
      expect(() => mergeThrottle(THROTTLE, { burst: 5 } as never)).to.throw(
        "unknown throttle option 'burst'",
      );
    });

    it("admits up to the per-app limit in the window, then answers with the time until a request leaves", () => {
      const throttle = new Throttle({ ...THROTTLE, windowMs: 1000, appWrites: 2, appAll: 3 });
      expect(throttle.admit("app", true, 0)).to.deep.equal({ throttled: false });
      expect(throttle.admit("app", true, 100)).to.deep.equal({ throttled: false });
      expect(throttle.admit("app", true, 200)).to.deep.equal({ throttled: true, retryAfterMs: 900 });
      // The throttled write counted among all requests too: the app's next read is over 3.
      expect(throttle.admit("app", false, 200)).to.deep.equal({ throttled: true, retryAfterMs: 900 });
      expect(throttle.admit("other", true, 300)).to.deep.equal({ throttled: false });
      // At exactly 1100 ms the requests made at 0 and 100 have left (the cut-off is inclusive).
      expect(throttle.admit("app", true, 1100)).to.deep.equal({ throttled: false });
    });

    it("counts a throttled request: retrying at once stays throttled longer, waiting for Retry-After gets through", () => {
      const settings = { ...THROTTLE, windowMs: 1000, appWrites: 2 };
      const hasty = new Throttle(settings);
      const patient = new Throttle(settings);
      for (const throttle of [hasty, patient]) {
        expect(throttle.admit("app", true, 0)).to.deep.equal({ throttled: false });
        expect(throttle.admit("app", true, 100)).to.deep.equal({ throttled: false });
        expect(throttle.admit("app", true, 200)).to.deep.equal({ throttled: true, retryAfterMs: 900 });
      }
      expect(hasty.admit("app", true, 300)).to.deep.equal({ throttled: true, retryAfterMs: 900 });
      expect(hasty.admit("app", true, 1100)).to.deep.equal({ throttled: true, retryAfterMs: 200 });
      expect(hasty.admit("app", true, 1300)).to.deep.equal({ throttled: false });
      expect(patient.admit("app", true, 1100)).to.deep.equal({ throttled: false });
    });

    it("counts tenant-wide limits across apps", () => {
      const throttle = new Throttle({ ...THROTTLE, windowMs: 1000, tenantWrites: 1, tenantAll: 2 });
      expect(throttle.admit("a", true, 0)).to.deep.equal({ throttled: false });
      expect(throttle.admit("b", true, 10)).to.deep.equal({ throttled: true, retryAfterMs: 1000 });
      expect(throttle.admit("c", false, 20)).to.deep.equal({ throttled: true, retryAfterMs: 990 });
      expect(throttle.admit("c", false, 1010)).to.deep.equal({ throttled: false });
    });

    it("answers the exact time, admits everything when disabled, and forgets on reset", () => {
      const throttle = new Throttle({ ...THROTTLE, windowMs: 1000, appAll: 2 });
      expect(throttle.admit("app", false, 0)).to.deep.equal({ throttled: false });
      expect(throttle.admit("app", false, 0)).to.deep.equal({ throttled: false });
      expect(throttle.admit("app", false, 999)).to.deep.equal({ throttled: true, retryAfterMs: 1 });
      throttle.reset();
      expect(throttle.admit("app", false, 999)).to.deep.equal({ throttled: false });
      throttle.configure({ ...throttle.current, enabled: false });
      expect(throttle.current.enabled).to.equal(false);
      expect(throttle.admit("app", false, 999)).to.deep.equal({ throttled: false });
      expect(new Throttle().current).to.deep.equal(THROTTLE);
    });

    it("formats Retry-After in fractional seconds, at least 0.001", () => {
      expect(formatRetryAfter(2128)).to.equal("2.128");
      expect(formatRetryAfter(2127.2)).to.equal("2.128");
      expect(formatRetryAfter(0)).to.equal("0.001");
      expect(formatRetryAfter(-5)).to.equal("0.001");
    });
  });

  describe("fault rules", () => {
    it("refuses rules that make no sense, naming the problem", () => {
      const cases: [unknown, string][] = [
        [null, "a fault rule must be an object"],
        ["503", "a fault rule must be an object"],
        [{ status: 503, count: 0 }, "fault count must be a whole number ≥ 1"],
        [{ status: 503, count: 1.5 }, "fault count must be a whole number ≥ 1"],
        [{ status: 99 }, "fault status must be an HTTP status"],
        [{ status: 600 }, "fault status must be an HTTP status"],
        [{ status: 500.5 }, "fault status must be an HTTP status"],
        [{ applyThen: "hang" }, 'fault applyThen must be an HTTP status or "drop"'],
        [{ applyThen: 700 }, 'fault applyThen must be an HTTP status or "drop"'],
        [{ delayMs: -1 }, "fault delayMs must be a number ≥ 0"],
        [{ delayMs: "5" }, "fault delayMs must be a number ≥ 0"],
        [{ status: 503, method: 5 }, "fault method must be a string"],
        [{ status: 503, path: 5 }, "fault path must be a string"],
        [{ status: 503, applyThen: 504 }, "a fault rule takes at most one of status, drop and applyThen"],
        [{ drop: true, applyThen: "drop" }, "a fault rule takes at most one of status, drop and applyThen"],
        [{}, "a fault rule needs status, drop, applyThen or delayMs"],
        [{ delayMs: 0 }, "a fault rule needs status, drop, applyThen or delayMs"],
        [{ status: 503, retryAfter: true }, "fault retryAfter must be a number, a string or null"],
        [{ status: 503, path: "/([/" }, "Invalid regular expression"],
      ];
      for (const [rule, message] of cases) {
        expect(() => new FaultInjector().add(rule as FaultRule), JSON.stringify(rule)).to.throw(message);
      }
    });

    it("accepts the boundary statuses 100 and 599, and retryAfter as a number, a string or null", () => {
      const faults = new FaultInjector();
      faults.add({ status: 100 });
      faults.add({ status: 599, retryAfter: null });
      faults.add({ applyThen: 100, retryAfter: "2" });
      faults.add({ applyThen: "drop", retryAfter: 1 });
      faults.add({ drop: true, delayMs: 0 });
      faults.add({ delayMs: 1 });
      expect(faults.pending).to.equal(6);
      faults.clear();
      expect(faults.pending).to.equal(0);
    });

    it("matches by method (any letter case) and path, in the order added, each for its count", () => {
      const faults = new FaultInjector();
      faults.add({ method: "patch", path: "/connectors", status: 503, count: 2 });
      faults.add({ status: 500 });
      expect(faults.take("GET", "/connectors/1")?.status).to.equal(500);
      expect(faults.pending).to.equal(1);
      expect(faults.take("PATCH", "/other")).to.equal(undefined);
      expect(faults.take("PATCH", "/connectors/1")?.status).to.equal(503);
      expect(faults.pending).to.equal(1);
      expect(faults.take("PATCH", "/connectors/2")?.status).to.equal(503);
      expect(faults.pending).to.equal(0);
      expect(faults.take("PATCH", "/connectors/3")).to.equal(undefined);
    });

    it("takes /source/flags as a regular expression and anything else as a substring", () => {
      const faults = new FaultInjector();
      faults.add({ path: "/^\\/beta\\/DEVICE/i", status: 502 });
      faults.add({ path: "/oauth2/v2.0/token", status: 500 });
      expect(faults.take("GET", "/v1.0/deviceManagement")).to.equal(undefined);
      expect(faults.take("GET", "/beta/deviceManagement")?.status).to.equal(502);
      expect(faults.take("POST", "/tenant/oauth2/v2.0/tokens")?.status).to.equal(500);
    });

    it("needs both slashes and only flags after the last: other paths are substrings", () => {
      const faults = new FaultInjector();
      // No leading slash: a substring, although it ends like /source/.
      faults.add({ path: "deviceManagement/domainJoinConnectors/", status: 501, count: 2 });
      // Text after the last slash that is not flags: a substring too.
      faults.add({ path: "/deviceManagement/domainJoinConnectors", status: 502, count: 2 });
      expect(faults.take("GET", "/beta/deviceManagement/domainJoinConnectorsX")?.status).to.equal(502);
      expect(faults.take("GET", "/beta/deviceManagement/domainJoinConnectors/abc")?.status).to.equal(501);
      expect(faults.take("GET", "/beta/deviceManagement/other")).to.equal(undefined);
      expect(faults.take("GET", "/beta/domainJoinConnectors")).to.equal(undefined);
    });

    it("refuses a rule whose regular expression does not compile, and keeps none", () => {
      const faults = new FaultInjector();
      expect(() => faults.add({ path: "/(/", status: 500 })).to.throw(
        SyntaxError,
        "Invalid regular expression",
      );
      expect(faults.pending).to.equal(0);
    });

    it("describes a rule for the request log", () => {
      expect(describeFault({ delayMs: 200, applyThen: 504 })).to.equal("delay 200ms, applyThen 504");
      expect(describeFault({ drop: true })).to.equal("drop");
      expect(describeFault({ status: 503, delayMs: 0 })).to.equal("status 503");
      expect(describeFault({})).to.equal("no-op");
    });
  });

  describe("request bodies", () => {
    const TYPE = "#microsoft.graph.deviceManagementDomainJoinConnector";
    const ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

    it("accepts a create and an update, skipping annotations and keeping lastConnectionDateTime as written", () => {
      expect(
        checkConnectorBody(
          {
            "@odata.type": TYPE,
            "displayName@odata.type": "#String",
            displayName: "Paris",
            version: "",
            state: "active",
            lastConnectionDateTime: "2026-11-28T12:00:00Z",
          },
          "create",
        ),
      ).to.deep.equal({
        ok: true,
        input: {
          displayName: "Paris",
          version: "",
          state: "active",
          lastConnectionDateTime: "2026-11-28T12:00:00Z",
        },
      });
      // displayName is nullable in the metadata; a create may leave it out.
      expect(checkConnectorBody({ displayName: null }, "create")).to.deep.equal({
        ok: true,
        input: { displayName: null },
      });
      expect(checkConnectorBody({ version: "1.2" }, "create")).to.deep.equal({
        ok: true,
        input: { version: "1.2" },
      });
      expect(checkConnectorBody({ "@odata.type": TYPE }, "create")).to.deep.equal({ ok: true, input: {} });
      expect(checkConnectorBody({ displayName: "  " }, "update", ID)).to.deep.equal({
        ok: true,
        input: { displayName: "  " },
      });
      expect(
        checkConnectorBody(
          { "@odata.type": TYPE.slice(1), id: ID.toUpperCase(), version: "1.2" },
          "update",
          ID,
        ),
      ).to.deep.equal({
        ok: true,
        input: { version: "1.2" },
      });
    });

    it("refuses each bad body with Graph's code and message", () => {
      const cases: [unknown, "create" | "update", string, string][] = [
        [
          [],
          "create",
          "BadRequest",
          "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        ],
        [
          { "@odata.type": "#microsoft.graph.user", displayName: "x" },
          "create",
          "BadRequest",
          "A type named 'microsoft.graph.user' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.",
        ],
        [
          { "@odata.type": 5, displayName: "x" },
          "create",
          "BadRequest",
          "A type named '5' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.",
        ],
        [{ id: 5, displayName: "x" }, "create", "BadRequest", primitive("Edm.String")],
        [
          { id: "other" },
          "update",
          "BadRequest",
          `The key value 'other' in the request body does not match the key value '${ID}' in the request URL.`,
        ],
        [
          { displayName: "x", version: null },
          "create",
          "BadRequest",
          "A null value was found for the property named 'version', which has the expected type 'Edm.String[Nullable=False]'. The expected type 'Edm.String[Nullable=False]' does not allow null values.",
        ],
        [
          { state: null },
          "update",
          "BadRequest",
          "A null value was found for the property named 'state', which has the expected type 'microsoft.graph.deviceManagementDomainJoinConnectorState[Nullable=False]'. The expected type 'microsoft.graph.deviceManagementDomainJoinConnectorState[Nullable=False]' does not allow null values.",
        ],
        [{ displayName: 5 }, "create", "BadRequest", primitive("Edm.String")],
        [{ displayName: "x", version: 6 }, "create", "BadRequest", primitive("Edm.String")],
        [
          { displayName: "x", state: 1 },
          "create",
          "BadRequest",
          "Cannot convert the literal '1' to the expected type 'microsoft.graph.deviceManagementDomainJoinConnectorState'.",
        ],
        [
          { displayName: "x", lastConnectionDateTime: "yesterday" },
          "create",
          "BadRequest",
          "Cannot convert the literal 'yesterday' to the expected type 'Edm.DateTimeOffset'.",
        ],
        [
          { displayName: "x", lastConnectionDateTime: 5 },
          "create",
          "BadRequest",
          "Cannot convert the literal '5' to the expected type 'Edm.DateTimeOffset'.",
        ],
        [
          { "@odata.type": TYPE },
          "update",
          "BadRequest",
          "Invalid patch, at least 1 property must be changed.",
        ],
        [
          { "@odata.type": "microsoft.graph.#deviceManagementDomainJoinConnector", displayName: "x" },
          "create",
          "BadRequest",
          "A type named 'microsoft.graph.#deviceManagementDomainJoinConnector' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.",
        ],
      ];
      for (const [body, mode, code, message] of cases) {
        expect(checkConnectorBody(body, mode, ID), JSON.stringify(body)).to.deep.equal({
          ok: false,
          code,
          message,
        });
      }
    });

    it("lets a create carry any id (the URL has none to match)", () => {
      expect(checkConnectorBody({ id: "other", displayName: "x" }, "create")).to.deep.equal({
        ok: true,
        input: { displayName: "x" },
      });
      expect(checkConnectorBody({ id: "other", displayName: "x" }, "update")).to.deep.equal({
        ok: true,
        input: { displayName: "x" },
      });
    });
  });
});

function primitive(type: string): string {
  return `Cannot convert a primitive value to the expected type '${type}'. See the inner exception for more details.`;
}
