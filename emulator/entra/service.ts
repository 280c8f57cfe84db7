// Microsoft Entra ID for the emulator's tenants: the discovery documents MSAL reads and the v2.0
// token endpoint for the client-credentials grant, issuing v1.0 app-only access tokens like Entra's
// for Graph. The authority's tenant decides which apps are known and which roles a token carries:
// its own apps', or what it consented to a multi-tenant app of another tenant.
import type { TenantApp } from "./apps";
import type { ClientAuthenticator } from "./client-auth";
import type { CloudProfile } from "../clouds";
import { entraErrorReply, entraErrors, type EntraError } from "./errors";
import { jsonReply, type IncomingCall, type Reply } from "../http";
import { isGuid, randomToken, stableGuid } from "../ids";
import type { SigningKey } from "./keys";
import type { TokenRequestSummary } from "../types";

/** A tenant as Entra's endpoints see it. */
export interface EntraTenant {
  id: string;
  /** The directory's display name, used in Entra's messages. */
  name: string;
  domain?: string;
}

/** The tenants, and the apps each knows. */
export interface EntraDirectory {
  /** The tenant a GUID or one of its domains names. */
  resolve(segment: string): EntraTenant | undefined;
  /** The app as the tenant knows it (registered or consented there), with the roles its tokens carry. */
  client(tenant: EntraTenant, clientId: string): { app: TenantApp; roles: readonly string[] } | undefined;
}

export interface EntraDeps {
  origin: string;
  cloud: CloudProfile;
  directory: EntraDirectory;
  tokenKey: SigningKey;
  clients: ClientAuthenticator;
  tokenLifetimeSeconds: number;
}

/** Tenant segments that name no single tenant. */
const MULTI_TENANT = new Set(["common", "organizations", "consumers"]);
const ENTRA_SECOND_SEGMENTS = new Set(["v2.0", "oauth2", ".well-known", "discovery"]);
const NO_CACHE = { "Cache-Control": "no-store, no-cache", Pragma: "no-cache" };

/** Whether a path belongs to Entra (/{tenant}/...) rather than to Graph. */
export function isEntraPath(path: string): boolean {
  const [first, second] = path.split("/").filter(Boolean);
  return MULTI_TENANT.has(first ?? "") || ENTRA_SECOND_SEGMENTS.has(second ?? "");
}

export function isTokenPath(path: string): boolean {
  return /^\/[^/]+\/oauth2\/v2\.0\/token\/?$/.test(path);
}

export class EntraService {
  private readonly host: string;

  constructor(private readonly deps: EntraDeps) {
    this.host = new URL(deps.origin).host;
  }

  async handle(call: IncomingCall): Promise<Reply> {
    const segments = call.path.split("/").filter(Boolean);
    const [tenant = "", ...rest] = segments;
    const route = rest.join("/");

    if (route === "oauth2/v2.0/token") {
      return call.method === "POST" ? this.token(call, tenant) : this.error(call, entraErrors.onlyPost());
    }
    if (call.method !== "GET") return this.notFound(call);
    if (route === "discovery/instance") return jsonReply(200, this.instanceDiscovery(call));

    const scope = this.resolveTenant(tenant);
    if (scope === undefined) return this.error(call, entraErrors.unknownTenant(tenant));
    // A tenant named by a domain is answered with its GUID, as Entra's discovery documents are.
    const id = scope === "multi" ? tenant.toLowerCase() : scope.id;
    const issuerTenant = scope === "multi" ? "{tenantid}" : id;
    switch (route) {
      case "v2.0/.well-known/openid-configuration":
        return jsonReply(200, this.openIdConfiguration(id, issuerTenant, "v2.0"));
      case ".well-known/openid-configuration":
        return jsonReply(200, this.openIdConfiguration(id, issuerTenant, "v1"));
      case "discovery/v2.0/keys":
      case "discovery/keys":
        return jsonReply(200, this.deps.tokenKey.jwks());
      default:
        return this.notFound(call);
    }
  }

  /** The tenant a path segment names, "multi" for common/organizations/consumers, or undefined. */
  private resolveTenant(tenant: string): EntraTenant | "multi" | undefined {
    if (MULTI_TENANT.has(tenant.toLowerCase())) return "multi";
    return this.deps.directory.resolve(tenant);
  }

  private openIdConfiguration(
    pathTenant: string,
    issuerTenant: string,
    version: "v2.0" | "v1",
  ): Record<string, unknown> {
    const base = `${this.deps.origin}/${pathTenant}`;
    const v2 = version === "v2.0";
    return {
      token_endpoint: v2 ? `${base}/oauth2/v2.0/token` : `${base}/oauth2/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: v2 ? `${base}/discovery/v2.0/keys` : `${base}/discovery/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: v2
        ? `${this.deps.origin}/${issuerTenant}/v2.0`
        : `https://${this.deps.cloud.stsHost}/${issuerTenant}/`,
      request_uri_parameter_supported: false,
      authorization_endpoint: v2 ? `${base}/oauth2/v2.0/authorize` : `${base}/oauth2/authorize`,
      device_authorization_endpoint: v2 ? `${base}/oauth2/v2.0/devicecode` : `${base}/oauth2/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: v2 ? `${base}/oauth2/v2.0/logout` : `${base}/oauth2/logout`,
      claims_supported: ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "tid", "ver", "oid"],
      tenant_region_scope: this.deps.cloud.tenantRegionScope,
      cloud_instance_name: this.deps.cloud.cloudInstanceName,
      cloud_graph_host_name: "graph.windows.net",
      // Graph for this tenant is the emulator itself.
      msgraph_host: this.host,
      rbac_url: "https://pas.windows.net",
    };
  }

  /** What MSAL asks when instance discovery is on: this host is its own, only alias. */
  private instanceDiscovery(call: IncomingCall): Record<string, unknown> {
    const authorize = call.query.get("authorization_endpoint");
    let tenant = "common";
    if (authorize) {
      try {
        tenant = new URL(authorize).pathname.split("/").filter(Boolean)[0] ?? tenant;
      } catch {
        // Not a URL: answer for "common", as Entra does.
      }
    }
    return {
      tenant_discovery_endpoint: `${this.deps.origin}/${tenant}/v2.0/.well-known/openid-configuration`,
      "api-version": "1.1",
      metadata: [{ preferred_network: this.host, preferred_cache: this.host, aliases: [this.host] }],
    };
  }

  private async token(call: IncomingCall, tenant: string): Promise<Reply> {
    const form = new URLSearchParams(call.body.toString("utf8"));
    // Only the non-secret fields may reach the request log: never client_secret or client_assertion.
    const summary: TokenRequestSummary = {};
    for (const [field, param] of [
      ["grant_type", "grant_type"],
      ["client_id", "client_id"],
      ["scope", "scope"],
      ["assertion_type", "client_assertion_type"],
    ] as const) {
      const value = form.get(param);
      if (value !== null) summary[field] = value;
    }
    call.note.body = summary;

    const scope = this.resolveTenant(tenant);
    if (scope === "multi") return this.error(call, entraErrors.noTenant());
    if (scope === undefined) return this.error(call, entraErrors.unknownTenant(tenant));

    const grant = form.get("grant_type");
    if (!grant) return this.error(call, entraErrors.missingParameter("grant_type"));
    if (grant !== "client_credentials") return this.error(call, entraErrors.unsupportedGrant(grant));
    const clientId = form.get("client_id")?.toLowerCase();
    if (!clientId) return this.error(call, entraErrors.missingParameter("client_id"));
    call.note.appId = clientId;
    const known = this.deps.directory.client(scope, clientId);
    if (!known) return this.error(call, entraErrors.unknownClient(clientId, scope.name));

    const requested = form.get("scope");
    if (!requested) return this.error(call, entraErrors.missingParameter("scope"));
    const resource = parseResource(requested);
    if (typeof resource !== "string") return this.error(call, resource);

    const auth = await this.deps.clients.authenticate(
      known.app,
      form,
      call.received,
      this.assertionAudiences(scope, tenant),
    );
    if (!auth.ok) return this.error(call, auth.error);

    const lifetime = this.deps.tokenLifetimeSeconds;
    const accessToken = await this.accessToken(
      scope.id,
      known.app,
      known.roles,
      resource,
      auth.method === "secret" ? "1" : "2",
      lifetime,
    );
    return jsonReply(
      200,
      { token_type: "Bearer", expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken },
      NO_CACHE,
    );
  }

  /**
   * What a certificate-signed assertion may name as `aud`: the token endpoint or the authority of
   * the tenant asked, by its GUID, its domain, or as the request's path named it.
   */
  private assertionAudiences(tenant: EntraTenant, segment: string): string[] {
    const names = new Set([tenant.id, segment, ...(tenant.domain === undefined ? [] : [tenant.domain])]);
    return [...names].flatMap((name) => {
      const base = `${this.deps.origin}/${name}`;
      return [`${base}/oauth2/v2.0/token`, `${base}/v2.0`, base, `${base}/`];
    });
  }

  /**
   * A v1.0 app-only access token as Entra issues it for Graph, for the tenant asked: its `tid`, and
   * the service principal the app has there (`oid`), with the roles granted there.
   */
  private accessToken(
    tenantId: string,
    app: TenantApp,
    roles: readonly string[],
    resource: string,
    appidacr: string,
    lifetime: number,
  ): Promise<string> {
    const { cloud } = this.deps;
    const { clientId, displayName } = app.registration;
    const now = Math.floor(Date.now() / 1000);
    const iss = `https://${cloud.stsHost}/${tenantId}/`;
    const oid = stableGuid("service-principal", tenantId, clientId);
    return this.deps.tokenKey.sign({
      aud: resource,
      iss,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      aio: randomToken(48),
      app_displayname: displayName,
      appid: clientId,
      appidacr,
      azp: clientId,
      idp: iss,
      idtyp: "app",
      oid,
      // Entra leaves the claim out when the app has no roles rather than sending an empty list.
      ...(roles.length > 0 ? { roles: [...roles] } : {}),
      sub: oid,
      tid: tenantId,
      uti: randomToken(16),
      ver: "1.0",
    });
  }

  private error(call: IncomingCall, err: EntraError): Reply {
    return entraErrorReply(call, err, this.deps.cloud.loginHost);
  }

  private notFound(call: IncomingCall): Reply {
    return jsonReply(404, { error: "not_found", error_description: `No Entra endpoint at ${call.path}.` });
  }
}

/** The resource of a client-credentials scope, `<resource>/.default`, or the error Entra gives. */
function parseResource(scope: string): string | EntraError {
  const scopes = scope.split(/\s+/).filter(Boolean);
  if (scopes.length !== 1) return entraErrors.invalidScope(scope);
  const [only] = scopes;
  if (!only.endsWith("/.default")) return entraErrors.scopeWithoutDefault(only);
  const resource = only.slice(0, -"/.default".length);
  // Any resource that looks like an application id URI or app id is accepted, so that tests can
  // get a token for the wrong audience and see Graph refuse it.
  if (isGuid(resource) || /^(https?|api):\/\/\S+$/.test(resource)) return resource;
  return entraErrors.invalidScope(scope);
}
