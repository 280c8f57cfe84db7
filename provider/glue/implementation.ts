/**
 * The dynamic provider's behaviour: check, diff, create, read, update, delete. It joins the pure
 * logic (logic/) to the Graph client (graph/, auth/). This module is what the tiny serialized
 * shim in resource.ts requires at call time, so it is never serialized into state and may hold
 * per-process state: the configuration, the token cache and the shared rate limiter.
 *
 * It imports no Pulumi runtime code (types only): the provider process stays lean.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { asConnectorInputs, checkInputs, describeValue } from "../logic/check";
import { diffConnector, driftedProperties, effectiveDeleteOnDestroy, patchBody } from "../logic/diff";
import {
  CONNECTOR_ODATA_TYPE,
  ConnectorInputs,
  ConnectorOutputs,
  GraphConnector,
  PROVIDER_KEY,
} from "../logic/schema";
import { GraphClient } from "../graph/client";
import { ConnectorsApi, CreateBody } from "../graph/connectors";
import { coalescerFor, coalescingEnabled } from "../graph/read-coalescer";
import { RequestLimiter } from "../graph/limiter";
import { RetryOptions } from "../graph/retryPolicy";
import { createDebugLogger } from "../graph/logging";
import { CredentialTokenSource, chooseAuthMethod, createCredential } from "../auth/credential";
import { SettingLookup, createLookup, readSecrets, resolveSettings, secretValues } from "../auth/settings";
import { packageInfo } from "../version";

/** What the provider needs from the outside world; tests pass their own. */
export interface ProviderEnvironment {
  /** Process environment used for settings the stack config leaves out. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where warnings go (released connectors, reconciled creates). Default: stderr. */
  warn?: (message: string) => void;
  /** Overrides for timings of the connectors API (tests). */
  apiOptions?: ConstructorParameters<typeof ConnectorsApi>[1];
  /** Overrides for the retry budget, over what the settings say (tests, benchmarks). */
  retry?: Partial<RetryOptions>;
}

interface Connection {
  api: ConnectorsApi;
  tokens: CredentialTokenSource;
  client: GraphClient;
}

// One limiter per app, tenant and Graph origin, shared by every resource in this process.
const sharedLimiters = new Map<string, RequestLimiter>();

/** Errors raised for a person to read; their stack trace would only hide the message. */
function userFacing(error: unknown): unknown {
  if (error instanceof Error && error.name !== "Error" && error.name !== "TypeError") error.stack = "";
  return error;
}

async function reported<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw userFacing(error);
  }
}

export class DomainJoinConnectorProvider implements dynamic.ResourceProvider {
  private stackConfig: ((key: string) => string | undefined) | undefined;
  private connection: Connection | undefined;

  constructor(private readonly environment: ProviderEnvironment = {}) {}

  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    this.stackConfig = (key) => req.config.get(key);
    this.close();
  }

  /** Closes keep-alive connections and forgets cached tokens. */
  close(): void {
    this.connection?.client.close();
    this.connection = undefined;
  }

  /** The connection, built on first use from stack config and the environment. */
  connect(): Connection {
    if (this.connection) return this.connection;
    const lookup: SettingLookup = createLookup(this.stackConfig, this.environment.env ?? process.env);
    const settings = resolveSettings(lookup);
    const method = chooseAuthMethod(settings, readSecrets(lookup), this.environment.env ?? process.env);
    const tokens = new CredentialTokenSource(
      // Secrets are read here, when the credential is built, and handed straight to it.
      () => createCredential(settings, readSecrets(lookup), method, lookup),
      settings.scope,
      `${method}, tenant ${settings.tenantId ?? "(default)"}, client ${settings.clientId ?? "(default)"}, authority ${settings.authorityHost}`,
      () => secretValues(readSecrets(lookup)),
    );
    const limiterKey = `${settings.tenantId}|${settings.clientId}|${settings.graphEndpoint}`;
    let limiter = sharedLimiters.get(limiterKey);
    if (!limiter) {
      limiter = new RequestLimiter(settings.limits);
      sharedLimiters.set(limiterKey, limiter);
    }
    const info = packageInfo();
    const client = new GraphClient({
      endpoint: settings.graphEndpoint,
      tokens,
      retry: { ...settings.retry, ...this.environment.retry },
      limiter,
      userAgent: `${info.name}/${info.version} (node ${process.version}; ${process.platform})`,
      logger: createDebugLogger(this.environment.env ?? process.env),
    });
    this.connection = { api: new ConnectorsApi(client, this.environment.apiOptions), tokens, client };
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
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
  }

  async create(inputs: Record<string, unknown>): Promise<dynamic.CreateResult> {
    return reported(async () => {
      const desired = asConnectorInputs(inputs);
      const { api } = this.connect();
      if (desired.connectorId !== undefined) return this.adopt(api, desired);

      const body: CreateBody = { "@odata.type": CONNECTOR_ODATA_TYPE, displayName: desired.displayName };
      if (desired.version !== undefined) body.version = desired.version;
      if (desired.state !== undefined) body.state = desired.state;
      const { connector, reconciled } = await api.create(body);
      if (reconciled) {
        this.warn(
          `create connector ${JSON.stringify(desired.displayName)}: the service's answer was lost; ` +
            `found the connector it created (${connector.id}) and took it instead of creating a second one`,
        );
      }
      const outs = toOutputs(connector, false, effectiveDeleteOnDestroy(desired));
      this.verifyApplied("create connector", desired, connector, outs);
      return { id: connector.id, outs };
    });
  }

  private async adopt(api: ConnectorsApi, desired: ConnectorInputs): Promise<dynamic.CreateResult> {
    const id = desired.connectorId as string;
    const existing = await api.get(id, `adopt connector ${id}`);
    if (!existing) {
      throw new AdoptionError(
        `adopt connector ${id}: no connector with this id exists in the tenant (Graph answered 404). ` +
          "It may have been deleted or removed by Intune after 30 days inactive. Check connectorId, " +
          "or remove connectorId to create a new connector",
      );
    }
    const body = patchBody(desired, existing);
    const connector = body ? await api.update(id, body) : existing;
    const outs = toOutputs(connector, true, effectiveDeleteOnDestroy(desired));
    this.verifyApplied(`adopt connector ${id}`, desired, connector, outs);
    return { id: connector.id, outs };
  }

  /**
   * After a write, the connector must have what was asked; otherwise fail naming the property
   * the service did not take. On create the connector exists, so the failure carries its id and
   * outputs: Pulumi keeps it in state instead of losing track of it.
   */
  private verifyApplied(
    operation: string,
    desired: ConnectorInputs,
    connector: GraphConnector,
    outs: ConnectorOutputs,
  ): void {
    const missed = driftedProperties(desired, connector);
    if (missed.length === 0) return;
    const details = missed
      .map((p) => `${p}: asked ${describeValue(desired[p])}, service has ${describeValue(connector[p])}`)
      .join("; ");
    const message = `${operation}: the service did not take ${missed.join(", ")} (${details})`;
    throw Object.assign(new VerificationError(message), {
      id: connector.id,
      properties: outs,
      reasons: [message],
    });
  }

  async read(id: string, props: Record<string, unknown>): Promise<dynamic.ReadResult> {
    return reported(async () => {
      const { api } = this.connect();
      // One GET each. With INTUNE_READ_COALESCING=1, concurrent reads (a refresh) share one paged
      // list instead, a connector missing from it confirmed by its own GET (see read-coalescer.ts).
      const connector = coalescingEnabled(this.environment.env ?? process.env)
        ? await coalescerFor(api).read(id)
        : await api.get(id);
      // Gone: an empty id tells Pulumi to drop the resource from state. Any other error throws,
      // so a transient failure never loses state.
      if (!connector) return { id: "" };
      const previous = props as Partial<ConnectorOutputs>;
      const adopted = previous.adopted ?? previous.displayName === undefined;
      const outs = toOutputs(connector, adopted, previous.deleteOnDestroy ?? !adopted);
      return { id: connector.id, props: outs };
    });
  }

  async update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<dynamic.UpdateResult> {
    return reported(async () => {
      const previous = olds as unknown as ConnectorOutputs;
      const desired = asConnectorInputs(news);
      const deleteOnDestroy = desired.deleteOnDestroy ?? !previous.adopted;
      const body = patchBody(desired, previous);
      if (!body) return { outs: { ...withoutProvider(olds), deleteOnDestroy } };
      const connector = await this.connect().api.update(id, body);
      const missed = driftedProperties(desired, connector);
      if (missed.length) {
        const details = missed
          .map((p) => `${p}: asked ${describeValue(desired[p])}, service has ${describeValue(connector[p])}`)
          .join("; ");
        throw new VerificationError(
          `update connector ${id}: the service did not take ${missed.join(", ")} (${details})`,
        );
      }
      return { outs: toOutputs(connector, previous.adopted ?? false, deleteOnDestroy) };
    });
  }

  async delete(id: string, props: Record<string, unknown>): Promise<void> {
    return reported(async () => {
      const outputs = props as Partial<ConnectorOutputs>;
      const deleteIt = outputs.deleteOnDestroy ?? !outputs.adopted;
      if (!deleteIt) {
        this.warn(
          `connector ${id} (${JSON.stringify(outputs.displayName)}) was released, not deleted: it was adopted, ` +
            "so it stays in Intune. Set deleteOnDestroy: true to delete adopted connectors",
        );
        return;
      }
      await this.connect().api.delete(id);
    });
  }
}

export class AdoptionError extends Error {
  override readonly name = "AdoptionError";
}

export class VerificationError extends Error {
  override readonly name = "VerificationError";
}

function withoutProvider(props: Record<string, unknown>): Record<string, unknown> {
  const { [PROVIDER_KEY]: _provider, ...rest } = props;
  return rest;
}

/** The outputs stored in state; absent values are null, since state cannot hold undefined. */
export function toOutputs(
  connector: GraphConnector,
  adopted: boolean,
  deleteOnDestroy: boolean,
): ConnectorOutputs {
  return {
    connectorId: connector.id,
    displayName: connector.displayName,
    version: connector.version ?? null,
    state: connector.state ?? null,
    lastConnectionDateTime: connector.lastConnectionDateTime ?? null,
    adopted,
    deleteOnDestroy,
  };
}

/** The provider of this process: the serialized shim delegates every call to it. */
export const provider = new DomainJoinConnectorProvider();
