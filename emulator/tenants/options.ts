// Checking a tenant's options (EmulatorOptions.tenants, addTenant, the admin API), so that a
// mistake fails with one message naming the option, the value and what is accepted.
import { isPlainObject } from "../http";
import { isGuid, newGuid, stableGuid } from "../ids";
import type { AppRegistration, ConnectorRecord, TenantConsent, TenantOptions } from "../types";

/** A tenant's options, checked: ids lower case, defaults filled in. */
export interface TenantSpec {
  tenantId: string;
  name: string;
  domain?: string;
  seed?: Partial<ConnectorRecord>[] | number;
  apps: readonly AppRegistration[];
  consent: { clientId: string; roles?: string[] }[];
  intuneLicensed?: boolean;
}

const KEYS: readonly string[] = ["tenantId", "name", "domain", "seed", "apps", "consent", "intuneLicensed"];
/** A DNS name of two labels or more, as a verified domain is ("fabrikam.onmicrosoft.com"). */
const DOMAIN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const MAX_NAME = 256;

/**
 * The id a tenant gets from its place: `tenants[i]` of the options and `--tenants`' i-th tenant
 * (counted from 1) are the same tenant at every start, so env files, scripts and a persisted file
 * written for one run still name it in the next.
 */
export function placedTenantId(place: number): string {
  return stableGuid("emulated-tenant", String(place));
}

export function placedTenantName(place: number): string {
  return `Tenant ${place} (emulated)`;
}

/**
 * `count` tenants with the ids and names of places `first`… (placedTenantId), each seeded and
 * consenting as given: what `--tenants N` starts with, and the quick way to a large fleet.
 */
export function generateTenants(
  count: number,
  options: { seed?: TenantOptions["seed"]; consent?: TenantConsent[]; first?: number } = {},
): TenantOptions[] {
  if (!Number.isInteger(count) || count < 0)
    throw new Error(`count must be a whole number ≥ 0, got ${count}`);
  const first = options.first ?? 1;
  return Array.from({ length: count }, (_, i) => ({
    tenantId: placedTenantId(first + i),
    name: placedTenantName(first + i),
    ...(options.seed !== undefined && { seed: options.seed }),
    ...(options.consent !== undefined && { consent: [...options.consent] }),
  }));
}

/**
 * Check one tenant's options. `where` names it in messages ("tenants[2]", "addTenant");
 * `defaults.place` gives the id and name it gets when it names none, or, without one, a new random
 * id and `defaults.name`.
 */
export function checkTenantOptions(
  given: unknown,
  where: string,
  defaults: { place?: number; name?: string } = {},
): TenantSpec {
  const { place } = defaults;
  if (!isPlainObject(given))
    throw new Error(`${where} must be an object such as { tenantId, name, seed, consent }`);
  const unknown = Object.keys(given).filter((key) => !KEYS.includes(key));
  if (unknown.length > 0)
    throw new Error(`${where} takes ${KEYS.join(", ")}; not ${unknown.map((k) => `'${k}'`).join(", ")}`);
  const options = given as TenantOptions;

  const tenantId = options.tenantId ?? (place === undefined ? newGuid() : placedTenantId(place));
  if (typeof tenantId !== "string" || !isGuid(tenantId))
    throw new Error(`${where}.tenantId must be a GUID, got ${JSON.stringify(options.tenantId)}`);

  const name =
    options.name ?? (place === undefined ? defaults.name : placedTenantName(place)) ?? "A tenant (emulated)";
  if (typeof name !== "string" || name.trim() === "" || name.length > MAX_NAME)
    throw new Error(
      `${where}.name must be a text of 1 to ${MAX_NAME} characters, got ${JSON.stringify(name)}`,
    );

  let domain: string | undefined;
  if (options.domain !== undefined) {
    domain = typeof options.domain === "string" ? options.domain.toLowerCase() : "";
    if (!DOMAIN.test(domain))
      throw new Error(
        `${where}.domain must be a domain name such as fabrikam.onmicrosoft.com, got ${JSON.stringify(options.domain)}`,
      );
  }

  const seed = options.seed;
  if (
    seed !== undefined &&
    !(typeof seed === "number" && Number.isInteger(seed) && seed >= 0) &&
    !(Array.isArray(seed) && seed.every(isPlainObject))
  )
    throw new Error(
      `${where}.seed must be a whole number ≥ 0 or an array of connectors, got ${JSON.stringify(seed)}`,
    );

  const apps = options.apps ?? [];
  if (!Array.isArray(apps) || !apps.every(isPlainObject))
    throw new Error(`${where}.apps must be an array of app registrations, got ${JSON.stringify(apps)}`);

  const licensed: unknown = options.intuneLicensed;
  if (licensed !== undefined && typeof licensed !== "boolean")
    throw new Error(`${where}.intuneLicensed must be true or false, got ${JSON.stringify(licensed)}`);

  const consent = options.consent ?? [];
  if (!Array.isArray(consent))
    throw new Error(`${where}.consent must be an array of client ids or { clientId, roles }`);
  return {
    tenantId: tenantId.toLowerCase(),
    name,
    ...(domain !== undefined && { domain }),
    ...(seed !== undefined && { seed }),
    apps,
    consent: consent.map((entry, i) => checkConsent(entry, `${where}.consent[${i}]`)),
    ...(licensed !== undefined && { intuneLicensed: licensed }),
  };
}

/** One consent: a client id (every role the app asks for), or { clientId, roles }. */
export function checkConsent(entry: unknown, where: string): { clientId: string; roles?: string[] } {
  const clientId = typeof entry === "string" ? entry : isPlainObject(entry) ? entry.clientId : undefined;
  if (typeof clientId !== "string" || !isGuid(clientId))
    throw new Error(
      `${where} must be an app's client id (a GUID) or { clientId, roles }, got ${JSON.stringify(entry)}`,
    );
  if (typeof entry === "string") return { clientId: clientId.toLowerCase() };
  const { roles, ...rest } = entry as Record<string, unknown>;
  const others = Object.keys(rest).filter((key) => key !== "clientId");
  if (others.length > 0)
    throw new Error(`${where} takes clientId and roles; not ${others.map((k) => `'${k}'`).join(", ")}`);
  if (roles === undefined) return { clientId: clientId.toLowerCase() };
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === "string" && r !== ""))
    throw new Error(
      `${where}.roles must be a list of application permissions such as ["DeviceManagementConfiguration.Read.All"], got ${JSON.stringify(roles)}`,
    );
  return { clientId: clientId.toLowerCase(), roles: [...(roles as string[])] };
}
