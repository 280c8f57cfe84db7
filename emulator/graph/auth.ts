// What Graph's front end checks about the bearer token, and what Intune checks about permissions.
import { decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import { READ_ROLE, READ_WRITE_ROLE } from "../entra/apps";
import type { SigningKey } from "../entra/keys";

export const READ_SCOPES: readonly string[] = [READ_ROLE, READ_WRITE_ROLE];
export const WRITE_SCOPES: readonly string[] = [READ_WRITE_ROLE];

export type TokenCheck =
  | { ok: true; appId: string; tenantId: string; permissions: Set<string> }
  | { ok: false; message: string; appId?: string };

export class GraphTokenValidator {
  /**
   * @param issuerOf the issuer Graph expects of a token whose `tid` names this tenant, or undefined
   *   when the emulator has no such tenant (the token is then refused as of an unknown issuer)
   */
  constructor(
    private readonly key: SigningKey,
    private readonly issuerOf: (tenantId: string) => string | undefined,
    private readonly audiences: Set<string>,
  ) {}

  /** Check an Authorization header; the failure messages are Graph's own. */
  async check(authorization: string | undefined): Promise<TokenCheck> {
    const match = /^Bearer\s*(.*)$/i.exec(authorization?.trim() ?? "");
    const token = match?.[1].trim() ?? "";
    if (token === "") return { ok: false, message: "Access token is empty." };
    if (token.split(".").length !== 3)
      return { ok: false, message: "CompactToken parsing failed with error code: 80049217" };

    let payload: JWTPayload;
    try {
      // Clock skew 0: the emulator mints and checks with the same clock, and tests of expiry
      // need a token to be rejected as soon as it expires.
      ({ payload } = await jwtVerify(token, this.key.publicKey, { algorithms: ["RS256"] }));
    } catch (err) {
      return { ok: false, message: failureMessage(err) };
    }
    const appId = typeof payload.appid === "string" ? payload.appid : undefined;
    const tenantId = typeof payload.tid === "string" ? payload.tid.toLowerCase() : "";
    const issuer = this.issuerOf(tenantId);
    if (issuer === undefined || payload.iss !== issuer)
      return { ok: false, appId, message: "Access token validation failure. Invalid issuer." };
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audiences.some((aud) => aud !== undefined && this.audiences.has(aud))) {
      return { ok: false, appId, message: "Access token validation failure. Invalid audience." };
    }
    if (!appId) return { ok: false, message: "Access token validation failure." };
    return { ok: true, appId, tenantId, permissions: permissionsOf(payload) };
  }
}

/**
 * The tenant a bearer token names (`tid`), read without checking the token: what routes a request
 * to a tenant's fault rules and log entries before Graph has judged the token.
 */
export function tenantNamedBy(authorization: string | undefined): string | undefined {
  const token = /^Bearer\s+(\S+)/i.exec(authorization?.trim() ?? "")?.[1];
  if (!token) return undefined;
  try {
    const { tid } = decodeJwt(token);
    return typeof tid === "string" ? tid.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** Application permissions are in `roles`, delegated ones in `scp` (space separated). */
function permissionsOf(payload: JWTPayload): Set<string> {
  const permissions = new Set<string>();
  if (Array.isArray(payload.roles))
    for (const r of payload.roles) if (typeof r === "string") permissions.add(r);
  if (typeof payload.scp === "string") for (const s of payload.scp.split(" ")) if (s) permissions.add(s);
  return permissions;
}

export function hasAnyPermission(permissions: Set<string>, required: readonly string[]): boolean {
  return required.some((p) => permissions.has(p));
}

function failureMessage(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return "Access token has expired or is not yet valid.";
  if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === "nbf") {
    return "Access token has expired or is not yet valid.";
  }
  if (
    err instanceof joseErrors.JWSSignatureVerificationFailed ||
    err instanceof joseErrors.JOSEAlgNotAllowed
  ) {
    return "Access token validation failure. Invalid signature.";
  }
  return "CompactToken parsing failed with error code: 80049217";
}
