/**
 * The same two connectors as examples/yaml, from TypeScript on the SDK generated from the intune
 * plugin's schema (`@intune-odj/pulumi-intune`): the engine runs the plugin
 * (`pulumi-resource-intune`), as it does for YAML, Python, Go and .NET programs. Its resources are
 * `intune:index:DomainJoinConnector`, and `pulumi import` works on them.
 *
 *   pulumi config set registeredName ODJ-HQ-SRV01    # the name the connector registered under
 *   pulumi config set hqDisplayName "ODJ Connector – HQ"
 */
import * as pulumi from "@pulumi/pulumi";
import * as intune from "@intune-odj/pulumi-intune";

const config = new pulumi.Config();

// Adopted by the name it registered under (looked up once, at create), renamed, released on destroy.
const hq = new intune.DomainJoinConnector("hq", {
  registeredName: config.get("registeredName") ?? "ODJ-HQ-SRV01",
  displayName: config.get("hqDisplayName") ?? "ODJ Connector – HQ",
});

// Created by the stack, deleted on destroy.
const branch = new intune.DomainJoinConnector("branch", {
  displayName: config.get("branchDisplayName") ?? "ODJ Connector – Branch office",
});

export const hqConnectorId = hq.connectorId;
export const branchConnectorId = branch.connectorId;
export const branchState = branch.state;
