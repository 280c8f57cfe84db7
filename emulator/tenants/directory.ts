// The emulator's tenants: found by GUID or domain, each with the apps registered in it, and the
// partner pattern across them. An app is registered once, in its home tenant (client ids are unique
// across Entra); a multi-tenant app is known to another tenant only once that tenant's admin has
// consented to it, and its tokens there carry the roles that tenant granted.
import { prepareApps, type TenantApp } from "../entra/apps";
import type { StoredRecord } from "../connectors/store";
import { checkConsent, type TenantSpec } from "./options";
import { Tenant, type TenantContext } from "./tenant";

/** A tenant to add, and how to name it in a message ("tenants[2]", "addTenant"; "" for the default tenant). */
export interface TenantEntry {
  spec: TenantSpec;
  where: string;
}

/** An app as one tenant knows it: the registration (in its home tenant) and the roles granted here. */
export interface KnownClient {
  app: TenantApp;
  home: Tenant;
  roles: string[];
}

export class TenantDirectory {
  private readonly byId = new Map<string, Tenant>();
  private readonly byDomain = new Map<string, Tenant>();
  /** clientId → the tenant the app is registered in. */
  private readonly homes = new Map<string, Tenant>();

  /** @param ownIssuer the emulator's test issuer, which EMULATOR_ISSUER in a federated credential stands for */
  constructor(
    private readonly context: TenantContext,
    private readonly ownIssuer: string,
  ) {}

  /** Every tenant, in the order added: the default tenant first. */
  list(): Tenant[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }

  /** The tenant a GUID or one of its domains names (without regard to case), if any. */
  resolve(segment: string): Tenant | undefined {
    const key = segment.toLowerCase();
    return this.byId.get(key) ?? this.byDomain.get(key);
  }

  /** As resolve, but a tenant that is not there is an error naming the tenants that are. */
  require(segment: unknown, what = "tenant"): Tenant {
    const found = typeof segment === "string" ? this.resolve(segment) : undefined;
    if (found) return found;
    const known = this.list().map((t) => t.id);
    const shown = known.slice(0, 5).join(", ") + (known.length > 5 ? `, … (${known.length} in all)` : "");
    throw new UnknownTenantError(
      `${what} ${JSON.stringify(segment)} names no tenant of this emulator (tenants: ${shown})`,
    );
  }

  /**
   * Adds tenants, all or none: ids and domains must be new, client ids unique across every tenant,
   * and each consent must name a multi-tenant app of another tenant (here or in the same batch).
   */
  add(
    entries: TenantEntry[],
    saved: ReadonlyMap<string, StoredRecord[]> = new Map(),
    addedAtRunTime = false,
  ): Tenant[] {
    const ids = new Map<string, string>();
    const domains = new Map<string, string>();
    const homes = new Map<string, { tenantId: string; app: TenantApp }>();
    const prepared = entries.map(({ spec, where }) => {
      const taken = this.byId.has(spec.tenantId) ? "an existing tenant" : ids.get(spec.tenantId);
      if (taken) throw new Error(`${field(where, "tenantId")} ${spec.tenantId} is already taken by ${taken}`);
      ids.set(spec.tenantId, where);
      if (spec.domain !== undefined) {
        const owner = this.byDomain.has(spec.domain) ? "an existing tenant" : domains.get(spec.domain);
        if (owner) throw new Error(`${field(where, "domain")} ${spec.domain} is already taken by ${owner}`);
        domains.set(spec.domain, where);
      }
      let apps: TenantApp[];
      try {
        apps = prepareApps(spec.apps, this.ownIssuer);
      } catch (err) {
        throw new Error(`${field(where, "apps")}: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
        });
      }
      for (const app of apps) {
        const { clientId } = app.registration;
        const home = this.homes.get(clientId)?.id ?? homes.get(clientId)?.tenantId;
        if (home)
          throw new Error(
            `${field(where, "apps")}: client id ${clientId} is already registered in tenant ${home} (an app has one home tenant; other tenants consent to it)`,
          );
        homes.set(clientId, { tenantId: spec.tenantId, app });
      }
      return { spec, where, apps };
    });
    const consents = prepared.map(({ spec, where }) =>
      this.grants(
        spec.tenantId,
        spec.consent,
        (clientId) => homes.get(clientId) ?? this.registered(clientId),
        where,
      ),
    );
    // Seeded before any is listed: a bad seed leaves the directory as it was.
    const tenants = prepared.map(({ spec, where, apps }, i) => {
      const tenant = new Tenant(
        {
          id: spec.tenantId,
          name: spec.name,
          ...(spec.domain !== undefined && { domain: spec.domain }),
          apps,
          consents: consents[i],
          seed: spec.seed,
          addedAtRunTime,
          ...(spec.intuneLicensed !== undefined && { intuneLicensed: spec.intuneLicensed }),
        },
        this.context,
      );
      try {
        tenant.load(saved.get(tenant.id));
      } catch (err) {
        throw new Error(`${field(where, "seed")}: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
        });
      }
      return tenant;
    });
    for (const tenant of tenants) {
      this.byId.set(tenant.id, tenant);
      if (tenant.domain !== undefined) this.byDomain.set(tenant.domain, tenant);
      for (const app of tenant.apps) this.homes.set(app.registration.clientId, tenant);
    }
    return tenants;
  }

  /** Forgets a tenant and the apps registered in it, and every consent to them. */
  remove(tenant: Tenant): void {
    this.byId.delete(tenant.id);
    if (tenant.domain !== undefined) this.byDomain.delete(tenant.domain);
    for (const app of tenant.apps) {
      this.homes.delete(app.registration.clientId);
      for (const other of this.byId.values()) other.consents.delete(app.registration.clientId);
    }
  }

  /**
   * The app as `tenant` knows it: registered there (its own roles), or consented there (the roles
   * granted). Undefined when the tenant does not know it: Entra's AADSTS700016.
   */
  client(tenant: Tenant, clientId: string): KnownClient | undefined {
    const own = tenant.apps.find((a) => a.registration.clientId === clientId);
    if (own) return { app: own, home: tenant, roles: own.registration.roles };
    const roles = tenant.consents.get(clientId);
    const home = this.homes.get(clientId);
    const app = home?.apps.find((a) => a.registration.clientId === clientId);
    return roles && home && app ? { app, home, roles } : undefined;
  }

  /** A tenant's admin consents to a multi-tenant app of another tenant (again: the roles change). */
  consent(tenant: Tenant, clientId: unknown, roles?: unknown): void {
    const checked = checkConsent(roles === undefined ? clientId : { clientId, roles }, "consent");
    const [[id, granted]] = this.grants(tenant.id, [checked], (c) => this.registered(c), "consent");
    tenant.consents.set(id, granted);
  }

  /** The roles each consent grants, checked against the app it names. */
  private grants(
    tenantId: string,
    consent: TenantSpec["consent"],
    find: (clientId: string) => { tenantId: string; app: TenantApp } | undefined,
    where: string,
  ): Map<string, string[]> {
    const granted = new Map<string, string[]>();
    consent.forEach(({ clientId, roles }, i) => {
      const at = where === "consent" ? where : field(where, `consent[${i}]`);
      const found = find(clientId);
      if (!found)
        throw new Error(`${at}: no tenant of this emulator registers an app with client id ${clientId}`);
      const { displayName, multiTenant } = found.app.registration;
      if (found.tenantId === tenantId)
        throw new Error(
          `${at}: app '${displayName}' (${clientId}) is registered in this tenant, which needs no consent to it`,
        );
      if (!multiTenant)
        throw new Error(
          `${at}: app '${displayName}' (${clientId}) is single-tenant, available only in its home tenant ${found.tenantId}; register it with multiTenant: true`,
        );
      granted.set(clientId, [...(roles ?? found.app.registration.roles)]);
    });
    return granted;
  }

  private registered(clientId: string): { tenantId: string; app: TenantApp } | undefined {
    const home = this.homes.get(clientId);
    const app = home?.apps.find((a) => a.registration.clientId === clientId);
    return home && app ? { tenantId: home.id, app } : undefined;
  }
}

/** An option of a tenant in a message: "tenants[2].seed", or "seed" for the default tenant's own. */
function field(where: string, name: string): string {
  return where === "" ? name : `${where}.${name}`;
}

/** A tenant id or domain the emulator does not have (the admin API answers 404). */
export class UnknownTenantError extends Error {}
