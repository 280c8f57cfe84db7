// A tenant's app registrations: the default three, secrets generated at start, and the
// certificates' thumbprints that client assertions name in their x5t headers. A multi-tenant app
// is registered once, in its home tenant; other tenants know it only by their consent.
import { X509Certificate, createHash, type KeyObject } from "node:crypto";
import { isGuid, newClientSecret } from "../ids";
import type { AppRegistration } from "../types";

export const READ_ROLE = "DeviceManagementConfiguration.Read.All";
export const READ_WRITE_ROLE = "DeviceManagementConfiguration.ReadWrite.All";
export const DEFAULT_FEDERATED_AUDIENCE = "api://AzureADTokenExchange";
/**
 * Stands for the emulator's own test issuer in a federated credential: its URL contains the port,
 * which is not known before the emulator starts (port 0).
 */
export const EMULATOR_ISSUER = "{emulator}";

/**
 * The default apps have fixed client ids so that an env file or a demo script written for one run
 * works for the next; only their secrets change with each start.
 */
const DEFAULT_APPS: readonly AppRegistration[] = [
  { clientId: "2f6d9c1a-7b3e-4e58-9a41-0c5d8e7f6a21", displayName: "writer", roles: [READ_WRITE_ROLE] },
  { clientId: "7a1c4e9b-2d5f-4b83-8e16-3f9a0b2c4d75", displayName: "reader", roles: [READ_ROLE] },
  { clientId: "c3e8b5d2-9f14-4a67-b2c9-5e0d7a1f8b46", displayName: "no-roles", roles: [] },
];

export interface RegisteredCertificate {
  /** base64url SHA-1 thumbprint (the `x5t` header). */
  x5t: string;
  /** base64url SHA-256 thumbprint (the `x5t#S256` header, which MSAL sends). */
  x5tS256: string;
  publicKey: KeyObject;
}

/**
 * The partner pattern's app, which `--tenants` adds to the default tenant and every generated
 * tenant consents to: multi-tenant, asking for ReadWrite.All. A fixed client id, like the others.
 */
export const PARTNER_APP: Readonly<AppRegistration> = {
  clientId: "5b0e3d7a-9c41-4f26-8d5e-2a7f1c6b9e04",
  displayName: "partner",
  roles: [READ_WRITE_ROLE],
  multiTenant: true,
};

/** The default tenant's apps when the options name none (copies: the caller may change them). */
export function defaultApps(): AppRegistration[] {
  return DEFAULT_APPS.map((app) => ({ ...app, roles: [...app.roles] }));
}

/** An app as the token endpoint sees it. */
export interface TenantApp {
  registration: AppRegistration;
  certificates: RegisteredCertificate[];
}

/**
 * Copy the apps (the caller's objects are not changed), validate them, give a random secret to
 * each app that has no credential at all so that it can sign in, and resolve EMULATOR_ISSUER.
 */
export function prepareApps(apps: readonly AppRegistration[] | undefined, ownIssuer: string): TenantApp[] {
  const seenIds = new Set<string>();
  const seenNames = new Set<string>();
  return (apps ?? DEFAULT_APPS).map((app) => {
    if (!isGuid(app.clientId)) throw new Error(`app '${app.displayName}': clientId must be a GUID`);
    const clientId = app.clientId.toLowerCase();
    if (seenIds.has(clientId)) throw new Error(`two apps have clientId ${clientId}`);
    if (seenNames.has(app.displayName)) throw new Error(`two apps are named '${app.displayName}'`);
    seenIds.add(clientId);
    seenNames.add(app.displayName);
    if (app.multiTenant !== undefined && typeof app.multiTenant !== "boolean") {
      throw new Error(
        `app '${app.displayName}': multiTenant must be true or false, got ${JSON.stringify(app.multiTenant)}`,
      );
    }

    const hasCredential = !!(app.secrets?.length || app.certificates?.length || app.federated?.length);
    const registration: AppRegistration = {
      clientId,
      displayName: app.displayName,
      roles: [...app.roles],
      secrets: hasCredential ? [...(app.secrets ?? [])] : [newClientSecret()],
    };
    if (app.multiTenant) registration.multiTenant = true;
    if (app.certificates) registration.certificates = [...app.certificates];
    if (app.federated) {
      registration.federated = app.federated.map((f) => ({
        ...f,
        issuer: f.issuer === EMULATOR_ISSUER ? ownIssuer : f.issuer,
      }));
    }
    return { registration, certificates: (app.certificates ?? []).map(parseCertificate) };
  });
}

function parseCertificate(pem: string): RegisteredCertificate {
  const cert = new X509Certificate(pem);
  const thumbprint = (algorithm: string) => createHash(algorithm).update(cert.raw).digest("base64url");
  return { x5t: thumbprint("sha1"), x5tS256: thumbprint("sha256"), publicKey: cert.publicKey };
}
