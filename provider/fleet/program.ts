/**
 * The Pulumi program of the root stack (`Pulumi.yaml` at the top of the repository) and of every
 * stack `intune-fleet` drives: the connectors listed in the stack's config, and their health.
 *
 *   config:
 *     <project>:connectors:
 *       - connectorId: 8c39f54e-6512-4a2f-bd3a-2cb66d02f722   # adopt a registered connector
 *         displayName: ODJ Connector – Headquarters
 *       - name: branch-office                                  # create one
 *         displayName: ODJ Connector – Branch office
 *     <project>:health:                                        # optional: the health rules' options
 *       domains:
 *         corp.contoso.com: [ODJ Connector – Headquarters, ODJ Connector – Branch office]
 *
 * Connection settings (tenant, app, cloud) are the provider's `intune:` keys. It ships in the
 * package (`dist/fleet/program.js`), so `intune-fleet` runs it from an install: each tenant's
 * project file names this file as its `main`.
 */
import * as pulumi from "@pulumi/pulumi";
import { DomainJoinConnector } from "../connector/resource";
import { OUTPUT_PROPERTIES } from "../connector/definition";
import { connectorFromOutputs } from "../connector/outputs";
import { fleetHealth } from "../health/rules";
import { CONNECTOR_OUTPUT_FIELDS, StackConfigError, parseConnectorEntries } from "./connector-entries";
import { healthOutput, parseHealthConfig } from "./health-config";

const config = new pulumi.Config();

let entries;
let healthOptions;
try {
  entries = parseConnectorEntries(config.getObject<unknown>("connectors"));
  healthOptions = parseHealthConfig(config.getObject<unknown>("health"));
} catch (error) {
  // A RunError is shown as its message alone, without a stack trace.
  if (error instanceof StackConfigError) throw new pulumi.RunError(`${pulumi.getProject()}:${error.message}`);
  throw error;
}

const resources = entries.map(({ name, ...args }) => ({
  name,
  connector: new DomainJoinConnector(name, args as never),
}));

/** Each connector's id, display name, state and last contact, by logical name. */
export const connectors = Object.fromEntries(
  resources.map(({ name, connector }) => [
    name,
    Object.fromEntries(
      Object.entries(CONNECTOR_OUTPUT_FIELDS).map(([field, output]) => [field, connector[output]]),
    ),
  ]),
);

/**
 * The stack's connectors judged by the health rules (version, state, last contact, enough healthy
 * ones in each domain of the `health` config, or in all; see `intune-health` for the whole
 * tenant). Read from the outputs above: no extra request. Per connector, only the rules it
 * breaks, so the output changes when health does, not every run.
 */
export const health = pulumi
  .all(
    resources.map(({ name, connector }) =>
      pulumi.all([name, pulumi.output(Object.fromEntries(OUTPUT_PROPERTIES.map((p) => [p, connector[p]])))]),
    ),
  )
  .apply((rows) => {
    const judged = rows.flatMap(([name, outputs]) => {
      const connector = connectorFromOutputs(outputs);
      return connector ? [{ name, connector }] : [];
    });
    const fleet = fleetHealth(
      judged.map((j) => j.connector),
      Date.now(),
      healthOptions,
    );
    return healthOutput(
      fleet,
      judged.map((j) => j.name),
    );
  });
