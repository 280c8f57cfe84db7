/**
 * The smallest useful stack: one connector, created and managed by Pulumi.
 * Connection settings come from stack config (`intune:*`) or the environment (see README.md).
 */
import * as pulumi from "@pulumi/pulumi";
import { DomainJoinConnector } from "pulumi-intune-domain-join";

const config = new pulumi.Config();

const connector = new DomainJoinConnector("branch-office", {
  displayName: config.get("displayName") ?? "ODJ Connector – Branch office",
});

export const connectorId = connector.connectorId;
export const state = connector.state;
export const lastConnectionDateTime = connector.lastConnectionDateTime;
