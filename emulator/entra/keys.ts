// Signing keys (the tenant's token-signing key, the test OIDC issuer's key) and the set of
// external issuers whose tokens the token endpoint trusts for federated credentials.
import { generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import {
  SignJWT,
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";

const generateRsaKeyPair = promisify(generateKeyPair);

/** An RS256 key pair with its key id, as Entra and most OIDC issuers use. */
export class SigningKey {
  private constructor(
    private readonly privateKey: KeyObject,
    readonly publicKey: KeyObject,
    readonly kid: string,
    private readonly keySet: JSONWebKeySet,
  ) {}

  static async generate(): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateRsaKeyPair("rsa", { modulusLength: 2048 });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    return new SigningKey(privateKey, publicKey, kid, {
      keys: [{ ...jwk, kid, use: "sig", alg: "RS256" }],
    });
  }

  sign(payload: JWTPayload): Promise<string> {
    return new SignJWT(payload)
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: this.kid })
      .sign(this.privateKey);
  }

  /** The public JWKS document. */
  jwks(): JSONWebKeySet {
    return structuredClone(this.keySet);
  }
}

/** Issuer URL → key set. A map rather than a fixed issuer so that more issuers can be trusted. */
export class TrustedIssuers {
  private readonly issuers = new Map<string, JWTVerifyGetKey>();

  trust(issuer: string, jwks: JSONWebKeySet): void {
    this.issuers.set(issuer, createLocalJWKSet(jwks));
  }

  keysFor(issuer: string): JWTVerifyGetKey | undefined {
    return this.issuers.get(issuer);
  }
}
