import { expect } from "chai";
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import {
  copyTime,
  localBackend,
  lockIsStale,
  parseCheckpoint,
  processRunning,
  processState,
  planCheckpointRepair,
  sidecarProblem,
} from "pulumi-intune-domain-join/internal/state/local-backend";
import {
  decide,
  managedConnectorIds,
  restoreProviderOutputs,
  settledResource,
} from "pulumi-intune-domain-join/internal/repair/decisions";
import { GraphConnector } from "pulumi-intune-domain-join/internal/connector/definition";

const connector = (id: string, displayName: string, extra: Partial<GraphConnector> = {}): GraphConnector => ({
  id,
  displayName,
  version: null,
  state: "inactive",
  lastConnectionDateTime: null,
  ...extra,
});
const op = (urn: string, inputs: Record<string, unknown>) => ({ urn, type: "t", inputs });

describe("intune-repair-pending: which connector each pending create made", () => {
  // The provider's notes of POSTs in flight: what existed before each.
  const note = (displayName: string, before: string[], extra: Record<string, string> = {}) => ({
    displayName,
    before,
    at: "2026-11-28T10:00:00.000Z",
    ...extra,
  });

  it("imports the one match that is new since the create's note, clears creates with no note", () => {
    const decisions = decide(
      [op("u1", { displayName: "A" }), op("u2", { displayName: "B" })],
      new Set(["tracked"]),
      [connector("tracked", "A"), connector("old-a", "A"), connector("new-a", "A"), connector("b", "B")],
      [note("A", ["tracked", "old-a"])],
    );
    expect(decisions).to.deep.equal([
      { urn: "u1", action: "import", id: "new-a", candidates: ["new-a"] },
      { urn: "u2", action: "clear", candidates: [] },
    ]);
  });

  it("without a note, never takes a namesake: it may be someone else's (the next up refuses the name)", () => {
    const [d] = decide([op("u1", { displayName: "A" })], new Set(), [connector("x", "A")]);
    expect(d).to.deep.equal({ urn: "u1", action: "clear", candidates: [] });
  });

  it("takes the connector a note says its POST made, even when other new namesakes exist", () => {
    const [d] = decide(
      [op("u1", { displayName: "A" })],
      new Set(),
      [connector("x", "A"), connector("y", "A")],
      [{ ...note("A", []), made: "Y" }],
    );
    expect(d).to.deep.equal({ urn: "u1", action: "import", id: "y", candidates: ["y"] });
  });

  it("never gives one connector to two pending creates", () => {
    const decisions = decide(
      [op("u1", { displayName: "A" }), op("u2", { displayName: "A" })],
      new Set(),
      [connector("x", "A")],
      [note("A", [])],
    );
    expect(decisions).to.deep.equal([
      { urn: "u1", action: "import", id: "x", candidates: ["x"] },
      { urn: "u2", action: "clear", candidates: [] },
    ]);
  });

  it("leaves several new matches alone, naming them", () => {
    const [d] = decide(
      [op("u1", { displayName: "A" })],
      new Set(),
      [connector("x", "A"), connector("y", "A")],
      [note("A", [])],
    );
    expect(d).to.deep.equal({ urn: "u1", action: "ambiguous", candidates: ["x", "y"] });
  });

  it("never takes a connector that checks in (active) reporting a version the create did not send: the connector software made it", () => {
    const [d] = decide(
      [op("u1", { displayName: "A" })],
      new Set(),
      [
        connector("x", "A", {
          state: "active",
          lastConnectionDateTime: "2026-11-28T09:59:00Z",
          version: "6.2504.2001.8",
        }),
      ],
      [note("A", [])],
    );
    expect(d.action).to.equal("clear");
  });

  it("takes a new match that shows a recent contact and active, with no version, as a create of none (a service that dates new objects and shows them active)", () => {
    for (const version of [null, ""]) {
      const [d] = decide(
        [op("u1", { displayName: "A" })],
        new Set(),
        [connector("x", "A", { state: "active", lastConnectionDateTime: "2026-11-28T09:59:00Z", version })],
        [note("A", [])],
      );
      expect(d).to.deep.include({ action: "import", id: "x" });
    }
  });

  it("matches version and state when the inputs set them, and the id when adopting", () => {
    const tenant = [
      connector("x", "A", { version: "1.1", state: "active" }),
      connector("y", "A", { version: "2.2", state: "inactive" }),
      connector("z", "Other"),
    ];
    const notes = [
      note("A", [], { version: "2.2" }),
      note("A", [], { state: "active" }),
      note("A", [], { version: "2.2", state: "active" }),
    ];
    expect(
      decide([op("u1", { displayName: "A", version: "2.2" })], new Set(), tenant, notes)[0],
    ).to.deep.equal({
      urn: "u1",
      action: "import",
      id: "y",
      candidates: ["y"],
    });
    expect(
      decide([op("u1", { displayName: "A", state: "active" })], new Set(), tenant, notes)[0].id,
    ).to.equal("x");
    expect(
      decide([op("u1", { displayName: "A", version: "2.2", state: "active" })], new Set(), tenant, notes)[0],
    ).to.deep.equal({ urn: "u1", action: "clear", candidates: [] });
    expect(
      decide([op("u2", { displayName: "Renamed", connectorId: "Z" })], new Set(), tenant)[0],
    ).to.deep.equal({ urn: "u2", action: "import", id: "z", candidates: ["z"] });
  });

  it("settles an adoption by registered name: under that name, else under the name it was getting, never one held", () => {
    const tenant = [connector("r", "SRV-01", { state: "active" }), connector("h", "HQ", { state: "active" })];
    const byName = op("u3", { registeredName: "srv-01 ", displayName: "HQ" });
    expect(decide([byName], new Set(), tenant)[0]).to.deep.equal({
      urn: "u3",
      action: "import",
      id: "r",
      candidates: ["r"],
    });
    // The killed run had renamed it already: it is under the display name the stack gives it.
    const renamed = [connector("r", "hq", { state: "active" })];
    expect(decide([byName], new Set(), renamed)[0]).to.include({ action: "import", id: "r" });
    expect(decide([byName], new Set(["R"]), renamed)[0]).to.include({ action: "clear" });
    const twins = [connector("r", "SRV-01"), connector("s", "SRV-01 ")];
    expect(decide([byName], new Set(), twins)[0]).to.deep.equal({
      urn: "u3",
      action: "ambiguous",
      candidates: ["r", "s"],
    });
    // Recorded as adopted: released, not deleted, on destroy.
    expect(settledResource(byName, "r").outputs).to.include({ adopted: true, deleteOnDestroy: false });
  });

  it("compares tracked ids without letter case", () => {
    const [d] = decide(
      [op("u1", { displayName: "A" })],
      new Set(["X"]),
      [connector("x", "A")],
      [note("A", [])],
    );
    expect(d.action).to.equal("clear");
  });
});

describe("intune-repair-pending: a checkpoint that no longer loads (local file backend)", () => {
  const ATTRS =
    '{"user.cache_control":"","user.content_disposition":"","user.content_encoding":"","user.content_language":"",' +
    '"user.content_type":"text/plain; charset=utf-8","user.metadata":null,"md5":"9Av+1aNbiMxtPpd63eXjyA=="}\n';
  const checkpointOf = (stack: string) =>
    Buffer.from(JSON.stringify({ version: 3, checkpoint: { stack, latest: { resources: [] } } }));
  const good = checkpointOf("organization/proj/dev");
  const file = (p: string, bytes: Buffer, mtimeMs = 0) => ({ path: p, bytes, mtimeMs });

  it("flags the sidecars fileblob's JSON decoder cannot read: empty, truncated, not an object", () => {
    expect(sidecarProblem(Buffer.from(""))).to.equal("empty");
    expect(sidecarProblem(Buffer.from(" \n"))).to.equal("empty");
    expect(sidecarProblem(Buffer.from('{"user.cache_control":""'))).to.equal("not JSON");
    expect(sidecarProblem(Buffer.from("null"))).to.equal("not a JSON object");
    expect(sidecarProblem(Buffer.from(ATTRS))).to.equal(undefined);
  });

  it("reads a checkpoint's stack name, plain or gzipped, and says why a damaged one does not parse", () => {
    expect(parseCheckpoint(good)).to.deep.equal({ stack: "organization/proj/dev" });
    expect(parseCheckpoint(gzipSync(good))).to.deep.equal({ stack: "organization/proj/dev" });
    expect(parseCheckpoint(Buffer.alloc(0))).to.deep.equal({ problem: "empty" });
    expect(parseCheckpoint(good.subarray(0, 40))).to.deep.equal({ problem: "not JSON (truncated?)" });
    expect(parseCheckpoint(gzipSync(good).subarray(0, 20))).to.deep.equal({
      problem: "compressed data is damaged",
    });
    expect(parseCheckpoint(Buffer.from('{"version":3}'))).to.deep.equal({
      problem: "not a Pulumi checkpoint",
    });
  });

  it("dates a copy by the nanosecond stamp in its name, else by its modification time", () => {
    expect(
      copyTime("/b/.pulumi/history/p/dev/dev-1795892063409647974.checkpoint.json", 0).toISOString(),
    ).to.equal("2026-11-28T18:54:23.409Z");
    expect(copyTime("/b/.pulumi/backups/p/dev/dev.1795892063411503339.json.gz", 0).toISOString()).to.equal(
      "2026-11-28T18:54:23.411Z",
    );
    expect(copyTime("/b/.pulumi/stacks/p/dev.json.bak", 1_000).toISOString()).to.equal(
      "1970-01-01T00:00:01.000Z",
    );
  });

  it("a sound checkpoint: only the undecodable sidecars go aside, no copy is considered", () => {
    const plan = planCheckpointRepair({
      stack: "proj/dev",
      checkpoint: file("/b/stacks/proj/dev.json", good),
      sidecars: [
        file("/b/stacks/proj/dev.json.attrs", Buffer.from("")),
        file("/b/stacks/proj/dev.json.bak.attrs", Buffer.from(ATTRS)),
        file("/b/history/proj/dev/dev-1.history.json.attrs", Buffer.from('{"md5":')),
      ],
      copies: [file("/b/stacks/proj/dev.json.bak", Buffer.from(""), 5)],
    });
    expect(plan).to.deep.equal({
      sidecars: [
        { path: "/b/stacks/proj/dev.json.attrs", problem: "empty" },
        { path: "/b/history/proj/dev/dev-1.history.json.attrs", problem: "not JSON" },
      ],
    });
  });

  it("a damaged checkpoint: restores the newest copy that parses and names the same stack", () => {
    const plan = planCheckpointRepair({
      stack: "proj/dev",
      checkpoint: file("/b/stacks/proj/dev.json", Buffer.from('{"version":3,"checkpoint":{"st')),
      sidecars: [],
      copies: [
        file("/b/stacks/proj/dev.json.bak", good, Date.parse("2026-11-28T10:00:00Z")),
        // newer, but damaged
        file("/b/history/proj/dev/dev-1795870000000000000.checkpoint.json", Buffer.from("{"), 0),
        // newer, but another stack's
        file("/b/backups/proj/dev/dev.1795870000000000000.json", checkpointOf("organization/proj/prod"), 0),
        // older (the name's stamp counts, not the copy's mtime)
        file("/b/history/proj/dev/dev-1795800000000000000.checkpoint.json", good, Date.now()),
      ],
    });
    expect(plan.sidecars).to.deep.equal([]);
    expect(plan.broken).to.deep.equal({
      path: "/b/stacks/proj/dev.json",
      problem: "not JSON (truncated?)",
      restore: { path: "/b/stacks/proj/dev.json.bak", when: new Date("2026-11-28T10:00:00Z") },
    });
  });

  it("a damaged checkpoint with no usable copy: nothing to restore; no checkpoint at all: nothing to do", () => {
    const none = planCheckpointRepair({
      stack: "proj/dev",
      checkpoint: file("/b/stacks/proj/dev.json", Buffer.alloc(0)),
      sidecars: [],
      copies: [file("/b/stacks/proj/dev.json.bak", Buffer.alloc(0), 1)],
    });
    expect(none.broken).to.deep.equal({
      path: "/b/stacks/proj/dev.json",
      problem: "empty",
      restore: undefined,
    });
    expect(planCheckpointRepair({ stack: "proj/dev", sidecars: [], copies: [] })).to.deep.equal({
      sidecars: [],
    });
  });
});

describe("intune-repair-pending: a lock left by the killed run", () => {
  const lock = (pid: unknown, hostname: string) =>
    Buffer.from(JSON.stringify({ pid, username: "ci", hostname, timestamp: "2026-11-28T19:08:33Z" }));
  const running = (pid: number) => pid === 42;

  it("is stale only when its process is gone from this host", () => {
    expect(lockIsStale(lock(7, "vm"), "vm", running)).to.equal(true);
    expect(lockIsStale(lock(42, "vm"), "vm", running)).to.equal(false);
    expect(lockIsStale(lock(7, "other-host"), "vm", running)).to.equal(false);
    expect(lockIsStale(lock("7", "vm"), "vm", running)).to.equal(false);
    expect(lockIsStale(Buffer.from('{"pid":7,"hostn'), "vm", running)).to.equal(false);
  });

  it("asks the process with signal 0: gone only on ESRCH; a live process, or another user's (EPERM), runs", () => {
    const answering = (code?: string) => (pid: number, signal: 0) => {
      expect([pid, signal]).to.deep.equal([4242, 0]);
      if (code) throw Object.assign(new Error(code), { code });
    };
    expect(processRunning(4242, answering())).to.equal(true);
    expect(processRunning(4242, answering("EPERM"))).to.equal(true);
    expect(processRunning(4242, answering("ESRCH"))).to.equal(false);
    // Any other answer keeps the lock: releasing a running up's lock is the one mistake not to make.
    expect(processRunning(4242, answering("EINVAL"))).to.equal(true);
    // The real probe: this process runs; a pid past the kernel's limit does not.
    expect(processRunning(process.pid)).to.equal(true);
    expect(processRunning(2 ** 22 + 7)).to.equal(false);
  });

  it("a process that answers but has ended (a zombie, not yet collected) holds nothing", () => {
    const alive = () => undefined;
    expect(processRunning(4242, alive, () => "Z")).to.equal(false);
    expect(processRunning(4242, alive, () => "X")).to.equal(false);
    expect(processRunning(4242, alive, () => "S")).to.equal(true);
    // No /proc (macOS, Windows): signal 0 alone decides.
    expect(processRunning(4242, alive, () => undefined)).to.equal(true);
    if (process.platform === "linux") {
      expect(processState(process.pid)).to.match(/^[RS]$/);
      expect(processState(2 ** 22 + 7)).to.equal(undefined);
    }
  });

  it("a real child killed with its parent is a zombie until init collects it: its lock is stale at once", async function () {
    if (process.platform !== "linux") this.skip();
    // A parent in a process group of its own, with a child; the group killed at once, as a runner does.
    const parent = spawn(
      process.execPath,
      [
        "-e",
        'const c = require("child_process").spawn("sleep", ["60"]); console.log(c.pid); setInterval(() => {}, 1000);',
      ],
      { detached: true, stdio: ["ignore", "pipe", "ignore"] },
    );
    const child = await new Promise<number>((resolve) =>
      parent.stdout.once("data", (d) => resolve(Number(String(d)))),
    );
    process.kill(-(parent.pid as number), "SIGKILL");
    await new Promise((resolve) => parent.once("close", resolve));
    expect(processRunning(child)).to.equal(false);
    expect(
      lockIsStale(
        Buffer.from(JSON.stringify({ pid: child, hostname: hostname() })),
        hostname(),
        processRunning,
      ),
    ).to.equal(true);
  });
});

describe("intune-repair-pending: connector outputs without __provider", () => {
  const T = "pulumi-nodejs:dynamic/intune:DomainJoinConnector";
  const secretCode = {
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    ciphertext: "v1:x",
  };

  it("copies __provider from the resource's own inputs, to connectors only, without touching the input", () => {
    const resources = [
      {
        urn: "u::a",
        type: T,
        id: "1",
        inputs: { __provider: "code-a", displayName: "A" },
        outputs: { displayName: "A" },
      },
      { urn: "u::b", type: T, id: "2", inputs: { __provider: "code-b" }, outputs: { __provider: "code-b" } },
      { urn: "u::c", type: T, id: "3", inputs: { __provider: secretCode } },
      { urn: "u::other", type: "pulumi:providers:x", inputs: { __provider: "p" }, outputs: {} },
      { urn: "u::d", type: T, id: "4", inputs: { displayName: "D" }, outputs: { displayName: "D" } },
    ];
    const before = JSON.stringify(resources);
    const { resources: out, fixed } = restoreProviderOutputs(resources);
    expect(fixed).to.deep.equal(["u::a", "u::c"]);
    expect(out[0].outputs).to.deep.equal({ displayName: "A", __provider: "code-a" });
    expect(out[1]).to.equal(resources[1]);
    expect(out[2].outputs).to.deep.equal({ __provider: secretCode });
    expect(out[3]).to.equal(resources[3]);
    expect(out[4]).to.equal(resources[4]);
    expect(JSON.stringify(resources)).to.equal(before);
  });
});

describe("intune-repair-pending: the entry recorded for a settled create", () => {
  it("is the pending resource with its id and the outputs the provider would store: created ones are deleted on destroy", () => {
    const pending = op("u::branch", { __provider: "code", displayName: "Branch" });
    expect(settledResource(pending, "id-9")).to.deep.equal({
      urn: "u::branch",
      type: "t",
      inputs: { __provider: "code", displayName: "Branch" },
      id: "id-9",
      outputs: {
        __provider: "code",
        displayName: "Branch",
        connectorId: "id-9",
        adopted: false,
        deleteOnDestroy: true,
      },
    });
  });

  it("marks an adoption as adopted and released on destroy unless deleteOnDestroy says otherwise", () => {
    const adopted = settledResource(op("u::hq", { connectorId: "ID-1", displayName: "HQ" }), "id-1");
    expect(adopted.outputs).to.deep.equal({
      connectorId: "id-1",
      displayName: "HQ",
      adopted: true,
      deleteOnDestroy: false,
    });
    const deleting = settledResource(
      op("u::hq", { connectorId: "ID-1", displayName: "HQ", deleteOnDestroy: true }),
      "id-1",
    );
    expect(deleting.outputs?.deleteOnDestroy).to.equal(true);
  });
});

describe("intune-repair-pending: the folder of a file:// backend", () => {
  it("reads absolute, home and query-carrying URLs, and other backends as none", () => {
    expect(localBackend("file:///srv/state?metadata=skip", path.posix, "/home/a")).to.equal("/srv/state");
    expect(localBackend("file://~/state", path.posix, "/home/a")).to.equal("/home/a/state");
    expect(localBackend("file://~", path.posix, "/home/a")).to.equal("/home/a");
    expect(localBackend("file:///srv/my%20state", path.posix, "/home/a")).to.equal("/srv/my state");
    expect(localBackend("https://api.pulumi.com", path.posix, "/home/a")).to.equal(undefined);
  });

  it("starts a Windows path at its drive letter", () => {
    expect(localBackend("file:///C:/state", path.win32, "C:\\Users\\a")).to.equal("C:\\state");
    expect(localBackend("file://~/state", path.win32, "C:\\Users\\a")).to.equal("C:\\Users\\a\\state");
  });
});

describe("intune-repair-pending: a note naming a connector the stack already holds", () => {
  it("does not take that connector again: the create is cleared, not imported", () => {
    const held = "a0000000-0000-0000-0000-000000000001";
    const tenant = [connector(held, "Branch")];
    const intents = [{ displayName: "Branch", before: [], at: "2026-11-28T10:00:00Z", made: held }];
    const [decision] = decide(
      [op("u::branch", { displayName: "Branch" })],
      new Set([held.toUpperCase()]),
      tenant,
      intents,
    );
    expect(decision).to.deep.equal({ urn: "u::branch", action: "clear", candidates: [] });
  });
});

describe("the ids a stack manages (intune-health --stack/--state, intune-repair-pending)", () => {
  it("takes DomainJoinConnector resources with an id, and nothing else", () => {
    const T = "pulumi-nodejs:dynamic/intune:DomainJoinConnector";
    expect(
      managedConnectorIds([
        { type: T, id: "a" },
        { type: "pulumi:pulumi:Stack", id: "stack" },
        { type: "pulumi-nodejs:dynamic/naive:Connector", id: "other" },
        { type: T, id: "" },
        { type: T },
        { type: T, id: "b" },
      ]),
    ).to.deep.equal(["a", "b"]);
  });
});
