// Graph's front door (401) and Intune's permission check (403), including national clouds.
import { expect } from "chai";
import { SignJWT, generateKeyPair } from "jose";
import { GRAPH_APP_ID, type Emulator } from "intune-graph-emulator";
import { startTestEmulator } from "intune-test-support/emulator";
import {
  CONNECTORS,
  claimsOf,
  graph,
  intuneMessage,
  tokenFor,
  type GraphErrorBody,
} from "intune-test-support/emulator-requests";

const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

describe("emulator: Graph authentication and permissions", function () {
  this.timeout(10_000);
  let emu: Emulator;

  before(async () => {
    emu = await startTestEmulator();
  });
  after(() => emu.close());
  beforeEach(() => emu.reset({ seed: 1 }));

  async function expect401(token: string | undefined, message: string): Promise<void> {
    const res = await graph<GraphErrorBody>(emu, "GET", CONNECTORS, { token });
    expect(res.status).to.equal(401);
    expect(res.body.error.code).to.equal("InvalidAuthenticationToken");
    expect(res.body.error.message).to.equal(message);
    expect(res.headers.get("www-authenticate")).to.equal(WWW_AUTHENTICATE);
  }

  describe("401 InvalidAuthenticationToken", () => {
    it("without a token", async () => {
      await expect401(undefined, "Access token is empty.");
      await expect401("", "Access token is empty.");
    });

    it("with something that is not a JWT", async () => {
      await expect401("abc", "CompactToken parsing failed with error code: 80049217");
    });

    it("with an expired token", async () => {
      const shortLived = await startTestEmulator({ tokenLifetimeSeconds: 1 });
      try {
        const token = await tokenFor(shortLived, "writer");
        const exp = claimsOf(token).exp as number;
        expect((await graph(shortLived, "GET", CONNECTORS, { token })).status).to.equal(200);
        // jose counts a token as expired from its exp second on.
        while (Math.floor(Date.now() / 1000) < exp) await new Promise((r) => setTimeout(r, 25));
        const res = await graph<GraphErrorBody>(shortLived, "GET", CONNECTORS, { token });
        expect(res.status).to.equal(401);
        expect(res.body.error.message).to.equal("Access token has expired or is not yet valid.");
      } finally {
        await shortLived.close();
      }
    });

    it("with a token signed by someone else", async () => {
      const { privateKey } = await generateKeyPair("RS256");
      const now = Math.floor(Date.now() / 1000);
      const forged = await new SignJWT({
        aud: "https://graph.microsoft.com",
        iss: `https://sts.windows.net/${emu.tenantId}/`,
        appid: emu.app("writer").clientId,
        roles: ["DeviceManagementConfiguration.ReadWrite.All"],
      })
        .setProtectedHeader({ alg: "RS256" })
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(privateKey);
      await expect401(forged, "Access token validation failure. Invalid signature.");
    });

    it("with a token from another emulator (another tenant key)", async () => {
      const other = await startTestEmulator();
      try {
        await expect401(
          await tokenFor(other, "writer"),
          "Access token validation failure. Invalid signature.",
        );
      } finally {
        await other.close();
      }
    });

    it("with a token for another audience", async () => {
      const token = await tokenFor(emu, "writer", "https://graph.microsoft.us/.default");
      expect(claimsOf(token).aud).to.equal("https://graph.microsoft.us");
      await expect401(token, "Access token validation failure. Invalid audience.");
    });

    it("accepts Graph's app id as the audience", async () => {
      const token = await tokenFor(emu, "writer", `${GRAPH_APP_ID}/.default`);
      expect((await graph(emu, "GET", CONNECTORS, { token })).status).to.equal(200);
    });

    it("checks the token before the route", async () => {
      const res = await graph<GraphErrorBody>(emu, "GET", "/beta/nothing/here");
      expect(res.status).to.equal(401);
    });
  });

  describe("national clouds", () => {
    it("a usgov emulator accepts graph.microsoft.us tokens and refuses graph.microsoft.com ones", async () => {
      const gov = await startTestEmulator({ cloud: "usgov" });
      try {
        expect(gov.cloud).to.equal("usgov");
        const good = await tokenFor(gov, "reader", "https://graph.microsoft.us/.default");
        expect((await graph(gov, "GET", CONNECTORS, { token: good })).status).to.equal(200);
        const wrong = await tokenFor(gov, "reader", "https://graph.microsoft.com/.default");
        const res = await graph<GraphErrorBody>(gov, "GET", CONNECTORS, { token: wrong });
        expect(res.status).to.equal(401);
        expect(res.body.error.message).to.include("Invalid audience");
      } finally {
        await gov.close();
      }
    });
  });

  describe("403 Forbidden, Intune-wrapped", () => {
    it("when the reader writes", async () => {
      const [connector] = emu.connectors();
      const token = await tokenFor(emu, "reader");
      expect((await graph(emu, "GET", `${CONNECTORS}/${connector.id}`, { token })).status).to.equal(200);
      for (const [method, path, body] of [
        ["PATCH", `${CONNECTORS}/${connector.id}`, { displayName: "nope" }],
        ["POST", CONNECTORS, { displayName: "nope" }],
        ["DELETE", `${CONNECTORS}/${connector.id}`, undefined],
      ] as const) {
        const res = await graph<GraphErrorBody>(emu, method, path, { token, body });
        expect(res.status, method).to.equal(403);
        expect(res.body.error.code).to.equal("Forbidden");
        expect(intuneMessage(res.body).Message).to.match(
          /^Application is not authorized to perform this operation\. Application must have one of the following scopes: DeviceManagementConfiguration\.ReadWrite\.All - Operation ID/,
        );
      }
      expect(emu.connectors()).to.deep.equal([connector]);
    });

    it("when an app without roles reads", async () => {
      const token = await tokenFor(emu, "no-roles");
      expect(claimsOf(token)).to.not.have.property("roles");
      const res = await graph<GraphErrorBody>(emu, "GET", CONNECTORS, { token });
      expect(res.status).to.equal(403);
      expect(intuneMessage(res.body).Message).to.include(
        "Application must have one of the following scopes: DeviceManagementConfiguration.Read.All, DeviceManagementConfiguration.ReadWrite.All",
      );
    });

    it("logs the app id of each Graph request", async () => {
      const token = await tokenFor(emu, "reader");
      await graph(emu, "GET", CONNECTORS, { token });
      expect(emu.requestLog({ kind: "graph" }).map((e) => e.appId)).to.deep.equal([
        emu.app("reader").clientId,
      ]);
    });
  });
});
