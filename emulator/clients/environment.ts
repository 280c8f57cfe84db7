// The environment that points a client (the provider, `pulumi`, @azure/identity) at an emulator
// as one of its apps: one definition for the CLI's --env-out file, the demo, the bench and tests.
// Given a tenant (emu.tenant(id)), the same for that tenant: the partner app in a customer tenant.
import type { Emulator } from "../types";

/** An emulator (its default tenant) or one of its tenants. */
export type ClientTarget = Pick<Emulator, "tenantId" | "authorityHost" | "graphEndpoint" | "caCertPath"> & {
  app(name: string): { clientId: string; secret: string };
};

export function clientEnvironment(emulator: ClientTarget, appName = "writer"): Record<string, string> {
  const app = emulator.app(appName);
  return {
    AZURE_TENANT_ID: emulator.tenantId,
    AZURE_CLIENT_ID: app.clientId,
    AZURE_CLIENT_SECRET: app.secret,
    AZURE_AUTHORITY_HOST: emulator.authorityHost,
    INTUNE_GRAPH_ENDPOINT: emulator.graphEndpoint,
    NODE_EXTRA_CA_CERTS: emulator.caCertPath,
  };
}
