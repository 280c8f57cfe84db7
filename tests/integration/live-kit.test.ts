/**
 * The live acceptance kit (scripts/live/, `npm run test:live`) against the emulator, through its
 * public endpoints only: real HTTPS, the emulator's Entra issuing real tokens to the provider's own
 * credentials (secret, certificate, GitHub Actions OIDC), in each national cloud. Under the
 * default variants every row is documented or not checkable; under each other reading the rows
 * written here by hand — not taken from the kit — are the ones it reports different. Every run
 * must leave the tenant as it found it: no connector with the run's prefix, the seeded ones
 * untouched, and no write in the emulator's log aimed at a connector the run did not create.
 */
import { expect } from "chai";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { generate } from "selfsigned";
import {
  CloudName,
  Emulator,
  READ_WRITE_ROLE,
  ServiceVariants,
  clientEnvironment,
} from "intune-graph-emulator";
import { startTestEmulator } from "intune-test-support/emulator";
import { GithubStandIn, startGithubActionsStandIn } from "intune-test-support/federated-issuers";
import { LiveReport, NotRunError, runLiveKit } from "../../scripts/live/kit";
import { renderMarkdown } from "../../scripts/live/report";
import { FAST, NOT_CHECKABLE_BY_DEFAULT, Run, SEED, expectCleanedUp, ids, kitAgainst } from "./live-kit-run";

const MAIN = path.resolve(__dirname, "../../scripts/live/main.js");

describe("live acceptance kit against the emulator (public endpoints, real tokens)", function () {
  this.timeout(30_000);

  describe("under the default variants", () => {
    let run: Run;
    before(async () => {
      run = await kitAgainst();
    });

    it("finds every row documented, or not checkable with a reason, and the life passes", () => {
      const { report } = run;
      expect(ids(report, "different")).to.deep.equal([]);
      expect(ids(report, "not checkable")).to.have.members(NOT_CHECKABLE_BY_DEFAULT);
      expect(report.rows.filter((r) => r.failed)).to.deep.equal([]);
      for (const row of report.rows.filter((r) => r.verdict === "not checkable"))
        expect(row.why, row.id).to.be.a("string").and.not.equal("");
      expect(ids(report, "documented").length).to.be.greaterThan(30);
      expect(report.life.result).to.equal("passed");
      expect(report.life.steps.map((s) => s.step)).to.deep.equal([
        "create",
        "read",
        "rename",
        "list",
        "delete",
        "gone",
      ]);
      expect(report.ok).to.equal(true);
      expect(report.run).to.include({ cloud: "global", authMethod: "clientSecret", throttle: false });
    });

    it("deletes all it made, touches no seeded connector, and leaves an earlier run's connector alone", () => {
      expectCleanedUp(run);
      expect(run.report.cleanup.earlierRuns.map((c) => c.displayName)).to.deep.equal([
        "pulumi-intune-live-20261101-aaaaaa-subject",
      ]);
    });
  });

  // Each reading the emulator offers, and the rows that then differ from the table (by hand).
  const VARIANTS: [Partial<ServiceVariants>, string[]][] = [
    [{ patchResponse: "no-content" }, ["S13"]],
    [{ getResponse: "value-wrapped" }, ["S11"]],
    [{ createLocation: "none" }, ["U12"]],
    [{ createdVersion: "null" }, ["S03", "U01"]],
    [{ listQuery: "ignored" }, ["S35", "U31", "U32"]],
    [{ listQuery: "rejected" }, ["S35", "U31"]],
    [{ stateWrite: "refused" }, ["S16", "U11"]],
    [{ stateWrite: "ignored" }, ["U11"]],
    [{ newConnectorContact: "created-at" }, ["U21"]],
    [{ newConnectorState: "active" }, ["U20"]],
    [{ newConnectorState: "error" }, ["U20"]],
    [{ contactWrite: "ignored" }, ["S17", "U10"]],
    [{ unsupportedMethod: "400" }, ["S43"]],
    // An empty first page with a next link: $top's page and the first page's size both read 0.
    [{ paging: "empty-pages" }, ["S35", "U30", "U31"]],
    // Readings only connector software could show: the kit never meets them.
    [{ deleteRegistered: "refused" }, []],
    [{ heartbeatVersion: "kept" }, []],
  ];
  for (const [variants, different] of VARIANTS) {
    it(`${JSON.stringify(variants)}: reports exactly ${different.join(", ") || "none"} different, and still cleans up`, async () => {
      const run = await kitAgainst({ variants });
      expect(ids(run.report, "different")).to.have.members(different);
      expect(ids(run.report, "different")).to.have.length(different.length);
      expect(run.report.rows.filter((r) => r.failed)).to.deep.equal([]);
      expect(run.report.life.result, "the provider's client lives with every reading").to.equal("passed");
      expect(run.report.ok).to.equal(different.length === 0);
      for (const row of run.report.rows.filter((r) => r.verdict === "different")) {
        expect(row.expected, row.id).to.be.an("array").with.length.greaterThan(0);
        expect(row.observed?.[0]?.status, row.id).to.be.a("number");
      }
      expectCleanedUp(run);
    });
  }

  it("a list longer than a page: S30 documented (the next links carry the kit's option), U30 different (2, not 100)", async () => {
    const run = await kitAgainst({ pageSize: 2 });
    expect(run.report.rows.find((r) => r.id === "S30")?.verdict).to.equal("documented");
    expect(ids(run.report, "different")).to.deep.equal(["U30"]);
    expect(run.report.rows.find((r) => r.id === "U30")?.observed?.[0]?.fields).to.deep.include({ page: 2 });
    expectCleanedUp(run);
  });

  it("the report of a different row holds the answer: status, code, message excerpt, body fields, request ids", async () => {
    const run = await kitAgainst({ variants: { stateWrite: "refused" } });
    const u11 = run.report.rows.find((r) => r.id === "U11");
    expect(u11?.expected).to.include("taken (2xx)");
    const observed = u11?.observed?.[0];
    expect(observed).to.include({ status: 400, code: "BadRequest" });
    expect(observed?.message).to.contain("'state' cannot be written");
    expect(observed?.request).to.match(
      /^PATCH \/beta\/deviceManagement\/domainJoinConnectors\/[0-9a-f-]{36}$/,
    );
    expect(observed?.requestId).to.be.a("string");
    expect(observed?.clientRequestId).to.be.a("string");
    const markdown = renderMarkdown(run.report);
    expect(markdown).to.contain("**Attention:** 2 row(s) different.");
    expect(markdown).to.contain("### U11 — A written state: shown until the next heartbeat");
    expect(markdown).to.contain("→ **400** BadRequest; message: “The property 'state' cannot be written");
    expect(markdown).to.contain(`request-id ${observed?.requestId}`);
    expect(markdown).to.contain(
      '| U11 | A written state: shown until the next heartbeat | _not documented_ | ❌ different | expected taken (2xx); state "error"; got 400 BadRequest |',
    );
    expect(markdown).to.contain("| S13 | PATCH: 200 OK and the updated object | Microsoft | ✅ documented |");
  });

  describe("signs in with each credential the provider supports", () => {
    let github: GithubStandIn;
    let dir: string;
    before(async () => {
      github = await startGithubActionsStandIn();
      dir = mkdtempSync(path.join(tmpdir(), "intune-live-"));
    });
    after(async () => {
      await github.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const APP = {
      clientId: "9d3c2b1a-6f5e-4d7c-8b9a-0e1f2a3b4c5d",
      displayName: "live-kit",
      roles: [READ_WRITE_ROLE],
    };
    const appEnv = (emulator: Emulator, extra: NodeJS.ProcessEnv) => ({
      AZURE_TENANT_ID: emulator.tenantId,
      AZURE_CLIENT_ID: APP.clientId,
      AZURE_AUTHORITY_HOST: emulator.authorityHost,
      INTUNE_GRAPH_ENDPOINT: emulator.graphEndpoint,
      ...extra,
    });

    it("a certificate (AZURE_CLIENT_CERTIFICATE_PATH)", async () => {
      const cert = await generate([{ name: "commonName", value: "live-kit" }], {
        keyType: "rsa",
        algorithm: "sha256",
      });
      const file = path.join(dir, "live-kit.pem");
      writeFileSync(file, `${cert.private}${cert.cert}`);
      const run = await kitAgainst({ apps: [{ ...APP, certificates: [cert.cert] }] }, {}, (emulator) =>
        appEnv(emulator, { AZURE_CLIENT_CERTIFICATE_PATH: file }),
      );
      expect(run.report.run.authMethod).to.equal("clientCertificate");
      expect(run.report.ok, JSON.stringify(run.report.summary)).to.equal(true);
      expectCleanedUp(run);
    });

    it("GitHub Actions OIDC (the job's ID token exchanged at Entra)", async () => {
      const subject = "repo:contoso/pulumi-intune:environment:live-tenant";
      github.setSubject(subject);
      const run = await kitAgainst(
        {
          apps: [{ ...APP, federated: [{ issuer: github.issuer, subject }] }],
          trustedIssuers: { [github.issuer]: github.jwks },
        },
        {},
        (emulator) =>
          appEnv(emulator, {
            INTUNE_AUTH_METHOD: "githubActions",
            ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken,
          }),
      );
      expect(run.report.run.authMethod).to.equal("githubActions");
      expect(run.report.ok, JSON.stringify(run.report.summary)).to.equal(true);
      expect(github.requests().length).to.be.greaterThan(0);
      expect(github.requests().every((r) => r.authorized && r.status === 200)).to.equal(true);
      const text = JSON.stringify(run.report);
      expect(text).not.to.contain(github.requestToken);
      for (const token of github.issuedTokens) expect(text).not.to.contain(token);
      expectCleanedUp(run);
    });
  });

  for (const cloud of ["usgov", "usgovdod", "china"] as CloudName[]) {
    it(`in the ${cloud} cloud (INTUNE_CLOUD): the token is for that cloud's Graph, which the emulator alone accepts`, async () => {
      const run = await kitAgainst({ cloud }, { only: ["S10", "S11", "S12"] }, (emulator) => ({
        ...clientEnvironment(emulator),
        INTUNE_CLOUD: cloud,
      }));
      expect(run.report.run.cloud).to.equal(cloud);
      expect(run.report.rows.map((r) => [r.id, r.verdict])).to.deep.equal([
        ["S10", "documented"],
        ["S11", "documented"],
        ["S12", "documented"],
      ]);
      expect(run.report.ok).to.equal(true);
      expectCleanedUp(run);
    });
  }

  it("a Graph that refuses the token (another cloud's): the life fails, a row that needs a connector cannot run, nothing is written", async () => {
    const run = await kitAgainst({ cloud: "china" }, { only: ["S11"] });
    expect(run.report.life.result).to.equal("failed");
    expect(run.report.life.steps[0].detail).to.contain("401");
    expect(run.report.rows.map((r) => [r.id, r.verdict, r.failed])).to.deep.equal([
      ["S11", "not checkable", true],
    ]);
    expect(run.after).to.deep.equal(run.before);
  });

  describe("cleans up after a failure", () => {
    it("a check that gets no answer fails its row; everything made is still deleted", async () => {
      const run = await kitAgainst({}, {}, (emulator) => {
        // S07's request alone goes to /v1.0: the connection is dropped without an answer.
        emulator.addFault({ method: "GET", path: "/v1.0/", drop: true });
        return clientEnvironment(emulator);
      });
      const failed = run.report.rows.filter((r) => r.failed);
      expect(failed.map((r) => r.id)).to.deep.equal(["S07"]);
      expect(failed[0].why).to.contain("got no answer");
      expect(run.report.ok).to.equal(false);
      expectCleanedUp(run);
    });

    it("a refused DELETE: the life releases its connector and the report names it, with its id, as left behind", async () => {
      const emulator = await startTestEmulator({ seed: SEED });
      try {
        emulator.addFault({ method: "DELETE", path: "/domainJoinConnectors/", status: 403, count: 2 });
        const report = await runLiveKit({
          env: { INTUNE_LIVE: "1", ...clientEnvironment(emulator) },
          ...FAST,
          only: ["U01"],
        });
        expect(report.life.result).to.equal("released");
        expect(report.life.steps.at(-1)).to.deep.include({ step: "delete", ok: false });
        const leftId = report.life.connectorId as string;
        expect(report.cleanup.leftBehind.map((l) => l.id)).to.deep.equal([leftId]);
        expect(report.cleanup.leftBehind[0].reason).to.contain("403");
        expect(report.ok).to.equal(false);
        // The only connector of the run still in the tenant is the one the report names.
        const left = emulator.connectors().filter((c) => c.displayName?.startsWith(report.run.prefix));
        expect(left.map((c) => c.id)).to.deep.equal([leftId]);
      } finally {
        await emulator.close();
      }
    });

    it("stopped (Ctrl+C) after S03: the checks left are not run, and the clean-up still runs", async () => {
      const stop = new AbortController();
      const run = await kitAgainst(
        {},
        {
          signal: stop.signal,
          log: (line) => {
            if (line.startsWith("S03 ")) stop.abort();
          },
        },
      );
      const rows = run.report.rows;
      expect(rows.find((r) => r.id === "S04")).to.deep.include({ verdict: "not checkable", failed: true });
      expect(rows.find((r) => r.id === "S01")?.verdict).to.equal("documented");
      expectCleanedUp(run);
    });
  });

  describe("refuses to run", () => {
    it("without INTUNE_LIVE=1, even with credentials (one message naming what to set)", async () => {
      const emulator = await startTestEmulator({ seed: SEED });
      try {
        const error = await runLiveKit({ env: clientEnvironment(emulator) }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(NotRunError);
        expect((error as Error).message)
          .to.contain("INTUNE_LIVE=1 (missing)")
          .and.contain("AZURE_TENANT_ID (set)");
        expect(emulator.requestLog()).to.deep.equal([]);
      } finally {
        await emulator.close();
      }
    });

    it("with a secret Entra refuses: one message, no secret in it, nothing sent to Graph", async () => {
      const emulator = await startTestEmulator({ seed: SEED });
      try {
        const env = {
          INTUNE_LIVE: "1",
          ...clientEnvironment(emulator),
          AZURE_CLIENT_SECRET: "not-the-secret-of-this-app",
        };
        const error = (await runLiveKit({ env }).catch((e: unknown) => e)) as Error;
        expect(error).to.be.instanceOf(NotRunError);
        expect(error.message).to.contain("authentication failed");
        expect(error.message).not.to.contain("not-the-secret-of-this-app");
        expect(emulator.requestLog({ kind: "graph" })).to.deep.equal([]);
      } finally {
        await emulator.close();
      }
    });
  });

  describe("the command (npm run test:live runs it)", () => {
    const runMain = (args: string[], env: NodeJS.ProcessEnv) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [MAIN, ...args], { env }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        );
      });
    // The command's environment: nothing of the test process's own that could name a tenant.
    const bare = (): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
    });

    it("without the opt-in or credentials: exit 2 and one line naming INTUNE_LIVE, the tenant, the app and the credentials; no stack trace", async () => {
      const out = mkdtempSync(path.join(tmpdir(), "intune-live-out-"));
      try {
        const { code, stdout, stderr } = await runMain(["--out", out], bare());
        expect(code).to.equal(2);
        expect(stdout).to.equal("");
        const lines = stderr.trim().split("\n");
        expect(lines).to.have.length(1);
        for (const name of [
          "INTUNE_LIVE=1",
          "AZURE_TENANT_ID",
          "AZURE_CLIENT_ID",
          "AZURE_CLIENT_SECRET",
          "AZURE_CLIENT_CERTIFICATE_PATH",
          "id-token: write",
        ])
          expect(lines[0]).to.contain(name);
        expect(stderr).not.to.match(/^\s+at /m);
        expect(existsSync(path.join(out, "live-report.json"))).to.equal(false);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });

    it("a bad setting: exit 2 and the provider's one line naming it", async () => {
      const { code, stderr } = await runMain([], {
        ...bare(),
        INTUNE_LIVE: "1",
        AZURE_TENANT_ID: "contoso.onmicrosoft.com",
        AZURE_CLIENT_ID: "9d3c2b1a-6f5e-4d7c-8b9a-0e1f2a3b4c5d",
        AZURE_CLIENT_SECRET: "s3cr3t-value",
        INTUNE_CLOUD: "mars",
      });
      expect(code).to.equal(2);
      expect(stderr.trim().split("\n")).to.have.length(1);
      expect(stderr).to.contain("INTUNE_CLOUD").and.not.contain("s3cr3t-value");
      expect(stderr).not.to.match(/^\s+at /m);
    });

    it("Ctrl+C during the checks: it stops after the check under way, cleans up, writes the report, exit 1", async () => {
      // 20 ms a request: the checks after S02 take a second or more, so the signal lands among them.
      const emulator = await startTestEmulator({ seed: SEED, latencyMs: 20 });
      const out = mkdtempSync(path.join(tmpdir(), "intune-live-out-"));
      try {
        const child = spawn(process.execPath, [MAIN, "--out", out], {
          env: { ...bare(), INTUNE_LIVE: "1", ...clientEnvironment(emulator) },
        });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => {
          const before = stderr;
          stderr += chunk.toString();
          if (!before.includes("S02 ") && stderr.includes("S02 ")) child.kill("SIGINT");
        });
        const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
        expect(code, stderr).to.equal(1);
        expect(stderr).to.contain("stopping after the check under way; cleaning up");
        const report = JSON.parse(readFileSync(path.join(out, "live-report.json"), "utf8")) as LiveReport;
        expect(
          report.rows.filter((r) => r.why === "the run was stopped before this check").length,
        ).to.be.greaterThan(30);
        expect(report.cleanup.leftBehind).to.deep.equal([]);
        expect(report.cleanup.created.length).to.be.greaterThan(0);
        expect(
          emulator.connectors().filter((c) => c.displayName?.startsWith(report.run.prefix)),
        ).to.deep.equal([]);
      } finally {
        rmSync(out, { recursive: true, force: true });
        await emulator.close();
      }
    });

    it("against the emulator: exit 0, the Markdown and JSON reports written, no secret or token in them", async () => {
      const emulator = await startTestEmulator({ seed: SEED });
      const out = mkdtempSync(path.join(tmpdir(), "intune-live-out-"));
      try {
        const env = { ...bare(), INTUNE_LIVE: "1", ...clientEnvironment(emulator) };
        const { code, stdout, stderr } = await runMain(["--out", out], env);
        expect(code, stderr).to.equal(0);
        expect(stdout).to.match(
          new RegExp(
            `^PASSED: \\d+ documented, 0 different, ${NOT_CHECKABLE_BY_DEFAULT.length} not checkable`,
          ),
        );
        const json = readFileSync(path.join(out, "live-report.json"), "utf8");
        const markdown = readFileSync(path.join(out, "live-report.md"), "utf8");
        expect((JSON.parse(json) as LiveReport).ok).to.equal(true);
        expect(markdown)
          .to.contain("**Passed:**")
          .and.contain("| S13 |")
          .and.contain("Nothing was left behind.");
        for (const text of [json, markdown, stdout, stderr]) {
          expect(text).not.to.contain(emulator.app("writer").secret);
          expect(text).not.to.match(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\./);
        }
        const { prefix } = (JSON.parse(json) as LiveReport).run;
        expect(emulator.connectors().filter((c) => c.displayName?.startsWith(prefix))).to.deep.equal([]);
      } finally {
        rmSync(out, { recursive: true, force: true });
        await emulator.close();
      }
    });
  });
});
