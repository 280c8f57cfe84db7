// How the token endpoint authenticates an app: a client secret, a client assertion signed with one
// of the app's registered certificates, or a federated token from a trusted issuer that matches
// one of the app's federated credentials.
import { createHash, timingSafeEqual } from "node:crypto";
import {
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from "jose";
import { DEFAULT_FEDERATED_AUDIENCE, type TenantApp } from "./apps";
import { entraErrors, type EntraError } from "./errors";
import type { TrustedIssuers } from "./keys";

export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const ASSERTION_ALGORITHMS = ["RS256", "PS256", "ES256"];
const NBF_SKEW_SECONDS = 300;

export type ClientAuthMethod = "secret" | "certificate" | "federated";
export type ClientAuthResult = { ok: true; method: ClientAuthMethod } | { ok: false; error: EntraError };

export class ClientAuthenticator {
  /** @param trusted issuers whose federated tokens can be exchanged */
  constructor(private readonly trusted: TrustedIssuers) {}

  /**
   * @param assertionAudiences what a certificate-signed assertion may name as `aud`: the token
   *   endpoint or the authority of the tenant asked, as Entra accepts
   */
  async authenticate(
    app: TenantApp,
    form: URLSearchParams,
    now: Date,
    assertionAudiences: string[],
  ): Promise<ClientAuthResult> {
    const assertion = form.get("client_assertion");
    if (assertion) {
      if (form.get("client_assertion_type") !== JWT_BEARER) return fail(entraErrors.badAssertionType());
      return this.checkAssertion(app, assertion, now, assertionAudiences);
    }
    const secret = form.get("client_secret");
    if (secret) {
      const known = app.registration.secrets ?? [];
      return known.some((s) => sameSecret(s, secret))
        ? { ok: true, method: "secret" }
        : fail(entraErrors.badSecret(app.registration.clientId));
    }
    return fail(entraErrors.noCredential());
  }

  private async checkAssertion(
    app: TenantApp,
    assertion: string,
    now: Date,
    audiences: string[],
  ): Promise<ClientAuthResult> {
    let header: ProtectedHeaderParameters;
    let claims: JWTPayload;
    try {
      header = decodeProtectedHeader(assertion);
      claims = decodeJwt(assertion);
    } catch {
      return fail(entraErrors.malformedAssertion());
    }
    const clientId = app.registration.clientId;
    // An app's own assertion names the app as issuer and subject; anything else is a token from
    // an external identity provider presented for a federated credential.
    const selfIssued = claims.iss?.toLowerCase() === clientId && claims.sub?.toLowerCase() === clientId;
    return selfIssued
      ? this.checkCertificateAssertion(app, assertion, header, claims, now, audiences)
      : this.checkFederated(app, assertion, claims, now);
  }

  private async checkCertificateAssertion(
    app: TenantApp,
    assertion: string,
    header: ProtectedHeaderParameters,
    claims: JWTPayload,
    now: Date,
    audiences: string[],
  ): Promise<ClientAuthResult> {
    const x5tS256 = typeof header["x5t#S256"] === "string" ? header["x5t#S256"] : undefined;
    const x5t = typeof header.x5t === "string" ? header.x5t : undefined;
    const cert = app.certificates.find((c) => (x5tS256 && c.x5tS256 === x5tS256) || (x5t && c.x5t === x5t));
    if (!cert) {
      const presented = x5tS256 ?? x5t;
      const thumbprint = presented ? Buffer.from(presented, "base64url").toString("hex").toUpperCase() : "";
      return fail(entraErrors.unknownCertificate(app.registration.clientId, thumbprint));
    }
    return verify(
      () =>
        jwtVerify(assertion, cert.publicKey, {
          algorithms: ASSERTION_ALGORITHMS,
          audience: audiences,
          requiredClaims: ["exp"],
          currentDate: now,
          clockTolerance: NBF_SKEW_SECONDS,
        }),
      claims,
      now,
    );
  }

  private async checkFederated(
    app: TenantApp,
    assertion: string,
    claims: JWTPayload,
    now: Date,
  ): Promise<ClientAuthResult> {
    const issuer = claims.iss ?? "";
    const credentials = (app.registration.federated ?? []).filter((c) => c.issuer === issuer);
    if (credentials.length === 0) return fail(entraErrors.unknownIssuer(issuer));
    const forSubject = credentials.filter((c) => c.subject === claims.sub);
    if (forSubject.length === 0) return fail(entraErrors.unknownSubject(claims.sub ?? ""));
    const audiences = Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud];
    const credential = forSubject.find((c) => audiences.includes(c.audience ?? DEFAULT_FEDERATED_AUDIENCE));
    if (!credential) return fail(entraErrors.unknownAudience(audiences.join(" ")));
    const keys = this.trusted.keysFor(issuer);
    if (!keys) return fail(entraErrors.issuerKeysUnavailable(issuer));
    const result = await verify(
      () =>
        jwtVerify(assertion, keys, {
          algorithms: ASSERTION_ALGORITHMS,
          issuer,
          audience: credential.audience ?? DEFAULT_FEDERATED_AUDIENCE,
          requiredClaims: ["exp"],
          currentDate: now,
          clockTolerance: NBF_SKEW_SECONDS,
        }),
      claims,
      now,
    );
    return result.ok ? { ok: true, method: "federated" } : result;
  }
}

/**
 * Run a jose verification and translate its failure into Entra's error. `nbf` gets Entra's five
 * minutes of clock skew (MSAL rounds its clock, so its assertions can start half a second in the
 * future); `exp` is checked without any, so that a test's expired token fails at once.
 */
async function verify(run: () => Promise<unknown>, claims: JWTPayload, now: Date): Promise<ClientAuthResult> {
  try {
    await run();
    if (typeof claims.exp === "number" && claims.exp <= now.getTime() / 1000) {
      return fail(entraErrors.expiredAssertion(now, claims.nbf, claims.exp));
    }
    return { ok: true, method: "certificate" };
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired)
      return fail(entraErrors.expiredAssertion(now, claims.nbf, claims.exp));
    if (err instanceof joseErrors.JWTClaimValidationFailed) {
      if (err.claim === "nbf") return fail(entraErrors.expiredAssertion(now, claims.nbf, claims.exp));
      return fail(entraErrors.badAssertion(`Invalid '${err.claim}' claim`));
    }
    if (err instanceof joseErrors.JWKSNoMatchingKey)
      return fail(entraErrors.badAssertion("The key was not found."));
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
      return fail(entraErrors.badAssertion("The signature is not valid."));
    }
    return fail(entraErrors.malformedAssertion());
  }
}

function fail(error: EntraError): ClientAuthResult {
  return { ok: false, error };
}

/** Constant-time comparison (hashing first makes the lengths equal). */
function sameSecret(expected: string, presented: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(expected), digest(presented));
}
