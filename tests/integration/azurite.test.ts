/**
 * The Azurite harness that the azblob:// backend tests (and the fleet's) stand on: Azurite's blob
 * service from npm, on loopback, with containers made and read through shared-key requests that
 * Azurite checks. No Pulumi CLI here (tests/e2e/azblob-backend.test.ts drives it).
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { Azurite, containerNameProblem, parseBlobList, startAzurite } from "intune-test-support/azurite";

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

describe("Azurite harness (tests/support/azurite.ts)", function () {
  this.timeout(60_000);
  let azurite: Azurite;
  before(async () => {
    azurite = await startAzurite();
  });
  after(() => azurite?.stop());

  it("listens on loopback and gives a container's backend URL and the CLI's environment", async () => {
    expect(azurite.endpoint).to.equal(`http://127.0.0.1:${azurite.port}/devstoreaccount1`);
    const container = await azurite.createContainer("harness");
    expect(container.url).to.equal(
      `azblob://harness?domain=127.0.0.1:${azurite.port}&protocol=http&localemu=true`,
    );
    expect(container.env).to.include({
      AZURE_STORAGE_ACCOUNT: "devstoreaccount1",
      PULUMI_BACKEND_URL: container.url,
    });
    expect(container.secrets).to.have.length(1);
    expect(container.env.AZURE_STORAGE_KEY).to.equal(container.secrets[0]);
  });

  it("writes, lists (by prefix), reads and deletes blobs; Azurite accepts its signatures", async () => {
    const container = await azurite.createContainer("blobs");
    await container.writeBlob(".pulumi/stacks/p/prod.json", '{"version":3}');
    await container.writeBlob(".pulumi/locks/organization/p/prod/a b.json", "{}");
    expect((await container.listBlobs()).map((b) => b.name)).to.deep.equal([
      ".pulumi/locks/organization/p/prod/a b.json",
      ".pulumi/stacks/p/prod.json",
    ]);
    const [lock] = await container.listBlobs(".pulumi/locks/");
    expect(lock).to.include({ name: ".pulumi/locks/organization/p/prod/a b.json", size: 2 });
    expect(Date.now() - lock.lastModified.getTime()).to.be.within(-5_000, 60_000);
    expect((await container.readBlob(".pulumi/stacks/p/prod.json")).toString()).to.equal('{"version":3}');
    await container.deleteBlob(lock.name);
    expect(await container.listBlobs(".pulumi/locks/")).to.deep.equal([]);
  });

  it("fails clearly, naming the operation and Azure's code, and never the key", async () => {
    const container = await azurite.createContainer("errors");
    const missing = await container.readBlob("nothing.json").then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(missing).to.equal("Azurite: reading errors/nothing.json answered 404 BlobNotFound");
    const again = await azurite.createContainer("errors").then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(again).to.equal("Azurite: creating container errors answered 409 ContainerAlreadyExists");
    for (const message of [missing, again]) expect(message).to.not.contain(container.secrets[0]);
    const bad = await azurite.createContainer("Bad_Name").then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(bad).to.match(/^container name "Bad_Name" may hold only lowercase letters/);
  });

  it("container names follow Azure's rule", () => {
    expect(containerNameProblem("ab")).to.equal("must be 3 to 63 characters long");
    expect(containerNameProblem("a".repeat(64))).to.equal("must be 3 to 63 characters long");
    for (const bad of ["-state", "state-", "st--ate", "State"])
      expect(containerNameProblem(bad), bad).to.be.a("string");
    for (const good of ["abc", "pulumi-state-1"])
      expect(containerNameProblem(good), good).to.equal(undefined);
  });

  it("reads a List Blobs page with XML escapes and a next marker", () => {
    const page = parseBlobList(
      "<EnumerationResults><Blobs><Blob><Name>a&amp;b.json</Name><Properties>" +
        "<Last-Modified>Mon, 07 Dec 2026 05:20:52 GMT</Last-Modified><Content-Length>7</Content-Length>" +
        "</Properties></Blob></Blobs><NextMarker>2!48!b</NextMarker></EnumerationResults>",
    );
    expect(page).to.deep.equal({
      blobs: [{ name: "a&b.json", size: 7, lastModified: new Date("2026-12-07T05:20:52Z") }],
      nextMarker: "2!48!b",
    });
  });

  it("goes with a test process killed by SIGKILL (no exit handler runs): its stdin closes", async () => {
    const harness = require.resolve("intune-test-support/azurite");
    const parent = spawn(
      process.execPath,
      [
        "-e",
        `require(${JSON.stringify(harness)}).startAzurite().then((a) => console.log("port", a.port, "in", a.scratch))`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const { port, scratch } = await new Promise<{ port: number; scratch: string }>((resolve, reject) => {
      let out = "";
      parent.stdout.on("data", (chunk: Buffer) => {
        out += chunk;
        const found = /port (\d+) in (\S+)/.exec(out);
        if (found) resolve({ port: Number(found[1]), scratch: found[2] });
      });
      parent.once("exit", (code) => reject(new Error(`the parent exited (${code}) before Azurite listened`)));
    });
    expect(await portOpen(port)).to.equal(true);
    parent.kill("SIGKILL");
    const until = Date.now() + 10_000;
    while ((await portOpen(port)) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(await portOpen(port)).to.equal(false);
    expect(existsSync(scratch), "its scratch folder is removed").to.equal(false);
  });

  it("stops: the port closes, and a second stop is a no-op", async () => {
    const other = await startAzurite();
    expect(await portOpen(other.port)).to.equal(true);
    expect(existsSync(other.scratch)).to.equal(true);
    await other.stop();
    expect(await portOpen(other.port)).to.equal(false);
    expect(existsSync(other.scratch)).to.equal(false);
    await other.stop();
  });
});
