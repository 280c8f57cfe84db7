/**
 * The baseline's Pulumi program: the same stack config as the root stack
 * (`intune-connectors:connectors`), one naive dynamic resource per entry.
 */
import * as pulumi from "@pulumi/pulumi";
import { connectorEntries } from "../peer-config";
import { naiveProvider } from "./provider";

class NaiveConnector extends pulumi.dynamic.Resource {
  constructor(name: string, args: Record<string, unknown>) {
    super(naiveProvider, name, { ...args, connectorId: undefined }, {}, "naive", "Connector");
  }
}

export const connectors = connectorEntries().map(({ name, ...args }) => new NaiveConnector(name, args).id);
