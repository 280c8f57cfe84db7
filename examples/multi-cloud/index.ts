/**
 * National clouds: the same resource in a US Government (GCC High) tenant. The cloud is a
 * provider setting, not code: `intune:cloud` picks login (login.microsoftonline.us), Graph
 * (graph.microsoft.us) and the token scope together, since tokens never cross clouds.
 *
 *   pulumi config set intune:cloud usgov        # or usgovdod, china; global is the default
 */
import * as pulumi from "@pulumi/pulumi";
import { CLOUDS, CloudName, DomainJoinConnector } from "pulumi-intune-domain-join";

const intune = new pulumi.Config("intune");
const cloud = (intune.get("cloud") ?? "usgov") as CloudName;

const connector = new DomainJoinConnector("gcc-high", {
  displayName: new pulumi.Config().get("displayName") ?? "ODJ Connector – GCC High",
});

export const graphEndpoint = CLOUDS[cloud]?.graphEndpoint;
export const connectorId = connector.connectorId;
export const state = connector.state;
