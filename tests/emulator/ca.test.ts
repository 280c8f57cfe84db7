// The local CA and the server certificate clients see.
import { expect } from "chai";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { ensureCa, type Emulator } from "intune-graph-emulator";
import { startTestEmulator, trustedStateDir } from "intune-test-support/emulator";

describe("emulator: CA and server certificate", function () {
  this.timeout(10_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "emulator-ca-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("creates an EC P-256 CA once, with a private key only the owner can read, and reuses it", async () => {
    const files = await ensureCa(dir);
    expect(files).to.deep.equal({
      certPath: path.join(dir, "ca.pem"),
      keyPath: path.join(dir, "ca-key.pem"),
    });
    expect(statSync(files.keyPath).mode & 0o777).to.equal(0o600);
    const cert = new X509Certificate(readFileSync(files.certPath));
    expect(cert.ca).to.equal(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).to.equal("prime256v1");
    expect(Date.parse(cert.validTo) - Date.now()).to.be.greaterThan(9 * 365 * 86_400_000);

    const before = readFileSync(files.certPath, "utf8");
    await ensureCa(dir);
    expect(readFileSync(files.certPath, "utf8")).to.equal(before);
    expect(readdir(dir)).to.deep.equal(["ca-key.pem", "ca.pem"]);
  });

  it("agrees on one CA when several starts race", async () => {
    await Promise.all([ensureCa(dir), ensureCa(dir), ensureCa(dir)]);
    const cert = new X509Certificate(readFileSync(path.join(dir, "ca.pem")));
    expect(cert.checkPrivateKey(createPrivateKey(readFileSync(path.join(dir, "ca-key.pem"))))).to.equal(true);
    expect(readdir(dir)).to.deep.equal(["ca-key.pem", "ca.pem"]);
  });

  it("serves a certificate for 127.0.0.1 and localhost signed by the CA", async () => {
    const emu: Emulator = await startTestEmulator();
    try {
      expect(emu.caCertPath).to.equal(path.join(trustedStateDir(), "ca.pem"));
      const peer = await new Promise<tls.PeerCertificate>((resolve, reject) => {
        const socket = tls.connect(
          { host: "127.0.0.1", port: Number(new URL(emu.url).port), ca: readFileSync(emu.caCertPath) },
          () => {
            resolve(socket.getPeerCertificate());
            socket.end();
          },
        );
        socket.on("error", reject);
      });
      expect(peer.subjectaltname).to.include("IP Address:127.0.0.1");
      expect(peer.subjectaltname).to.include("DNS:localhost");
      const ca = new X509Certificate(readFileSync(emu.caCertPath));
      expect(new X509Certificate(peer.raw).verify(ca.publicKey)).to.equal(true);
      expect(new URL(emu.url).hostname).to.equal("127.0.0.1");
    } finally {
      await emu.close();
    }
  });
});

function readdir(dir: string): string[] {
  return readdirSync(dir).sort();
}
