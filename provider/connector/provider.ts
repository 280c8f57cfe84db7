/**
 * The dynamic provider's behaviour: check, diff, create, read, update, delete. It joins the pure
 * logic (logic/) to the Graph client (graph/, auth/). This module is what the tiny serialized
 * shim in resource.ts requires at call time, so it is never serialized into state and may hold
 * per-process state: the configuration, the token cache and the shared rate limiter.
 *
 * It imports no Pulumi runtime code (types only): the provider process stays lean.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
  AdoptionError,
  OwnershipError,
  TenantMismatchError,
  VerificationError,
  asUserError,
} from "../logic/errors";
import { readClaims } from "../logic/token-claims";
import { createLookup, resolveSettings } from "../config/settings";
import { pointsElsewhere, tenantSwitchMessage, type RecordedTenant, type TenantInUse } from "./tenant";
import { asConnectorInputs, checkInputs, describeValue } from "./check";
import {
  createBody,
  detailedDiff,
  diffConnector,
  driftedProperties,
  patchBody,
  versionReport,
  versionReportMessage,
  proposedWrites,
  type PropertyChangeKind,
} from "./diff";
import { importedInputs, toOutputs, withoutUndefined } from "./outputs";
import {
  displayNameKey,
  duplicateNameMessage,
  effectiveDeleteOnDestroy,
  hasConnected,
  idKey,
  ownershipAfterUpdate,
  namesakes,
  recordedOwnership,
} from "./ownership";
import { PROVIDER_KEY, RESOURCE_NAME_INPUT, UNKNOWN_VALUE, isGuid } from "./constants";
import { ConnectorInputs, ConnectorOutputs, GraphConnector } from "./definition";
import { ConnectorsApi, ConnectorsApiOptions } from "../graph/connectors";
import { recordIntent } from "./create-journal";
import { RetryOptions } from "../config/retry-options";
import type { Connection } from "../connection";

/** What the provider needs from the outside world; tests pass their own. */
export interface ProviderEnvironment {
  /** Process environment used for settings the stack config leaves out. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where warnings go (released connectors, reconciled creates). Default: stderr. */
  warn?: (message: string) => void;
  /** Overrides for timings of the connectors API (tests). */
  apiOptions?: ConnectorsApiOptions;
  /** Overrides for the retry budget, over what the settings say (tests, benchmarks). */
  retry?: Partial<RetryOptions>;
  /**
   * Read the tenant before each create, to refuse a duplicate display name and to reconcile a
   * lost POST only against connectors that are new. Default true; false exists only so that the
   * model-based tests can show they find what goes wrong without it.
   */
  preCreateRead?: boolean;
  /** Where the note of a POST in flight goes (see create-journal.ts). Default: the journal folder. */
  recordIntent?: typeof recordIntent;
  /**
   * Say each update's writes in a warning when diffing (`displayName "A" → "B"`), for a form whose
   * protocol carries no detailed diff to the engine: the dynamic provider's. Default false: the
   * plugin hands the engine the detailed diff instead.
   */
  announceWrites?: boolean;
  /**
   * Before its first write, how long the engine must have sent no check or diff, so that every
   * resource of the program has said which connector it manages and a second claim fails before
   * anything is written (`pulumi up --skip-preview`; a preview always checks all first). Default
   * 250 ms, waited at most eight times over.
   */
  claimsSettleMs?: number;
}

const DEFAULT_CLAIMS_SETTLE_MS = 250;

/** A diff as the engine takes it; `detailedDiff` is read by the plugin (the dynamic protocol drops it). */
export interface ConnectorDiffResult extends dynamic.DiffResult {
  detailedDiff: Record<string, PropertyChangeKind>;
}

/** A value in a sentence about a write: what preview cannot know yet is said so. */
function shown(value: unknown): string {
  return value === UNKNOWN_VALUE ? "(known after the update)" : describeValue(value);
}

export class DomainJoinConnectorProvider implements dynamic.ResourceProvider {
  private stackConfig: ((key: string) => string | undefined) | undefined;
  private connection: Connection | undefined;
  // One provider process serves every resource of a deployment, so it sees every claim. Ids this
  // deployment holds (created, adopted, read) are never another create's outcome; a connector (by
  // id, or by the name it is adopted by) and a display name being created have one owner each.
  private readonly held = new Set<string>();
  private readonly managers = new Map<string, string>();
  /** Connectors two resources claim: no write to them, for either, in this deployment. */
  private readonly contested = new Map<string, [first: string, second: string]>();
  private readonly creating = new Set<string>();
  /** When the engine last sent a check or diff, and whether the claims have settled since. */
  private lastClaimAt: number | undefined;
  private claimsSettled: Promise<void> | undefined;

  constructor(private readonly environment: ProviderEnvironment = {}) {}

  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    this.useConfig((key) => req.config.get(key));
  }

  /** Settings by full key (`intune:tenantId`): the stack's config, or an explicit provider's (plugin/). */
  useConfig(config: (key: string) => string | undefined): void {
    this.stackConfig = config;
    this.close();
  }

  /** Closes keep-alive connections and forgets cached tokens. */
  close(): void {
    this.connection?.close();
    this.connection = undefined;
  }

  /** The connection, built on first use from stack config and the environment. */
  connect(): Connection {
    // Loaded on first use: @azure/identity and the Graph pipeline are half of this module's load
    // time, and check and diff (all a preview asks) never reach Graph.
    const { connect } = require("../connection") as typeof import("../connection");
    this.connection ??= connect({
      config: this.stackConfig,
      env: this.environment.env,
      retry: this.environment.retry,
      apiOptions: this.environment.apiOptions,
    });
    return this.connection;
  }

  /**
   * Where the settings point, read without a request: the cloud, and the tenant as configured.
   * Undefined when they cannot be read; the first request then says why.
   */
  private configuredTenant(): TenantInUse | undefined {
    try {
      const settings = resolveSettings(createLookup(this.stackConfig, this.environment.env));
      return { cloud: settings.cloud, tenantId: settings.tenantId };
    } catch {
      return undefined;
    }
  }

  /** Refuses, before any request, a connector that state places in another tenant or cloud. */
  private guardTenant(operation: string, recorded: RecordedTenant): void {
    const now = this.configuredTenant();
    if (now && pointsElsewhere(recorded, now)) {
      throw new TenantMismatchError(tenantSwitchMessage(operation, recorded, now));
    }
  }

  /**
   * Where the connection reaches: the cloud, and the tenant its token was issued by (read from the
   * token, which every Graph call needs anyway: no Graph request). A connector that state places
   * elsewhere is refused before anything is read or written. A token that cannot be had is left to
   * the Graph call, which says why.
   */
  private async tenantReached(operation: string, recorded: RecordedTenant = {}): Promise<RecordedTenant> {
    this.guardTenant(operation, recorded);
    const { settings, tokens } = this.connect();
    const configured =
      settings.tenantId && isGuid(settings.tenantId) ? settings.tenantId.toLowerCase() : undefined;
    let tenantId = configured;
    try {
      tenantId = readClaims(await tokens.getToken())?.tid?.toLowerCase() ?? configured;
    } catch {
      // The Graph call that follows fails with the credential's error, naming its operation.
    }
    const reached = { cloud: settings.cloud, tenantId };
    if (pointsElsewhere(recorded, reached)) {
      throw new TenantMismatchError(tenantSwitchMessage(operation, recorded, reached));
    }
    return reached;
  }

  private warn(message: string): void {
    (this.environment.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`)))(message);
  }

  /**
   * Validates the inputs, and records which connector the resource manages: a second resource that
   * names the same one (its id in any letter case, or the same registered name) fails here, in
   * preview, naming both, before anything is written.
   */
  async check(
    _olds: Record<string, unknown>,
    news: Record<string, unknown>,
    resource?: string,
  ): Promise<dynamic.CheckResult> {
    const { inputs, failures } = checkInputs(news);
    if (failures.length) return { inputs: news, failures };
    // Told apart by name only: a resource's display name may change between its own calls.
    const name = resourceName(resource, news);
    if (name !== undefined) {
      this.lastClaimAt = Date.now();
      for (const [property, key] of managedKeys(inputs)) {
        const holder = this.manage(key, labelOf(name));
        if (holder) {
          const reason = `${property} ${describeValue(inputs[property])}: ${twoManagersMessage(holder, labelOf(name), key)}`;
          failures.push({ property, reason });
        }
      }
    }
    return failures.length ? { inputs: news, failures } : { inputs };
  }

  /**
   * Waits, before the first write of this process, until the engine has sent no check or diff for
   * a while: resources the program declares later may claim the connector this write is about.
   */
  private settleClaims(): Promise<void> {
    const quiet = this.environment.claimsSettleMs ?? DEFAULT_CLAIMS_SETTLE_MS;
    if (this.lastClaimAt === undefined || quiet <= 0) return Promise.resolve();
    this.claimsSettled ??= (async () => {
      const until = Date.now() + 8 * quiet;
      for (let since = Date.now() - this.lastClaimAt!; since < quiet && Date.now() < until;) {
        await new Promise((resolve) => setTimeout(resolve, quiet - since));
        since = Date.now() - this.lastClaimAt!;
      }
    })();
    return this.claimsSettled;
  }

  /**
   * Records that `who` manages the connector `key` names; returns the other resource that already
   * does. Then the connector is contested: neither resource may write to it in this deployment.
   */
  private manage(key: string, who: string): string | undefined {
    const holder = this.managers.get(key);
    if (holder !== undefined && holder !== who) {
      this.contested.set(key, [holder, who]);
      return holder;
    }
    this.managers.set(key, who);
    return undefined;
  }

  /** Throws, naming both resources, when the connector is contested (see manage). */
  private refuseContested(keys: string[], operation: string): void {
    for (const key of keys) {
      const both = this.contested.get(key);
      if (both) throw new OwnershipError(`${operation}: ${twoManagersMessage(both[0], both[1], key)}`);
    }
  }

  /** Throws, naming both resources, when another resource of the deployment manages the connector. */
  private manageOrThrow(key: string, who: string, operation: string): void {
    const holder = this.manage(key, who);
    if (holder) throw new OwnershipError(`${operation}: ${twoManagersMessage(holder, who, key)}`);
  }

  async diff(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    resource?: string,
  ): Promise<ConnectorDiffResult> {
    const recorded = olds as Partial<ConnectorOutputs>;
    const desired = news as Partial<ConnectorInputs>;
    const connectorDiff = diffConnector(recorded, desired);
    await asUserError(async () => {
      this.guardTenant(`connector ${id}`, recorded);
      // The connector this resource holds, as state says (it may have been adopted by name),
      // unless the resource is being replaced by one that names another.
      const name = resourceName(resource, news);
      if (name !== undefined) this.lastClaimAt = Date.now();
      if (name !== undefined && typeof recorded.connectorId === "string" && !connectorDiff.replaces.length) {
        this.manageOrThrow(`id:${idKey(recorded.connectorId)}`, labelOf(name), `connector ${id}`);
      }
    });
    const { changed, replaces } = connectorDiff;
    const report = replaces.length ? undefined : versionReport(recorded, desired.version);
    if (report) this.warn(versionReportMessage(id, recorded.displayName, report));
    const writes = proposedWrites(recorded, desired, connectorDiff);
    if (this.environment.announceWrites && writes.length) {
      this.warn(
        `connector ${id} (${describeValue(recorded.displayName)}) will be updated, from the tenant's values as of ` +
          `the last refresh to the stack's: ${writes.map((w) => `${w.property} ${shown(w.from)} → ${shown(w.to)}`).join(", ")}`,
      );
    }
    // A stack written by an older version stores another form of the provider (0.1 stored code).
    // Only an update rewrites the stored outputs, so report one: it makes no Graph request.
    const providerFormChanged =
      typeof olds[PROVIDER_KEY] === "string" &&
      typeof news[PROVIDER_KEY] === "string" &&
      olds[PROVIDER_KEY] !== news[PROVIDER_KEY];
    return {
      changes: changed.length > 0 || providerFormChanged,
      replaces,
      deleteBeforeReplace: false,
      detailedDiff: detailedDiff(recorded, connectorDiff),
    };
  }

  async create(inputs: Record<string, unknown>, resource?: string): Promise<dynamic.CreateResult> {
    return asUserError(async () => {
      const desired = asConnectorInputs(inputs);
      // Without a name (older callers), an adoption is told apart by the display name it declares.
      const name = resourceName(resource, inputs);
      const who = name !== undefined ? labelOf(name) : `displayName ${JSON.stringify(desired.displayName)}`;
      if (desired.registeredName !== undefined) {
        const key = `registered:${displayNameKey(desired.registeredName)}`;
        this.manageOrThrow(
          key,
          who,
          `adopt the connector registered as ${JSON.stringify(desired.registeredName)}`,
        );
      }
      const { api } = this.connect();
      const provider = inputs[PROVIDER_KEY];
      const tenant = await this.tenantReached("create connector");
      if (desired.connectorId !== undefined) return this.adopt(api, desired, provider, tenant, who);
      if (desired.registeredName !== undefined) {
        const connectorId = await this.findRegistered(api, desired.registeredName);
        return this.adopt(api, { ...desired, connectorId }, provider, tenant, who);
      }

      const body = createBody(desired);
      const before = await this.guardCreate(api, desired);
      // A note of the POST in flight, for the repair tool should this process be killed.
      const note = this.environment.recordIntent ?? recordIntent;
      const settled = before ? note(body, before, this.environment.env ?? process.env) : undefined;
      let created: { connector: GraphConnector; reconciled: boolean };
      try {
        await this.settleClaims();
        created = await api.create(body, { before, held: this.held });
      } catch (error) {
        this.creating.delete(displayNameKey(desired.displayName)); // nothing was made under the name
        settled?.();
        throw error;
      }
      settled?.(created.connector.id);
      const { connector, reconciled } = created;
      this.held.add(idKey(connector.id));
      if (reconciled) {
        this.warn(
          `create connector ${JSON.stringify(desired.displayName)}: the service's answer was lost; ` +
            `found the connector it created (${connector.id}) and took it instead of creating a second one`,
        );
      }
      const outs = toOutputs(connector, {
        adopted: false,
        deleteOnDestroy: effectiveDeleteOnDestroy(desired),
        ...tenant,
      });
      this.verifyApplied("create connector", desired, connector, outs, provider);
      return { id: connector.id, outs };
    });
  }

  /**
   * Before a POST: refuse a display name that the tenant or another create of this deployment
   * already has (unless allowed), and return the ids that existed, so that a lost POST is never
   * matched with a connector it did not make.
   */
  private async guardCreate(api: ConnectorsApi, desired: ConnectorInputs): Promise<Set<string> | undefined> {
    if (this.environment.preCreateRead === false) return undefined;
    const tenant = await api.listShared();
    const name = displayNameKey(desired.displayName);
    if (!desired.allowDuplicateDisplayName) {
      const existing = namesakes(tenant, desired.displayName);
      if (existing.length) throw new OwnershipError(duplicateNameMessage(desired.displayName, existing));
      if (this.creating.has(name)) {
        throw new OwnershipError(
          `create connector ${JSON.stringify(desired.displayName)}: another resource of this deployment ` +
            "creates a connector with the same display name. Give each connector its own name, or set " +
            "allowDuplicateDisplayName: true on both",
        );
      }
    }
    this.creating.add(name);
    return new Set(tenant.map((c) => idKey(c.id)));
  }

  /**
   * The id of the one connector the tenant holds under `name` (letter case and surrounding spaces
   * ignored, as the create guard compares names). Looked up at create only: the id then lives in
   * state, so a rename of the connector never loses it.
   */
  private async findRegistered(api: ConnectorsApi, name: string): Promise<string> {
    const operation = `adopt the connector registered as ${JSON.stringify(name)}`;
    const tenant = await api.listShared();
    const found = namesakes(tenant, name);
    if (found.length === 1) return found[0].id;
    const names = tenant.map((c) => JSON.stringify(c.displayName)).join(", ");
    throw new AdoptionError(
      found.length === 0
        ? `${operation}: the tenant has no connector with this display name (it has ${tenant.length}` +
            `${tenant.length ? `: ${names}` : ""}). Check registeredName, or adopt by id with connectorId`
        : `${operation}: ${found.length} connectors have this display name (${found.map((c) => c.id).join(", ")}). ` +
            `Adopt the right one by id instead: connectorId: "${found[0].id}"`,
    );
  }

  /**
   * Adopts an existing connector. Each resource is created at most once per deployment, so two
   * adoptions of one id in this process are two resources claiming one connector: the second
   * fails before any request. (The resource class refuses this earlier, in the program, by name.)
   */
  private async adopt(
    api: ConnectorsApi,
    desired: ConnectorInputs,
    provider: unknown,
    tenant: RecordedTenant,
    who: string,
  ): Promise<dynamic.CreateResult> {
    const id = desired.connectorId as string;
    const operation = `adopt connector ${id}`;
    const key = idKey(id);
    // By registered name, the id is known only now: it must be no other resource's either.
    this.manageOrThrow(`id:${key}`, who, operation);
    this.held.add(key);
    let connector: GraphConnector;
    try {
      const existing = await api.get(id, operation);
      if (!existing) {
        throw new AdoptionError(
          `${operation}: no connector with this id exists in the tenant (Graph answered 404). ` +
            "It may have been deleted or removed by Intune after 30 days inactive. Check connectorId, " +
            "or remove connectorId to create a new connector",
        );
      }
      const body = patchBody(desired, existing);
      if (body) {
        await this.settleClaims();
        // A resource declared later in the program may have claimed it meanwhile.
        const keys = [`id:${key}`];
        if (desired.registeredName !== undefined)
          keys.push(`registered:${displayNameKey(desired.registeredName)}`);
        this.refuseContested(keys, operation);
      }
      connector = body ? await api.update(id, body) : existing;
    } catch (error) {
      this.managers.delete(`id:${key}`); // nothing reaches state, so this attempt holds no claim
      throw error;
    }
    const report = versionReport(connector, desired.version);
    if (report) this.warn(versionReportMessage(connector.id, connector.displayName, report));
    const outs = toOutputs(connector, {
      adopted: true,
      deleteOnDestroy: effectiveDeleteOnDestroy(desired),
      registeredName: desired.registeredName,
      ...tenant,
    });
    this.verifyApplied(operation, desired, connector, outs, provider);
    return { id: connector.id, outs };
  }

  /**
   * After a create or adoption, the connector must have what was asked; otherwise fail naming
   * the property the service did not take. The connector exists, so the failure carries its id
   * and complete outputs — the serialized provider included, which Pulumi stores as given and
   * needs to load the provider again — so that refresh, up and destroy keep working.
   */
  private verifyApplied(
    operation: string,
    desired: ConnectorInputs,
    connector: GraphConnector,
    outs: ConnectorOutputs,
    provider: unknown,
  ): void {
    const message = notTakenMessage(operation, desired, connector);
    if (!message) return;
    throw Object.assign(new VerificationError(message), {
      id: connector.id,
      properties: { ...outs, [PROVIDER_KEY]: provider },
      reasons: [message],
    });
  }

  /**
   * Refresh; or, with no properties yet, an import (`pulumi import`, `DomainJoinConnector.get`):
   * an imported connector is adopted, so it is released on destroy unless asked, and its inputs
   * are the program that keeps it (IMPORTED_INPUTS: its display name and its id, as a program
   * adopting by `connectorId` declares it). An import of an id the tenant does not hold fails,
   * saying so; a refresh of one drops it from state.
   */
  async read(id: string, props: Record<string, unknown> = {}): Promise<dynamic.ReadResult> {
    return asUserError(async () => {
      const importing = props.connectorId === undefined;
      const recorded = props as Partial<ConnectorOutputs>;
      const tenant = await this.tenantReached(`${importing ? "import" : "read"} connector ${id}`, recorded);
      const { api, settings } = this.connect();
      // One GET each. A 404 is confirmed by the list before the resource leaves state: a transient
      // 404 (a replica behind) must not orphan a connector that the next up would then refuse to
      // recreate.
      const connector = (await api.get(id)) ?? (await api.list()).find((c) => idKey(c.id) === idKey(id));
      if (!connector && importing) {
        throw new AdoptionError(
          `import connector ${id}: no connector with this id exists in tenant ${settings.tenantId ?? "(the credential's default)"} ` +
            `(cloud ${settings.cloud}; Graph answered 404). Check the id (getConnectors lists the tenant's ` +
            "connectors) and the tenant the provider points at (intune:tenantId)",
        );
      }
      // Gone: an empty id tells Pulumi to drop the resource from state. Any other error throws,
      // so a transient failure never loses state.
      if (!connector) return { id: "" };
      this.held.add(idKey(connector.id));
      const ownership = {
        ...recordedOwnership(recorded),
        registeredName: recorded.registeredName,
        cloud: tenant.cloud,
        // A token that does not say its tenant never erases the one recorded.
        tenantId: tenant.tenantId ?? recorded.tenantId,
      };
      const outputs = toOutputs(connector, ownership);
      if (importing) return { id: connector.id, props: outputs, inputs: importedInputs(outputs) };
      return { id: connector.id, props: outputs };
    });
  }

  async update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    resource?: string,
  ): Promise<dynamic.UpdateResult> {
    return asUserError(async () => {
      const previous = olds as unknown as ConnectorOutputs;
      const desired = asConnectorInputs(news);
      const name = resourceName(resource, news);
      if (name !== undefined) this.manageOrThrow(`id:${idKey(id)}`, labelOf(name), `update connector ${id}`);
      const ownership = {
        ...ownershipAfterUpdate(previous, desired),
        registeredName: desired.registeredName ?? previous.registeredName,
      };
      const body = patchBody(desired, previous);
      // Nothing to write (only how the stack holds it changed): no request, the tenant as recorded.
      if (!body) {
        this.guardTenant(`update connector ${id}`, previous);
        return { outs: { ...withoutProvider(olds), ...withoutUndefined(ownership) } };
      }
      const tenant = await this.tenantReached(`update connector ${id}`, previous);
      await this.settleClaims();
      this.refuseContested([`id:${idKey(id)}`], `update connector ${id}`);
      const connector = await this.connect().api.update(id, body);
      const message = notTakenMessage(`update connector ${id}`, desired, connector);
      if (message) throw new VerificationError(message);
      return {
        outs: toOutputs(connector, {
          ...ownership,
          cloud: tenant.cloud,
          tenantId: tenant.tenantId ?? previous.tenantId,
        }),
      };
    });
  }

  async delete(id: string, props: Record<string, unknown>, resource?: string): Promise<void> {
    return asUserError(async () => {
      const outputs = props as Partial<ConnectorOutputs>;
      const ownership = recordedOwnership(outputs);
      // Handed over: another resource of this deployment manages the connector now (a program that
      // dropped this resource and adopts its connector in another): deleting it would take it away.
      // Only a named claim tells resources apart (an unnamed caller's is the resource itself).
      const manager = this.managers.get(`id:${idKey(id)}`);
      const named = manager?.startsWith("resource ") === true; // labelOf(name)
      if (ownership.deleteOnDestroy && named && manager !== (resource && labelOf(resource))) {
        this.warn(
          `connector ${id} (${JSON.stringify(outputs.displayName)}) was released, not deleted: ${manager} of ` +
            "this deployment manages it now",
        );
        return;
      }
      if (!ownership.deleteOnDestroy) {
        const why = ownership.adopted ? "it was adopted" : "deleteOnDestroy is false";
        this.warn(
          `connector ${id} (${JSON.stringify(outputs.displayName)}) was released, not deleted: ${why}, ` +
            `so it stays in Intune. Set deleteOnDestroy: true to delete it`,
        );
        return;
      }
      await this.tenantReached(`delete connector ${id}`, outputs);
      await this.settleClaims();
      await this.connect().api.delete(id);
      if (hasConnected(outputs) && outputs.state === "active")
        this.warn(deletedRegisteredMessage(id, outputs));
    });
  }
}

/**
 * After deleting a connector whose software checks in (active as of the last read): Intune's docs say such a connector
 * "can't be removed … through a graph API call" and that a server "only appears if it can
 * successfully communicate with the Intune service", so while the software runs it may come back
 * (the emulator's variant deleteRegistered "reappears").
 */
function deletedRegisteredMessage(id: string, outputs: Partial<ConnectorOutputs>): string {
  return (
    `connector ${id} (${describeValue(outputs.displayName)}) was deleted; it was active, its server last checking in at ` +
    `${outputs.lastConnectionDateTime}. While the Intune Connector for Active Directory runs there, Intune may list it ` +
    "again at its next check-in: uninstall the connector from the server to remove it for good"
  );
}

/** Names the managed properties the service did not take after a write; undefined when it took all. */
function notTakenMessage(
  operation: string,
  desired: ConnectorInputs,
  connector: GraphConnector,
): string | undefined {
  const missed = driftedProperties(desired, connector);
  if (missed.length === 0) return undefined;
  const details = missed
    .map((p) => `${p}: asked ${describeValue(desired[p])}, service has ${describeValue(connector[p])}`)
    .join("; ");
  return `${operation}: the service did not take ${missed.join(", ")} (${details})`;
}

function withoutProvider(props: Record<string, unknown>): Record<string, unknown> {
  const { [PROVIDER_KEY]: _provider, ...rest } = props;
  return rest;
}

/**
 * The dynamic provider of this process: the serialized shim delegates every call to it. Its
 * protocol carries no detailed diff, so it says each update's writes in a warning.
 */
export const provider = new DomainJoinConnectorProvider({ announceWrites: true });

/** The resource's name: from the call (the plugin, by its URN), or the TypeScript resource's input. */
function resourceName(resource: string | undefined, inputs: Record<string, unknown>): string | undefined {
  const name = resource ?? inputs[RESOURCE_NAME_INPUT];
  return typeof name === "string" ? name : undefined;
}

const labelOf = (name: string) => `resource ${JSON.stringify(name)}`;

/** The connectors a resource's inputs name: by id, and by the name it is adopted by. */
function managedKeys(inputs: Record<string, unknown>): [property: string, key: string][] {
  const keys: [string, string][] = [];
  const { connectorId, registeredName } = inputs;
  if (typeof connectorId === "string" && connectorId !== UNKNOWN_VALUE) {
    keys.push(["connectorId", `id:${idKey(connectorId)}`]);
  }
  if (typeof registeredName === "string" && registeredName !== UNKNOWN_VALUE) {
    keys.push(["registeredName", `registered:${displayNameKey(registeredName)}`]);
  }
  return keys;
}

/** Two resources, one connector: both named, and what to do. */
function twoManagersMessage(holder: string, who: string, key: string): string {
  const what = key.startsWith("registered:") ? "the connector registered under this name" : "this connector";
  return (
    `another resource of this deployment (${holder}) adopts ${what}, and this one (${who}) claims it too. ` +
    "A connector can have one resource only: remove one of them, or give it the id of another connector"
  );
}
