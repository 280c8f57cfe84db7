// The local certificate authority: created once per state folder and reused, so that clients can
// trust every emulator run through one NODE_EXTRA_CA_CERTS file; each run gets a fresh server
// certificate signed by it.
import { X509Certificate, createPrivateKey, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { generate } from "selfsigned";

export interface CaFiles {
  certPath: string;
  keyPath: string;
}

export interface PemPair {
  cert: string;
  key: string;
}

const CA_CERT = "ca.pem";
const CA_KEY = "ca-key.pem";
const CA_YEARS = 10;
const SERVER_CERT_DAYS = 365;
/** How long to wait for another process that is creating the same CA. */
const CONCURRENT_CREATE_WAIT_MS = 10_000;

export function defaultStateDir(): string {
  return path.resolve(".emulator");
}

/** Make sure the CA exists under stateDir (creating it if needed) and return its file paths. */
export async function ensureCa(stateDir: string = defaultStateDir()): Promise<CaFiles> {
  const dir = path.resolve(stateDir);
  const files = { certPath: path.join(dir, CA_CERT), keyPath: path.join(dir, CA_KEY) };
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });

  const [certExists, keyExists] = await Promise.all([exists(files.certPath), exists(files.keyPath)]);
  if (certExists && keyExists) {
    await checkCa(files);
    return files;
  }
  if (certExists) throw new Error(`${files.certPath} exists without ${CA_KEY}; delete ${dir} to start over`);
  if (keyExists) {
    // Another process claimed the key file and is about to publish the certificate.
    await waitForCertificate(files, dir);
    return files;
  }
  return createCa(files, dir);
}

/** Read the CA's certificate and key. */
export async function loadCa(files: CaFiles): Promise<PemPair> {
  const [cert, key] = await Promise.all([
    fs.readFile(files.certPath, "utf8"),
    fs.readFile(files.keyPath, "utf8"),
  ]);
  return { cert, key };
}

/** A server certificate for 127.0.0.1 and localhost, signed by the CA. */
export async function issueServerCertificate(ca: PemPair): Promise<PemPair> {
  const notAfterDate = new Date(Date.now() + SERVER_CERT_DAYS * 86_400_000);
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    notAfterDate,
    ca,
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 2, value: "localhost" },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

async function createCa(files: CaFiles, dir: string): Promise<CaFiles> {
  const notAfterDate = new Date();
  notAfterDate.setFullYear(notAfterDate.getFullYear() + CA_YEARS);
  const pems = await generate(
    [
      { name: "commonName", value: "Intune Graph Emulator Local CA" },
      { name: "organizationName", value: "pulumi-intune-domain-join emulator" },
    ],
    {
      keyType: "ec",
      algorithm: "sha256",
      notAfterDate,
      extensions: [
        { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
        { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    },
  );

  // Claim the key file with link(), which fails if it exists: if two processes race, exactly one
  // CA wins and the other waits for its certificate. The certificate is published last (rename),
  // so a present ca.pem always has its key next to it.
  const suffix = `${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const keyTmp = `${files.keyPath}.${suffix}`;
  const certTmp = `${files.certPath}.${suffix}`;
  await fs.writeFile(keyTmp, pems.private, { mode: 0o600 });
  try {
    await fs.link(keyTmp, files.keyPath);
  } catch (err) {
    if (errorCode(err) !== "EEXIST") throw err;
    await waitForCertificate(files, dir);
    return files;
  } finally {
    await fs.rm(keyTmp, { force: true });
  }
  await fs.writeFile(certTmp, pems.cert, { mode: 0o644 });
  await fs.rename(certTmp, files.certPath);
  return files;
}

async function waitForCertificate(files: CaFiles, dir: string): Promise<void> {
  const deadline = Date.now() + CONCURRENT_CREATE_WAIT_MS;
  while (Date.now() < deadline) {
    if (await exists(files.certPath)) return checkCa(files);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${files.keyPath} exists without ${CA_CERT}; delete ${dir} to start over`);
}

/** Refuse a CA that cannot work rather than serving certificates no client will accept. */
async function checkCa(files: CaFiles): Promise<void> {
  const { cert, key } = await loadCa(files);
  let problem: string | undefined;
  try {
    const x509 = new X509Certificate(cert);
    if (!x509.ca) problem = "it is not a CA certificate";
    else if (Date.parse(x509.validTo) < Date.now() + 86_400_000) problem = `it expires ${x509.validTo}`;
    else if (!x509.checkPrivateKey(createPrivateKey(key))) problem = "the key does not match the certificate";
  } catch (err) {
    problem = err instanceof Error ? err.message : String(err);
  }
  if (problem)
    throw new Error(
      `unusable CA in ${path.dirname(files.certPath)}: ${problem}; delete the folder to start over`,
    );
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

function errorCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String(err.code) : undefined;
}
