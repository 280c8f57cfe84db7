/**
 * A connector's whole life through the provider's own Graph client (ConnectorsApi), as `pulumi up`
 * and `pulumi destroy` drive it: create with the run's prefix, read, rename, find it in the list,
 * delete — or, when the service refuses the delete, release it (leave it, and say so in the
 * report). What the client does with the service's answers (a 204 PATCH read back, a wrapped GET,
 * a 429 retried) is the provider's; this says whether the life as a user lives it works.
 */
import { createBody, patchBody } from "pulumi-intune-domain-join/internal/connector/diff";
import type { GraphConnector } from "pulumi-intune-domain-join/internal/connector/definition";
import { ConnectorsApi } from "pulumi-intune-domain-join/internal/graph/connectors";
import { GraphError } from "pulumi-intune-domain-join/internal/graph/errors";
import type { Ownership } from "./exchange";

export type LifeStepName = "create" | "read" | "rename" | "list" | "delete" | "gone";

export interface LifeStep {
  step: LifeStepName;
  ok: boolean;
  detail: string;
  ms: number;
}

export interface Life {
  /** passed: every step; released: all but the delete, which the service refused; failed: a step failed. */
  result: "passed" | "released" | "failed";
  connectorId?: string;
  steps: LifeStep[];
}

export interface LifeOptions {
  /** How long the list may take to show a change. */
  listSettleMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Calls `read` until `done` holds of its answer or `ms` has passed; the last answer. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (let delay = 500; ; delay = Math.min(delay * 2, 4000)) {
    const value = await read();
    if (done(value) || Date.now() + delay > deadline) return value;
    await sleep(delay);
  }
}

/** Whether the service refused the request for good (not a 404, a 429 or a 5xx, which are retried). */
function refusal(error: unknown): error is GraphError {
  return (
    error instanceof GraphError &&
    error.status >= 400 &&
    error.status < 500 &&
    ![404, 429].includes(error.status)
  );
}

export async function runLife(api: ConnectorsApi, ownership: Ownership, options: LifeOptions): Promise<Life> {
  const life: Life = { result: "failed", steps: [] };
  const name = `${ownership.prefix}-life`;
  const renamed = `${ownership.prefix}-life-renamed`;
  let current: GraphConnector | undefined;
  let released = false;

  const step = async (step: LifeStepName, action: () => Promise<{ ok: boolean; detail: string }>) => {
    const started = performance.now();
    let outcome: { ok: boolean; detail: string };
    try {
      outcome = await action();
    } catch (error) {
      outcome = { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
    life.steps.push({ step, ...outcome, ms: Math.round(performance.now() - started) });
    return outcome.ok;
  };

  const steps: [LifeStepName, () => Promise<{ ok: boolean; detail: string }>][] = [
    [
      "create",
      async () => {
        const { connector, reconciled } = await api.create(createBody({ displayName: name }));
        ownership.add(connector.id, name, "life");
        life.connectorId = connector.id;
        current = connector;
        return {
          ok: connector.displayName === name,
          detail: `${connector.id} "${connector.displayName}"${reconciled ? " (the POST's answer was lost; found by the list)" : ""}`,
        };
      },
    ],
    [
      "read",
      async () => {
        current = await api.getAfterWrite(life.connectorId as string, "read the new connector");
        return {
          ok: current.displayName === name,
          detail: `"${current.displayName}", state ${current.state}`,
        };
      },
    ],
    [
      "rename",
      async () => {
        const id = ownership.assertOwned(life.connectorId as string, "rename").id;
        const body = patchBody({ displayName: renamed }, current ?? {});
        if (!body) return { ok: false, detail: "nothing to change" };
        current = await api.update(id, body);
        return { ok: current.displayName === renamed, detail: `now "${current.displayName}"` };
      },
    ],
    [
      "list",
      async () => {
        const listed = await until(
          () => api.list(),
          (all) => all.some((c) => c.id === life.connectorId && c.displayName === renamed),
          options.listSettleMs,
        );
        const found = listed.find((c) => c.id === life.connectorId);
        return {
          ok: found?.displayName === renamed,
          detail: found
            ? `listed as "${found.displayName}" among ${listed.length}`
            : `not among the ${listed.length} listed`,
        };
      },
    ],
    [
      "delete",
      async () => {
        const owned = ownership.assertOwned(life.connectorId as string, "delete");
        try {
          const result = await api.delete(owned.id);
          owned.deleted = true;
          return { ok: true, detail: result };
        } catch (error) {
          if (!refusal(error)) throw error;
          released = true;
          return {
            ok: false,
            detail: `refused (${error.status}${error.code ? ` ${error.code}` : ""}: ${error.graphMessage}); released: left in the tenant, see clean-up`,
          };
        }
      },
    ],
    [
      "gone",
      async () => {
        const left = await until(
          () => api.get(life.connectorId as string),
          (c) => c === undefined,
          options.listSettleMs,
        );
        return {
          ok: left === undefined,
          detail: left === undefined ? "a read answers 404" : "still readable",
        };
      },
    ],
  ];

  for (const [stepName, action] of steps) {
    if (!(await step(stepName, action))) break;
  }
  const allPassed = life.steps.length === steps.length && life.steps.every((s) => s.ok);
  life.result = allPassed
    ? "passed"
    : released && life.steps.slice(0, -1).every((s) => s.ok)
      ? "released"
      : "failed";
  return life;
}
