/**
 * Where access tokens come from: what the Graph client's token policy (graph/policies/token.ts)
 * asks of a token source, and what auth/credential.ts provides. Here, below both, so that
 * neither imports the other; connection.ts joins them.
 */

/** A source of access tokens for one scope; `refresh` discards any cached token. */
export interface AccessTokenSource {
  getToken(): Promise<string>;
  refresh(): Promise<string>;
}
