/**
 * The bearer token on every request, and one fresh token after a 401. Ours rather than core's
 * bearer token policy: core's refreshes only on a claims challenge, and on its own schedule.
 */
import { PipelinePolicy } from "@azure/core-rest-pipeline";
import { AccessTokenSource } from "../../config/access-tokens";

/** The programmatic identifier of the graphTokenPolicy. */
export const graphTokenPolicyName = "graphTokenPolicy";

export interface GraphTokenPolicyOptions {
  /** Where tokens come from (the connection's credential). */
  tokens: AccessTokenSource;
}

/** The bearer token on every request; after a 401, one fresh token and one more send per call. */
export function graphTokenPolicy(options: GraphTokenPolicyOptions): PipelinePolicy {
  const { tokens } = options;
  return {
    name: graphTokenPolicyName,
    async sendRequest(request, next) {
      request.headers.set("Authorization", `Bearer ${await tokens.getToken()}`);
      const response = await next(request);
      if (response.status !== 401) return response;
      // The token may have been revoked or expired early.
      request.headers.set("Authorization", `Bearer ${await tokens.refresh()}`);
      return next(request);
    },
  };
}
