/**
 * The live acceptance kit's parts that need no service: its registry against docs/emulator.md's
 * source table (every documented row has a check, or says why none can run), the rule that keeps
 * every write on connectors the run created, the one message that says what to set, and the
 * scheduled workflow's shape (tests/e2e/pipelines-lint.test.ts lints it and checks its pins). The
 * kit against a service: tests/integration/live-kit.test.ts.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { CHECKS, rowKind } from "../../scripts/live/checks";
import { Ownership, OwnershipError } from "../../scripts/live/exchange";
import { preflight } from "../../scripts/live/preflight";
import { idInLocation } from "../../scripts/live/trial";

const REPO = path.resolve(__dirname, "../../..");
const DOCS = path.join(REPO, "docs/emulator.md");
// js-yaml 4 comes with @pulumi/pulumi (no types installed): only `load` is used.
const { load } = require("js-yaml") as { load(text: string): unknown };
const PREFIX = "pulumi-intune-live-20261207-abcdef";
const OWN = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";
const SEEDED = "8c39f54e-6512-4a2f-bd3a-2cb66d02f722";
const ITEM = (id: string) => `/beta/deviceManagement/domainJoinConnectors/${id}`;

describe("live kit: the registry", () => {
  it("has a check, or a reason none can run, for every documented row of docs/emulator.md", () => {
    const documented = [...readFileSync(DOCS, "utf8").matchAll(/^\| (S\d\d) \|/gm)].map((m) => m[1]);
    expect(documented.length).to.be.greaterThan(20);
    const ids = CHECKS.map((c) => c.id);
    expect(
      documented.filter((id) => !ids.includes(id)),
      "documented rows without a check",
    ).to.deep.equal([]);
    expect(
      ids.filter((id) => id.startsWith("S") && !documented.includes(id)),
      "checks of no row",
    ).to.deep.equal([]);
  });

  it("is listed whole in docs/live.md's table of checks, in the same order", () => {
    const listed = [
      ...readFileSync(path.join(REPO, "docs/live.md"), "utf8").matchAll(/^\| ([SU]\d\d) +\|/gm),
    ];
    expect(listed.map((m) => m[1])).to.deep.equal(CHECKS.map((c) => c.id));
  });

  it("keys each check by one row id, S.. or U.., and gives it a run or a reason", () => {
    const ids = CHECKS.map((c) => c.id);
    expect(new Set(ids).size).to.equal(ids.length);
    for (const check of CHECKS) {
      expect(check.id).to.match(/^[SU]\d\d$/);
      expect(check.row, check.id).to.not.equal("");
      expect(!!check.run !== !!check.unobservable, `${check.id}: a run or a reason, not both`).to.equal(true);
      if (check.run) expect(check.sends, check.id).to.not.equal("nothing");
    }
    expect(rowKind("S13")).to.equal("documented");
    expect(rowKind("U12")).to.equal("not documented");
  });
});

describe("live kit: writes go only to what the run created", () => {
  const ownership = () => {
    const o = new Ownership(PREFIX);
    o.add(OWN, `${PREFIX}-subject`, "subject");
    return o;
  };
  const refused = (
    o: Ownership,
    method: "POST" | "PATCH" | "PUT" | "DELETE",
    pathname: string,
    body?: unknown,
  ) => expect(() => o.check(method, pathname, body), `${method} ${pathname}`).to.throw(OwnershipError);

  it("lets reads go anywhere and writes reach the run's own connector", () => {
    const o = ownership();
    for (const pathname of [ITEM(SEEDED), "/v1.0/deviceManagement/domainJoinConnectors", "/beta/me"])
      expect(() => o.check("GET", pathname, undefined)).not.to.throw();
    expect(() => o.check("PATCH", ITEM(OWN), { displayName: "x" })).not.to.throw();
    expect(() => o.check("DELETE", ITEM(OWN.toUpperCase()), undefined)).not.to.throw();
    expect(() =>
      o.check("PATCH", `/beta/deviceManagement/domainJoinConnectors('${OWN}')`, {}),
    ).not.to.throw();
    expect(() =>
      o.check("POST", "/beta/deviceManagement/domainJoinConnectors", { displayName: `${PREFIX}-s13` }),
    ).not.to.throw();
  });

  it("refuses a write to any other connector, a POST without the prefix, and writes elsewhere", () => {
    const o = ownership();
    refused(o, "PATCH", ITEM(SEEDED), { displayName: "x" });
    refused(o, "DELETE", ITEM(SEEDED));
    refused(o, "PUT", ITEM(SEEDED), {});
    refused(o, "PATCH", `/beta/deviceManagement/domainJoinConnectors('${SEEDED}')`, {});
    refused(o, "POST", "/beta/deviceManagement/domainJoinConnectors", { displayName: "ODJ Connector – HQ" });
    refused(o, "POST", "/beta/deviceManagement/domainJoinConnectors", { displayName: PREFIX });
    refused(o, "POST", "/beta/deviceManagement/domainJoinConnectors", {});
    refused(o, "DELETE", "/beta/deviceManagement/domainJoinConnectors");
    refused(o, "PATCH", `${ITEM(OWN)}/extra`, {});
    refused(o, "POST", "/beta/deviceManagement/managedDevices", { displayName: `${PREFIX}-x` });
    expect(() => o.assertOwned(SEEDED, "delete")).to.throw(
      OwnershipError,
      `refused to delete connector ${SEEDED}: not created by this run`,
    );
  });

  it("reads the new connector's id from a Location header in either key form", () => {
    expect(
      idInLocation(`https://graph.microsoft.com/beta/deviceManagement/domainJoinConnectors('${OWN}')`),
    ).to.equal(OWN);
    expect(
      idInLocation(`https://graph.microsoft.com/beta/deviceManagement/domainJoinConnectors/${OWN}`),
    ).to.equal(OWN);
    expect(idInLocation(undefined)).to.equal(undefined);
    expect(idInLocation("https://graph.microsoft.com/beta/deviceManagement")).to.equal(undefined);
  });
});

describe("live kit: the opt-in", () => {
  const app = {
    AZURE_TENANT_ID: "contoso.onmicrosoft.com",
    AZURE_CLIENT_ID: "9d3c2b1a-6f5e-4d7c-8b9a-0e1f2a3b4c5d",
  };

  it("runs with INTUNE_LIVE=1, the app named and one credential of each kind", () => {
    for (const credential of [
      { AZURE_CLIENT_SECRET: "s" },
      { AZURE_CLIENT_CERTIFICATE_PATH: "/etc/app.pem" },
      { AZURE_FEDERATED_TOKEN_FILE: "/var/run/token" },
      { ACTIONS_ID_TOKEN_REQUEST_URL: "https://x/idtoken", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "t" },
    ])
      expect(preflight({ INTUNE_LIVE: "1", ...app, ...credential }), JSON.stringify(credential)).to.equal(
        undefined,
      );
    expect(preflight({ INTUNE_LIVE: "true", ...app, AZURE_CLIENT_SECRET: "s" })).to.equal(undefined);
  });

  it("otherwise says in one message what is set and what is missing", () => {
    const none = preflight({}) as string;
    expect(none).to.contain("INTUNE_LIVE=1 (missing)");
    expect(none).to.contain("AZURE_TENANT_ID (missing)").and.contain("AZURE_CLIENT_ID (missing)");
    expect(none).to.contain("one credential (none found)").and.contain("AZURE_CLIENT_SECRET");
    expect(none.split("\n")).to.have.length(1);
    const noOptIn = preflight({ ...app, AZURE_CLIENT_SECRET: "s3cr3t", INTUNE_LIVE: "yes" }) as string;
    expect(noOptIn)
      .to.contain('INTUNE_LIVE=1 (is "yes")')
      .and.contain("AZURE_TENANT_ID (set)")
      .and.contain("one credential (set)");
    expect(noOptIn).not.to.contain("s3cr3t");
    // Half of GitHub's pair is no credential.
    expect(preflight({ INTUNE_LIVE: "1", ...app, ACTIONS_ID_TOKEN_REQUEST_URL: "https://x" })).to.contain(
      "(none found)",
    );
  });
});

describe("live kit: the scheduled workflow (.github/workflows/live.yml)", () => {
  interface Step {
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
  }
  interface Job {
    environment: unknown;
    permissions: Record<string, string>;
    env: Record<string, string>;
    steps: Step[];
  }
  const text = readFileSync(path.join(REPO, ".github/workflows/live.yml"), "utf8");
  const workflow = load(text) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, Job>;
  };
  const [job] = Object.values(workflow.jobs);

  it("runs on a schedule and on demand, behind the live-tenant environment's approval", () => {
    expect(workflow.on).to.have.all.keys("schedule", "workflow_dispatch");
    expect(workflow.on.schedule).to.be.an("array").with.length.greaterThan(0);
    expect(workflow.permissions).to.deep.equal({ contents: "read" });
    expect(Object.keys(workflow.jobs)).to.have.length(1);
    expect(job.environment).to.equal("live-tenant");
  });

  it("signs in with the job's GitHub OIDC token, the app named by the environment's variables, no secret", () => {
    expect(job.permissions).to.deep.equal({ contents: "read", "id-token": "write" });
    expect(job.env).to.include({
      INTUNE_LIVE: "1",
      INTUNE_AUTH_METHOD: "githubActions",
      AZURE_TENANT_ID: "${{ vars.AZURE_TENANT_ID }}",
      AZURE_CLIENT_ID: "${{ vars.AZURE_CLIENT_ID }}",
    });
    expect(text).not.to.match(/secrets\.|AZURE_CLIENT_SECRET|AZURE_CLIENT_CERTIFICATE/);
  });

  it("runs npm run test:live, then puts the report in the job summary and an artifact, whatever the outcome", () => {
    const kit = job.steps.findIndex((s) => s.run?.includes("npm run test:live"));
    expect(kit).to.be.greaterThan(0);
    const after = job.steps.slice(kit + 1);
    const summary = after.find((s) => s.run?.includes("$GITHUB_STEP_SUMMARY"));
    expect(summary?.if).to.equal("always()");
    expect(summary?.run).to.contain("reports/live/live-report.md");
    const upload = after.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(upload?.if).to.equal("always()");
    expect(upload?.with).to.include({ path: "reports/live/" });
    expect(job.steps[kit].run).to.contain("--out reports/live");
  });
});
