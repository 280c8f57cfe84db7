// The Graph pipeline's order, outermost first, as docs/architecture.md's HTTP table states it:
// each policy is placed by phase or by the policies it follows (graph/pipeline.ts), so the order
// is the same whatever order the policies are added in.
import { expect } from "chai";
import { Pipeline, createEmptyPipeline } from "@azure/core-rest-pipeline";
import {
  GraphPipelineOptions,
  PlacedPolicy,
  createGraphPipeline,
  graphPipelinePolicies,
} from "pulumi-intune-domain-join/internal/graph/pipeline";
import { RequestLimiter } from "pulumi-intune-domain-join/internal/graph/limiter";
import { realClock } from "pulumi-intune-domain-join/internal/config/clock";
import { silentLogger } from "pulumi-intune-domain-join/internal/config/logging";
import { DEFAULT_RETRY_OPTIONS } from "pulumi-intune-domain-join/internal/config/retry-options";

const ORDER = [
  "setClientRequestIdPolicy",
  "tracingPolicy",
  "graphRetryPolicy",
  "graphTokenPolicy",
  "graphLimiterPolicy",
  "graphOriginLockPolicy",
  "graphLogPolicy",
];
const WITHOUT_LIMITER = ORDER.filter((name) => name !== "graphLimiterPolicy");

function options(limiter?: RequestLimiter): GraphPipelineOptions {
  return {
    tokens: { getToken: async () => "token", refresh: async () => "token" },
    retry: DEFAULT_RETRY_OPTIONS,
    limiter,
    resolve: (url) => new URL(url),
    logger: silentLogger,
    clock: realClock,
    random: Math.random,
  };
}

const names = (pipeline: Pipeline) => pipeline.getOrderedPolicies().map((policy) => policy.name);

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/**
 * Every order of adding the policies that yields another order than `expected`: the order it
 * yields, and the order they were added in (the first such insertion for each).
 */
function otherOrders(placed: readonly PlacedPolicy[], expected: readonly string[]): string[] {
  const found = new Map<string, string>();
  for (const insertion of permutations(placed)) {
    const pipeline = createEmptyPipeline();
    for (const { policy, placement } of insertion) pipeline.addPolicy(policy, placement);
    const order = names(pipeline).join(" → ");
    if (order !== expected.join(" → ") && !found.has(order)) {
      found.set(order, insertion.map((p) => p.policy.name).join(", "));
    }
  }
  return [...found].map(([order, added]) => `${order} (added as ${added})`);
}

describe("Graph pipeline order", () => {
  it("runs client-request-id, tracing, retry, token, limiter, origin lock, log, then the transport", () => {
    expect(names(createGraphPipeline(options(new RequestLimiter())))).to.deep.equal(ORDER);
  });

  it("runs the same order without the limiter policy when no limiter is shared", () => {
    expect(names(createGraphPipeline(options()))).to.deep.equal(WITHOUT_LIMITER);
  });

  it("keeps that order whatever order the policies are added in (all 5040 orders)", () => {
    expect(otherOrders(graphPipelinePolicies(options(new RequestLimiter())), ORDER)).to.deep.equal([]);
  });

  it("keeps the order without a limiter whatever order the policies are added in", () => {
    expect(otherOrders(graphPipelinePolicies(options()), WITHOUT_LIMITER)).to.deep.equal([]);
  });
});
