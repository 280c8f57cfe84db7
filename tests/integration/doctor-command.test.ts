/**
 * intune-doctor as a user runs it: a child process against the emulator over HTTPS, with real
 * @azure/identity tokens. One test per failure it names — wrong secret, missing role, read-only
 * role, wrong cloud, unreachable Graph, bad settings — and the requests it makes.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runNode } from "intune-test-support/node-process";
import { emulatorEnv, graphCalls } from "intune-test-support/provider-harness";
import { useEmulator } from "intune-test-support/emulator";

const TOOL = require.resolve("pulumi-intune-domain-join/internal/doctor/command");
const WRITE = "DeviceManagementConfiguration.ReadWrite.All";

/** The line of one check, by name: `<mark> <name>  <detail>`, and its fix line when there is one. */
function line(stdout: string, name: string): { mark: string; text: string; fix?: string } {
  const lines = stdout.split("\n");
  const at = lines.findIndex((l) => new RegExp(`^\\S ${name}\\s`).test(l));
  expect(at, `no line for ${name} in:\n${stdout}`).to.be.greaterThan(-1);
  const next = lines[at + 1] ?? "";
  const fix = /^\s+fix: (.*)$/.exec(next)?.[1];
  return { mark: lines[at][0], text: lines[at], fix };
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("intune-doctor against the emulator (child process)", function () {
  this.timeout(60_000);
  const emulator = useEmulator({
    seed: 0,
    reset: {
      seed: [
        { displayName: "SRV-A", version: "6.2504.2001.8", state: "active" },
        { displayName: "SRV-B", version: "6.2504.2001.8", state: "active" },
        { displayName: "SRV-C", version: "6.2409.1000.1", state: "inactive" },
      ],
    },
  });
  let dir: string;

  beforeEach(() => {
    emulator.clearLog();
    dir = mkdtempSync(path.join(tmpdir(), "intune-doctor-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (env: NodeJS.ProcessEnv, args: string[] = []) => runNode(TOOL, args, env);

  it("is ready with a writer app: every check passes, with one token and one list request", async () => {
    const env = emulatorEnv(emulator, "writer");
    const result = await run(env);
    expect(result.code).to.equal(0);
    for (const name of ["settings", "credential", "token", "audience", "permission", "graph", "list"]) {
      expect(line(result.stdout, name).mark, name).to.equal("✔");
    }
    expect(line(result.stdout, "settings").text).to.contain(
      `Graph ${env.INTUNE_GRAPH_ENDPOINT} (INTUNE_GRAPH_ENDPOINT)`,
    );
    expect(line(result.stdout, "credential").text).to.contain("clientSecret from AZURE_CLIENT_SECRET");
    expect(line(result.stdout, "permission").text).to.contain(WRITE);
    expect(line(result.stdout, "list").text).to.contain("3 connectors readable (1 page)");
    expect(result.stdout.trimEnd().split("\n").pop()).to.equal("READY");
    expect(graphCalls(emulator)).to.deep.equal(["token", "GET 200"]);
    // Changes nothing, and shows neither the secret nor the token.
    expect(emulator.connectors()).to.have.length(3);
    expect(result.stdout + result.stderr).not.to.contain(env.AZURE_CLIENT_SECRET as string);
    expect(result.stdout + result.stderr).not.to.match(/eyJ[\w-]+\.[\w-]+\./);
  });

  it("names a wrong secret, says how to fix it, and goes no further", async () => {
    const result = await run({ ...emulatorEnv(emulator), AZURE_CLIENT_SECRET: "wrong-secret-value-123" });
    expect(result.code).to.equal(1);
    const token = line(result.stdout, "token");
    expect(token.mark).to.equal("✘");
    expect(token.text).to.contain("AADSTS7000215");
    expect(token.fix).to.contain("the client secret is wrong");
    for (const name of ["audience", "permission", "graph", "list"]) {
      expect(line(result.stdout, name).mark, name).to.equal("-");
    }
    expect(result.stdout).to.contain("NOT READY: 1 check failed");
    expect(result.stdout + result.stderr).not.to.contain("wrong-secret-value-123");
    // The refused token request, and no Graph request after it.
    expect(graphCalls(emulator)).to.deep.equal(["token"]);
  });

  it("names a missing role from the token, before Graph refuses the list with 403", async () => {
    const result = await run(emulatorEnv(emulator, "no-roles"));
    expect(result.code).to.equal(1);
    const permission = line(result.stdout, "permission");
    expect(permission.mark).to.equal("✘");
    expect(permission.text).to.contain("holds no roles");
    expect(permission.fix).to.contain(`application permission ${WRITE} and grant admin consent`);
    const list = line(result.stdout, "list");
    expect(list.mark).to.equal("✘");
    expect(list.text).to.match(/failed with 403/);
    expect(list.fix).to.contain("DeviceManagementConfiguration.Read.All or " + WRITE);
    expect(line(result.stdout, "graph").mark).to.equal("✔");
    expect(result.stdout).to.contain("NOT READY: 2 checks failed");
  });

  it("warns that a read-only app can preview but not apply, and is still ready", async () => {
    const result = await run(emulatorEnv(emulator, "reader"));
    expect(result.code).to.equal(0);
    const permission = line(result.stdout, "permission");
    expect(permission.mark).to.equal("!");
    expect(permission.text).to.contain("DeviceManagementConfiguration.Read.All only");
    expect(permission.text).to.contain("pulumi up and destroy will be refused (403)");
    expect(line(result.stdout, "list").mark).to.equal("✔");
    expect(result.stdout).to.contain("READY with 1 warning");
  });

  it("names a wrong cloud: Graph refuses a token issued for another cloud's Graph", async () => {
    const result = await run({ ...emulatorEnv(emulator), INTUNE_CLOUD: "usgov" });
    expect(result.code).to.equal(1);
    expect(line(result.stdout, "settings").text).to.contain("cloud usgov (INTUNE_CLOUD)");
    expect(line(result.stdout, "audience").text).to.contain("https://graph.microsoft.us");
    const list = line(result.stdout, "list");
    expect(list.mark).to.equal("✘");
    expect(list.text).to.contain("401");
    expect(list.fix).to.contain("the token's audience: https://graph.microsoft.us");
    expect(list.fix).to.contain("intune:cloud must be the cloud of the tenant and of intune:graphEndpoint");
  });

  it("names an unreachable Graph endpoint after one retry, and skips the list", async () => {
    const port = await closedPort();
    const result = await run({
      ...emulatorEnv(emulator),
      INTUNE_GRAPH_ENDPOINT: `https://127.0.0.1:${port}`,
    });
    expect(result.code).to.equal(1);
    const graph = line(result.stdout, "graph");
    expect(graph.mark).to.equal("✘");
    expect(graph.text).to.contain("ECONNREFUSED");
    expect(graph.text).to.contain("gave up after 2 attempts");
    expect(graph.fix).to.contain("check intune:graphEndpoint");
    expect(line(result.stdout, "list").mark).to.equal("-");
    expect(line(result.stdout, "token").mark).to.equal("✔");
  });

  it("names a setting it cannot use, with the values accepted, and makes no request", async () => {
    const result = await run({ ...emulatorEnv(emulator), INTUNE_CLOUD: "mars" });
    expect(result.code).to.equal(1);
    const settings = line(result.stdout, "settings");
    expect(settings.mark).to.equal("✘");
    expect(settings.text).to.contain(
      'intune:cloud (or INTUNE_CLOUD) is "mars"; accepted: global, usgov, usgovdod, china',
    );
    expect(line(result.stdout, "token").mark).to.equal("-");
    expect(result.stderr).to.equal("");
    expect(graphCalls(emulator)).to.deep.equal([]);
  });

  it("writes the checks as JSON, and refuses an unknown flag with exit 2", async () => {
    const file = path.join(dir, "doctor.json");
    const result = await run(emulatorEnv(emulator, "reader"), ["--json", file]);
    expect(result.code).to.equal(0);
    const { checks } = JSON.parse(readFileSync(file, "utf8")) as {
      checks: { name: string; verdict: string }[];
    };
    expect(checks.map((c) => `${c.name}:${c.verdict}`)).to.deep.equal([
      "settings:ok",
      "credential:ok",
      "token:ok",
      "audience:ok",
      "permission:warn",
      "graph:ok",
      "list:ok",
    ]);

    const bad = await run(emulatorEnv(emulator), ["--tenant", "x"]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain("Unknown option '--tenant'");
    expect(bad.stderr).to.contain("usage: intune-doctor");
  });
});
