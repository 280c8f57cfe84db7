/**
 * The root stack: Intune domain join connectors declared in stack config, so an admin manages
 * them without writing code.
 *
 *   config:
 *     intune-connectors:connectors:
 *       - connectorId: 8c39f54e-6512-4a2f-bd3a-2cb66d02f722   # adopt a registered connector
 *         displayName: ODJ Connector – Headquarters
 *       - name: branch-office                                  # create one
 *         displayName: ODJ Connector – Branch office
 *     intune-connectors:health:                                # optional: the health rules' options
 *       domains:
 *         corp.contoso.com: [ODJ Connector – Headquarters, ODJ Connector – Branch office]
 *
 * Connection settings (tenant, app, cloud) are the provider's `intune:` keys; see the README. The
 * program is the package's (provider/fleet/program.ts), the one `intune-fleet` runs for every
 * tenant: loading it declares the connectors; its outputs are the stack's.
 */
export { connectors, health } from "pulumi-intune-domain-join/internal/fleet/program";
