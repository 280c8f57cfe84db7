/**
 * Provider configuration for a plugin on `@pulumi/pulumi/provider`'s `main`. Its server (3.276)
 * answers CheckConfig and DiffConfig "not implemented" and drops what Configure carries, which
 * serves component providers (their config arrives with each construct) but leaves a resource
 * provider without its tenant and credential. So, before `main` registers its gRPC service, the
 * three config calls of that service are answered here; every other call stays the SDK's.
 */
import { fromPulumi } from "./pulumi-internals";

type Callback = (error: unknown, response?: unknown) => void;
type Handler = (call: { request: any }, callback: Callback) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What the provider needs from Configure: the settings by their full key (`intune:tenantId`). */
export interface ConfigReceiver {
  configure(variables: Record<string, string>): void;
}

/** Whether two config bags say the same: the engine updates the provider in place when not. */
function sameConfig(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
        )
      : value;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** The three config handlers, around a receiver (exported for tests, which call them directly). */
export function configHandlers(
  receiver: ConfigReceiver,
): Record<"checkConfig" | "diffConfig" | "configure", Handler> {
  const proto = fromPulumi("@pulumi/pulumi/proto/provider_pb.js");
  return {
    checkConfig(call, callback) {
      // Settings are checked when the first Graph call needs them, naming the setting and its source.
      const response = new proto.CheckResponse();
      response.setInputs(call.request.getNews());
      callback(undefined, response);
    },
    diffConfig(call, callback) {
      const request = call.request;
      // Old inputs where the engine sends them; older engines send the old outputs alone.
      const olds = (request.getOldInputs() ?? request.getOlds()).toJavaScript();
      const news = request.getNews().toJavaScript();
      const response = new proto.DiffResponse();
      // Never a replacement: a provider replaced would replace every connector it manages.
      response.setChanges(
        sameConfig(olds, news)
          ? proto.DiffResponse.DiffChanges.DIFF_NONE
          : proto.DiffResponse.DiffChanges.DIFF_SOME,
      );
      callback(undefined, response);
    },
    configure(call, callback) {
      try {
        const variables: Record<string, string> = {};
        for (const [key, value] of call.request.getVariablesMap().entries()) variables[key] = value;
        receiver.configure(variables);
        const response = new proto.ConfigureResponse();
        // Plain values: the engine keeps secret what was secret, and nothing of ours sees its marks.
        response.setAcceptsecrets(false);
        response.setAcceptresources(false);
        response.setAcceptoutputs(false);
        callback(undefined, response);
      } catch (error) {
        callback(error);
      }
    },
  };
}

/**
 * Routes the config calls of the next ResourceProvider service registered in this process to
 * `receiver`. Call it once, before `main`.
 */
export function receiveProviderConfig(receiver: ConfigReceiver): void {
  const grpc = fromPulumi("@grpc/grpc-js");
  const services = fromPulumi("@pulumi/pulumi/proto/provider_grpc_pb.js");
  const addService = grpc.Server.prototype.addService;
  const handlers = configHandlers(receiver);
  grpc.Server.prototype.addService = function (service: unknown, implementation: object) {
    const served =
      service === services.ResourceProviderService
        ? Object.assign(Object.create(implementation), handlers)
        : implementation;
    return addService.call(this, service, served);
  };
}
