// A test OpenID Connect issuer that stands in for GitHub Actions, Kubernetes or Azure DevOps: it
// publishes discovery and keys and mints tokens that apps' federated credentials can name.
import { DEFAULT_FEDERATED_AUDIENCE } from "./apps";
import { newGuid } from "../ids";
import { SigningKey } from "./keys";
import type { JSONWebKeySet } from "jose";

const DEFAULT_LIFETIME_SECONDS = 600;

export interface MintOptions {
  subject: string;
  audience?: string;
  lifetimeSeconds?: number;
}

export class TestOidcIssuer {
  private constructor(
    readonly issuer: string,
    private readonly key: SigningKey,
  ) {}

  /** @param issuer the issuer URL, e.g. https://127.0.0.1:<port>/_emulator/oidc */
  static async create(issuer: string): Promise<TestOidcIssuer> {
    return new TestOidcIssuer(issuer, await SigningKey.generate());
  }

  discovery(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: `${this.issuer}/jwks`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public", "pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      claims_supported: ["sub", "aud", "exp", "iat", "iss", "jti", "nbf"],
    };
  }

  jwks(): JSONWebKeySet {
    return this.key.jwks();
  }

  /** A negative lifetime mints an already-expired token (for tests of expiry). */
  async mint(opts: MintOptions): Promise<string> {
    if (typeof opts.subject !== "string" || opts.subject === "")
      throw new Error("subject must be a non-empty string");
    const now = Math.floor(Date.now() / 1000);
    const lifetime = opts.lifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
    return this.key.sign({
      iss: this.issuer,
      sub: opts.subject,
      aud: opts.audience ?? DEFAULT_FEDERATED_AUDIENCE,
      iat: Math.min(now, now + lifetime),
      nbf: Math.min(now, now + lifetime) - 1,
      exp: now + lifetime,
      jti: newGuid(),
    });
  }
}
