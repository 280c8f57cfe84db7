/**
 * Adopt connectors that the Intune Connector for Active Directory registered: Pulumi names them
 * and reports their state, and releases them (leaves them in Intune) when the stack lets go.
 *
 * By id:
 *   pulumi config set connectorId 8c39f54e-6512-4a2f-bd3a-2cb66d02f722
 * or by the name it registered under (looked up once, when the resource is created; its id is
 * then kept in state, so the rename below never loses it):
 *   pulumi config set registeredName ODJ-HQ-SRV01
 * and the name it should bear:
 *   pulumi config set displayName "ODJ Connector – Headquarters"
 */
import * as pulumi from "@pulumi/pulumi";
import { DomainJoinConnector } from "pulumi-intune-domain-join";

const config = new pulumi.Config();
const registeredName = config.get("registeredName");

const headquarters = new DomainJoinConnector("headquarters", {
  ...(registeredName ? { registeredName } : { connectorId: config.require("connectorId") }),
  displayName: config.require("displayName"),
  // Released, not deleted, on destroy (the default for adopted connectors); say true to delete.
  deleteOnDestroy: config.getBoolean("deleteOnDestroy") ?? false,
});

export const connectorId = headquarters.connectorId;
export const state = headquarters.state;
export const version = headquarters.version;
export const lastConnectionDateTime = headquarters.lastConnectionDateTime;
