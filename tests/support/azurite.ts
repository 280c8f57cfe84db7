/**
 * Azurite, Microsoft's Azure Storage emulator (the `azurite` npm package), as the Pulumi state
 * backend that pipelines share: `azblob://<container>`. Its blob service runs as a child Node
 * process on loopback, on a free port, with in-memory persistence, no access log and no telemetry;
 * `createContainer` makes a container and returns what the Pulumi CLI needs to keep its state there.
 *
 * How the CLI reaches it (Pulumi's diy backend opens the URL with gocloud.dev's azureblob driver):
 *   PULUMI_BACKEND_URL=azblob://<container>?domain=127.0.0.1:<port>&protocol=http&localemu=true
 *   AZURE_STORAGE_ACCOUNT=devstoreaccount1   AZURE_STORAGE_KEY=<Azurite's well-known key>
 * `domain` and `protocol` replace https://<account>.blob.core.windows.net; `localemu=true` puts the
 * account in the path (http://127.0.0.1:<port>/devstoreaccount1), as Azurite expects. The account
 * and key select the driver's shared-key credential.
 *
 * The key is Azurite's published development key, read from the package rather than written here;
 * it is still treated as a secret: it is in `env` and `secrets`, never in a message.
 */
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

/** Azurite's development account: the only one it has unless AZURITE_ACCOUNTS says otherwise. */
export const AZURITE_ACCOUNT = "devstoreaccount1";
const API_VERSION = "2021-12-02";
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** Azurite's well-known key, from its own constants (never printed). */
function wellKnownKey(): string {
  const constants = require("azurite/dist/src/blob/utils/constants") as {
    EMULATOR_ACCOUNT_KEY_STR?: unknown;
  };
  const key = constants.EMULATOR_ACCOUNT_KEY_STR;
  if (typeof key !== "string" || key === "") {
    throw new Error(
      "azurite/dist/src/blob/utils/constants has no EMULATOR_ACCOUNT_KEY_STR: is the pinned azurite installed (npm ci)?",
    );
  }
  return key;
}

export interface BlobItem {
  name: string;
  size: number;
  lastModified: Date;
}

/** One container of the running Azurite, as a Pulumi backend. */
export interface AzuriteContainer {
  readonly name: string;
  /** The value for PULUMI_BACKEND_URL. */
  readonly url: string;
  /**
   * What the CLI needs beside the URL: AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY, and
   * PULUMI_BACKEND_URL for tools that read it from the environment (PulumiProject takes `url`).
   */
  readonly env: NodeJS.ProcessEnv;
  /** Values that must never appear in output (the storage key). */
  readonly secrets: readonly string[];
  /** The container's blobs whose names start with `prefix`, by name. */
  listBlobs(prefix?: string): Promise<BlobItem[]>;
  readBlob(name: string): Promise<Buffer>;
  writeBlob(name: string, body: Buffer | string): Promise<void>;
  deleteBlob(name: string): Promise<void>;
}

export interface Azurite {
  /** http://127.0.0.1:<port>/devstoreaccount1 */
  readonly endpoint: string;
  readonly port: number;
  /** Azurite's working folder (it stays empty: the data is in memory), removed when it stops. */
  readonly scratch: string;
  /** Creates a container (3–63 lowercase letters, digits and single hyphens). */
  createContainer(name: string): Promise<AzuriteContainer>;
  /** Stops the blob service (its stdin closed and SIGTERM, SIGKILL after 5 s); its data is gone with it. */
  stop(): Promise<void>;
}

/** Whether a name is a valid container name (Azure's rule), else why not. */
export function containerNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be 3 to 63 characters long";
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name))
    return "may hold only lowercase letters, digits and single hyphens, starting and ending with a letter or digit";
  return undefined;
}

/**
 * The shared-key signature of a Blob service request (Authenticate with Shared Key, version
 * 2015-02-21 and later), as Azurite checks it: the canonical resource is `/<account><path>`, where
 * the path of an emulator URL starts with the account again.
 */
export function sharedKeySignature(
  key: string,
  request: { method: string; url: URL; headers: Record<string, string> },
): string {
  const header = (name: string) => {
    const value = Object.entries(request.headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? "";
    return name === "content-length" && value === "0" ? "" : value;
  };
  const standard = [
    ...["content-encoding", "content-language", "content-length", "content-md5", "content-type", "date"],
    ...["if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range"],
  ].map(header);
  const msHeaders = Object.entries(request.headers)
    .map(([k, v]) => [k.toLowerCase(), v.trim()] as const)
    .filter(([k]) => k.startsWith("x-ms-"))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}:${v}\n`)
    .join("");
  const account = request.url.pathname.split("/")[1];
  const query = [...request.url.searchParams.keys()]
    .map((k) => k.toLowerCase())
    .filter((k, i, all) => all.indexOf(k) === i)
    .sort()
    .map((k) => `\n${k}:${request.url.searchParams.getAll(k).sort().join(",")}`)
    .join("");
  const toSign = [request.method.toUpperCase(), ...standard].join("\n") + "\n" + msHeaders;
  const resource = `/${account}${request.url.pathname}${query}`;
  return createHmac("sha256", Buffer.from(key, "base64"))
    .update(toSign + resource, "utf8")
    .digest("base64");
}

function xmlText(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** The blobs and the next marker of one List Blobs answer. */
export function parseBlobList(xml: string): { blobs: BlobItem[]; nextMarker: string } {
  const blobs = [...xml.matchAll(/<Blob>([\s\S]*?)<\/Blob>/g)].map(([, blob]) => {
    const field = (name: string) => xmlText(new RegExp(`<${name}>([^<]*)</${name}>`).exec(blob)?.[1] ?? "");
    return {
      name: field("Name"),
      size: Number(field("Content-Length")),
      lastModified: new Date(field("Last-Modified")),
    };
  });
  return { blobs, nextMarker: xmlText(/<NextMarker>([^<]*)<\/NextMarker>/.exec(xml)?.[1] ?? "") };
}

/**
 * Starts Azurite's blob service: `node azurite/dist/src/blob/main.js` on 127.0.0.1 with port 0
 * (the port it prints once listening), `--inMemoryPersistence`, `--silent` (no access log),
 * `--disableTelemetry`, in an empty temporary folder. Rejects, with Azurite's own output, when it
 * has not said it listens within 30 s.
 */
export async function startAzurite(): Promise<Azurite> {
  const key = wellKnownKey();
  const main = require.resolve("azurite/dist/src/blob/main.js");
  const workDir = mkdtempSync(path.join(tmpdir(), "intune-azurite-"));
  const env: NodeJS.ProcessEnv = { ...process.env, EXIT_WITH_PARENT_REMOVE: workDir };
  delete env.AZURITE_ACCOUNTS; // the development account, whatever the machine says
  const child = spawn(
    process.execPath,
    [
      ...["--require", path.join(__dirname, "exit-with-parent.js")],
      main,
      ...[
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        "0",
        "--inMemoryPersistence",
        "--extentMemoryLimit",
        "256",
      ],
      ...["--silent", "--disableTelemetry"],
    ],
    // No --location (Azurite refuses it with --inMemoryPersistence): the working folder stands in.
    { cwd: workDir, env, stdio: ["pipe", "pipe", "pipe"] },
  );
  // Safety nets: a test process that exits without `stop` takes Azurite with it, and one killed by
  // a signal closes its stdin, on which exit-with-parent ends it.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let output = "";
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`Azurite did not start listening within ${START_TIMEOUT_MS / 1000} s:\n${output}`),
          ),
        START_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        output += chunk;
        const listening = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (listening) {
          clearTimeout(timer);
          resolve(Number(listening[1]));
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(new Error(`could not start Azurite (${main}): ${error.message}`));
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Azurite exited (${signal ?? `code ${code}`}) before it listened:\n${output}`));
      });
    });
  } catch (error) {
    child.kill("SIGKILL");
    process.removeListener("exit", killOnExit);
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;

  /** A signed request to the blob service; rejects, naming the operation, on an unexpected status. */
  async function request(
    what: string,
    method: string,
    resource: string,
    query: Record<string, string>,
    expected: number[],
    body?: Buffer,
    extraHeaders: Record<string, string> = {},
  ): Promise<Response> {
    const url = new URL(`${endpoint}/${resource}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers: Record<string, string> = {
      "x-ms-date": new Date().toUTCString(),
      "x-ms-version": API_VERSION,
      "content-length": String(body?.length ?? 0),
      ...extraHeaders,
    };
    headers.authorization = `SharedKey ${AZURITE_ACCOUNT}:${sharedKeySignature(key, { method, url, headers })}`;
    const response = await fetch(url, { method, headers, body });
    if (!expected.includes(response.status)) {
      const text = await response.text();
      const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? text.slice(0, 200);
      throw new Error(`Azurite: ${what} answered ${response.status} ${code}`);
    }
    return response;
  }

  function container(name: string): AzuriteContainer {
    const url = `azblob://${name}?domain=127.0.0.1:${port}&protocol=http&localemu=true`;
    const blob = (blobName: string) => `${name}/${blobName.split("/").map(encodeURIComponent).join("/")}`;
    return {
      name,
      url,
      env: { AZURE_STORAGE_ACCOUNT: AZURITE_ACCOUNT, AZURE_STORAGE_KEY: key, PULUMI_BACKEND_URL: url },
      secrets: [key],
      async listBlobs(prefix = "") {
        const found: BlobItem[] = [];
        let marker = "";
        do {
          const query: Record<string, string> = { restype: "container", comp: "list", prefix };
          if (marker) query.marker = marker;
          const page = parseBlobList(
            await (await request(`listing ${name}`, "GET", name, query, [200])).text(),
          );
          found.push(...page.blobs);
          marker = page.nextMarker;
        } while (marker);
        return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      },
      async readBlob(blobName) {
        const response = await request(`reading ${name}/${blobName}`, "GET", blob(blobName), {}, [200]);
        return Buffer.from(await response.arrayBuffer());
      },
      async writeBlob(blobName, body) {
        await request(`writing ${name}/${blobName}`, "PUT", blob(blobName), {}, [201], Buffer.from(body), {
          "x-ms-blob-type": "BlockBlob",
        });
      },
      async deleteBlob(blobName) {
        await request(`deleting ${name}/${blobName}`, "DELETE", blob(blobName), {}, [202]);
      },
    };
  }

  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    port,
    scratch: workDir,
    async createContainer(name) {
      const problem = containerNameProblem(name);
      if (problem) throw new Error(`container name ${JSON.stringify(name)} ${problem}`);
      await request(`creating container ${name}`, "PUT", name, { restype: "container" }, [201]);
      return container(name);
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(killer);
          process.removeListener("exit", killOnExit);
          rmSync(workDir, { recursive: true, force: true });
          resolve();
        };
        const killer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("exit", done);
        child.stdin?.end(); // exit-with-parent ends it; its data was only in memory
        child.kill("SIGTERM");
      });
      return stopped;
    },
  };
}
