/**
 * The `INTUNE_DEBUG` events of each exchange on the wire, allow-listed (config/logging.ts). Ours
 * rather than core's log policy, which in core-rest-pipeline 1.24 logs response headers
 * unredacted (its sanitizer only redacts a property named "headers", and the response's headers
 * are logged as the top-level object).
 */
import { PipelinePolicy } from "@azure/core-rest-pipeline";
import { Clock } from "../../config/clock";
import { DebugLogger, loggableHeaders } from "../../config/logging";
import { exchangeOf } from "./exchange";

/** The programmatic identifier of the graphLogPolicy. */
export const graphLogPolicyName = "graphLogPolicy";

export interface GraphLogPolicyOptions {
  logger: DebugLogger;
  /** For the time since the call's first attempt. */
  clock: Clock;
}

/** The debug events of each exchange on the wire: graph.request and graph.response. */
export function graphLogPolicy(options: GraphLogPolicyOptions): PipelinePolicy {
  const { logger, clock } = options;
  return {
    name: graphLogPolicyName,
    async sendRequest(request, next) {
      const exchange = exchangeOf(request);
      const url = new URL(request.url);
      const path = url.pathname + url.search;
      logger.log("graph.request", {
        method: exchange.method,
        path,
        attempt: exchange.attempts,
        clientRequestId: exchange.clientRequestId,
        body: exchange.body,
      });
      const response = await next(request);
      logger.log("graph.response", {
        method: exchange.method,
        path,
        attempt: exchange.attempts,
        status: response.status,
        ms: clock.now() - exchange.started,
        headers: loggableHeaders(response.headers),
      });
      return response;
    },
  };
}
