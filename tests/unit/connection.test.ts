import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { ConfigurationError } from "pulumi-intune-domain-join/internal/config/settings";
import { connect } from "pulumi-intune-domain-join/internal/connection";
import { ScriptedServer } from "intune-test-support/scripted-server";

const TENANT = "4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83";
const CLIENT = "2f6d9c1a-7b3e-4e58-9a41-0c5d8e7f6a21";

describe("connect: the one way to build a Graph connection", () => {
  it("takes stack config over the environment, and picks the credential the settings allow", () => {
    const connection = connect({
      config: (key) => ({ "intune:cloud": "usgov", "intune:clientId": CLIENT })[key],
      env: { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: "ignored", AZURE_CLIENT_SECRET: "s3cret-value" },
    });
    try {
      expect(connection.method).to.equal("clientSecret");
      expect(connection.settings.clientId).to.equal(CLIENT);
      expect(connection.settings.tenantId).to.equal(TENANT);
      expect(connection.client.origin.href).to.equal("https://graph.microsoft.us/");
      expect(connection.settings.scope).to.equal("https://graph.microsoft.us/.default");
    } finally {
      connection.close();
    }
  });

  it("refuses a wrong setting before any request, naming it", () => {
    expect(() => connect({ env: { INTUNE_CLOUD: "mars" } })).to.throw(
      ConfigurationError,
      'intune:cloud (or INTUNE_CLOUD) is "mars"',
    );
  });

  it("shares one write limiter per app, tenant and Graph endpoint across connections", () => {
    // A tenant of its own: the limiters live as long as the process, which may have run this before.
    const env = {
      AZURE_TENANT_ID: randomUUID(),
      AZURE_CLIENT_ID: CLIENT,
      AZURE_CLIENT_SECRET: "s3cret-value",
    };
    const built = [
      connect({ env }),
      connect({ env }),
      connect({ env: { ...env, AZURE_CLIENT_ID: "0b4c2d1e-1111-4a2b-8c3d-000000000001" } }),
      connect({ env: { ...env, INTUNE_CLOUD: "usgov" } }),
    ];
    try {
      expect(built[1].limiter).to.equal(built[0].limiter);
      expect(built[2].limiter).not.to.equal(built[0].limiter);
      expect(built[3].limiter).not.to.equal(built[0].limiter);
      expect(built[3].limiter).not.to.equal(built[2].limiter);
    } finally {
      for (const c of built) c.close();
    }
  });

  it("names the credential, tenant, client and authority when a token cannot be had", async () => {
    const closed = await new ScriptedServer().start();
    await closed.stop();
    const connection = connect({
      env: {
        AZURE_TENANT_ID: TENANT,
        AZURE_CLIENT_ID: CLIENT,
        AZURE_CLIENT_SECRET: "s3cret-value",
        AZURE_AUTHORITY_HOST: closed.origin,
      },
    });
    try {
      const error = await connection.tokens.getToken().catch((e) => e);
      expect((error as Error).message).to.contain(
        `authentication failed (clientSecret, tenant ${TENANT}, client ${CLIENT}, authority ${closed.origin}`,
      );
      expect((error as Error).message).not.to.contain("s3cret-value");
    } finally {
      connection.close();
    }
  });

  it("says (default) for a tenant and client the settings leave to the credential", async () => {
    const previousPath = process.env.PATH;
    process.env.PATH = ""; // no az to run: the Azure CLI credential fails at once
    const connection = connect({ env: { INTUNE_AUTH_METHOD: "azureCli" } });
    try {
      const error = await connection.tokens.getToken().catch((e) => e);
      expect((error as Error).message).to.contain(
        "authentication failed (azureCli, tenant (default), client (default), authority https://login.microsoftonline.com",
      );
    } finally {
      process.env.PATH = previousPath;
      connection.close();
    }
  });

  it("closes its kept-alive connections on close()", async () => {
    const server = await new ScriptedServer().start();
    const connection = connect({
      env: { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, INTUNE_GRAPH_ENDPOINT: server.origin },
    });
    connection.tokens.getToken = async () => "token";
    try {
      server.answer({ status: 200, body: { value: [] } });
      await connection.api.list();
      expect(server.openConnections).to.equal(1);
      connection.close();
      for (let turn = 0; turn < 50 && server.openConnections > 0; turn++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(server.openConnections).to.equal(0);
    } finally {
      await server.stop();
    }
  });

  it("sends the package's name and version as the user agent", async () => {
    const server = await new ScriptedServer().start();
    const connection = connect({
      env: { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, INTUNE_GRAPH_ENDPOINT: server.origin },
    });
    try {
      // A token source that needs no Entra: the request's headers are what is looked at.
      connection.tokens.getToken = async () => "token";
      server.answer({ status: 200, body: { value: [] } });
      await connection.api.list();
      expect(server.requests[0].headers["user-agent"]).to.match(
        /^pulumi-intune-domain-join\/\d+\.\d+\.\d+ \(node v\d+\.\d+\.\d+; [a-z0-9]+\)$/,
      );
    } finally {
      connection.close();
      await server.stop();
    }
  });
});
