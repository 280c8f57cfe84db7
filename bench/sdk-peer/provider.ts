/**
 * The peer: a dynamic provider written the way Microsoft's samples show, on the official Graph JS
 * SDK (`@microsoft/microsoft-graph-client` 3.0.7, default middleware) with
 * `TokenCredentialAuthenticationProvider` and an @azure/identity `ClientSecretCredential` — what a
 * TypeScript user would write instead of this package. Kept under bench/ only, like the baseline.
 *
 * What it inherits from the SDK, unchanged: its RetryHandler retries 429, 503 and 504 for every
 * method, POST included, up to 3 times (3 s apart unless Retry-After says otherwise). What a
 * careful user adds and it has: one client per provider process (MSAL caches the token), a diff of
 * the managed properties only, a PATCH of what changed, a read that maps 404 to "gone".
 * It reads its settings from the environment when it runs (it captures no secret).
 */
import { ClientSecretCredential } from "@azure/identity";
import type * as pulumi from "@pulumi/pulumi";
import { Client } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials";

const CONNECTORS = "/deviceManagement/domainJoinConnectors";
const ODATA_TYPE = "#microsoft.graph.deviceManagementDomainJoinConnector";
const MANAGED = ["displayName", "version", "state"] as const;

let client: Client | undefined;

function graph(): Client {
  if (client) return client;
  const env = process.env;
  const endpoint = new URL(env.INTUNE_GRAPH_ENDPOINT ?? "https://graph.microsoft.com");
  const credential = new ClientSecretCredential(
    env.AZURE_TENANT_ID ?? "",
    env.AZURE_CLIENT_ID ?? "",
    env.AZURE_CLIENT_SECRET ?? "",
    // A local authority (the emulator) has no instance metadata to discover.
    { authorityHost: env.AZURE_AUTHORITY_HOST, disableInstanceDiscovery: true },
  );
  client = Client.initWithMiddleware({
    authProvider: new TokenCredentialAuthenticationProvider(credential, {
      scopes: ["https://graph.microsoft.com/.default"],
    }),
    baseUrl: endpoint.origin,
    defaultVersion: "beta",
    // The SDK sends the token only to Graph's own hosts, or to these.
    customHosts: new Set([endpoint.hostname]),
  });
  return client;
}

function managed(props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of MANAGED) if (props[key] !== undefined && props[key] !== null) out[key] = props[key];
  return out;
}

function outputsOf(connector: Record<string, unknown>): Record<string, unknown> {
  return {
    connectorId: connector.id,
    displayName: connector.displayName,
    version: connector.version ?? null,
    state: connector.state ?? null,
    lastConnectionDateTime: connector.lastConnectionDateTime ?? null,
  };
}

export const sdkProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id, olds, news) {
    const changed = MANAGED.filter((k) => news[k] !== undefined && news[k] !== olds[k]);
    return { changes: changed.length > 0 };
  },
  async create(inputs) {
    const created = (await graph()
      .api(CONNECTORS)
      .post({ "@odata.type": ODATA_TYPE, ...managed(inputs) })) as Record<string, unknown>;
    return { id: String(created.id), outs: outputsOf(created) };
  },
  async read(id, props) {
    try {
      const connector = (await graph().api(`${CONNECTORS}/${id}`).get()) as Record<string, unknown>;
      return { id, props: { ...props, ...outputsOf(connector) } };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return { id: "" };
      throw error;
    }
  },
  async update(id, olds, news) {
    const patch: Record<string, unknown> = { "@odata.type": ODATA_TYPE };
    for (const key of MANAGED) if (news[key] !== undefined && news[key] !== olds[key]) patch[key] = news[key];
    await graph().api(`${CONNECTORS}/${id}`).patch(patch);
    return { outs: { ...olds, ...managed(news) } };
  },
  async delete(id) {
    try {
      await graph().api(`${CONNECTORS}/${id}`).delete();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  },
};
