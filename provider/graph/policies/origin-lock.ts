/**
 * No request leaves the configured Graph origin and API version; redirects are followed on that
 * origin only. Ours rather than core's redirect policy, which follows any origin (GET only).
 */
import { PipelinePolicy } from "@azure/core-rest-pipeline";

/** The programmatic identifier of the graphOriginLockPolicy. */
export const graphOriginLockPolicyName = "graphOriginLockPolicy";

export interface GraphOriginLockPolicyOptions {
  /**
   * The absolute URL a request may go to; throws GraphRequestRefusedError for any other
   * (GraphClient.resolve).
   */
  resolve: (url: string) => URL;
}

const MAX_REDIRECTS = 3;

/**
 * Sends only to URLs `resolve` accepts (it throws GraphRequestRefusedError otherwise), and follows
 * up to three redirects that it accepts; the fourth is returned as the answer.
 */
export function graphOriginLockPolicy(options: GraphOriginLockPolicyOptions): PipelinePolicy {
  const { resolve } = options;
  return {
    name: graphOriginLockPolicyName,
    async sendRequest(request, next) {
      const first = request.url;
      request.url = resolve(first).toString();
      try {
        for (let redirects = 0; ; redirects++) {
          const response = await next(request);
          const location = response.headers.get("location");
          if (response.status < 300 || response.status >= 400 || !location || redirects >= MAX_REDIRECTS) {
            return response;
          }
          request.url = resolve(new URL(location, request.url).toString()).toString();
        }
      } finally {
        // A retry starts again from the URL asked for.
        request.url = first;
      }
    },
  };
}
