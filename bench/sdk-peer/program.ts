/**
 * The peer's Pulumi program: the same stack config as the root stack
 * (`intune-connectors:connectors`), one SDK-based dynamic resource per entry.
 */
import * as pulumi from "@pulumi/pulumi";
import { connectorEntries } from "../peer-config";
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

export const connectors = connectorEntries().map(({ name, ...args }) => new SdkConnector(name, args).id);
