/**
 * `--resume`: which tenants the last run of the same command did not finish well, so run again.
 * Pure. A tenant is carried over, not run, when the last run finished it well (ok, changes or
 * findings) and its entry in the fleet file is the same as then; every other tenant runs: one
 * that failed, that never started, that the run was killed in the middle of (started, never
 * finished: its stack may need a repair first), that is new in the fleet file or changed in it.
 */
import { FINISHED_WELL } from "./outcome";
import { FleetSummary, TenantResult } from "./summary";

export interface ResumePlan {
  /** Names to run, in the fleet's order. */
  run: string[];
  /** Of those, the ones the last run started and never finished. */
  interrupted: string[];
  /** Results kept from the last run, marked carried. */
  carried: TenantResult[];
  /** Why each one runs again, by name. */
  reasons: Map<string, string>;
}

export function planResume(
  previous: FleetSummary | undefined,
  tenants: readonly { name: string; digest: string }[],
): ResumePlan {
  const plan: ResumePlan = { run: [], interrupted: [], carried: [], reasons: new Map() };
  const before = new Map((previous?.tenants ?? []).map((t) => [t.name, t]));
  for (const { name, digest } of tenants) {
    const last = before.get(name);
    const again = (why: string) => {
      plan.run.push(name);
      plan.reasons.set(name, why);
    };
    if (!last) again(previous ? "not in the last run" : "no record of a last run");
    else if (last.startedAt !== null && last.finishedAt === null) {
      plan.interrupted.push(name);
      again("the last run stopped in the middle of it");
    } else if (last.outcome === "not run") again("the last run did not run it");
    else if (!FINISHED_WELL.includes(last.outcome)) again(`the last run ended it ${last.outcome}`);
    else if (last.digest !== digest) again("its entry in the fleet file changed since the last run");
    else plan.carried.push({ ...last, carried: true });
  }
  return plan;
}
