/**
 * Every error this package throws at a program or a person, in one list. Each is an IntuneError:
 * its message says what failed, why and what to do, and Pulumi prints it without a stack trace.
 * They are defined beside what raises them — the pure ones in logic/errors.ts, authentication's in
 * auth/, Graph's in graph/ — and none of these modules loads @azure/identity or the Graph client.
 *
 * | error                       | raised when                                                                 |
 * | --------------------------- | --------------------------------------------------------------------------- |
 * | `ConfigurationError`        | a setting, an argument or a call cannot work as given                       |
 * | `AdoptionError`             | a connector to adopt is not in the tenant, or is there more than once       |
 * | `OwnershipError`            | a create or adoption would take a connector that is, or will be, another's  |
 * | `VerificationError`         | Intune answered a write but did not apply it                                |
 * | `TenantMismatchError`       | state says the connector lives in another tenant or cloud than the provider |
 * | `ConnectorLookupError`      | getConnector found no connector, or several, by the name asked for         |
 * | `AuthenticationError`       | signing in failed, before any Graph request                                 |
 * | `GraphError`                | Graph answered with an error (status, code, message, request ids, hint)     |
 * | `GraphConnectionError`      | Graph could not be reached, or the answer was cut off                       |
 * | `GraphRequestRefusedError`  | the provider refused to send a request (another origin, a path not an id)   |
 * | `OutcomeUnknownError`       | a POST got no reliable answer; reconciled by reading, never resent          |
 * | `CreateReconciliationError` | a POST's outcome could not be settled: names the connectors it could be     |
 */
export {
  AdoptionError,
  ConfigurationError,
  ConnectorLookupError,
  IntuneError,
  OwnershipError,
  TenantMismatchError,
  VerificationError,
  isIntuneError,
} from "./logic/errors";
export { AuthenticationError } from "./auth/errors";
export {
  CreateReconciliationError,
  GraphConnectionError,
  GraphError,
  GraphRequestRefusedError,
  OutcomeUnknownError,
} from "./graph/errors";
