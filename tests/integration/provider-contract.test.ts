/**
 * The provider's contract with Pulumi and with the user, method by method, against the emulator
 * over real HTTPS with tokens from the real @azure/identity: the exact results of check and diff,
 * what configure resets, the exact text of warnings and errors, what each error carries, the
 * ownership rules of one deployment, and the requests each call makes (the emulator's log).
 */
import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { TestProvider, graphCalls, providerFor } from "intune-test-support/provider-harness";
import { useEmulator } from "intune-test-support/emulator";
import { ScriptedServer } from "intune-test-support/scripted-server";

const ODATA_TYPE = "#microsoft.graph.deviceManagementDomainJoinConnector";
const NEVER = "0001-01-01T00:00:00Z";

function configureRequest(values: Record<string, string>): dynamic.ConfigureRequest {
  return { config: { get: (key: string) => values[key] } } as unknown as dynamic.ConfigureRequest;
}

describe("provider contract (emulator over HTTPS, real @azure/identity)", function () {
  const emulator = useEmulator({ seed: 2 });
  let t: TestProvider;
  let journal: string;

  beforeEach(() => {
    journal = mkdtempSync(path.join(tmpdir(), "provider-contract-journal-"));
    t = providerFor(emulator, "writer", { env: { INTUNE_CREATE_JOURNAL: journal } });
  });
  afterEach(() => {
    t.provider.close();
    rmSync(journal, { recursive: true, force: true });
  });

  async function caught(work: Promise<unknown>): Promise<Error & Record<string, unknown>> {
    const error = await work.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(Error);
    return error as Error & Record<string, unknown>;
  }

  describe("check", () => {
    it("answers exactly { inputs } with the validated inputs (connectorId lower-cased) when nothing fails", async () => {
      const result = await t.provider.check(
        {},
        {
          displayName: "Branch office",
          connectorId: "3FA85F64-5717-4562-B3FC-2C963F66AFA6",
          version: undefined,
        },
      );
      expect(result).to.deep.equal({
        inputs: { displayName: "Branch office", connectorId: "3fa85f64-5717-4562-b3fc-2c963f66afa6" },
      });
    });

    it("answers the given inputs unchanged and the failures when a property fails", async () => {
      const news = { displayName: "", state: "on" };
      const result = await t.provider.check({}, news);
      expect(result).to.deep.equal({
        inputs: { displayName: "", state: "on" },
        failures: [
          { property: "state", reason: 'state must be one of active, error, inactive; got "on"' },
          { property: "displayName", reason: 'displayName must not be empty or only whitespace, got ""' },
        ],
      });
    });
  });

  describe("diff", () => {
    const olds = {
      connectorId: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
      displayName: "Branch office",
      version: null,
      state: null,
      lastConnectionDateTime: null,
      adopted: false,
      deleteOnDestroy: true,
    };

    it("answers no change, no replacement and no delete-before-replace when the inputs match", async () => {
      expect(await t.provider.diff(olds.connectorId, olds, { displayName: "Branch office" })).to.deep.equal({
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
        detailedDiff: {},
      });
    });

    it("answers a change without replacement, and no delete-before-replace, for a new display name", async () => {
      expect(await t.provider.diff(olds.connectorId, olds, { displayName: "Renamed" })).to.deep.equal({
        changes: true,
        replaces: [],
        deleteBeforeReplace: false,
        // For the engine's detailed diff (the plugin's): against the outputs, so drift shows.
        detailedDiff: { displayName: "update" },
      });
    });

    it("answers a change, without replacement, when the stored provider takes another form (0.1 stored code)", async () => {
      const stored = { ...olds, __provider: "exports.handler = __f0; /* 0.1 */" };
      const now = { displayName: "Branch office", __provider: 'exports.handler = __f0; require("x")' };
      expect(await t.provider.diff(olds.connectorId, stored, now)).to.deep.equal({
        changes: true,
        replaces: [],
        deleteBeforeReplace: false,
        detailedDiff: {},
      });
      const same = { ...now, __provider: stored.__provider };
      expect((await t.provider.diff(olds.connectorId, stored, same)).changes).to.equal(false);
      // A state without the stored provider (repaired, or a test's) is no reason to update.
      expect((await t.provider.diff(olds.connectorId, olds, now)).changes).to.equal(false);
      const noneNow = { displayName: "Branch office" };
      expect((await t.provider.diff(olds.connectorId, stored, noneNow)).changes).to.equal(false);
    });

    it("updates a connector whose stored provider alone moved without any Graph request", async () => {
      const [existing] = emulator.connectors();
      const stored = {
        connectorId: existing.id,
        displayName: existing.displayName,
        version: existing.version,
        state: existing.state,
        lastConnectionDateTime: existing.lastConnectionDateTime,
        adopted: true,
        deleteOnDestroy: false,
        __provider: "old form",
      };
      emulator.clearLog();
      const result = await t.provider.update!(existing.id, stored, {
        displayName: existing.displayName,
        __provider: "new form",
      });
      expect(emulator.requestLog().filter((e) => e.kind === "graph")).to.deep.equal([]);
      expect(result.outs).to.include({
        connectorId: existing.id,
        displayName: existing.displayName,
        adopted: true,
      });
      expect(result.outs).not.to.have.property("__provider");
    });
  });

  describe("configure", () => {
    it("takes settings from the stack config it is given (here the client secret the environment lacks)", async () => {
      const noSecret = providerFor(emulator, "writer", {
        env: { INTUNE_CREATE_JOURNAL: journal, AZURE_CLIENT_SECRET: undefined },
      });
      try {
        await noSecret.provider.configure(
          configureRequest({ "intune:clientSecret": emulator.app("writer").secret }),
        );
        const [existing] = emulator.connectors();
        const result = await noSecret.provider.read(existing.id, { displayName: existing.displayName });
        expect(result.id).to.equal(existing.id);
        expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200"]);
      } finally {
        noSecret.provider.close();
      }
    });

    it("drops the connection built before it: the next call takes a fresh token", async () => {
      const [existing] = emulator.connectors();
      await t.provider.read(existing.id, { displayName: existing.displayName });
      await t.provider.configure(configureRequest({}));
      await t.provider.read(existing.id, { displayName: existing.displayName });
      expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200", "token", "GET 200"]);
    });
  });

  describe("create", () => {
    it("POSTs no state (Intune sets it from heartbeats) and answers the outputs of the connector made, warning nothing", async () => {
      const result = await t.provider.create({ displayName: "Branch office", state: "error" });
      expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200", "POST 201"]);
      expect(emulator.requestLog({ kind: "graph" })[1].body).to.deep.equal({
        "@odata.type": ODATA_TYPE,
        displayName: "Branch office",
      });
      expect(result.outs).to.deep.equal({
        connectorId: result.id,
        displayName: "Branch office",
        version: "",
        state: "inactive",
        lastConnectionDateTime: NEVER,
        adopted: false,
        deleteOnDestroy: true,
        tenantId: emulator.tenantId,
        cloud: "global",
      });
      expect(t.warnings).to.deep.equal([]);
    });

    it("records the POST in the journal of the provider's environment, with the ids seen before and the id made", async () => {
      const seeded = emulator
        .connectors()
        .map((c) => c.id)
        .sort();
      const result = await t.provider.create({ displayName: "Journaled" });
      const names = readdirSync(journal);
      expect(names).to.have.length(1);
      const note = JSON.parse(readFileSync(path.join(journal, names[0]), "utf8")) as Record<string, unknown>;
      expect(note).to.include({ displayName: "Journaled", made: result.id });
      expect((note.before as string[]).slice().sort()).to.deep.equal(seeded);
    });

    it("with preCreateRead false, POSTs without reading the tenant and writes no journal note", async () => {
      const unread = path.join(journal, "unread");
      const blind = providerFor(emulator, "writer", {
        preCreateRead: false,
        env: { INTUNE_CREATE_JOURNAL: unread },
      });
      try {
        await blind.provider.create({ displayName: "Blind" });
      } finally {
        blind.provider.close();
      }
      expect(graphCalls(emulator)).to.deep.equal(["token", "POST 201"]);
      expect(existsSync(unread)).to.equal(false);
    });

    it("after a POST refused (400), removes its journal note and frees the display name: the same create then succeeds", async () => {
      emulator.addFault({ method: "POST", path: "/beta/", status: 400, count: 1 });
      const error = await caught(t.provider.create({ displayName: "Retried" }));
      expect(error.name).to.equal("GraphError");
      expect(readdirSync(journal)).to.deep.equal([]);
      const result = await t.provider.create({ displayName: "Retried" });
      expect(result.outs).to.include({ displayName: "Retried" });
      expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200", "POST 400", "POST 201"]);
    });

    it("refuses a second create of a display name this deployment created, with the exact message and no stack trace, before any request", async () => {
      await t.provider.create({ displayName: "Twin" });
      emulator.clearLog();
      const error = await caught(t.provider.create({ displayName: "twin" }));
      expect(error.name).to.equal("OwnershipError");
      expect(error.message).to.equal(
        'create connector "twin": another resource of this deployment creates a connector with the same ' +
          "display name. Give each connector its own name, or set allowDuplicateDisplayName: true on both",
      );
      expect(error.stack).to.equal("");
      expect(graphCalls(emulator)).to.deep.equal([]);
    });

    it("fails naming the property a create's answer lacks, keeping id, complete outputs and reasons (scripted Graph)", async () => {
      // The emulator applies every POST as sent; a scripted Graph answers with another version.
      const graph = await new ScriptedServer().start();
      const scripted = providerFor(emulator, "writer", {
        env: { INTUNE_CREATE_JOURNAL: journal, INTUNE_GRAPH_ENDPOINT: graph.origin },
      });
      const id = "5b0e3c9a-1d2f-4e6a-8b7c-9d0e1f2a3b4c";
      graph.answer(
        { status: 200, body: { value: [] } },
        {
          status: 201,
          body: {
            id,
            displayName: "Scripted",
            version: "",
            state: "inactive",
            lastConnectionDateTime: NEVER,
          },
        },
      );
      try {
        const error = await caught(
          scripted.provider.create({
            displayName: "Scripted",
            version: "6.2504.2001.8",
            __provider: "serialized",
          }),
        );
        const message =
          'create connector: the service did not take version (version: asked "6.2504.2001.8", service has "")';
        expect(error.name).to.equal("VerificationError");
        expect(error.message).to.equal(message);
        expect(error.id).to.equal(id);
        expect(error.reasons).to.deep.equal([message]);
        expect(error.properties).to.deep.equal({
          connectorId: id,
          displayName: "Scripted",
          version: "",
          state: "inactive",
          lastConnectionDateTime: NEVER,
          adopted: false,
          deleteOnDestroy: true,
          tenantId: emulator.tenantId,
          cloud: "global",
          __provider: "serialized",
        });
        expect(graph.requests.map((r) => r.method)).to.deep.equal(["GET", "POST"]);
      } finally {
        scripted.provider.close();
        await graph.stop();
      }
    });
  });

  describe("a POST whose answer was lost (applied, answered 504)", () => {
    async function lostCreate(displayName: string) {
      emulator.clearLog();
      emulator.addFault({ method: "POST", path: "/beta/", applyThen: 504, count: 1 });
      const result = await t.provider.create({ displayName, allowDuplicateDisplayName: true });
      expect(graphCalls(emulator)).to.deep.equal(["POST 504", "GET 200"]);
      return result;
    }

    /** A namesake that never contacted Intune, made after the deployment's first listing. */
    async function namesakeUnknownToTheListing(displayName: string): Promise<string> {
      await t.provider.create({ displayName: "first" }); // takes the listing later creates reuse
      return emulator.seed([{ displayName, lastConnectionDateTime: NEVER }])[0].id;
    }

    it("takes the new connector and warns with the exact text, never one this deployment created", async () => {
      const earlier = await t.provider.create({ displayName: "Pair", allowDuplicateDisplayName: true });
      const result = await lostCreate("Pair");
      expect(result.id).not.to.equal(earlier.id);
      expect(emulator.connectors().filter((c) => c.displayName === "Pair")).to.have.length(2);
      expect(t.warnings).to.deep.equal([
        `create connector "Pair": the service's answer was lost; found the connector it created (${result.id}) ` +
          "and took it instead of creating a second one",
      ]);
    });

    it("never takes a connector this deployment adopted", async () => {
      const adoptedId = await namesakeUnknownToTheListing("Twin");
      await t.provider.create({ connectorId: adoptedId, displayName: "Twin" });
      const result = await lostCreate("Twin");
      expect(result.id).not.to.equal(adoptedId);
      expect(emulator.connectors().filter((c) => c.displayName === "Twin")).to.have.length(2);
    });

    it("never takes a connector this deployment read", async () => {
      const readId = await namesakeUnknownToTheListing("Twin");
      await t.provider.read(readId, { displayName: "Twin", adopted: true, deleteOnDestroy: false });
      const result = await lostCreate("Twin");
      expect(result.id).not.to.equal(readId);
      expect(emulator.connectors().filter((c) => c.displayName === "Twin")).to.have.length(2);
    });
  });

  describe("adopt", () => {
    it("refuses a second adoption of one id with the exact message, before any request", async () => {
      const [existing] = emulator.connectors();
      await t.provider.create({ connectorId: existing.id, displayName: "first claim" });
      emulator.clearLog();
      const error = await caught(
        t.provider.create({ connectorId: existing.id, displayName: "second claim" }),
      );
      expect(error.name).to.equal("OwnershipError");
      expect(error.message).to.equal(
        `adopt connector ${existing.id}: another resource of this deployment (displayName "first claim") adopts ` +
          'this connector, and this one (displayName "second claim") claims it too. A connector can have one ' +
          "resource only: remove one of them, or give it the id of another connector",
      );
      expect(graphCalls(emulator)).to.deep.equal([]);
    });

    it("a failed adoption holds no claim: adopting the missing id again fails the same way (AdoptionError, exact message)", async () => {
      const missing = "00000000-0000-4000-8000-00000000dead";
      const expected =
        `adopt connector ${missing}: no connector with this id exists in the tenant (Graph answered 404). ` +
        "It may have been deleted or removed by Intune after 30 days inactive. Check connectorId, " +
        "or remove connectorId to create a new connector";
      for (const attempt of [1, 2]) {
        const error = await caught(t.provider.create({ connectorId: missing, displayName: "x" }));
        expect(error.name, `attempt ${attempt}`).to.equal("AdoptionError");
        expect(error.message, `attempt ${attempt}`).to.equal(expected);
      }
      expect(graphCalls(emulator)).to.deep.equal(["token", "GET 404", "GET 404"]);
    });

    it("fails naming every property the service did not take, keeping id, complete outputs (with the provider) and reasons", async () => {
      // Never checked in (another tool's POST), so its version is the provider's to write too.
      const [seeded] = emulator.seed([
        {
          displayName: "Seeded",
          version: "6.1.0.0",
          state: "inactive",
          lastConnectionDateTime: "0001-01-01T00:00:00Z",
        },
      ]);
      emulator.setOptions({ ignoredPatchProperties: ["displayName", "version"] });
      emulator.clearLog();
      const error = await caught(
        t.provider.create({
          connectorId: seeded.id,
          displayName: "Not taken",
          version: "6.2504.2001.8",
          __provider: "serialized",
        }),
      );
      const message =
        `adopt connector ${seeded.id}: the service did not take displayName, version ` +
        '(displayName: asked "Not taken", service has "Seeded"; version: asked "6.2504.2001.8", service has "6.1.0.0")';
      expect(error.name).to.equal("VerificationError");
      expect(error.message).to.equal(message);
      expect(error.id).to.equal(seeded.id);
      expect(error.reasons).to.deep.equal([message]);
      expect(error.properties).to.deep.equal({
        connectorId: seeded.id,
        displayName: "Seeded",
        version: "6.1.0.0",
        state: "inactive",
        lastConnectionDateTime: "0001-01-01T00:00:00Z",
        adopted: true,
        deleteOnDestroy: false,
        tenantId: emulator.tenantId,
        cloud: "global",
        __provider: "serialized",
      });
      expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200", "PATCH 200"]);
    });
  });

  describe("read", () => {
    it("confirms a GET answered 404 with the list: a connector the list still has stays, with its outputs", async () => {
      const { id, outs } = await t.provider.create({ displayName: "Lagging" });
      emulator.clearLog();
      emulator.addFault({
        method: "GET",
        path: `/beta/deviceManagement/domainJoinConnectors/${id}`,
        status: 404,
      });
      const result = await t.provider.read(id, outs);
      expect(graphCalls(emulator)).to.deep.equal(["GET 404", "GET 200"]);
      expect(result).to.deep.equal({
        id,
        props: {
          connectorId: id,
          displayName: "Lagging",
          version: "",
          state: "inactive",
          lastConnectionDateTime: NEVER,
          adopted: false,
          deleteOnDestroy: true,
          tenantId: emulator.tenantId,
          cloud: "global",
        },
      });
    });
  });

  describe("update", () => {
    it("keeps deleteOnDestroy true for a created connector when the inputs leave it unset", async () => {
      const { id, outs } = await t.provider.create({ displayName: "Created" });
      const result = await t.provider.update(id, outs, { displayName: "Renamed" });
      expect(result.outs).to.deep.equal({
        connectorId: id,
        displayName: "Renamed",
        version: "",
        state: "inactive",
        lastConnectionDateTime: NEVER,
        adopted: false,
        deleteOnDestroy: true,
        tenantId: emulator.tenantId,
        cloud: "global",
      });
    });

    it("keeps deleteOnDestroy false for an adopted connector when the inputs leave it unset (no change: no request)", async () => {
      const [existing] = emulator.connectors();
      const { id, outs } = await t.provider.create({
        connectorId: existing.id,
        displayName: existing.displayName,
      });
      emulator.clearLog();
      const result = await t.provider.update(id, outs, { displayName: existing.displayName });
      expect(result.outs).to.include({ adopted: true, deleteOnDestroy: false });
      expect(graphCalls(emulator)).to.deep.equal([]);
    });
  });

  describe("delete", () => {
    const releaseText = (id: string) =>
      `connector ${id} ("Kept") was released, not deleted: it was adopted, so it stays in Intune. ` +
      "Set deleteOnDestroy: true to delete it";

    it("releases an adopted connector: no request, the exact warning, the connector stays", async () => {
      const [seeded] = emulator.seed([{ displayName: "Kept" }]);
      const { id, outs } = await t.provider.create({ connectorId: seeded.id, displayName: "Kept" });
      emulator.clearLog();
      await t.provider.delete(id, outs);
      expect(graphCalls(emulator)).to.deep.equal([]);
      expect(t.warnings).to.deep.equal([releaseText(id)]);
      expect(emulator.connectors().map((c) => c.id)).to.include(id);
    });

    it("without a warn hook, writes the release warning to stderr as one 'warning: ' line", async () => {
      const silent = providerFor(emulator, "writer", {
        warn: undefined,
        env: { INTUNE_CREATE_JOURNAL: journal },
      });
      const id = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
      const written: string[] = [];
      const realWrite = process.stderr.write;
      process.stderr.write = ((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      }) as typeof process.stderr.write;
      try {
        await silent.provider.delete(id, {
          connectorId: id,
          displayName: "Kept",
          adopted: true,
          deleteOnDestroy: false,
        });
      } finally {
        process.stderr.write = realWrite;
        silent.provider.close();
      }
      expect(written).to.deep.equal([`warning: ${releaseText(id)}\n`]);
      expect(graphCalls(emulator)).to.deep.equal([]);
    });
  });

  describe("stack traces of errors", () => {
    it("a plain Error (not the provider's own) keeps its stack trace", async () => {
      const quick = providerFor(emulator, "writer", {
        apiOptions: { readAfterWriteMs: 1, reconcileMs: 1000 },
        env: { INTUNE_CREATE_JOURNAL: journal },
      });
      try {
        const { id, outs } = await quick.provider.create({ displayName: "Lagging" });
        emulator.setOptions({ replicationLag: { reads: 1 }, variants: { patchResponse: "no-content" } });
        const error = await caught(quick.provider.update(id, outs, { displayName: "Renamed" }));
        const message = `read connector ${id} after update: connector ${id} was written but reading it back answered 404 for 1 ms`;
        expect(error.name).to.equal("Error");
        expect(error.message).to.equal(message);
        expect(error.stack?.startsWith(`Error: ${message}\n    at `)).to.equal(true);
      } finally {
        quick.provider.close();
      }
    });

    it("a TypeError (a bug) keeps its stack trace", async () => {
      const error = await caught(
        t.provider.delete("3fa85f64-5717-4562-b3fc-2c963f66afa6", null as unknown as Record<string, unknown>),
      );
      expect(error.name).to.equal("TypeError");
      expect(error.message).to.equal("Cannot read properties of null (reading 'adopted')");
      expect(
        error.stack?.startsWith("TypeError: Cannot read properties of null (reading 'adopted')\n    at "),
      ).to.equal(true);
    });
  });
});
