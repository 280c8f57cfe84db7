#!/usr/bin/env node
/**
 * `pulumi-resource-intune`: the `intune` package's plugin, for programs in every Pulumi language
 * (YAML, Python, Go, .NET, TypeScript on the generated SDK) and `pulumi import`. The engine starts
 * it from the plugin cache (`pulumi plugin install resource intune <version> --file <tarball>`) or
 * from PATH, and talks to it over gRPC.
 */
import { main } from "@pulumi/pulumi/provider";
import { engineAddressOf, engineWarnings } from "./engine-log";
import { IntunePluginProvider } from "./provider";
import { serveCalls } from "./served-calls";

const args = process.argv.slice(2);
const plugin = new IntunePluginProvider({ warnings: engineWarnings(engineAddressOf(args)) });
serveCalls(plugin);
void main(plugin, args);
