/**
 * What one logical Graph call carries through the pipeline's policies (operation name, attempts,
 * the retry decision): its `GraphExchange`, found from the request. The client begins it; the
 * retry and log policies read and update it.
 */
import { PipelineRequest } from "@azure/core-rest-pipeline";
import { RetryDecision } from "../retry-rules";

/** One logical Graph call, as the policies see it. */
export interface GraphExchange {
  operation: string;
  method: string;
  /** Path and query of the first URL, for messages. */
  displayPath: string;
  clientRequestId: string;
  /** The request body before serialization (logged: connector fields, no secret). */
  body: unknown;
  /** Clock time of the first attempt. */
  started: number;
  /** Attempts so far (a resend after a 401 counts as one). */
  attempts: number;
  /** Of which answered 429: they do not count against maxAttempts, only the deadline bounds them. */
  throttled: number;
  /** The retry policy's last decision: "return", "outcome-unknown", or "retry" when it gave up. */
  decision?: RetryDecision;
  /** " — gave up after N attempts in Xs" when retries ran out. */
  gaveUp?: string;
}

const exchanges = new WeakMap<PipelineRequest, GraphExchange>();

/** Ties a request to its exchange, for the policies. */
export function beginExchange(request: PipelineRequest, exchange: GraphExchange): GraphExchange {
  exchanges.set(request, exchange);
  return exchange;
}

/** The exchange of a request; a request sent without one is a bug, named as such. */
export function exchangeOf(request: PipelineRequest): GraphExchange {
  const exchange = exchanges.get(request);
  if (!exchange) throw new Error("a Graph request was sent without its exchange (beginExchange)");
  return exchange;
}
