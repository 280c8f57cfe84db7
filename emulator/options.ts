// Checking and defaulting the emulator's options, so that a mistake in a test or on the command
// line fails at start with a message instead of misbehaving later.
import { isCloudName, CLOUD_NAMES } from "./clouds";
import { isGuid } from "./ids";
import { DEFAULT_THROTTLE, mergeThrottle, type ThrottleSettings } from "./graph/throttle";
import type { CloudName, EmulatorOptions, RuntimeOptions } from "./types";
import { DEFAULT_VARIANTS, applyVariants, type ServiceVariants } from "./graph/variants";

export const DEFAULT_TENANT_ID = "4a7c2e91-5d3b-4f68-8e1a-9c0b2d4f6e83";
export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3599;

/** The options that can change while the emulator runs (setOptions, the admin API). */
export interface RuntimeSettings {
  pageSize: number;
  variants: ServiceVariants;
  latencyMs: number;
  throttle: ThrottleSettings;
  ignoredPatchProperties: readonly ("displayName" | "version" | "state")[];
  replicationLag: { reads: number; ms: number };
  intuneLicensed: boolean;
}

export interface StartSettings {
  port: number;
  cloud: CloudName;
  tenantId: string;
  tokenLifetimeSeconds: number;
  heartbeatMs?: number;
  removeInactiveAfterMs?: number;
  removeInactiveFrom: "last-contact" | "inactive";
  runtime: RuntimeSettings;
}

export function checkStartOptions(options: EmulatorOptions): StartSettings {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`port must be 0-65535, got ${port}`);
  const cloud = options.cloud ?? "global";
  if (!isCloudName(cloud))
    throw new Error(`cloud must be one of ${CLOUD_NAMES.join(", ")}, got '${String(cloud)}'`);
  const tenantId = (options.tenantId ?? DEFAULT_TENANT_ID).toLowerCase();
  if (!isGuid(tenantId)) throw new Error(`tenantId must be a GUID, got '${options.tenantId}'`);
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
  positiveInteger("tokenLifetimeSeconds", tokenLifetimeSeconds);
  if (options.heartbeatMs !== undefined) positiveInteger("heartbeatMs", options.heartbeatMs);
  if (options.removeInactiveAfterMs !== undefined)
    positiveInteger("removeInactiveAfterMs", options.removeInactiveAfterMs);
  const removeInactiveFrom = options.removeInactiveFrom ?? "last-contact";
  if (!REMOVAL_STARTS.includes(removeInactiveFrom)) {
    throw new Error(
      `removeInactiveFrom must be ${REMOVAL_STARTS.map((v) => `'${v}'`).join(" or ")}, got '${String(removeInactiveFrom)}'`,
    );
  }
  const defaults: RuntimeSettings = {
    pageSize: DEFAULT_PAGE_SIZE,
    variants: DEFAULT_VARIANTS,
    latencyMs: 0,
    throttle: DEFAULT_THROTTLE,
    ignoredPatchProperties: [],
    replicationLag: { reads: 0, ms: 0 },
    intuneLicensed: true,
  };
  return {
    port,
    cloud,
    tenantId,
    tokenLifetimeSeconds,
    heartbeatMs: options.heartbeatMs,
    removeInactiveAfterMs: options.removeInactiveAfterMs,
    removeInactiveFrom,
    runtime: applyRuntimeOptions(defaults, options),
  };
}

/** Apply a runtime patch to the current settings; throws on a bad value and leaves `base` unchanged. */
export function applyRuntimeOptions(base: RuntimeSettings, patch: RuntimeOptions): RuntimeSettings {
  const next: RuntimeSettings = { ...base };
  if (patch.pageSize !== undefined) next.pageSize = positiveInteger("pageSize", patch.pageSize);
  if (patch.patchReturnsBody !== undefined) {
    if (typeof patch.patchReturnsBody !== "boolean")
      throw new Error("patchReturnsBody must be true or false");
    next.variants = { ...next.variants, patchResponse: patch.patchReturnsBody ? "body" : "no-content" };
  }
  if (patch.variants !== undefined) next.variants = applyVariants(next.variants, patch.variants);
  if (patch.latencyMs !== undefined) {
    if (typeof patch.latencyMs !== "number" || !(patch.latencyMs >= 0))
      throw new Error("latencyMs must be a number ≥ 0");
    next.latencyMs = patch.latencyMs;
  }
  if (patch.throttle !== undefined) next.throttle = mergeThrottle(base.throttle, patch.throttle);
  if (patch.ignoredPatchProperties !== undefined) {
    const given: unknown = patch.ignoredPatchProperties;
    if (!Array.isArray(given) || !given.every((p) => (PATCHABLE as readonly unknown[]).includes(p))) {
      throw new Error(`ignoredPatchProperties must be a list of ${PATCHABLE.join(", ")}`);
    }
    next.ignoredPatchProperties = [...(given as (typeof PATCHABLE)[number][])];
  }
  if (patch.replicationLag !== undefined) {
    const lag: unknown = patch.replicationLag;
    if (typeof lag !== "object" || lag === null || Array.isArray(lag))
      throw new Error("replicationLag must be an object such as { reads: 2 } or { ms: 500 }");
    const { reads = 0, ms = 0, ...rest } = lag as Record<string, unknown>;
    if (Object.keys(rest).length)
      throw new Error(`replicationLag takes reads and ms, not ${Object.keys(rest).join(", ")}`);
    next.replicationLag = {
      reads: nonNegativeInteger("replicationLag.reads", reads),
      ms: nonNegativeInteger("replicationLag.ms", ms),
    };
  }
  if (patch.intuneLicensed !== undefined) {
    if (typeof patch.intuneLicensed !== "boolean") throw new Error("intuneLicensed must be true or false");
    next.intuneLicensed = patch.intuneLicensed;
  }
  return next;
}

const PATCHABLE = ["displayName", "version", "state"] as const;
const REMOVAL_STARTS: readonly unknown[] = ["last-contact", "inactive"];

function nonNegativeInteger(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a whole number ≥ 0, got ${String(value)}`);
  }
  return value;
}

/** The keys setOptions accepts, to reject a misspelt one instead of ignoring it. */
export const RUNTIME_OPTION_KEYS = new Set([
  "pageSize",
  "variants",
  "patchReturnsBody",
  "latencyMs",
  "throttle",
  "ignoredPatchProperties",
  "replicationLag",
  "intuneLicensed",
]);

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a whole number ≥ 1, got ${String(value)}`);
  }
  return value;
}
