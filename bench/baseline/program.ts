/**
 * The baseline's Pulumi program: the same stack config as the root stack
 * (`intune-connectors:connectors`), one naive dynamic resource per entry.
 */
import * as pulumi from "@pulumi/pulumi";
import { naiveProvider } from "./provider";

class NaiveConnector extends pulumi.dynamic.Resource {
  constructor(name: string, args: Record<string, unknown>) {
    super(naiveProvider, name, { ...args, connectorId: undefined }, {}, "naive", "Connector");
  }
}

interface Entry {
  name: string;
  displayName: string;
  version?: string;
  state?: string;
}

const entries = new pulumi.Config().requireObject<Entry[]>("connectors");
export const connectors = entries.map(({ name, ...args }) => new NaiveConnector(name, args).id);
