/**
 * Every request sent, resends included, passes the shared write/read limiter (limiter.ts), which
 * keeps a process inside Intune's limits.
 */
import { PipelinePolicy } from "@azure/core-rest-pipeline";
import { RequestLimiter } from "../limiter";

/** The programmatic identifier of the graphLimiterPolicy. */
export const graphLimiterPolicyName = "graphLimiterPolicy";

export interface GraphLimiterPolicyOptions {
  /** The limiter shared by every connection of the process to one app, tenant and Graph. */
  limiter: RequestLimiter;
}

/** Every request sent, resends included, waits for the shared limiter (writes: all but GET). */
export function graphLimiterPolicy(options: GraphLimiterPolicyOptions): PipelinePolicy {
  const { limiter } = options;
  return {
    name: graphLimiterPolicyName,
    async sendRequest(request, next) {
      const settle = await limiter.acquire(request.method !== "GET");
      try {
        return await next(request);
      } finally {
        // Counted from the answer (or the failure), which comes after the service saw the request.
        settle();
      }
    },
  };
}
