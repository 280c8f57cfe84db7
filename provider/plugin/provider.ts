/**
 * The `intune` package's resource provider: what the plugin (main.ts) serves to the engine for
 * programs in any Pulumi language. Each method hands the work to the dynamic provider's own
 * implementation (connector/provider.ts), so both forms run the same checks, diff, ownership and
 * recovery rules and Graph code; this file only translates between the engine's calls and it.
 */
import type * as provider from "@pulumi/pulumi/provider";
import { AsyncLocalStorage } from "node:async_hooks";
import {
  DomainJoinConnectorProvider,
  type ConnectorDiffResult,
  type ProviderEnvironment,
} from "../connector/provider";
import type { ConnectorFilter } from "../inventory/lookup";
import type { Connection } from "../connection";
import { ConfigurationError, asUserError } from "../logic/errors";
import { withoutUndefined } from "../connector/outputs";
import { ignoredInputWarnings } from "../connector/check";
import { PLUGIN_RESOURCE_TYPE } from "../connector/constants";
import { packageInfo } from "../version";
import { GET_CONNECTOR, GET_CONNECTORS, PACKAGE_NAME, packageSchema } from "./schema";
import { stderrWarnings, type WarningSink } from "./engine-log";

/** Provider settings as the engine sends them: `intune:tenantId` (or, from older engines, `intune:config:tenantId`). */
export function configLookup(variables: Record<string, string>): (key: string) => string | undefined {
  const settings = new Map<string, string>();
  for (const [key, value] of Object.entries(variables)) {
    const [pkg, ...rest] = key.split(":");
    if (pkg !== PACKAGE_NAME) continue;
    const name = rest[0] === "config" && rest.length === 2 ? rest[1] : rest.join(":");
    settings.set(`${PACKAGE_NAME}:${name}`, value);
  }
  return (key) => settings.get(key);
}

/** The resource's name, the last part of its URN. */
function resourceNameOf(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

function isConnector(urn: string): boolean {
  // urn:pulumi:stack::project::[parent$]type::name
  const type = urn.split("::")[2]?.split("$").pop();
  return type === PLUGIN_RESOURCE_TYPE;
}

export interface PluginOptions {
  /** What the dynamic provider's implementation needs from the outside world (tests pass their own). */
  environment?: ProviderEnvironment;
  /** Where warnings go (a released connector, a reconciled create). Default: stderr. */
  warnings?: WarningSink;
}

/** The call in progress: its resource, and the warnings it sent that the engine must have before it returns. */
interface CallContext {
  urn?: string;
  sent: Promise<void>[];
}

export class IntunePluginProvider implements provider.Provider {
  readonly version = packageInfo().version;
  private readonly connectors: DomainJoinConnectorProvider;
  private readonly environment: ProviderEnvironment;
  private readonly warnings: WarningSink;
  private readonly calls = new AsyncLocalStorage<CallContext>();
  private config: (key: string) => string | undefined = () => undefined;

  constructor(options: PluginOptions = {}) {
    this.warnings = options.warnings ?? stderrWarnings;
    this.environment = options.environment ?? {};
    this.connectors = new DomainJoinConnectorProvider({
      ...this.environment,
      // Each warning goes out with the resource of the call that raised it, concurrent calls apart.
      warn: (message) => this.warnAbout(message),
    });
  }

  /** Runs one of the engine's calls about `urn`, returning once its warnings are delivered. */
  private async forResource<T>(urn: string, work: () => Promise<T>): Promise<T> {
    return asUserError(async () => {
      if (!isConnector(urn)) {
        throw new ConfigurationError(`the intune plugin has no resource of the type in ${urn}`);
      }
      const call: CallContext = { urn, sent: [] };
      try {
        return await this.calls.run(call, work);
      } finally {
        await Promise.all(call.sent);
      }
    });
  }

  /** A warning about the call in progress, delivered before the call returns. */
  private warnAbout(message: string): void {
    const call = this.calls.getStore();
    const sent = this.warnings(message, call?.urn);
    call?.sent.push(sent);
  }

  /** The connection to Graph, built on first use from the provider's config (for tests and tools). */
  connection(): Connection {
    return this.connectors.connect();
  }

  async getSchema(): Promise<string> {
    return JSON.stringify(packageSchema(this.version));
  }

  /** The provider's settings, from the stack's `intune:` config or an explicit provider's arguments. */
  configure(variables: Record<string, string>): void {
    this.config = configLookup(variables);
    this.connectors.useConfig(this.config);
  }

  async check(
    urn: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<provider.CheckResult> {
    return this.forResource(urn, async () => {
      const result = await this.connectors.check(olds, news, resourceNameOf(urn));
      // The TypeScript resource says this in the program; here the engine shows it on the resource.
      if (!result.failures?.length) for (const warning of ignoredInputWarnings(news)) this.warnAbout(warning);
      return result;
    });
  }

  async diff(
    id: string,
    urn: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<ConnectorDiffResult> {
    return this.forResource(urn, () => this.connectors.diff(id, olds, news, resourceNameOf(urn)));
  }

  async create(urn: string, inputs: Record<string, unknown>): Promise<provider.CreateResult> {
    return this.forResource(urn, async () => {
      try {
        return await this.connectors.create(inputs, resourceNameOf(urn));
      } catch (error) {
        // A connector made but not as asked (VerificationError) carries its outputs for the state.
        const made = error as { properties?: Record<string, unknown> };
        if (made.properties) made.properties = withoutUndefined(made.properties);
        throw error;
      }
    });
  }

  /** Refresh, or `pulumi import` (no properties yet): the connector's provider says which. */
  async read(id: string, urn: string, props: Record<string, unknown> = {}): Promise<provider.ReadResult> {
    return this.forResource(urn, () => this.connectors.read(id, props));
  }

  async update(
    id: string,
    urn: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<provider.UpdateResult> {
    return this.forResource(urn, () => this.connectors.update(id, olds, news, resourceNameOf(urn)));
  }

  async delete(id: string, urn: string, props: Record<string, unknown>): Promise<void> {
    return this.forResource(urn, () => this.connectors.delete(id, props, resourceNameOf(urn)));
  }

  async invoke(token: string, inputs: Record<string, unknown>): Promise<provider.InvokeResult> {
    return asUserError(async () => {
      // Loaded on first use: it brings the whole @pulumi/pulumi SDK, which a plugin that is never
      // asked to look the tenant up need not load (about half of its start time).
      const { getConnector, getConnectors } =
        require("../inventory/lookup") as typeof import("../inventory/lookup");
      const options = { config: this.config, env: this.environment.env };
      if (token === GET_CONNECTOR) {
        return { outputs: await getConnector(inputs.displayName as string, options) };
      }
      if (token === GET_CONNECTORS) {
        const filter = filterOf(inputs);
        return { outputs: { connectors: await getConnectors(filter, options) } };
      }
      throw new ConfigurationError(`the intune plugin has no function ${token}`);
    });
  }
}

/** getConnectors' flat arguments (every language can pass them) as the inventory's filter. */
function filterOf(inputs: Record<string, unknown>): ConnectorFilter {
  const { displayName, displayNamePrefix, states, minVersion, maxVersion } = inputs as {
    displayName?: string;
    displayNamePrefix?: string;
    states?: ConnectorFilter["state"];
    minVersion?: string;
    maxVersion?: string;
  };
  if (displayName !== undefined && displayNamePrefix !== undefined) {
    throw new ConfigurationError(
      `getConnectors: give displayName (${JSON.stringify(displayName)}) or displayNamePrefix ` +
        `(${JSON.stringify(displayNamePrefix)}), not both`,
    );
  }
  // An absent filter is undefined, which the inventory reads as no filter.
  return {
    displayName: displayNamePrefix !== undefined ? { prefix: displayNamePrefix } : displayName,
    state: states,
    minVersion,
    maxVersion,
  };
}
