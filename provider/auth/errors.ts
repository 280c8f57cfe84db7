/**
 * The error of authentication, raised by the token source (credential.ts). In a module of its own,
 * without @azure/identity, so that a program can catch it (index.ts) without loading a credential.
 */
import { IntuneError } from "../logic/errors";

/** Authentication failed before any Graph request was sent. */
export class AuthenticationError extends IntuneError {
  override readonly name = "AuthenticationError";
}
