/**
 * The dynamic provider's behaviour: check, diff, create, read, update, delete. It joins the pure
 * logic (logic/) to the Graph client (graph/, auth/). This module is what the tiny serialized
 * shim in resource.ts requires at call time, so it is never serialized into state and may hold
 * per-process state: the configuration, the token cache and the shared rate limiter.
 *
 * It imports no Pulumi runtime code (types only): the provider process stays lean.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { AdoptionError, OwnershipError, VerificationError, asUserError } from "../logic/errors";
import { asConnectorInputs, checkInputs, describeValue } from "./check";
import { createBody, diffConnector, driftedProperties, patchBody } from "./diff";
import { importedInputs, toOutputs, withoutUndefined } from "./outputs";
import {
  displayNameKey,
  duplicateNameMessage,
  effectiveDeleteOnDestroy,
  idKey,
  ownershipAfterUpdate,
  namesakes,
  recordedOwnership,
} from "./ownership";
import { PROVIDER_KEY } from "./constants";
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
}

export class DomainJoinConnectorProvider implements dynamic.ResourceProvider {
  private stackConfig: ((key: string) => string | undefined) | undefined;
  private connection: Connection | undefined;
  // One provider process serves every resource of a deployment, so it sees every claim. Ids this
  // deployment holds (created, adopted, read) are never another create's outcome; an adopted id
  // and a display name being created have one owner each.
  private readonly held = new Set<string>();
  private readonly claims = new Map<string, string>();
  private readonly creating = new Set<string>();

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

  private warn(message: string): void {
    (this.environment.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`)))(message);
  }

  async check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.CheckResult> {
    const { inputs, failures } = checkInputs(news);
    return failures.length ? { inputs: news, failures } : { inputs };
  }

  async diff(
    _id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<dynamic.DiffResult> {
    const { changed, replaces } = diffConnector(
      olds as Partial<ConnectorOutputs>,
      news as Partial<ConnectorInputs>,
    );
    // A stack written by an older version stores another form of the provider (0.1 stored code).
    // Only an update rewrites the stored outputs, so report one: it makes no Graph request.
    const providerFormChanged =
      typeof olds[PROVIDER_KEY] === "string" &&
      typeof news[PROVIDER_KEY] === "string" &&
      olds[PROVIDER_KEY] !== news[PROVIDER_KEY];
    return { changes: changed.length > 0 || providerFormChanged, replaces, deleteBeforeReplace: false };
  }

  async create(inputs: Record<string, unknown>): Promise<dynamic.CreateResult> {
    return asUserError(async () => {
      const desired = asConnectorInputs(inputs);
      const { api } = this.connect();
      const provider = inputs[PROVIDER_KEY];
      if (desired.connectorId !== undefined) return this.adopt(api, desired, provider);
      if (desired.registeredName !== undefined) {
        const connectorId = await this.findRegistered(api, desired.registeredName);
        return this.adopt(api, { ...desired, connectorId }, provider);
      }

      const body = createBody(desired);
      const before = await this.guardCreate(api, desired);
      // A note of the POST in flight, for the repair tool should this process be killed.
      const note = this.environment.recordIntent ?? recordIntent;
      const settled = before ? note(body, before, this.environment.env ?? process.env) : undefined;
      let created: { connector: GraphConnector; reconciled: boolean };
      try {
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
  ): Promise<dynamic.CreateResult> {
    const id = desired.connectorId as string;
    const operation = `adopt connector ${id}`;
    const key = idKey(id);
    const owner = `displayName ${JSON.stringify(desired.displayName)}`;
    const holder = this.claims.get(key);
    if (holder !== undefined) {
      throw new OwnershipError(
        `${operation}: another resource of this deployment (${holder}) adopts this connector, and ` +
          `this one (${owner}) claims it too. A connector can have one resource only: remove one ` +
          "of them, or give it the id of another connector",
      );
    }
    this.claims.set(key, owner);
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
      connector = body ? await api.update(id, body) : existing;
    } catch (error) {
      this.claims.delete(key); // nothing reaches state, so this attempt holds no claim
      throw error;
    }
    const outs = toOutputs(connector, {
      adopted: true,
      deleteOnDestroy: effectiveDeleteOnDestroy(desired),
      registeredName: desired.registeredName,
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
      const recorded = props as Partial<ConnectorOutputs>;
      const ownership = { ...recordedOwnership(recorded), registeredName: recorded.registeredName };
      const outputs = toOutputs(connector, ownership);
      if (importing) return { id: connector.id, props: outputs, inputs: importedInputs(outputs) };
      return { id: connector.id, props: outputs };
    });
  }

  async update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<dynamic.UpdateResult> {
    return asUserError(async () => {
      const previous = olds as unknown as ConnectorOutputs;
      const desired = asConnectorInputs(news);
      const ownership = {
        ...ownershipAfterUpdate(previous, desired),
        registeredName: desired.registeredName ?? previous.registeredName,
      };
      const body = patchBody(desired, previous);
      if (!body) return { outs: { ...withoutProvider(olds), ...withoutUndefined(ownership) } };
      const connector = await this.connect().api.update(id, body);
      const message = notTakenMessage(`update connector ${id}`, desired, connector);
      if (message) throw new VerificationError(message);
      return { outs: toOutputs(connector, ownership) };
    });
  }

  async delete(id: string, props: Record<string, unknown>): Promise<void> {
    return asUserError(async () => {
      const outputs = props as Partial<ConnectorOutputs>;
      const ownership = recordedOwnership(outputs);
      if (!ownership.deleteOnDestroy) {
        const why = ownership.adopted ? "it was adopted" : "deleteOnDestroy is false";
        this.warn(
          `connector ${id} (${JSON.stringify(outputs.displayName)}) was released, not deleted: ${why}, ` +
            `so it stays in Intune. Set deleteOnDestroy: true to delete it`,
        );
        return;
      }
      await this.connect().api.delete(id);
    });
  }
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

/** The provider of this process: the serialized shim delegates every call to it. */
export const provider = new DomainJoinConnectorProvider();
