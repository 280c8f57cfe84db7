/**
 * The connector versions the health rules know, and how versions compare. Pure. Apart from the
 * rules (rules.ts) so that the options' definition (options.ts), which the rules read, can name
 * the defaults without a cycle.
 */

/**
 * The oldest connector version that still processes enrollment requests. Microsoft (Learn,
 * autopilot/windows-autopilot-hybrid): "versions older than 6.2501.2000.5 are deprecated and can
 * no longer process enrollment requests", and "make sure the version is greater than or equal to
 * 6.2501.2000.5".
 */
export const MINIMUM_SUPPORTED_VERSION = "6.2501.2000.5";

/**
 * The version Microsoft asks to install (Learn, autopilot/windows-autopilot-hybrid): "Make sure
 * to install version 6.2504.2001.8 or later … to avoid issues with the Internet Explorer Enhanced
 * Security Configuration setting". It concerns installing the connector, so a supported older
 * connector is still healthy: the rules give it an advisory, never a finding.
 */
export const RECOMMENDED_VERSION = "6.2504.2001.8";

/**
 * A version the rules compare: dotted numbers, any count of parts (a threshold such as 6.2600
 * included). Inputs of the resource are checked more strictly (schema.ts, VERSION_PATTERN).
 */
export const DOTTED_NUMBER = /^\d+(\.\d+)*$/;

/**
 * Compares dotted versions numerically, part by part (6.10 > 6.9); a missing part counts as 0.
 * Returns -1, 0 or 1, or undefined when either is not a dotted number.
 */
export function compareVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  const parse = (v: string) => (DOTTED_NUMBER.test(v) ? v.split(".").map(Number) : undefined);
  const left = parse(a);
  const right = parse(b);
  if (!left || !right) return undefined;
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return Math.sign(difference) as 1 | -1;
  }
  return 0;
}
