/**
 * The Intune ODJ service limits, as Microsoft publishes them: per app per tenant, 100 writes and
 * 1000 requests of any kind per 20 seconds. A fact about the service, pure data: the shared
 * limiter (graph/limiter.ts) keeps to it, the settings (config/settings.ts) start from it, and a
 * throttled call's hint (graph/errors.ts) quotes it.
 */

export interface RateLimits {
  /** Window length. Default 20 000 ms. */
  windowMs: number;
  /** Writes (POST, PATCH, PUT, DELETE) allowed per window. Default 100. */
  writes: number;
  /** Requests of any kind allowed per window. Default 1000. */
  all: number;
}

/**
 * The service counts a request when it arrives; the limiter counts it from when its answer came
 * back (or its attempt failed), which is never earlier. So the window needs no margin for latency
 * or clock skew: a request that leaves a full window after an earlier one's answer arrives at
 * least a full window after that one did.
 */
export const INTUNE_ODJ_LIMITS: RateLimits = { windowMs: 20_000, writes: 100, all: 1000 };
