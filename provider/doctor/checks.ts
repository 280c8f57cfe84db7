/**
 * The doctor's judgements, pure: what an access token's claims say about the app's permission and
 * cloud, and the fix for each failure it can name. doctor/command.ts runs the checks and prints them.
 */
import { readClaims, type TokenClaims } from "../logic/token-claims";
import { CLOUDS, CLOUD_NAMES, CloudName } from "../logic/clouds";
import { READ_PERMISSION, WRITE_PERMISSION } from "../connector/constants";

export type Verdict = "ok" | "warn" | "fail" | "skip";

export interface Check {
  name: string;
  verdict: Verdict;
  /** What was found, one line. */
  detail: string;
  /** What to do about it, for `warn` and `fail`. */
  fix?: string;
}

export { readClaims, type TokenClaims };

/** Microsoft Graph's application id: tokens for Graph may name it instead of the resource URL. */
const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

const trimSlash = (url: string) => url.replace(/\/+$/, "").toLowerCase();

/** The clouds whose Graph a token audience names (Graph's app id fits every cloud). */
function cloudsOfAudience(aud: string): CloudName[] {
  if (aud.toLowerCase() === GRAPH_APP_ID) return [...CLOUD_NAMES];
  return CLOUD_NAMES.filter((c) => trimSlash(CLOUDS[c].graphResource) === trimSlash(aud));
}

/** The cloud a Graph origin belongs to, or undefined for any other origin (an emulator, a proxy). */
function cloudOfEndpoint(graphEndpoint: string): CloudName | undefined {
  return CLOUD_NAMES.find((c) => trimSlash(CLOUDS[c].graphEndpoint) === trimSlash(graphEndpoint));
}

export interface TokenContext {
  cloud: CloudName;
  graphEndpoint: string;
  tenantId?: string;
}

/** The audience check: the token is for the Graph of the configured cloud and of the endpoint. */
export function audienceCheck(claims: TokenClaims, context: TokenContext): Check {
  const auds = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const clouds = new Set(auds.flatMap(cloudsOfAudience));
  const shown = auds.join(", ") || "(none)";
  if (!clouds.has(context.cloud)) {
    return {
      name: "audience",
      verdict: "fail",
      detail: `the token is for ${shown}, not the Graph of cloud ${context.cloud} (${CLOUDS[context.cloud].graphResource})`,
      fix: "the token came from another cloud's Entra ID: set intune:cloud (or INTUNE_CLOUD) to the tenant's cloud and leave intune:authorityHost unset",
    };
  }
  const endpointCloud = cloudOfEndpoint(context.graphEndpoint);
  if (endpointCloud !== undefined && endpointCloud !== context.cloud) {
    return {
      name: "audience",
      verdict: "fail",
      detail: `the token is for cloud ${context.cloud}, but intune:graphEndpoint ${context.graphEndpoint} is the Graph of cloud ${endpointCloud}`,
      fix: `tokens never cross clouds: set intune:cloud to ${endpointCloud}, or leave intune:graphEndpoint unset`,
    };
  }
  if (context.tenantId && claims.tid && /^[0-9a-f-]{36}$/i.test(context.tenantId)) {
    if (claims.tid.toLowerCase() !== context.tenantId.toLowerCase()) {
      return {
        name: "audience",
        verdict: "fail",
        detail: `the token was issued by tenant ${claims.tid}, not the configured ${context.tenantId}`,
        fix: "check intune:tenantId (or AZURE_TENANT_ID): it must be the tenant that holds the Intune connectors",
      };
    }
  }
  return { name: "audience", verdict: "ok", detail: `${shown}, the Graph of cloud ${context.cloud}` };
}

/** The permission check: application roles (`roles`) or delegated scopes (`scp`) in the token. */
export function permissionCheck(claims: TokenClaims): Check {
  const roles = Array.isArray(claims.roles) ? claims.roles : [];
  const scopes = typeof claims.scp === "string" ? claims.scp.split(" ").filter(Boolean) : [];
  const held = new Set([...roles, ...scopes]);
  const kind = roles.length > 0 ? "application permission" : "delegated permission";
  const grant =
    `in Entra ID → App registrations → the app → API permissions, add the Microsoft Graph application ` +
    `permission ${WRITE_PERMISSION} and grant admin consent`;
  if (held.has(WRITE_PERMISSION)) {
    return { name: "permission", verdict: "ok", detail: `the token holds ${WRITE_PERMISSION} (${kind})` };
  }
  if (held.has(READ_PERMISSION)) {
    return {
      name: "permission",
      verdict: "warn",
      detail: `the token holds ${READ_PERMISSION} only: previews, refresh and intune-health work; pulumi up and destroy will be refused (403)`,
      fix: `enough for a read-only pipeline; to manage connectors, ${grant}`,
    };
  }
  const found = [...held].join(", ");
  return {
    name: "permission",
    verdict: "fail",
    detail: found
      ? `the token holds ${found}, but neither ${WRITE_PERMISSION} nor ${READ_PERMISSION}`
      : "the token holds no roles: the app has no Microsoft Graph application permission, or no admin consent",
    fix: grant,
  };
}

/** Fixes for the Entra ID errors people meet first, by AADSTS code. */
const ENTRA_FIXES: ReadonlyArray<[RegExp, string]> = [
  [
    /AADSTS7000215/,
    "the client secret is wrong: copy the secret's Value (not its Secret ID) from Entra ID → App registrations → Certificates & secrets, then `pulumi config set --secret intune:clientSecret …` (or AZURE_CLIENT_SECRET)",
  ],
  [
    /AADSTS7000222/,
    "the client secret has expired: create a new one under Certificates & secrets and set it",
  ],
  [
    /AADSTS700016/,
    "no app with this client id in the tenant: check intune:clientId and intune:tenantId, and that intune:cloud is the tenant's cloud",
  ],
  [/AADSTS90002|AADSTS900023/, "the tenant was not found: check intune:tenantId and intune:cloud"],
  [
    /AADSTS70021|AADSTS700213|AADSTS700211|AADSTS700212/,
    "the federated credential does not match the job: its issuer, subject and audience in Entra ID must be the job's",
  ],
  [
    /AADSTS700027|AADSTS700023/,
    "the certificate is not the one registered on the app: upload its public key under Certificates & secrets",
  ],
  [
    /endpoints_resolution_error|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|certificate/i,
    "Entra ID could not be reached: check intune:authorityHost, the network and HTTPS_PROXY, and that NODE_EXTRA_CA_CERTS names a CA the authority's certificate chains to",
  ],
];

/** The fix for a failed token request, from its (scrubbed) message. */
export function tokenFix(message: string): string {
  for (const [pattern, fix] of ENTRA_FIXES) if (pattern.test(message)) return fix;
  return "check the credential's settings (see the reference's configuration section) and the message above";
}
