/**
 * The tenant is part of a connector's identity: state records where each connector lives (the
 * tenant's id and the cloud), and a provider that now points elsewhere is refused before it reads,
 * writes or drops anything. Pure: the provider compares what it can know without a request (the
 * cloud, a tenant given by its id) in every diff, and the tenant of its token before each request.
 */
import type { ConnectorOutputs } from "./definition";
import { isGuid } from "./constants";

/** Where the provider points now: its cloud, and its tenant as the settings or the token name it. */
export interface TenantInUse {
  cloud: string;
  /** The tenant's id, or a domain (`contoso.onmicrosoft.com`), or undefined (the credential's default). */
  tenantId?: string;
}

/** Where state says the connector lives. */
export type RecordedTenant = Pick<Partial<ConnectorOutputs>, "tenantId" | "cloud">;

/**
 * Whether the provider points at a place other than the recorded one, as far as can be told: a
 * cloud is always comparable; a tenant only by id (a domain names a tenant the token then tells).
 * State written before the tenant was recorded (0.3 and earlier) compares with nothing.
 */
export function pointsElsewhere(recorded: RecordedTenant, now: TenantInUse): boolean {
  if (recorded.cloud && recorded.cloud !== now.cloud) return true;
  const tenant = now.tenantId;
  return Boolean(
    recorded.tenantId && tenant && isGuid(tenant) && tenant.toLowerCase() !== recorded.tenantId.toLowerCase(),
  );
}

const where = (tenant: string | undefined, cloud: string | undefined) =>
  `tenant ${tenant ?? "(the credential's default)"}${cloud ? ` (cloud ${cloud})` : ""}`;

/** The refusal: both tenants, and the two ways forward. */
export function tenantSwitchMessage(operation: string, recorded: RecordedTenant, now: TenantInUse): string {
  return (
    `${operation}: the connector lives in ${where(recorded.tenantId, recorded.cloud)}, but the provider now points ` +
    `at ${where(now.tenantId, now.cloud)}. Nothing was read, written or dropped. To keep managing it, point the ` +
    `provider back at ${recorded.tenantId ?? "its tenant"} (intune:tenantId${recorded.cloud ? `, intune:cloud ${recorded.cloud}` : ""}). ` +
    "To manage the other tenant's connectors instead, release this one from the stack (pulumi state delete " +
    "with its URN; the connector stays where it is) and adopt the other tenant's by connectorId or registeredName"
  );
}
