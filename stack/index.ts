/**
 * The root stack: Intune domain join connectors declared in stack config, so an admin manages
 * them without writing code.
 *
 *   config:
 *     intune-connectors:connectors:
 *       - connectorId: 8c39f54e-6512-4a2f-bd3a-2cb66d02f722   # adopt a registered connector
 *         displayName: ODJ Connector – Headquarters
 *       - name: branch-office                                  # create one
 *         displayName: ODJ Connector – Branch office
 *     intune-connectors:health:                                # optional: the health rules' options
 *       domains:
 *         corp.contoso.com: [ODJ Connector – Headquarters, ODJ Connector – Branch office]
 *
 * Connection settings (tenant, app, cloud) are the provider's `intune:` keys; see the README.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  DomainJoinConnector,
  OUTPUT_PROPERTIES,
  connectorFromOutputs,
  fleetHealth,
} from "pulumi-intune-domain-join";
import { StackConfigError, parseConnectorEntries } from "./connectors-config";
import { healthOutput, parseHealthConfig } from "./health";

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
    {
      id: connector.connectorId,
      displayName: connector.displayName,
      state: connector.state,
      lastConnectionDateTime: connector.lastConnectionDateTime,
    },
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
