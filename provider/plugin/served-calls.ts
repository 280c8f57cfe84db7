/**
 * The engine's calls that the server of `@pulumi/pulumi/provider`'s `main` (3.276) answers in a
 * way a resource provider cannot use, answered here instead; every other call stays the SDK's.
 * - CheckConfig and DiffConfig it answers "not implemented", and Configure's settings it drops:
 *   that serves component providers (their config arrives with each construct) but leaves a
 *   resource provider without its tenant and credential.
 * - Diff it answers without the detailed diff, so a preview would say "update" and not what.
 */
import { fromPulumi } from "./pulumi-internals";

type Callback = (error: unknown, response?: unknown) => void;
type Handler = (call: { request: any }, callback: Callback) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What the provider needs from Configure: the settings by their full key (`intune:tenantId`). */
export interface ConfigReceiver {
  configure(variables: Record<string, string>): void;
}

/** A diff with its detailed diff: each changed property, and how (against the old outputs). */
export interface DetailedDiffResult {
  changes?: boolean;
  replaces?: string[];
  deleteBeforeReplace?: boolean;
  detailedDiff?: Record<string, "add" | "add-replace" | "update" | "update-replace">;
}

/** What the served calls hand to the provider. */
export interface ServedProvider extends ConfigReceiver {
  diff(
    id: string,
    urn: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<DetailedDiffResult>;
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

/** The Diff handler: the SDK's answer, plus the detailed diff the engine shows in a preview. */
export function diffHandler(provider: ServedProvider): Handler {
  const proto = fromPulumi("@pulumi/pulumi/proto/provider_pb.js");
  const KINDS: Record<string, number> = {
    add: proto.PropertyDiff.Kind.ADD,
    "add-replace": proto.PropertyDiff.Kind.ADD_REPLACE,
    update: proto.PropertyDiff.Kind.UPDATE,
    "update-replace": proto.PropertyDiff.Kind.UPDATE_REPLACE,
  };
  return (call, callback) => {
    const request = call.request;
    provider
      .diff(
        request.getId(),
        request.getUrn(),
        request.getOlds().toJavaScript(),
        request.getNews().toJavaScript(),
      )
      .then((result) => {
        const response = new proto.DiffResponse();
        response.setChanges(
          result.changes === true
            ? proto.DiffResponse.DiffChanges.DIFF_SOME
            : result.changes === false
              ? proto.DiffResponse.DiffChanges.DIFF_NONE
              : proto.DiffResponse.DiffChanges.DIFF_UNKNOWN,
        );
        response.setReplacesList(result.replaces ?? []);
        response.setDeletebeforereplace(result.deleteBeforeReplace ?? false);
        const detailed = Object.entries(result.detailedDiff ?? {});
        response.setDiffsList(detailed.map(([property]) => property));
        for (const [property, kind] of detailed) {
          const diff = new proto.PropertyDiff();
          diff.setKind(KINDS[kind]);
          // Against the old outputs: the tenant as of the last refresh, so drift shows.
          diff.setInputdiff(false);
          response.getDetaileddiffMap().set(property, diff);
        }
        response.setHasdetaileddiff(true);
        callback(undefined, response);
      })
      .catch((error: unknown) => callback(error));
  };
}

/**
 * Routes the config calls and Diff of the next ResourceProvider service registered in this
 * process to `provider`. Call it once, before `main`.
 */
export function serveCalls(provider: ServedProvider): void {
  const grpc = fromPulumi("@grpc/grpc-js");
  const services = fromPulumi("@pulumi/pulumi/proto/provider_grpc_pb.js");
  const addService = grpc.Server.prototype.addService;
  const handlers = { ...configHandlers(provider), diff: diffHandler(provider) };
  grpc.Server.prototype.addService = function (service: unknown, implementation: object) {
    const served =
      service === services.ResourceProviderService
        ? Object.assign(Object.create(implementation), handlers)
        : implementation;
    return addService.call(this, service, served);
  };
}
