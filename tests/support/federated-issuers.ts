/**
 * Local stand-ins for the two CI token services that federated credentials start from, on
 * loopback over HTTPS with a certificate from the emulator's CA (trusted through
 * NODE_EXTRA_CA_CERTS like the emulator itself; @azure/identity refuses http for the Azure DevOps
 * request, so both use https):
 *
 * - GitHub Actions' ID token endpoint: `GET <ACTIONS_ID_TOKEN_REQUEST_URL>&audience=…` with
 *   `Authorization: Bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>` → `{"count": 1, "value": "<jwt>"}`,
 *   claims shaped like GitHub's (iss, sub `repo:ORG/REPO:environment:ENV`, aud, repository, ref,
 *   environment, …).
 * - Azure DevOps' OIDC endpoint: `POST <SYSTEM_OIDCREQUESTURI>?api-version=7.1&serviceConnectionId=…`
 *   with `Authorization: Bearer <System.AccessToken>` → `{"oidcToken": "<jwt>"}`, iss
 *   `https://vstoken.dev.azure.com/<org id>`, sub `sc://ORG/PROJECT/CONNECTION`.
 *
 * Each signs with its own key and publishes its JWKS, which the emulator is told to trust. The
 * request log never holds the bearer tokens or the tokens handed out.
 */
import { randomBytes, randomUUID } from "node:crypto";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import type { JSONWebKeySet } from "jose";
import { ensureCa, issueServerCertificate, loadCa } from "intune-graph-emulator/internal/clients/ca";
import { SigningKey } from "intune-graph-emulator/internal/entra/keys";
import { EmulatorOptions, READ_WRITE_ROLE } from "intune-graph-emulator";
import { trustedStateDir } from "./emulator";

export const FEDERATED_AUDIENCE = "api://AzureADTokenExchange";

export interface StandInRequest {
  method: string;
  path: string;
  /** Query parameters, as sent. */
  query: Record<string, string>;
  /** Whether the bearer token was the expected one (the token itself is never kept). */
  authorized: boolean;
  status: number;
}

export interface StandIn {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  /** The `iss` of the tokens it hands out. */
  readonly issuer: string;
  readonly jwks: JSONWebKeySet;
  /** The bearer token the job presents (what the CI system puts in the job's environment). */
  readonly requestToken: string;
  /** Every token handed out, so tests can check that none leaks. */
  readonly issuedTokens: string[];
  requests(): StandInRequest[];
  close(): Promise<void>;
}

export interface GithubStandIn extends StandIn {
  /** The value for ACTIONS_ID_TOKEN_REQUEST_URL. */
  readonly requestUrl: string;
  /** Changes the `sub` of the next tokens (to test a subject Entra does not know). */
  setSubject(subject: string): void;
}

export interface AzureDevOpsStandIn extends StandIn {
  /** The value for SYSTEM_OIDCREQUESTURI. */
  readonly oidcRequestUri: string;
  readonly serviceConnectionId: string;
}

type Handler = (
  req: { method: string; path: string; query: URLSearchParams; authorized: boolean },
  key: SigningKey,
) => Promise<{ status: number; body: unknown }>;

async function startStandIn(
  requestToken: string,
  handle: Handler,
): Promise<{ url: string; key: SigningKey; log: StandInRequest[]; close: () => Promise<void> }> {
  const ca = await loadCa(await ensureCa(trustedStateDir()));
  const cert = await issueServerCertificate(ca);
  const key = await SigningKey.generate();
  const log: StandInRequest[] = [];
  const server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "https://127.0.0.1");
      const authorized = req.headers.authorization === `Bearer ${requestToken}`;
      handle({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, authorized }, key)
        .catch((error: unknown) => ({ status: 500, body: { message: String(error) } }))
        .then(({ status, body }) => {
          log.push({
            method: req.method ?? "GET",
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            authorized,
            status,
          });
          res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
          res.end(JSON.stringify(body));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    key,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function lifetime(seconds = 300): { iat: number; nbf: number; exp: number } {
  const now = Math.floor(Date.now() / 1000);
  return { iat: now, nbf: now - 5, exp: now + seconds };
}

/**
 * Emulator options for an app that a GitHub Actions job signs in as with its ID token: the app
 * (ReadWrite) with a federated credential for the job's subject, and the stand-in's issuer trusted.
 */
export function githubFederatedApp(
  github: GithubStandIn,
  app: { clientId: string; displayName: string },
  subject = "repo:contoso/intune:environment:production",
): Pick<EmulatorOptions, "apps" | "trustedIssuers"> {
  return {
    apps: [{ ...app, roles: [READ_WRITE_ROLE], federated: [{ issuer: github.issuer, subject }] }],
    trustedIssuers: { [github.issuer]: github.jwks },
  };
}

/** GitHub Actions' ID token service for one job of `repository` deploying to `environment`. */
export async function startGithubActionsStandIn(
  opts: { repository?: string; environment?: string; ref?: string } = {},
): Promise<GithubStandIn> {
  const repository = opts.repository ?? "contoso/intune";
  const environment = opts.environment ?? "production";
  const ref = opts.ref ?? "refs/heads/main";
  let subject = `repo:${repository}:environment:${environment}`;
  const requestToken = randomBytes(24).toString("base64url");
  const issued: string[] = [];
  let issuer = "";
  const base = await startStandIn(requestToken, async (req, key) => {
    if (req.method === "GET" && req.path === "/.well-known/openid-configuration") {
      return { status: 200, body: { issuer, jwks_uri: `${issuer}/.well-known/jwks` } };
    }
    if (req.method === "GET" && req.path === "/.well-known/jwks") return { status: 200, body: key.jwks() };
    if (req.path !== "/_apis/distributedtask/idtoken") return { status: 404, body: { message: "Not found" } };
    if (req.method !== "GET") return { status: 405, body: { message: "Method not allowed" } };
    if (!req.authorized) return { status: 401, body: { message: "Unauthorized: bad request token" } };
    if (req.query.get("api-version") !== "2.0")
      return { status: 400, body: { message: "api-version 2.0 required" } };
    const token = await key.sign({
      iss: issuer,
      sub: subject,
      aud: req.query.get("audience") ?? `https://github.com/${repository.split("/")[0]}`,
      ...lifetime(),
      jti: randomUUID(),
      repository,
      repository_owner: repository.split("/")[0],
      ref,
      ref_type: "branch",
      environment,
      workflow: "deploy",
      event_name: "push",
      job_workflow_ref: `${repository}/.github/workflows/deploy.yml@${ref}`,
      runner_environment: "github-hosted",
    });
    issued.push(token);
    return { status: 200, body: { count: 1, value: token } };
  });
  issuer = base.url;
  return {
    url: base.url,
    issuer,
    jwks: base.key.jwks(),
    requestToken,
    issuedTokens: issued,
    requestUrl: `${base.url}/_apis/distributedtask/idtoken?api-version=2.0`,
    setSubject: (s) => {
      subject = s;
    },
    requests: () => [...base.log],
    close: base.close,
  };
}

/** Azure DevOps' OIDC endpoint for one job, with one workload identity service connection. */
export async function startAzureDevOpsStandIn(
  opts: { organization?: string; project?: string; connection?: string } = {},
): Promise<AzureDevOpsStandIn> {
  const organization = opts.organization ?? "contoso";
  const project = opts.project ?? "intune";
  const connection = opts.connection ?? "intune-prod";
  const organizationId = randomUUID();
  const projectId = randomUUID();
  const serviceConnectionId = randomUUID();
  const issuer = `https://vstoken.dev.azure.com/${organizationId}`;
  const requestToken = randomBytes(32).toString("base64url");
  const issued: string[] = [];
  const path = `/${organization}/${projectId}/_apis/distributedtask/hubs/build/plans/${randomUUID()}/jobs/${randomUUID()}/oidctoken`;
  const base = await startStandIn(requestToken, async (req, key) => {
    if (req.path !== path) return { status: 404, body: { message: "Not found" } };
    if (req.method !== "POST") return { status: 405, body: { message: "Method not allowed" } };
    if (!req.authorized) return { status: 401, body: { message: "TF400813: The user is not authorized." } };
    if (req.query.get("api-version") !== "7.1")
      return { status: 400, body: { message: "api-version 7.1 required" } };
    if (req.query.get("serviceConnectionId") !== serviceConnectionId) {
      return {
        status: 404,
        body: { message: `Service connection ${req.query.get("serviceConnectionId")} not found.` },
      };
    }
    const token = await key.sign({
      iss: issuer,
      sub: `sc://${organization}/${project}/${connection}`,
      aud: FEDERATED_AUDIENCE,
      ...lifetime(),
      jti: randomUUID(),
    });
    issued.push(token);
    return { status: 200, body: { oidcToken: token } };
  });
  return {
    url: base.url,
    issuer,
    jwks: base.key.jwks(),
    requestToken,
    issuedTokens: issued,
    oidcRequestUri: `${base.url}${path}`,
    serviceConnectionId,
    requests: () => [...base.log],
    close: base.close,
  };
}
