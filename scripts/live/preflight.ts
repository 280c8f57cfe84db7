/**
 * Whether the kit may run: only when asked (INTUNE_LIVE=1), and only with a tenant, an app and one
 * of the credentials an app signs in with. The kit reads the provider's own variables (the names
 * come from its settings table); when anything is missing, one message names all of it.
 */
import { SETTINGS } from "pulumi-intune-domain-join/internal/config/settings";

/** The opt-in: the kit writes to a real tenant, so it never runs by accident. */
export const OPT_IN = "INTUNE_LIVE";
/** The second opt-in, for the throttling checks (or --throttle). */
export const THROTTLE_OPT_IN = "INTUNE_LIVE_THROTTLE";

const env1 = (setting: { env: readonly string[] }) => setting.env[0];

/** The credentials an app can sign in with, each with the variables that make it. */
export const CREDENTIALS: readonly { kind: string; variables: readonly string[] }[] = [
  { kind: "client secret", variables: [env1(SETTINGS.clientSecret)] },
  { kind: "certificate", variables: [env1(SETTINGS.clientCertificatePath)] },
  { kind: "workload identity", variables: [env1(SETTINGS.federatedTokenFile)] },
  {
    kind: "GitHub Actions OIDC",
    variables: [env1(SETTINGS.actionsIdTokenRequestUrl), env1(SETTINGS.actionsIdTokenRequestToken)],
  },
  {
    kind: "Azure Pipelines OIDC",
    variables: [
      env1(SETTINGS.systemOidcRequestUri),
      env1(SETTINGS.serviceConnectionId),
      env1(SETTINGS.systemAccessToken),
    ],
  },
];

export function optedIn(value: string | undefined): boolean {
  return value === "1" || value?.toLowerCase() === "true";
}

/** The credential the environment holds, by the first kind whose variables are all set. */
export function credentialKind(env: NodeJS.ProcessEnv): string | undefined {
  return CREDENTIALS.find((c) => c.variables.every((v) => !!env[v]))?.kind;
}

/** Undefined when the kit may run; otherwise the one message that says what to set. */
export function preflight(env: NodeJS.ProcessEnv): string | undefined {
  const tenant = env1(SETTINGS.tenantId);
  const client = env1(SETTINGS.clientId);
  const optIn = optedIn(env[OPT_IN]);
  const credential = credentialKind(env);
  if (optIn && env[tenant] && env[client] && credential) return undefined;
  const state = (value: string | undefined) => (value ? "set" : "missing");
  const optInState = optIn ? "set" : env[OPT_IN] ? `is ${JSON.stringify(env[OPT_IN])}` : "missing";
  return (
    "The live acceptance kit did not run: it creates, renames and deletes connectors in a real Intune tenant, " +
    `so it runs only when asked. Set ${OPT_IN}=1 (${optInState}), ${tenant} (${state(env[tenant])}), ` +
    `${client} (${state(env[client])}) and one credential (${credential ? "set" : "none found"}): ` +
    `${env1(SETTINGS.clientSecret)}, ${env1(SETTINGS.clientCertificatePath)}, ${env1(SETTINGS.federatedTokenFile)}, ` +
    "or GitHub Actions OIDC (a job with `permissions: id-token: write`, which sets " +
    `${env1(SETTINGS.actionsIdTokenRequestUrl)} and ${env1(SETTINGS.actionsIdTokenRequestToken)}). ` +
    "docs/live.md says how."
  );
}
