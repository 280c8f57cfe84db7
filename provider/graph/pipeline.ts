/**
 * The Graph client's @azure/core-rest-pipeline pipeline: core's stock policies where they keep
 * the provider's promises, ours (policies/) where they would not. Each policy is placed by phase
 * or by the policies it follows, as core's createPipelineFromOptions places its own, so the order
 * holds whatever order they are added in. Outermost first:
 *
 *   setClientRequestIdPolicy  phase Serialize: the same client-request-id on every attempt
 *   tracingPolicy             no phase (core's "None", after Serialize): one span per call
 *   graphRetryPolicy          phase Retry
 *   graphTokenPolicy          phase Sign
 *   graphLimiterPolicy        after phase Sign: every request sent, resends included
 *   graphOriginLockPolicy     after phase Sign, after graphLimiterPolicy
 *   graphLogPolicy            after phase Sign, after graphOriginLockPolicy: what goes on the wire
 *
 * then the transport (http-client.ts). No core logPolicy: see policies/log.ts.
 */
import {
  AddPipelineOptions,
  Pipeline,
  PipelinePolicy,
  createEmptyPipeline,
  setClientRequestIdPolicy,
  tracingPolicy,
} from "@azure/core-rest-pipeline";
import { AccessTokenSource } from "../config/access-tokens";
import { Clock } from "../config/clock";
import { DebugLogger } from "../config/logging";
import { RetryOptions } from "../config/retry-options";
import { RequestLimiter } from "./limiter";
import { graphLimiterPolicy, graphLimiterPolicyName } from "./policies/limiter";
import { graphLogPolicy } from "./policies/log";
import { graphOriginLockPolicy, graphOriginLockPolicyName } from "./policies/origin-lock";
import { graphRetryPolicy } from "./policies/retry";
import { graphTokenPolicy } from "./policies/token";

export interface GraphPipelineOptions {
  tokens: AccessTokenSource;
  retry: RetryOptions;
  /** The shared rate limiter; without one, no limiter policy. */
  limiter?: RequestLimiter;
  /** The URL a request may go to (GraphClient.resolve). */
  resolve: (url: string) => URL;
  logger: DebugLogger;
  clock: Clock;
  random: () => number;
}

/** A policy and where it goes in the pipeline. */
export interface PlacedPolicy {
  policy: PipelinePolicy;
  placement: AddPipelineOptions;
}

/** The Graph pipeline's policies, each with its placement; in the order they run, for reading. */
export function graphPipelinePolicies(options: GraphPipelineOptions): PlacedPolicy[] {
  const { tokens, retry, limiter, resolve, logger, clock, random } = options;
  const placed: PlacedPolicy[] = [
    { policy: setClientRequestIdPolicy("client-request-id"), placement: { phase: "Serialize" } },
    // Spans per call for OpenTelemetry users (@azure/opentelemetry-instrumentation-azure-sdk); inert otherwise.
    { policy: tracingPolicy(), placement: {} },
    { policy: graphRetryPolicy({ retry, clock, random, logger }), placement: { phase: "Retry" } },
    { policy: graphTokenPolicy({ tokens }), placement: { phase: "Sign" } },
  ];
  if (limiter) placed.push({ policy: graphLimiterPolicy({ limiter }), placement: { afterPhase: "Sign" } });
  placed.push(
    {
      policy: graphOriginLockPolicy({ resolve }),
      // Without a limiter, the name it follows is simply absent (core ignores it).
      placement: { afterPhase: "Sign", afterPolicies: [graphLimiterPolicyName] },
    },
    {
      policy: graphLogPolicy({ logger, clock }),
      placement: { afterPhase: "Sign", afterPolicies: [graphOriginLockPolicyName] },
    },
  );
  return placed;
}

/** The Graph client's pipeline. */
export function createGraphPipeline(options: GraphPipelineOptions): Pipeline {
  const pipeline = createEmptyPipeline();
  for (const { policy, placement } of graphPipelinePolicies(options)) pipeline.addPolicy(policy, placement);
  return pipeline;
}
