/**
 * The root stack's `health` config and output. Their rules live with the program the root stack
 * and `intune-fleet` share (provider/fleet/health-config.ts).
 */
export { healthOutput, parseHealthConfig } from "pulumi-intune-domain-join/internal/fleet/health-config";
export type { HealthOutput } from "pulumi-intune-domain-join/internal/fleet/health-config";
