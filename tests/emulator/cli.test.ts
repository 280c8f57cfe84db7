// The command line, run as a child process the way users and scripts run it.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ClientSecretCredential } from "@azure/identity";
import { DEFAULT_VARIANTS } from "intune-graph-emulator";
import { trustedStateDir } from "intune-test-support/emulator";
import { GRAPH_SCOPE, send, type ListBody } from "intune-test-support/emulator-requests";

const CLI = require.resolve("intune-graph-emulator/internal/cli");

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2];
  }
  return env;
}

describe("emulator: CLI", function () {
  this.timeout(15_000);
  let dir: string;
  let child: ChildProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "emulator-cli-"));
  });
  afterEach(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    child = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("`ca` creates the CA and prints only its path", async () => {
    const result = await run(["ca", "--state-dir", dir]);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.equal(`${path.join(dir, "ca.pem")}\n`);
    expect(readFileSync(path.join(dir, "ca.pem"), "utf8")).to.match(/^-----BEGIN CERTIFICATE-----/);
  });

  /** A Graph token for the app an env file names, through @azure/identity as a client gets one. */
  async function tokenFromEnv(env: Record<string, string>): Promise<string> {
    const credential = new ClientSecretCredential(
      env.AZURE_TENANT_ID,
      env.AZURE_CLIENT_ID,
      env.AZURE_CLIENT_SECRET,
      {
        authorityHost: env.AZURE_AUTHORITY_HOST,
        disableInstanceDiscovery: true,
      },
    );
    return (await credential.getToken(GRAPH_SCOPE)).token;
  }

  /** Start the CLI and wait for its banner. */
  async function startCli(
    args: string[],
  ): Promise<{ proc: ChildProcess; output: () => { stdout: string; stderr: string } }> {
    const proc = spawn(
      process.execPath,
      [CLI, "start", "--port", "0", "--state-dir", trustedStateDir(), ...args],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child = proc;
    let stdout = "";
    let stderr = "";
    proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      proc.stdout?.on("data", (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes("Press Ctrl+C")) resolve();
      });
      proc.on("exit", (code) => reject(new Error(`exited early (${code}): ${stderr}`)));
    });
    return { proc, output: () => ({ stdout, stderr }) };
  }

  async function stop(proc: ChildProcess): Promise<number | null> {
    const exit = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
    proc.kill("SIGTERM");
    return exit;
  }

  it("`start --seed mixed` serves a fleet with one connector of each health verdict", async () => {
    const { proc, output } = await startCli(["--seed", "mixed"]);
    try {
      const url = /listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(output().stdout)?.[1];
      const { body: connectors } = await send<{ displayName: string; version: string; state: string }[]>(
        `${url}/_emulator/connectors`,
      );
      expect(connectors.map((c) => [c.displayName, c.version, c.state])).to.deep.equal([
        ["SRV-ODJ-01", "6.2504.2001.8", "active"],
        ["SRV-ODJ-02", "6.2504.2001.8", "active"],
        ["SRV-ODJ-03", "6.2409.1000.1", "active"],
        ["SRV-ODJ-04", "6.2504.2001.8", "error"],
        ["SRV-ODJ-05", "6.2504.2001.8", "inactive"],
        ["SRV-OLD-DC", "6.2312.1000.2", "inactive"],
      ]);
    } finally {
      await stop(proc);
    }
  });

  it("`start --env-file` serves clients configured from that file, keeps the secret off stdout, and stops on SIGTERM", async () => {
    // An env file left by an earlier run (Node 24 refuses --env-file naming a missing file, see --help).
    const envFile = path.join(dir, "emulator.env");
    writeFileSync(envFile, "AZURE_CLIENT_SECRET=stale\n", { mode: 0o644 });
    const { proc, output } = await startCli(["--seed", "3", "--page-size", "2", "--env-file", envFile]);
    const { stdout } = output();
    const url = /listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    expect(url).to.be.a("string");
    expect(statSync(envFile).mode & 0o777).to.equal(0o600);
    const env = parseEnv(readFileSync(envFile, "utf8"));
    expect(Object.keys(env).sort()).to.deep.equal([
      "AZURE_AUTHORITY_HOST",
      "AZURE_CLIENT_ID",
      "AZURE_CLIENT_SECRET",
      "AZURE_TENANT_ID",
      "INTUNE_GRAPH_ENDPOINT",
      "NODE_EXTRA_CA_CERTS",
    ]);
    expect(env.AZURE_AUTHORITY_HOST).to.equal(url);
    expect(env.INTUNE_GRAPH_ENDPOINT).to.equal(url);
    expect(env.NODE_EXTRA_CA_CERTS).to.equal(path.join(trustedStateDir(), "ca.pem"));
    expect(stdout).to.include(env.AZURE_CLIENT_ID);
    expect(stdout).to.include(env.AZURE_TENANT_ID);
    expect(stdout).to.not.include(env.AZURE_CLIENT_SECRET);

    const token = await tokenFromEnv(env);
    const list = await send<ListBody>(
      `${env.INTUNE_GRAPH_ENDPOINT}/beta/deviceManagement/domainJoinConnectors`,
      {
        headers: { Authorization: `Bearer ${token}` },
      },
    );
    expect(list.status).to.equal(200);
    expect(list.body.value).to.have.length(2);
    expect(list.body["@odata.nextLink"]).to.be.a("string");

    expect(await stop(proc)).to.equal(0);
    const after = output();
    expect(after.stdout).to.match(/Emulator stopped\. Graph: 1 token, 1 GET/);
    expect(after.stdout + after.stderr).to.not.include(env.AZURE_CLIENT_SECRET);
  });

  it("`start --env-out` writes a file that does not exist yet", async () => {
    const envFile = path.join(dir, "new.env");
    const { proc } = await startCli(["--env-out", envFile, "--cloud", "usgov", "--no-throttle"]);
    const env = parseEnv(readFileSync(envFile, "utf8"));
    expect(env.AZURE_CLIENT_SECRET).to.match(/^.{3}8Q~.{34}$/);
    const info = await send<{ cloud: string }>(`${env.AZURE_AUTHORITY_HOST}/_emulator/info`);
    expect(info.body.cloud).to.equal("usgov");
    expect(await stop(proc)).to.equal(0);
  });

  it("`start --variant` chooses behaviours Microsoft leaves open, and info shows them", async () => {
    const envFile = path.join(dir, "variant.env");
    const args = [
      "--env-out",
      envFile,
      "--variant",
      "patchResponse=no-content",
      "--variant",
      "listQuery=rejected",
      "--variant",
      "unsupportedMethod=400",
    ];
    const { proc } = await startCli(args);
    const env = parseEnv(readFileSync(envFile, "utf8"));
    const info = await send<{ variants: Record<string, string> }>(
      `${env.AZURE_AUTHORITY_HOST}/_emulator/info`,
    );
    expect(info.body.variants).to.deep.equal({
      ...DEFAULT_VARIANTS,
      patchResponse: "no-content",
      listQuery: "rejected",
      unsupportedMethod: "400",
    });
    expect(await stop(proc)).to.equal(0);
  });

  it("`start --no-intune-license` answers connector requests 403; --remove-inactive-from is taken", async () => {
    const envFile = path.join(dir, "unlicensed.env");
    const { proc } = await startCli([
      "--env-out",
      envFile,
      "--no-intune-license",
      "--remove-inactive-after-ms",
      "2592000000",
      "--remove-inactive-from",
      "inactive",
    ]);
    const env = parseEnv(readFileSync(envFile, "utf8"));
    const token = await tokenFromEnv(env);
    const list = await send<{ error: { message: string } }>(
      `${env.INTUNE_GRAPH_ENDPOINT}/beta/deviceManagement/domainJoinConnectors`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    expect(list.status).to.equal(403);
    expect(list.body.error.message).to.contain("active Intune license");
    expect(await stop(proc)).to.equal(0);
  });

  it("`start --tenants 3` adds three tenants the partner app reaches, listed in info and in the env file", async () => {
    const envFile = path.join(dir, "fleet.env");
    const { proc, output } = await startCli(["--seed", "2", "--tenants", "3", "--env-out", envFile]);
    const env = parseEnv(readFileSync(envFile, "utf8"));
    const tenants = env.EMULATOR_TENANT_IDS.split(",");
    expect(tenants).to.have.length(3);
    expect(output().stdout).to.contain(`tenants   3 more (${tenants[0]}, …)`);
    expect(output().stdout).to.not.contain(env.EMULATOR_PARTNER_CLIENT_SECRET);
    const info = await send<{
      tenants: { tenantId: string; connectors: number; consents: { clientId: string }[] }[];
    }>(`${env.AZURE_AUTHORITY_HOST}/_emulator/info`);
    expect(
      info.body.tenants.slice(1).map((t) => [t.tenantId, t.connectors, t.consents[0].clientId]),
    ).to.deep.equal(tenants.map((id) => [id, 2, env.EMULATOR_PARTNER_CLIENT_ID]));
    const token = await tokenFromEnv({
      ...env,
      AZURE_TENANT_ID: tenants[2],
      AZURE_CLIENT_ID: env.EMULATOR_PARTNER_CLIENT_ID,
      AZURE_CLIENT_SECRET: env.EMULATOR_PARTNER_CLIENT_SECRET,
    });
    const list = await send<ListBody>(
      `${env.INTUNE_GRAPH_ENDPOINT}/beta/deviceManagement/domainJoinConnectors`,
      {
        headers: { Authorization: `Bearer ${token}` },
      },
    );
    expect(list.body.value).to.have.length(2);
    expect(await stop(proc)).to.equal(0);
  });

  it("explains bad arguments in one line with exit code 2", async () => {
    for (const args of [
      ["start", "--cloud", "mars"],
      ["start", "--port", "http"],
      ["start", "--tenant-id", "contoso"],
      ["start", "--tenants", "0"],
      ["start", "--what"],
      ["start", "--variant", "patchResponse=maybe"],
      ["start", "--variant", "patchResponse"],
      ["start", "--remove-inactive-from", "later"],
      ["launch"],
    ]) {
      const result = await run(args);
      expect(result.code, args.join(" ")).to.equal(2);
      expect(result.stderr.trim().split("\n"), args.join(" ")).to.have.length(1);
      expect(result.stderr).to.not.match(/\n\s+at /);
      expect(result.stdout).to.equal("");
    }
  });

  it("prints usage for --help", async () => {
    const result = await run(["start", "--help"]);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.match(/^Usage: emulator <command>/);
    expect(result.stdout).to.include("--env-file FILE");
  });
});
