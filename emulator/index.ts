// The local Microsoft Graph (beta, domain join connectors) and Entra ID emulator: the library API.
// See emulator/README.md for what it imitates and how to run it.
export { startEmulator } from "./server";
export { clientEnvironment } from "./clients/environment";
export { ensureCa } from "./clients/ca";
export { mixedFleet } from "./connectors/model";
export { DEFAULT_VARIANTS, VARIANT_CHOICES, VARIANT_NAMES } from "./graph/variants";
export { DEFAULT_TENANT_ID } from "./options";
export { generateTenants, placedTenantId } from "./tenants/options";
export { EMULATOR_ISSUER, PARTNER_APP, READ_ROLE, READ_WRITE_ROLE, defaultApps } from "./entra/apps";
export { GRAPH_APP_ID } from "./clouds";
export type {
  AppRegistration,
  CloudName,
  ConnectorPatch,
  ConnectorRecord,
  ConnectorState,
  EmulatedTenant,
  Emulator,
  EmulatorOptions,
  FaultRule,
  FederatedCredential,
  RequestLogEntry,
  RequestLogFilter,
  RequestSummary,
  RuntimeOptions,
  ServiceVariants,
  TenantAppView,
  TenantConsent,
  TenantInfo,
  TenantOptions,
  ThrottleOptions,
} from "./types";
