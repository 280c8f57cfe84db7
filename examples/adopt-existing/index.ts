/**
 * Adopt connectors that the Intune Connector for Active Directory registered: Pulumi names them
 * and reports their state, and releases them (leaves them in Intune) when the stack lets go.
 *
 *   pulumi config set connectorId 8c39f54e-6512-4a2f-bd3a-2cb66d02f722
 *   pulumi config set displayName "ODJ Connector – Headquarters"
 */
import * as pulumi from "@pulumi/pulumi";
import { DomainJoinConnector } from "pulumi-intune-domain-join";

const config = new pulumi.Config();

const headquarters = new DomainJoinConnector("headquarters", {
  connectorId: config.require("connectorId"),
  displayName: config.require("displayName"),
  // Released, not deleted, on destroy (the default for adopted connectors); say true to delete.
  deleteOnDestroy: config.getBoolean("deleteOnDestroy") ?? false,
});

export const connectorId = headquarters.connectorId;
export const state = headquarters.state;
export const version = headquarters.version;
export const lastConnectionDateTime = headquarters.lastConnectionDateTime;
