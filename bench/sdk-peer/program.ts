/**
 * The peer's Pulumi program: the same stack config as the root stack
 * (`intune-connectors:connectors`), one SDK-based dynamic resource per entry.
 */
import * as pulumi from "@pulumi/pulumi";
import { sdkProvider } from "./provider";

class SdkConnector extends pulumi.dynamic.Resource {
  constructor(name: string, args: Record<string, unknown>) {
    super(
      sdkProvider,
      name,
      { ...args, connectorId: undefined, lastConnectionDateTime: undefined },
      {},
      "sdk",
      "Connector",
    );
  }
}

interface Entry {
  name: string;
  displayName: string;
  version?: string;
  state?: string;
}

const entries = new pulumi.Config().requireObject<Entry[]>("connectors");
export const connectors = entries.map(({ name, ...args }) => new SdkConnector(name, args).id);
