/**
 * What an access token says of itself: its claims, read without checking its signature (nothing
 * read here is trusted for access; the service checks the token). The doctor reports them, and the
 * connector's provider records the tenant (`tid`) that a connector was reached in.
 */

/** The claims of an access token that are read: no signature is checked, nothing is trusted. */
export interface TokenClaims {
  aud?: string | string[];
  tid?: string;
  roles?: string[];
  scp?: string;
  exp?: number;
  appid?: string;
  azp?: string;
}

/**
 * The payload of a compact JWT, or undefined when the token is not one (some credentials return
 * opaque tokens). Reading claims needs no key.
 */
export function readClaims(token: string): TokenClaims | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    return payload !== null && typeof payload === "object" ? (payload as TokenClaims) : undefined;
  } catch {
    return undefined;
  }
}
