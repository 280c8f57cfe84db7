/**
 * Reading what the tenant holds, from a Pulumi program: the connectors, filtered, or the one with a
 * display name (to adopt by name). Dynamic providers have no invokes, so these are plain functions
 * on the provider's settings, credential and Graph client. They are the only part of the package
 * that makes Graph requests during a preview — one list page per 100 connectors per call — and
 * only when a program calls them.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigurationError, ConnectorLookupError, asUserError } from "../logic/errors";
import { ConnectorFilter, ConnectorInfo, filterProblems, matchesFilter, onlyNamed, toInfo } from "./filter";
import { GraphConnector } from "../connector/definition";

export type { ConnectorFilter, ConnectorInfo };
export { ConnectorLookupError };

export interface InventoryOptions {
  /** Stack config by full key (`intune:clientId`). Default: the running program's config. */
  config?: (key: string) => string | undefined;
  /** The environment settings fall back to. Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

async function listTenant(options: InventoryOptions): Promise<GraphConnector[]> {
  // Loaded on first use: a program that never looks the tenant up does not load the Graph client
  // and @azure/identity.
  const { connect } = require("../connection") as typeof import("../connection");
  const connection = connect({
    config: options.config ?? ((key) => pulumi.runtime.getConfig(key)),
    env: options.env,
  });
  try {
    return await connection.api.list();
  } finally {
    connection.close();
  }
}

/** The tenant's connectors that pass `filter` (all when none is given), in Graph's order. */
export function getConnectors(
  filter: ConnectorFilter = {},
  options: InventoryOptions = {},
): Promise<ConnectorInfo[]> {
  return asUserError(async () => {
    const problems = filterProblems(filter);
    if (problems.length) throw new ConfigurationError(`getConnectors: ${problems.join("; ")}`);
    return (await listTenant(options)).filter((c) => matchesFilter(c, filter)).map(toInfo);
  });
}

/** The one connector with exactly this display name; a ConnectorLookupError when none or several. */
export function getConnector(displayName: string, options: InventoryOptions = {}): Promise<ConnectorInfo> {
  return asUserError(async () => {
    if (typeof displayName !== "string" || displayName === "") {
      throw new ConfigurationError(
        `getConnector: displayName must be a non-empty string, got ${JSON.stringify(displayName)}`,
      );
    }
    const found = onlyNamed(await listTenant(options), displayName);
    if ("problem" in found) throw new ConnectorLookupError(`getConnector: ${found.problem}`);
    return toInfo(found.connector);
  });
}
