import type { IncidentPlan, PersonRef } from './incident';

/** On-call levels as a source answered them, with each person already matched (or not) to a PersonRef. */
export interface OnCallLevels {
  /** Level 1 decides (in the order the source listed them), level 2 backs up. */
  levels: Array<{ level: number; people: PersonRef[] }>;
}

/**
 * Puts who is on call now into the plan: level 1 becomes the decision makers (the first one the
 * primary), level 2 the backup approvers. Nobody on call at level 1 keeps the YAML roles. The
 * verifier candidates lose whoever is now asked to decide: separation of duties holds whoever the
 * schedule names. Pure: the same answer always gives the same plan.
 */
export function applyOnCall(plan: IncidentPlan, onCall: OnCallLevels): IncidentPlan {
  const level = (n: number) =>
    dedupe(onCall.levels.filter((entry) => entry.level === n).flatMap((entry) => entry.people));
  const deciders = level(1);
  if (deciders.length === 0) return plan;
  const decided = new Set(deciders.map((person) => person.id));
  const backups = level(2).filter((person) => !decided.has(person.id));
  return {
    ...plan,
    primary: deciders[0]!,
    decisionMakers: deciders,
    backupApprovers: backups.length ? backups : plan.backupApprovers.filter((person) => !decided.has(person.id)),
    verifierCandidates: plan.verifierCandidates.filter((person) => !decided.has(person.id)),
  };
}

/** Backup approvers at escalation time: level 2 now, else level 1 people who are not deciding already. */
export function backupsFromOnCall(plan: IncidentPlan, onCall: OnCallLevels): PersonRef[] {
  const deciding = new Set(plan.decisionMakers.map((person) => person.id));
  const at = (n: number) => onCall.levels.filter((entry) => entry.level === n).flatMap((entry) => entry.people);
  const fresh = dedupe([...at(2), ...at(1)]).filter((person) => !deciding.has(person.id));
  return fresh;
}

function dedupe(people: PersonRef[]): PersonRef[] {
  const seen = new Set<string>();
  return people.filter((person) => !seen.has(person.id) && Boolean(seen.add(person.id)));
}
