import { condition } from '@temporalio/workflow';
import type { IncidentPlan, PersonRef } from '../domain/incident';
import { bookkeeping } from './activity-stubs';
import { WORKER, type IncidentState } from './incident-state';
import { hasPatch, type BaselinePatch } from './patches';

/** Longest pause between two looks at the catalog during a wait that has no deadline. */
export const RECHECK_MAX_MS = 24 * 3_600_000;

/**
 * Waits, with no deadline, until `ready()`; meanwhile it reads the catalog again (after the policy's
 * handoff timeout, then doubling up to a day) and hands each fresh plan to `lookAgain`, which
 * checks first whether it is still needed (the wait may have ended while the catalog was read). An incident
 * that waits for weeks thus learns of the fix its messages ask for (a person added to the catalog)
 * without anyone naming that person to it. Behind `patch`: older runs waited on `ready()` alone.
 */
export async function waitReadingCatalog(
  state: IncidentState,
  patch: BaselinePatch,
  ready: () => boolean,
  lookAgain: (fresh: IncidentPlan) => void,
): Promise<void> {
  if (!hasPatch(patch)) return void (await condition(ready));
  let pauseMs = state.plan!.policy.handoffTimeoutMs;
  while (!(await condition(ready, pauseMs))) {
    pauseMs = Math.min(pauseMs * 2, RECHECK_MAX_MS);
    const fresh = await bookkeeping.planIncident(state.input);
    lookAgain(fresh);
  }
}

/** The roles of a plan that may answer a wait. */
export type PlanRole = 'decisionMakers' | 'backupApprovers' | 'verifierCandidates' | 'executors' | 'escalationContacts';

/**
 * A silent wait (reminders stopped, or a decision overdue) widened by the catalog as it reads now:
 * `newcomers`, already allowed to answer by the caller, are asked, the status waits on them too, and
 * the change is evidence (`roles.re-resolved`). Nobody is removed: what a person already may do stays.
 */
export function askNewcomers(state: IncidentState, what: string, newcomers: PersonRef[]): void {
  if (newcomers.length === 0) return;
  const plan = state.plan!;
  const names = newcomers.map((person) => person.id);
  state.record(
    'roles.re-resolved',
    `the catalog now names ${names.join(', ')} for ${what}: asked`,
    { actor: WORKER, delegatedBy: { type: 'policy', id: plan.policy.id } },
    { role: what, added: names, sources: [{ source: 'catalog' }] },
  );
  if (state.waitingOn) state.waitingOn = { ...state.waitingOn, people: [...state.waitingOn.people, ...names] };
  state.notify('escalated', newcomers, `Tourniquet needs ${what} for ${plan.secret.id}; the catalog now names you.`);
}

/**
 * The people of `roles` in the fresh plan, then `others` (e.g. a dependent's owners), whom `known`
 * does not hold. Each found under a role is added to the incident's plan under it, so their Slack
 * id and teams are known when they answer.
 */
export function freshPeople(
  state: IncidentState,
  fresh: IncidentPlan,
  roles: PlanRole[],
  known: (id: string) => boolean,
  others: PersonRef[] = [],
): PersonRef[] {
  const plan = state.plan!;
  const found: PersonRef[] = [];
  const take = (person: PersonRef): boolean => {
    if (known(person.id) || found.some((other) => other.id === person.id)) return false;
    found.push(person);
    const teams = fresh.teamsOf?.[person.id];
    if (teams && !state.teamsOf[person.id]) state.teamsOf[person.id] = teams;
    return true;
  };
  for (const role of roles) {
    for (const person of fresh[role]) {
      if (take(person) && !plan[role].some((other) => other.id === person.id)) plan[role].push(person);
    }
  }
  others.forEach(take);
  return found;
}
