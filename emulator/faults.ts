// Fault injection: rules that make chosen Graph or token requests slow, fail, or vanish, so that
// clients' retry and reconciliation paths can be tested. Rules are consumed in the order they were
// added; each hits `count` matching requests and is then gone. A rule that names a tenant shapes
// only that tenant's requests.
import type { FaultRule } from "./types";

interface ActiveRule {
  rule: FaultRule;
  matchPath: (path: string) => boolean;
  remaining: number;
  /** For a `forMs` rule: when it ends, set by the first request it hits. */
  endsAt?: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Validates the rule; throws an Error that names the problem. */
  add(rule: FaultRule): void {
    checkRule(rule);
    // Compiled before the rule is kept: an invalid regular expression throws here.
    this.rules.push({ rule: { ...rule }, matchPath: pathMatcher(rule.path), remaining: rule.count ?? 1 });
  }

  clear(): void {
    this.rules = [];
  }

  get pending(): number {
    return this.rules.length;
  }

  /**
   * The first rule that matches this request, counted down; undefined when none does.
   * @param tenantId the tenant the request is for, when it names one of the emulator's
   */
  take(method: string, path: string, tenantId?: string): FaultRule | undefined {
    const now = this.now();
    this.rules = this.rules.filter((r) => r.endsAt === undefined || now < r.endsAt);
    const index = this.rules.findIndex(
      (r) =>
        (!r.rule.method || r.rule.method.toUpperCase() === method) &&
        (r.rule.tenantId === undefined || r.rule.tenantId === tenantId) &&
        r.matchPath(path),
    );
    if (index < 0) return undefined;
    const active = this.rules[index];
    if (active.rule.forMs !== undefined) active.endsAt ??= now + active.rule.forMs;
    else if (--active.remaining <= 0) this.rules.splice(index, 1);
    return active.rule;
  }
}

/** A short description for the request log, e.g. "status 503", "delay 200ms, applyThen 504". */
export function describeFault(rule: FaultRule): string {
  const parts: string[] = [];
  if (rule.delayMs) parts.push(`delay ${rule.delayMs}ms`);
  if (rule.drop) parts.push("drop");
  if (rule.status !== undefined) parts.push(`status ${rule.status}`);
  if (rule.applyThen !== undefined) parts.push(`applyThen ${rule.applyThen}`);
  return parts.join(", ") || "no-op";
}

/**
 * Paths start with a slash too, so only `/source/flags` with valid flags counts as a regular
 * expression: "/oauth2/v2.0/token" stays a substring ("token" is not a set of flags).
 */
function pathMatcher(pattern: string | undefined): (path: string) => boolean {
  if (!pattern) return () => true;
  const regex = /^\/(.+)\/([dgimsuyv]*)$/.exec(pattern);
  if (regex) {
    const compiled = new RegExp(regex[1], regex[2]);
    return (path) => compiled.test(path);
  }
  return (path) => path.includes(pattern);
}

function checkRule(rule: FaultRule): void {
  const isStatus = (n: unknown) => typeof n === "number" && Number.isInteger(n) && n >= 100 && n <= 599;
  if (typeof rule !== "object" || rule === null) throw new Error("a fault rule must be an object");
  if (rule.count !== undefined && (!Number.isInteger(rule.count) || rule.count < 1)) {
    throw new Error("fault count must be a whole number ≥ 1");
  }
  if (rule.forMs !== undefined) {
    if (typeof rule.forMs !== "number" || !(rule.forMs > 0))
      throw new Error("fault forMs must be a number > 0");
    if (rule.count !== undefined) throw new Error("a fault rule takes count or forMs, not both");
  }
  if (rule.status !== undefined && !isStatus(rule.status))
    throw new Error("fault status must be an HTTP status");
  if (rule.label !== undefined && typeof rule.label !== "string")
    throw new Error("fault label must be a string");
  if (rule.applyThen !== undefined && rule.applyThen !== "drop" && !isStatus(rule.applyThen)) {
    throw new Error('fault applyThen must be an HTTP status or "drop"');
  }
  if (rule.delayMs !== undefined && (typeof rule.delayMs !== "number" || rule.delayMs < 0)) {
    throw new Error("fault delayMs must be a number ≥ 0");
  }
  if (rule.method !== undefined && typeof rule.method !== "string")
    throw new Error("fault method must be a string");
  if (rule.path !== undefined && typeof rule.path !== "string")
    throw new Error("fault path must be a string");
  if (rule.tenantId !== undefined && typeof rule.tenantId !== "string")
    throw new Error(`fault tenantId must be a tenant's GUID or domain, got ${JSON.stringify(rule.tenantId)}`);
  const outcomes = [rule.status !== undefined, !!rule.drop, rule.applyThen !== undefined].filter(
    Boolean,
  ).length;
  if (outcomes > 1) throw new Error("a fault rule takes at most one of status, drop and applyThen");
  if (outcomes === 0 && !rule.delayMs)
    throw new Error("a fault rule needs status, drop, applyThen or delayMs");
  const retryAfter = rule.retryAfter;
  if (
    retryAfter !== undefined &&
    retryAfter !== null &&
    typeof retryAfter !== "number" &&
    typeof retryAfter !== "string"
  ) {
    throw new Error("fault retryAfter must be a number, a string or null");
  }
}
