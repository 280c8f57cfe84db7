import { expect } from "chai";
import { ConfigurationError } from "../../provider/auth/settings";
import { connect } from "../../provider/connection";
import { ScriptedServer } from "../support/scripted-server";

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
