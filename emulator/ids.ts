// Identifiers and secrets shaped like Entra's and Intune's.
import { createHash, randomBytes, randomUUID } from "node:crypto";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function newGuid(): string {
  return randomUUID();
}

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/**
 * A GUID derived from its inputs, so that values such as an app's service-principal object id
 * stay the same across restarts without being stored anywhere.
 */
export function stableGuid(...parts: string[]): string {
  const hex = createHash("sha256").update(parts.join("\u0000")).digest("hex");
  // Version 5-style layout: version nibble 5, RFC 4122 variant bits.
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";

/**
 * A client secret shaped like Entra's (40 characters with the `8Q~` marker). The alphabet has
 * exactly 64 characters so each random byte maps without bias, and none of them needs quoting in
 * a shell or a dotenv file.
 */
export function newClientSecret(): string {
  const chars = Array.from(randomBytes(37), (b) => SECRET_ALPHABET[b & 63]);
  return `${chars.slice(0, 3).join("")}8Q~${chars.slice(3).join("")}`;
}

/** A random base64url string, e.g. for the `uti` claim. */
export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString("base64url");
}
