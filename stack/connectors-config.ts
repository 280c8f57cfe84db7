/**
 * The root stack's configuration: the list of connectors in stack config. Its rules live with the
 * program the root stack and `intune-fleet` share (provider/fleet/connector-entries.ts).
 */
export {
  StackConfigError,
  parseConnectorEntries,
} from "pulumi-intune-domain-join/internal/fleet/connector-entries";
export type { ConnectorEntry } from "pulumi-intune-domain-join/internal/fleet/connector-entries";
