/**
 * Messages from the plugin to the person running Pulumi. The engine hides what a resource plugin
 * writes to stderr (it shows it only if the plugin crashes), so warnings go through the engine's
 * Log call, attached to the resource they are about.
 */
import { fromPulumi } from "./pulumi-internals";

/** Sends a warning, attached to a resource when its URN is given; settles when the engine has it. */
export type WarningSink = (message: string, urn?: string) => Promise<void>;

/** Writes to stderr: for a provider run outside the engine (tests, a debugger). */
export const stderrWarnings: WarningSink = async (message) => {
  process.stderr.write(`warning: ${message}\n`);
};

/** Warnings through the engine at `engineAddress` (the plugin's first argument). */
export function engineWarnings(engineAddress: string | undefined): WarningSink {
  if (!engineAddress) return stderrWarnings;
  const grpc = fromPulumi("@grpc/grpc-js");
  const { EngineClient } = fromPulumi("@pulumi/pulumi/proto/engine_grpc_pb.js");
  const proto = fromPulumi("@pulumi/pulumi/proto/engine_pb.js");
  const { grpcChannelOptions } = fromPulumi("@pulumi/pulumi/runtime/settings.js");
  const engine = new EngineClient(engineAddress, grpc.credentials.createInsecure(), grpcChannelOptions);
  return (message, urn) =>
    new Promise((resolve) => {
      const request = new proto.LogRequest();
      request.setSeverity(proto.LogSeverity.WARNING);
      request.setMessage(message);
      if (urn) request.setUrn(urn);
      // A warning the engine could not take is written where a person may still see it.
      engine.log(request, (error: unknown) => (error ? stderrWarnings(message).then(resolve) : resolve()));
    });
}

/** The engine's address among a plugin's arguments (flags such as `--logtostderr` and `-v=9` aside). */
export function engineAddressOf(args: readonly string[]): string | undefined {
  const { parseArgs } = fromPulumi("@pulumi/pulumi/provider/internals.js");
  return (parseArgs([...args]) as { engineAddress?: string } | undefined)?.engineAddress;
}
