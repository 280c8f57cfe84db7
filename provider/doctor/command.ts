#!/usr/bin/env node
/**
 * intune-doctor: checks, before first use against a tenant, each step the provider takes — the
 * settings it resolves and the credential they choose, a token, the token's cloud and permission,
 * Graph reachable, the connector list readable — and says for each one what it found and, when
 * something is wrong, what to do. It reads settings like the provider (stack config with --stack,
 * else the environment) and changes nothing: one token request and one list page per 100
 * connectors. The token and secrets are never printed.
 *
 * Exit codes: 0 ready (warnings allowed), 1 a check failed, 2 bad arguments.
 *
 *   npx intune-doctor [--stack prod] [--json doctor.json]
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { AuthMethod, ConfigurationError, SETTINGS, SettingDefinition, findSetting } from "../config/settings";
import { Connection, connect } from "../connection";
import { AuthenticationError } from "../auth/errors";
import { GraphConnectionError, GraphError } from "../graph/errors";
import { Check, audienceCheck, permissionCheck, readClaims, tokenFix } from "./checks";
import { openStack } from "../state/open-stack";

const USAGE = "usage: intune-doctor [--stack NAME] [--json FILE]";

/** One attempt and one retry: a diagnosis should answer in seconds, not wait out a long budget. */
const DOCTOR_RETRY = { maxAttempts: 2, requestTimeoutMs: 20_000, deadlineMs: 45_000 };

type Config = ((key: string) => string | undefined) | undefined;

const elapsed = (since: number) => `${Math.round(performance.now() - since)} ms`;

/** Which settings fed each credential, for the line that says which one was chosen. */
const CREDENTIAL_SETTINGS: Record<AuthMethod, SettingDefinition[]> = {
  clientSecret: [SETTINGS.clientSecret],
  clientCertificate: [SETTINGS.clientCertificatePath],
  workloadIdentity: [SETTINGS.federatedTokenFile],
  githubActions: [SETTINGS.actionsIdTokenRequestUrl],
  azurePipelines: [SETTINGS.serviceConnectionId, SETTINGS.systemOidcRequestUri],
  managedIdentity: [SETTINGS.managedIdentityEndpoint],
  azureCli: [],
};

function settingsLine(connection: Connection, config: Config, env: NodeJS.ProcessEnv): string {
  const from = (setting: SettingDefinition) => findSetting(setting, config, env)?.from ?? "default";
  const s = connection.settings;
  return [
    `cloud ${s.cloud} (${from(SETTINGS.cloud)})`,
    `Graph ${s.graphEndpoint} (${from(SETTINGS.graphEndpoint)})`,
    `Entra ID ${s.authorityHost} (${from(SETTINGS.authorityHost)})`,
    `tenant ${s.tenantId ?? "not set"}${s.tenantId ? ` (${from(SETTINGS.tenantId)})` : ""}`,
    `client ${s.clientId ?? "not set"}${s.clientId ? ` (${from(SETTINGS.clientId)})` : ""}`,
  ].join("; ");
}

function credentialLine(method: AuthMethod, config: Config, env: NodeJS.ProcessEnv): string {
  const explicit = findSetting(SETTINGS.authMethod, config, env);
  const sources = CREDENTIAL_SETTINGS[method]
    .map((setting) => findSetting(setting, config, env)?.from)
    .filter((from): from is string => from !== undefined);
  const why = explicit
    ? `chosen by ${explicit.from}`
    : method === "azureCli"
      ? "no app credential is set, so the Azure CLI login is used"
      : "the first credential whose settings are present";
  return `${method}${sources.length ? ` from ${sources.join(", ")}` : ""} (${why})`;
}

/** Runs every check in order; a check that cannot run for want of an earlier one is skipped. */
export async function diagnose(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  const checks: Check[] = [];
  const skipRest = (names: string[], why: string) =>
    names.forEach((name) => checks.push({ name, verdict: "skip", detail: why }));

  let connection: Connection;
  try {
    connection = connect({ config, env, retry: DOCTOR_RETRY });
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    checks.push({
      name: "settings",
      verdict: "fail",
      detail: error.message,
      fix: "set it in stack config (`pulumi config set intune:…`) or the environment; docs/reference.md lists every setting",
    });
    skipRest(["credential", "token", "audience", "permission", "graph", "list"], "needs the settings");
    return checks;
  }
  try {
    checks.push({ name: "settings", verdict: "ok", detail: settingsLine(connection, config, env) });
    checks.push({
      name: "credential",
      verdict: "ok",
      detail: credentialLine(connection.method, config, env),
    });

    let token: string;
    const tokenStart = performance.now();
    try {
      token = await connection.tokens.getToken();
    } catch (error) {
      if (!(error instanceof AuthenticationError || error instanceof ConfigurationError)) throw error;
      checks.push({
        name: "token",
        verdict: "fail",
        detail: error.message,
        fix: error instanceof ConfigurationError ? "set the setting it names" : tokenFix(error.message),
      });
      skipRest(["audience", "permission", "graph", "list"], "needs a token");
      return checks;
    }
    const claims = readClaims(token);
    const expires =
      typeof claims?.exp === "number"
        ? `, valid for ${Math.round((claims.exp * 1000 - Date.now()) / 60_000)} min`
        : "";
    checks.push({
      name: "token",
      verdict: "ok",
      detail: `obtained from ${connection.settings.authorityHost} in ${elapsed(tokenStart)}${expires}`,
    });
    if (claims) {
      checks.push(audienceCheck(claims, connection.settings));
      checks.push(permissionCheck(claims));
    } else {
      skipRest(
        ["audience", "permission"],
        "the token is not a JWT, so its claims cannot be read; Graph decides below",
      );
    }

    const listStart = performance.now();
    try {
      const connectors = await connection.api.list();
      checks.push({
        name: "graph",
        verdict: "ok",
        detail: `${connection.settings.graphEndpoint} answered in ${elapsed(listStart)}`,
      });
      const pages = Math.max(1, Math.ceil(connectors.length / 100));
      checks.push({
        name: "list",
        verdict: "ok",
        detail: `${connectors.length} connector${connectors.length === 1 ? "" : "s"} readable (${pages} page${pages === 1 ? "" : "s"})`,
      });
    } catch (error) {
      if (error instanceof GraphError) {
        checks.push({
          name: "graph",
          verdict: "ok",
          detail: `${connection.settings.graphEndpoint} answered (${error.status})`,
        });
        const audience = claims?.aud === undefined ? "" : ` (the token's audience: ${String(claims.aud)})`;
        checks.push({
          name: "list",
          verdict: "fail",
          detail: error.message.replace(/\. Hint: .*$/s, ""),
          fix:
            error.status === 401
              ? `Graph refused the token${audience}: intune:cloud must be the cloud of the tenant and of intune:graphEndpoint`
              : (error.hint ?? "see Graph's message above"),
        });
      } else if (error instanceof GraphConnectionError) {
        checks.push({
          name: "graph",
          verdict: "fail",
          detail: error.message,
          fix: "check intune:graphEndpoint (or INTUNE_GRAPH_ENDPOINT), the network and HTTPS_PROXY, and that NODE_EXTRA_CA_CERTS names the CA of a TLS-inspecting proxy",
        });
        skipRest(["list"], "needs Graph");
      } else throw error;
    }
    return checks;
  } finally {
    connection.close();
  }
}

const MARK: Record<Check["verdict"], string> = { ok: "✔", warn: "!", fail: "✘", skip: "-" };

/** Entra ID's messages span lines (trace and correlation ids): one line per check. */
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ");

export function renderChecks(checks: readonly Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.flatMap((c) => [
    `${MARK[c.verdict]} ${c.name.padEnd(width)}  ${oneLine(c.detail)}`,
    ...(c.fix ? [`  ${" ".repeat(width)}  fix: ${c.fix}`] : []),
  ]);
  const failed = checks.filter((c) => c.verdict === "fail").length;
  const warned = checks.filter((c) => c.verdict === "warn").length;
  const verdict =
    failed > 0
      ? `NOT READY: ${failed} check${failed === 1 ? "" : "s"} failed`
      : `READY${warned ? ` with ${warned} warning${warned === 1 ? "" : "s"}` : ""}`;
  return `${lines.join("\n")}\n\n${verdict}\n`;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { stack: { type: "string" }, json: { type: "string" }, help: { type: "boolean" } },
    }));
  } catch (error) {
    console.error(`intune-doctor: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const config = values.stack ? (await openStack(values.stack)).config : undefined;
  const checks = await diagnose(config);
  process.stdout.write(renderChecks(checks));
  if (values.json) writeFileSync(values.json, JSON.stringify({ checks }, null, 2) + "\n");
  return checks.some((c) => c.verdict === "fail") ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      console.error(`intune-doctor: ${message}`);
      process.exit(1);
    },
  );
}
