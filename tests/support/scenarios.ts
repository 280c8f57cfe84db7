/**
 * Reliability scenarios: each injects a fault (or bad input) into the emulator, drives the
 * provider, and checks the end state against the desired state — no duplicate, state agreeing
 * with the tenant, and a clear error where one is due. The same list feeds the fast mocha suite
 * (`npm test`) and `npm run soak`, which prints the table and regenerates the README's.
 */
import { Emulator, FaultRule } from "intune-graph-emulator";
import { DomainJoinConnectorProvider } from "pulumi-intune-domain-join/internal/connector/provider";
import { DEFAULT_RETRY_OPTIONS } from "pulumi-intune-domain-join/internal/config/retry-options";
import { FAST_RETRY, emulatorEnv, providerFor } from "./provider-harness";
import { startTestEmulator } from "./emulator";

export type Category = "fault" | "bad input" | "security" | "load";

export interface ScenarioResult {
  /** The end state is the desired one (or the error due was given and nothing changed). */
  ok: boolean;
  /** What happened, for the table: e.g. "retried 3×, 1 PATCH applied". */
  detail: string;
  /** Connectors in the tenant with the scenario's display name beyond the one wanted. */
  duplicates: number;
  /** Connectors or state lost. */
  lost: number;
  /** How many separate cases the scenario tried (bad-input matrices try many). */
  cases: number;
}

export interface Scenario {
  id: string;
  category: Category;
  name: string;
  /** Slow scenarios run only in `npm run soak`. */
  soak?: boolean;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

export interface ScenarioContext {
  emulator: Emulator;
  /** A provider for the given app with test-sized retry timings. */
  provider(
    app?: string,
    env?: NodeJS.ProcessEnv,
  ): { provider: DomainJoinConnectorProvider; warnings: string[] };
}

const GRAPH = "/beta/deviceManagement/domainJoinConnectors";

function named(emulator: Emulator, displayName: string) {
  return emulator.connectors().filter((c) => c.displayName === displayName);
}

function result(ok: boolean, detail: string, extra: Partial<ScenarioResult> = {}): ScenarioResult {
  return { ok, detail, duplicates: 0, lost: 0, cases: 1, ...extra };
}

/** Creates a connector to work on, without faults, and clears the log. */
async function prepared(ctx: ScenarioContext, displayName: string) {
  const t = ctx.provider();
  const created = await t.provider.create({ displayName });
  ctx.emulator.clearLog();
  return { ...t, id: created.id as string, outs: created.outs as Record<string, unknown> };
}

function attempts(emulator: Emulator, method: string): string {
  const entries = emulator.requestLog({ kind: "graph" }).filter((e) => e.method === method);
  return `${entries.length} ${method} (${entries.map((e) => e.status || "dropped").join(", ")})`;
}

/**
 * The emulator logs a request when it answers it, so a request slowed past the client's timeout
 * shows in the log only after the retry that replaced it: wait for it (bounded), so that the
 * attempts reported are all of them.
 */
async function faultLogged(emulator: Emulator, fault: FaultRule): Promise<void> {
  if (!fault.delayMs) return;
  const until = Date.now() + fault.delayMs + 2000;
  while (!emulator.requestLog().some((e) => e.fault !== undefined) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A write fault on an operation, survived by retries: the end state must be the desired one. */
function transientFault(
  id: string,
  name: string,
  op: "read" | "update" | "delete",
  fault: FaultRule,
): Scenario {
  return {
    id,
    category: "fault",
    name,
    async run(ctx) {
      const displayName = `rel ${id}`;
      const t = await prepared(ctx, displayName);
      ctx.emulator.addFault({ path: GRAPH, ...fault });
      try {
        let ok: boolean;
        if (op === "read") {
          ok = (await t.provider.read(t.id, t.outs)).id === t.id;
        } else if (op === "update") {
          await t.provider.update(t.id, t.outs, { displayName: `${displayName} renamed` });
          const now = ctx.emulator.connectors().find((c) => c.id === t.id);
          ok = now?.displayName === `${displayName} renamed`;
        } else {
          await t.provider.delete(t.id, t.outs);
          ok = !ctx.emulator.connectors().some((c) => c.id === t.id);
        }
        await faultLogged(ctx.emulator, fault);
        return result(ok, attempts(ctx.emulator, { read: "GET", update: "PATCH", delete: "DELETE" }[op]));
      } finally {
        t.provider.close();
        ctx.emulator.clearFaults();
      }
    },
  };
}

/** A POST fault: the create either adopts what the service made or says nothing was made; a re-run converges. */
function postFault(id: string, name: string, fault: FaultRule): Scenario {
  return {
    id,
    category: "fault",
    name,
    async run(ctx) {
      const displayName = `rel ${id}`;
      const t = ctx.provider();
      ctx.emulator.addFault({ method: "POST", path: GRAPH, ...fault });
      let detail: string;
      try {
        try {
          await t.provider.create({ displayName });
          detail = `first run converged (${t.warnings.length ? "reconciled" : "created"})`;
        } catch (error) {
          const message = (error as Error).message;
          const clear = /nothing was created; running the deployment again is safe/.test(message);
          const ids = /client-request-id: [0-9a-f-]{36}/.test(message);
          if (!clear || !ids) return result(false, `unclear error: ${message}`);
          await t.provider.create({ displayName }); // the re-run a pipeline would do
          detail = "clear error naming the ids, re-run converged";
        }
      } finally {
        t.provider.close();
        ctx.emulator.clearFaults();
      }
      const count = named(ctx.emulator, displayName).length;
      return result(count === 1, `${detail}; ${attempts(ctx.emulator, "POST")}`, {
        duplicates: Math.max(0, count - 1),
        lost: count === 0 ? 1 : 0,
      });
    },
  };
}

/** The token endpoint fails for a while: the create must still happen, once. */
function tokenEndpointFault(id: string, name: string, fault: FaultRule): Scenario {
  return {
    id,
    category: "fault",
    name,
    async run(ctx) {
      ctx.emulator.addFault({ path: "/oauth2/v2.0/token", ...fault });
      const t = ctx.provider();
      try {
        await t.provider.create({ displayName: `rel ${id}` });
      } finally {
        t.provider.close();
        ctx.emulator.clearFaults();
      }
      const tokenCalls = ctx.emulator.requestLog({ kind: "token" }).filter((e) => e.method === "POST").length;
      return result(
        named(ctx.emulator, `rel ${id}`).length === 1,
        `@azure/identity retried the token request (${tokenCalls} token requests)`,
      );
    },
  };
}

const faultScenarios: Scenario[] = [
  transientFault("F01", "429 storm with Retry-After on PATCH", "update", {
    method: "PATCH",
    status: 429,
    retryAfter: 0.05,
    count: 4,
  }),
  transientFault("F02", "429 storm without Retry-After on PATCH", "update", {
    method: "PATCH",
    status: 429,
    retryAfter: null,
    count: 4,
  }),
  {
    id: "F03",
    category: "fault",
    name: "429 storm with and without Retry-After on POST",
    async run(ctx) {
      const t = ctx.provider();
      ctx.emulator.addFault({ method: "POST", path: GRAPH, status: 429, retryAfter: 0.02, count: 2 });
      ctx.emulator.addFault({ method: "POST", path: GRAPH, status: 429, retryAfter: null, count: 2 });
      try {
        await t.provider.create({ displayName: "rel F03" });
      } finally {
        t.provider.close();
      }
      const count = named(ctx.emulator, "rel F03").length;
      return result(count === 1, attempts(ctx.emulator, "POST"), { duplicates: Math.max(0, count - 1) });
    },
  },
  ...([500, 502, 503, 504] as const).flatMap((status) => [
    transientFault(`F1${status % 10}r`, `${status} on read (GET)`, "read", {
      method: "GET",
      status,
      count: 2,
    }),
    transientFault(`F1${status % 10}u`, `${status} on update (PATCH)`, "update", {
      method: "PATCH",
      status,
      count: 2,
    }),
    transientFault(`F1${status % 10}d`, `${status} on delete (DELETE)`, "delete", {
      method: "DELETE",
      status,
      count: 2,
    }),
    postFault(`F1${status % 10}c`, `${status} on create (POST), not applied`, { status, count: 1 }),
  ]),
  transientFault("F20", "PATCH applied but answered 504", "update", {
    method: "PATCH",
    applyThen: 504,
    count: 1,
  }),
  transientFault("F21", "DELETE applied but answered 504", "delete", {
    method: "DELETE",
    applyThen: 504,
    count: 1,
  }),
  postFault("F22", "POST applied but answered 504", { applyThen: 504, count: 1 }),
  postFault("F23", "POST applied, connection dropped", { applyThen: "drop", count: 1 }),
  postFault("F24", "POST connection dropped before the service saw it", { drop: true, count: 1 }),
  transientFault("F25", "GET slower than the request timeout", "read", {
    method: "GET",
    delayMs: 900,
    count: 1,
  }),
  transientFault("F26", "PATCH slower than the request timeout", "update", {
    method: "PATCH",
    delayMs: 900,
    count: 1,
  }),
  postFault("F27", "POST slower than the request timeout (applied late)", { delayMs: 900, count: 1 }),
  tokenEndpointFault("F30", "token endpoint down (connections dropped), then back", { drop: true, count: 2 }),
  tokenEndpointFault("F31", "token endpoint answering 500, then back", { status: 500, count: 2 }),
  {
    id: "F32",
    category: "fault",
    name: "token endpoint refusing the secret (AADSTS7000215)",
    async run(ctx) {
      const t = ctx.provider("writer", { AZURE_CLIENT_SECRET: "a-wrong-secret-value" });
      let message = "";
      try {
        await t.provider.create({ displayName: "rel F32" });
      } catch (error) {
        message = (error as Error).message;
      } finally {
        t.provider.close();
      }
      const graphCalls = ctx.emulator.requestLog({ kind: "graph" }).length;
      const clear = message.includes("AADSTS7000215") && !message.includes("a-wrong-secret-value");
      return result(
        clear && graphCalls === 0,
        clear ? "clear AADSTS7000215 error, no Graph request" : `unclear: ${message}`,
      );
    },
  },
  {
    id: "F33",
    category: "fault",
    name: "token expiring mid-run (2 s tokens, 3 s of work)",
    async run() {
      // Its own emulator: token lifetime is fixed when an emulator starts.
      const emulator = await startTestEmulator({ tokenLifetimeSeconds: 2, seed: 0 });
      const t = providerFor(emulator, "writer", { retry: FAST_RETRY });
      let n = 0;
      try {
        const created = await t.provider.create({ displayName: "rel F33" });
        let outs = created.outs as Record<string, unknown>;
        const started = Date.now();
        while (Date.now() - started < 3000) {
          outs = (await t.provider.update(created.id, outs, { displayName: `rel F33 #${++n}` }))
            .outs as Record<string, unknown>;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const tokens = emulator.summary().token;
        const unauthorized = emulator.requestLog({ kind: "graph" }).filter((e) => e.status === 401).length;
        const ok = emulator.connectors().find((c) => c.id === created.id)?.displayName === `rel F33 #${n}`;
        return result(
          ok && tokens >= 2 && unauthorized === 0,
          `${n} updates, ${tokens} tokens, ${unauthorized} × 401`,
        );
      } finally {
        t.provider.close();
        await emulator.close();
      }
    },
  },
  {
    id: "F34",
    category: "fault",
    name: "token revoked mid-run (401): one fresh token, one retry",
    async run(ctx) {
      const t = await prepared(ctx, "rel F34");
      ctx.emulator.addFault({ path: GRAPH, status: 401, count: 1 });
      try {
        await t.provider.update(t.id, t.outs, { displayName: "rel F34 renamed" });
      } finally {
        t.provider.close();
        ctx.emulator.clearFaults();
      }
      const ok = ctx.emulator.connectors().find((c) => c.id === t.id)?.displayName === "rel F34 renamed";
      return result(
        ok && ctx.emulator.summary().token === 1,
        `${attempts(ctx.emulator, "PATCH")}, 1 new token`,
      );
    },
  },
];

/** Values that must be refused, per property, with what the message must name. */
const BAD_VALUES: Record<string, unknown[]> = {
  displayName: [
    "",
    " ",
    "\t\n",
    "\u00a0\u2003",
    42,
    true,
    null,
    [],
    {},
    "a".repeat(257),
    "x".repeat(100_000),
    "bad\u0000name",
    "line\nbreak",
    "bell\u0007",
    "del\u007f",
  ],
  version: ["", "latest", "6", "v6.1", "6..1", "1.2.3.4.5", "../6.1", "6.1?x", 6.1, {}, "6.1.1.1\n", "٦.١"],
  state: ["", "Active", "ACTIVE", "on", "deleted", 1, false, {}, "active ", "inactive\u0000"],
  connectorId: [
    "",
    "../../users",
    "..%2F..%2Fusers",
    "%2F",
    "3fa85f64-5717-4562-b3fc-2c963f66afa6?$select=id",
    "3fa85f64-5717-4562-b3fc-2c963f66afa6#x",
    "3fa85f64-5717-4562-b3fc-2c963f66afa6/../x",
    "{3fa85f64-5717-4562-b3fc-2c963f66afa6}",
    "3fa85f645717-4562-b3fc-2c963f66afa6",
    12345,
    "x".repeat(5000),
  ],
  deleteOnDestroy: ["yes", "true", "false", 1, 0, {}],
  lastConnectionDateTime: ["2026-01-01T00:00:00Z", ""],
  id: ["anything"],
  displayname: ["typo"],
  Version: ["6.1.1.1"],
  tenantId: ["not-an-input"],
};

const GOOD_UNICODE = ["Connecteur – Bâtiment A", "コネクタ 東京", "Соединитель", "🚀 rocket", "Ω≈ç√∫"];

const inputScenarios: Scenario[] = [
  {
    id: "I01",
    category: "bad input",
    name: "generated bad values per property: refused in check, naming the property, nothing sent",
    async run(ctx) {
      const t = ctx.provider();
      let cases = 0;
      const misses: string[] = [];
      try {
        for (const [property, values] of Object.entries(BAD_VALUES)) {
          for (const value of values) {
            cases++;
            const key = property === "id" ? "__given_id" : property;
            const news = { displayName: "valid name", [key]: value };
            if (property === "displayName") news.displayName = value as string;
            const check = await t.provider.check({}, news);
            const failures = check.failures ?? [];
            if (!failures.some((f) => f.property === property && f.reason.includes(property))) {
              misses.push(`${property}=${JSON.stringify(value)?.slice(0, 30)}`);
            }
          }
        }
      } finally {
        t.provider.close();
      }
      const sent = ctx.emulator.requestLog().filter((e) => e.kind !== "admin").length;
      return result(
        misses.length === 0 && sent === 0,
        misses.length ? `accepted: ${misses.join("; ")}` : `${cases} refused, 0 requests`,
        {
          cases,
        },
      );
    },
  },
  {
    id: "I02",
    category: "bad input",
    name: "valid unicode names and unknown preview values pass check",
    async run(ctx) {
      const t = ctx.provider();
      const refused: string[] = [];
      try {
        for (const displayName of GOOD_UNICODE) {
          if ((await t.provider.check({}, { displayName })).failures?.length) refused.push(displayName);
        }
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const preview = await t.provider.check(
          {},
          { displayName: unknown, connectorId: unknown, state: unknown },
        );
        if (preview.failures?.length) refused.push("unknown preview values");
      } finally {
        t.provider.close();
      }
      return result(
        refused.length === 0,
        refused.length ? `refused: ${refused.join(", ")}` : `${GOOD_UNICODE.length + 1} accepted`,
        {
          cases: GOOD_UNICODE.length + 1,
        },
      );
    },
  },
];

const securityScenarios: Scenario[] = [
  {
    id: "S01",
    category: "security",
    name: "read-only app: writes fail with the missing-permission hint, nothing changes",
    async run(ctx) {
      const existing = ctx.emulator.seed([{ displayName: "rel S01" }])[0];
      const t = ctx.provider("reader");
      const outs = { ...existing, connectorId: existing.id, adopted: true, deleteOnDestroy: true };
      const messages: string[] = [];
      try {
        for (const attempt of [
          () => t.provider.update(existing.id, outs, { displayName: "changed" }),
          () => t.provider.create({ displayName: "rel S01 new" }),
          () => t.provider.delete(existing.id, outs),
        ]) {
          await attempt().then(
            () => messages.push("accepted"),
            (e: Error) => messages.push(e.message),
          );
        }
      } finally {
        t.provider.close();
      }
      const hinted = messages.every(
        (m) => m.includes("DeviceManagementConfiguration.ReadWrite.All") && /request-id: /.test(m),
      );
      const unchanged =
        ctx.emulator.connectors().find((c) => c.id === existing.id)?.displayName === "rel S01" &&
        named(ctx.emulator, "rel S01 new").length === 0;
      return result(
        hinted && unchanged,
        hinted ? "3 writes refused with the hint and request ids" : messages.join(" | "),
        {
          cases: 3,
        },
      );
    },
  },
  {
    id: "S02",
    category: "security",
    name: "no secret or token in debug logs, errors or the request log",
    async run(ctx) {
      const secret = ctx.emulator.app("writer").secret;
      const lines: string[] = [];
      const original = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      }) as typeof process.stderr.write;
      const errors: string[] = [];
      const t = ctx.provider("writer", { INTUNE_DEBUG: "1" });
      // Three cases: a create that succeeds (debug lines), a read answered 500 until the retry
      // budget runs out, and an update answered 403; each error must come back, and none may leak.
      try {
        const created = await t.provider.create({ displayName: "rel S02" });
        ctx.emulator.addFault({ path: GRAPH, status: 500, count: 100 });
        await t.provider.read(created.id, created.outs).catch((e: Error) => errors.push(e.message));
        ctx.emulator.clearFaults();
        ctx.emulator.addFault({ path: GRAPH, status: 403, count: 1 });
        await t.provider
          .update(created.id, created.outs, { displayName: "rel S02 renamed" })
          .catch((e: Error) => errors.push(e.message));
      } finally {
        process.stderr.write = original;
        t.provider.close();
        ctx.emulator.clearFaults();
      }
      const log = ctx.emulator.requestLog({ kind: "graph" });
      const answered = [500, 403].every((status) => log.some((e) => e.status === status && e.fault));
      const failedAsDue =
        errors.length === 2 && errors[0].includes("failed with 500") && errors[1].includes("failed with 403");
      const everything = lines.join("") + errors.join("") + JSON.stringify(ctx.emulator.requestLog());
      const leaked =
        everything.includes(secret) || /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./.test(everything);
      return result(
        !leaked && lines.length > 0 && answered && failedAsDue,
        `${lines.length} debug lines, ${errors.length} errors (500, 403) checked` +
          (answered && failedAsDue ? "" : `; not as due: ${errors.join(" | ") || "no error"}`),
        {
          cases: 3,
        },
      );
    },
  },
];

/** A stack's worth of connectors through one provider process under Intune's limits. */
function loadScenario(n: number, soak: boolean, rename: boolean): Scenario {
  return {
    id: `L${n}`,
    category: "load",
    name: `${n} connectors created${rename ? ", renamed and deleted" : ""} under Intune's ODJ limits`,
    soak,
    async run(ctx) {
      // Real retry timings here: Retry-After under Intune's limits runs to seconds, not milliseconds.
      const t = providerFor(ctx.emulator, "writer", { retry: { ...DEFAULT_RETRY_OPTIONS } });
      let failed = 0;
      let firstError: string | undefined;
      const fail = (error: unknown) => {
        failed++;
        firstError ??= (error instanceof Error ? error.message : String(error)).split("\n")[0].slice(0, 300);
      };
      const started = Date.now();
      try {
        const created = await Promise.all(
          Array.from({ length: n }, (_, i) =>
            t.provider.create({ displayName: `load ${i}` }).catch((error: unknown) => {
              fail(error);
              return undefined;
            }),
          ),
        );
        await Promise.all(
          created.map((c, i) =>
            c && rename
              ? t.provider
                  .update(c.id, c.outs, { displayName: `load ${i} renamed` })
                  .then(() => t.provider.delete(c.id, { ...c.outs, displayName: `load ${i} renamed` }))
                  .catch(fail)
              : undefined,
          ),
        );
      } finally {
        t.provider.close();
      }
      const left = ctx.emulator.connectors().filter((c) => c.displayName?.startsWith("load ")).length;
      const expected = rename ? 0 : n;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const s = ctx.emulator.summary();
      return result(
        failed === 0 && left === expected,
        `${failed} failed operations, ${s.POST + s.PATCH + s.DELETE} writes, ${s.throttled} throttled answers, ${seconds} s` +
          (firstError ? `; the first failure: ${firstError}` : ""),
        {
          cases: n,
          lost: Math.max(0, expected - left),
        },
      );
    },
  };
}

export const SCENARIOS: Scenario[] = [
  ...faultScenarios,
  ...inputScenarios,
  ...securityScenarios,
  loadScenario(20, false, true),
  loadScenario(500, true, false),
];

/** Runs one scenario on a reset emulator. */
export async function runScenario(emulator: Emulator, scenario: Scenario): Promise<ScenarioResult> {
  emulator.reset({ seed: 2 });
  const ctx: ScenarioContext = {
    emulator,
    provider: (app = "writer", env = {}) =>
      providerFor(emulator, app, {
        env: { ...emulatorEnv(emulator, app), ...env },
        retry: { ...FAST_RETRY, requestTimeoutMs: 400 },
      }),
  };
  return scenario.run(ctx);
}
