/** The connectors a peer's program declares: the root stack's config key, `intune-connectors:connectors`. */
import * as pulumi from "@pulumi/pulumi";

export interface ConnectorEntry {
  name: string;
  displayName: string;
  version?: string;
  state?: string;
}

export function connectorEntries(): ConnectorEntry[] {
  return new pulumi.Config().requireObject<ConnectorEntry[]>("connectors");
}
