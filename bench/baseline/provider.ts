/**
 * The baseline: a naive dynamic provider, written the way the cautionary example in
 * /work/shared/reference/peers.md is, so the benchmark shows what the real design buys. Kept
 * under bench/ only; never use it.
 *
 * - No limiter: every resource operation fires its requests at once.
 * - Retries everything (POST included) on 429, 5xx and lost connections: Retry-After when given,
 *   else one second, up to 8 attempts.
 * - A new token for every operation (no cache).
 * - Deep-equal diff over all inputs, `__provider` included; outputs are the inputs.
 * - Update PATCHes every input, not only the changed ones.
 * - The whole implementation is serialized by value into state (its helpers are module
 *   functions captured by the closure serializer), twice per resource.
 *
 * It reads its settings from the environment when it runs (it captures no secret).
 */
import type * as pulumi from "@pulumi/pulumi";

const CONNECTORS = "/beta/deviceManagement/domainJoinConnectors";
const ODATA_TYPE = "#microsoft.graph.deviceManagementDomainJoinConnector";

interface Reply {
  status: number;
  body: Record<string, unknown> | undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function naiveFetch(url: string, init: RequestInit): Promise<Reply> {
  let last: unknown;
  for (let attempt = 1; attempt <= 8; attempt++) {
    try {
      const response = await fetch(url, init);
      const text = await response.text();
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      if (response.status === 429 || response.status >= 500) {
        const after = Number(response.headers.get("retry-after"));
        last = new Error(`${init.method} ${url}: ${response.status} ${text}`);
        await sleep(after > 0 ? after * 1000 : 1000);
        continue;
      }
      return { status: response.status, body };
    } catch (error) {
      last = error;
      await sleep(1000);
    }
  }
  throw last;
}

async function getToken(): Promise<string> {
  const env = process.env;
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: env.AZURE_CLIENT_ID ?? "",
    client_secret: env.AZURE_CLIENT_SECRET ?? "",
    scope: "https://graph.microsoft.com/.default",
  });
  const reply = await naiveFetch(`${env.AZURE_AUTHORITY_HOST}/${env.AZURE_TENANT_ID}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
  if (reply.status !== 200) throw new Error(`token: ${reply.status} ${JSON.stringify(reply.body)}`);
  return String(reply.body?.access_token);
}

async function graph(method: string, path: string, body?: unknown): Promise<Reply> {
  const token = await getToken();
  const reply = await naiveFetch(`${process.env.INTUNE_GRAPH_ENDPOINT}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (reply.status >= 400 && reply.status !== 404) {
    throw new Error(`${method} ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return reply;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function connectorBody(inputs: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = { "@odata.type": ODATA_TYPE };
  for (const key of ["displayName", "version", "state"]) {
    if (inputs[key] !== undefined && inputs[key] !== null) body[key] = inputs[key];
  }
  return body;
}

function inputsOf(props: Record<string, unknown>): Record<string, unknown> {
  const { connectorId: _id, ...rest } = props;
  return rest;
}

export const naiveProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id, olds, news) {
    return { changes: !deepEqual(inputsOf(olds), news) };
  },
  async create(inputs) {
    const reply = await graph("POST", CONNECTORS, connectorBody(inputs));
    const id = String(reply.body?.id);
    return { id, outs: { ...inputs, connectorId: id } };
  },
  async read(id, props) {
    const reply = await graph("GET", `${CONNECTORS}/${id}`);
    if (reply.status === 404) return { id: "" };
    const remote = reply.body ?? {};
    const outs: Record<string, unknown> = { ...props };
    for (const key of ["displayName", "version", "state"]) {
      if (key in outs && outs[key] !== undefined) outs[key] = remote[key];
    }
    return { id, props: outs };
  },
  async update(id, _olds, news) {
    await graph("PATCH", `${CONNECTORS}/${id}`, connectorBody(news));
    return { outs: { ...news, connectorId: id } };
  },
  async delete(id) {
    await graph("DELETE", `${CONNECTORS}/${id}`);
  },
};
