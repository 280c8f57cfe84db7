/**
 * The one rule for every URL a token or Graph request goes to: https, or plain http on a loopback
 * address only (the emulator, local stand-ins), never across a network.
 */

// URL keeps the brackets of an IPv6 host: "[::1]", never "::1".
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

export function isAllowedEndpoint(url: URL): boolean {
  return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname));
}
