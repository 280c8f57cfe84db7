/**
 * The base of this package's errors. Each is written for a person: its message says what failed,
 * why, and what to do, so it is shown without a stack trace. In a Pulumi program the engine prints
 * an error that carries Pulumi's RunError mark as its message alone (one line, no colour codes,
 * no "unhandled exception" dump); every way out of the package sends these without their stack
 * (asUserError).
 * Any other error — a TypeError is a bug — keeps its stack, so it can be found.
 */
export class IntuneError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    // Pulumi's mark (RunError.isInstance reads it by name, across copies of @pulumi/pulumi), set
    // here so that nothing below the program has to load @pulumi/pulumi; not enumerable, so that
    // it never shows in a log or a JSON report.
    Object.defineProperty(this, "__pulumiRunError", { value: true });
  }
}

/** Whether an error is one of this package's, written for a person (see IntuneError). */
export function isIntuneError(error: unknown): error is IntuneError {
  return error instanceof IntuneError;
}

/**
 * The error as it should reach a person: one of this package's loses its stack trace, which would
 * only bury the message (Pulumi prints `stack || message` for an error that surfaces after the
 * program's code has run, as a lookup used as an input does); any other error is left as it is.
 */
export function withoutStack(error: unknown): unknown {
  if (isIntuneError(error)) error.stack = "";
  return error;
}

/**
 * Runs work whose errors reach a person — a provider call, a lookup from a program: an error of
 * this package leaves without its stack (withoutStack); any other keeps it, so a bug can be found.
 */
export async function asUserError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw withoutStack(error);
  }
}

/** A setting, an argument or a call that cannot work as given; the message says what to give. */
export class ConfigurationError extends IntuneError {
  override readonly name = "ConfigurationError";
}

/** A connector to adopt that the tenant does not hold, or holds more than once under the name. */
export class AdoptionError extends IntuneError {
  override readonly name = "AdoptionError";
}

/** A write Intune answered but did not apply: the message names the property it did not take. */
export class VerificationError extends IntuneError {
  override readonly name = "VerificationError";
}

/** A create or adoption refused because the connector is, or would be, someone else's. */
export class OwnershipError extends IntuneError {
  override readonly name = "OwnershipError";
}

/** A connector recorded in one tenant or cloud while the provider points at another. */
export class TenantMismatchError extends IntuneError {
  override readonly name = "TenantMismatchError";
}

/** A lookup (getConnector) that found no connector, or several, by the name asked for. */
export class ConnectorLookupError extends IntuneError {
  override readonly name = "ConnectorLookupError";
}
