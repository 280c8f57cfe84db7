/**
 * What a fleet run reports: each tenant's outcome from Pulumi's counts, the exit code, the first
 * line of an error, the Markdown and table, and the merge of shards' summaries.
 */
import { expect } from "chai";
import * as fc from "fast-check";
import {
  changeCounts,
  exitCode,
  firstErrorLine,
  judge,
} from "pulumi-intune-domain-join/internal/fleet/outcome";
import {
  FleetSummary,
  SummaryError,
  TenantResult,
  mergeSummaries,
  parseSummary,
  renderMarkdown,
  renderTable,
} from "pulumi-intune-domain-join/internal/fleet/summary";

type Outcome = TenantResult["outcome"];

function tenant(name: string, outcome: Outcome, more: Partial<TenantResult> = {}): TenantResult {
  return {
    name,
    tenantId: "4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83",
    stack: `prod-${name}`,
    outcome,
    changes: { create: 1, update: 2, delete: 0, replace: 0, same: 3 },
    detail: null,
    startedAt: "2026-12-07T10:00:00.000Z",
    finishedAt: "2026-12-07T10:00:12.000Z",
    seconds: 12,
    error: null,
    log: `logs/up/${name}.log`,
    digest: "d1",
    ...more,
  };
}

function summary(tenants: TenantResult[], more: Partial<FleetSummary> = {}): FleetSummary {
  return {
    version: 1,
    command: "up",
    project: "intune-fleet",
    fleetDigest: "f1",
    shard: null,
    startedAt: "2026-12-07T10:00:00.000Z",
    finishedAt: "2026-12-07T10:01:00.000Z",
    seconds: 60,
    exitCode: 0,
    tenants,
    ...more,
  };
}

describe("fleet outcomes and exit codes", () => {
  it("counts Pulumi's operations: imports are creates; read and refresh change nothing", () => {
    expect(
      changeCounts({ create: 2, import: 1, update: 1, delete: 3, replace: 1, same: 4, read: 2 }),
    ).to.deep.equal({
      create: 3,
      update: 1,
      delete: 3,
      replace: 1,
      same: 4,
    });
    expect(changeCounts(undefined)).to.deep.equal({ create: 0, update: 0, delete: 0, replace: 0, same: 0 });
  });

  it("judges each command: a preview or a refresh with changes, health by its exit, up and destroy ok", () => {
    expect(judge("preview", { ops: { same: 3 } })).to.equal("ok");
    expect(judge("preview", { ops: { same: 2, update: 1 } })).to.equal("changes");
    expect(judge("preview", { ops: { same: 2, "create-replacement": 1 } })).to.equal("changes");
    expect(judge("refresh", { ops: { same: 3, read: 1, refresh: 2 } })).to.equal("ok");
    expect(judge("refresh", { ops: { delete: 1 } })).to.equal("changes");
    expect(judge("up", { ops: { create: 3 } })).to.equal("ok");
    expect(judge("destroy", { ops: { delete: 3 } })).to.equal("ok");
    expect(judge("health", { healthExit: 0 })).to.equal("ok");
    expect(judge("health", { healthExit: 1 })).to.equal("findings");
  });

  it("exits 2 on any failure or tenant not run, else 1 on changes or findings, else 0", () => {
    expect(exitCode([])).to.equal(0);
    expect(exitCode(["ok", "ok"])).to.equal(0);
    expect(exitCode(["ok", "changes"])).to.equal(1);
    expect(exitCode(["findings", "ok"])).to.equal(1);
    expect(exitCode(["changes", "failed"])).to.equal(2);
    expect(exitCode(["ok", "not run"])).to.equal(2);
  });

  it("property: the exit code is the worst outcome's", () => {
    const rank: Record<Outcome, number> = { ok: 0, changes: 1, findings: 1, failed: 2, "not run": 2 };
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<Outcome>("ok", "changes", "findings", "failed", "not run")),
        (outcomes) => {
          expect(exitCode(outcomes)).to.equal(Math.max(0, ...outcomes.map((o) => rank[o])));
        },
      ),
    );
  });

  it("the first line of an error: the diagnostic that says why, not Pulumi's closing line", () => {
    const output = [
      "code: 255",
      " stdout: Updating (prod-contoso):",
      "  pulumi-nodejs:dynamic/intune:DomainJoinConnector (hq):",
      "    error: authentication failed (clientSecret, tenant 4a7c…): AADSTS7000215: Invalid client secret provided.",
      "    error: update failed",
      " stderr: error: update failed",
    ].join("\n");
    expect(firstErrorLine(output)).to.equal(
      "authentication failed (clientSecret, tenant 4a7c…): AADSTS7000215: Invalid client secret provided.",
    );
    expect(firstErrorLine("error: update failed\n")).to.equal("update failed");
    expect(firstErrorLine("\n\nsomething odd happened\nmore")).to.equal("something odd happened");
    expect(firstErrorLine("")).to.equal("failed (no message)");
    // The YAML host colours its "Error:" even when the CLI is told --color never.
    const yaml = [
      "code: -2",
      " stdout: ",
      " stderr: Command failed with exit code 1: pulumi preview --diff --color never",
      "warning: using pulumi-resource-intune from $PATH",
      '\u001b[31mError\u001b[0m: resource, variable, or config value "branch" not found',
    ].join("\n");
    expect(firstErrorLine(yaml)).to.equal('resource, variable, or config value "branch" not found');
    expect(firstErrorLine(`error: ${"x".repeat(400)}`)).to.have.length(300);
  });
});

describe("fleet summaries", () => {
  it("the table says the verdict, then a row per tenant with its counts and why", () => {
    const text = renderTable(
      summary(
        [
          tenant("contoso", "ok"),
          tenant("fabrikam", "failed", { changes: null, error: "AADSTS7000215: Invalid client secret" }),
        ],
        { shard: { index: 2, count: 3 } },
      ),
    );
    expect(text.split("\n").slice(0, 3)).to.deep.equal([
      "FAILED: 1 of 2 tenants failed",
      "command: up; project: intune-fleet",
      "shard: 2/3",
    ]);
    expect(text).to.match(/^contoso\s+prod-contoso\s+ok\s+1\s+2\s+0\s+0\s+12\.0 s\s+—$/m);
    expect(text).to.match(
      /^fabrikam\s+prod-fabrikam\s+failed\s+—\s+—\s+—\s+—\s+12\.0 s\s+AADSTS7000215: Invalid client secret$/m,
    );
  });

  it("Markdown: the verdict in the title, a row per tenant, the exit code explained, pipes escaped", () => {
    const md = renderMarkdown(
      summary(
        [
          tenant("contoso", "changes"),
          tenant("fabrikam", "ok", { carried: true }),
          tenant("northwind", "ok", { detail: "a | b" }),
        ],
        { command: "preview" },
      ),
    );
    expect(md).to.contain("## Intune fleet `preview`: 🟡 CHANGES: 1 of 3 tenants have changes to apply");
    expect(md).to.contain("| contoso | `prod-contoso` | 🟡 changes | 1 | 2 | 0 | 0 | 12.0 s | — |");
    expect(md).to.contain(
      "| fabrikam | `prod-fabrikam` | ✅ ok | 1 | 2 | 0 | 0 | 12.0 s | from the previous run |",
    );
    expect(md).to.contain("| northwind | `prod-northwind` | ✅ ok | 1 | 2 | 0 | 0 | 12.0 s | a \\| b |");
    expect(md).to.contain("_Exit code 1: changes or findings, no failure._");
    const healthy = renderMarkdown(
      summary([tenant("contoso", "ok", { changes: null })], { command: "health" }),
    );
    expect(healthy).to.contain("## Intune fleet `health`: ✅ OK: the tenant is well");
    const drift = renderMarkdown(summary([tenant("contoso", "changes")], { command: "refresh" }));
    expect(drift).to.contain("CHANGES: 1 of 1 tenant drifted from their stacks");
  });

  it("merges shards: every tenant once, the worst exit code, the shards named", () => {
    const one = summary([tenant("contoso", "ok")], { shard: { index: 1, count: 2 }, exitCode: 0 });
    const two = summary([tenant("fabrikam", "changes")], {
      shard: { index: 2, count: 2 },
      exitCode: 1,
      startedAt: "2026-12-07T09:59:00.000Z",
      finishedAt: "2026-12-07T10:02:00.000Z",
    });
    const merged = mergeSummaries([
      { file: "shard-1.json", summary: one },
      { file: "shard-2.json", summary: two },
    ]);
    expect(merged.tenants.map((t) => [t.name, t.outcome, t.shard])).to.deep.equal([
      ["contoso", "ok", "1/2"],
      ["fabrikam", "changes", "2/2"],
    ]);
    expect(merged.exitCode).to.equal(1);
    expect(merged.merged).to.deep.equal({
      files: ["shard-1.json", "shard-2.json"],
      shards: ["1/2", "2/2"],
      missing: [],
    });
    expect(merged.startedAt).to.equal("2026-12-07T09:59:00.000Z");
    expect(merged.seconds).to.equal(180);
    expect(renderMarkdown(merged)).to.contain("- merged: shards 1/2, 2/2 from 2 files");
  });

  it("a shard that did not report makes the merge exit 2; with the fleet's names, its tenants are listed not run", () => {
    const one = summary([tenant("alpha", "ok"), tenant("charlie", "ok")], { shard: { index: 1, count: 2 } });
    const merged = mergeSummaries([{ file: "a.json", summary: one }], ["alpha", "bravo", "charlie", "delta"]);
    expect(merged.exitCode).to.equal(2);
    expect(merged.merged?.missing).to.deep.equal(["2/2"]);
    expect(merged.tenants.map((t) => [t.name, t.outcome, t.error])).to.deep.equal([
      ["alpha", "ok", null],
      ["bravo", "not run", "its shard (2/2) did not report"],
      ["charlie", "ok", null],
      ["delta", "not run", "its shard (2/2) did not report"],
    ]);
    expect(renderTable(merged).split("\n")[0]).to.equal(
      "FAILED: 0 of 4 tenants failed, 2 not run, shard 2/2 did not report",
    );
  });

  it("refuses to merge different commands, fleets, splits, a shard twice, a tenant twice", () => {
    const a = summary([tenant("contoso", "ok")], { shard: { index: 1, count: 2 } });
    const merge = (b: FleetSummary) => () =>
      mergeSummaries([
        { file: "a.json", summary: a },
        { file: "b.json", summary: b },
      ]);
    expect(merge({ ...a, command: "preview", shard: { index: 2, count: 2 } })).to.throw(
      SummaryError,
      "b.json is a run of preview and a.json of up: merge the shards of one command",
    );
    expect(merge({ ...a, fleetDigest: "other", shard: { index: 2, count: 2 } })).to.throw(
      SummaryError,
      "b.json and a.json are runs of different fleets (their fleet files differ): merge the shards of one run",
    );
    expect(merge({ ...a, shard: { index: 1, count: 3 }, tenants: [] })).to.throw(
      SummaryError,
      "the files split the fleet differently (a.json: 1/2, b.json: 1/3): merge shards of one split",
    );
    expect(merge({ ...a, tenants: [] })).to.throw(SummaryError, "b.json and a.json both hold shard 1/2");
    expect(merge({ ...a, shard: { index: 2, count: 2 } })).to.throw(
      SummaryError,
      "tenant contoso is in a.json and in b.json: each tenant belongs to one shard",
    );
    expect(() => mergeSummaries([])).to.throw(SummaryError, "give at least one summary to merge");
  });

  it("reads a summary only if it is one, naming the file and what is wrong", () => {
    const good = summary([tenant("contoso", "ok")]);
    expect(parseSummary(JSON.parse(JSON.stringify(good)), "a.json")).to.deep.equal(good);
    const cases: [unknown, string][] = [
      [[], "it is not a JSON object"],
      [{ ...good, version: 2 }, "version is 2, not 1"],
      [
        { ...good, command: "deploy" },
        'command is "deploy", not one of preview, up, refresh, health, destroy',
      ],
      [{ ...good, tenants: [{ name: "x", outcome: "fine" }] }, "tenants[0] has no name or no outcome"],
      [{ ...good, finishedAt: null }, "its run has not finished"],
    ];
    for (const [document, why] of cases) {
      expect(() => parseSummary(document, "a.json")).to.throw(
        SummaryError,
        `a.json is not a summary of intune-fleet: ${why}`,
      );
    }
  });
});
