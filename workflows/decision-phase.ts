import { condition, patched } from '@temporalio/workflow';
import { bookkeeping } from './activity-stubs';
import type { ContainmentAction } from '../domain/catalog';
import type { DecisionChoice, PersonRef } from '../domain/incident';
import { dedupe } from './handoff';
import { WORKER, now, type Attribution, type IncidentState } from './incident-state';

export interface Decision {
  choice: DecisionChoice;
  /** On whose authority the containment runs: the approvers, or the policy. */
  attribution: Attribution;
}

/**
 * Gets a decision: from the policy at once when it allows auto-containment, else from the
 * approvers, escalating to the backup approvers and then to the policy's fallback when nobody
 * answers in time.
 */
export async function obtainDecision(state: IncidentState): Promise<Decision> {
  const plan = state.plan!;
  const auto = plan.policy.autoContain;
  if (auto && state.phase === 'planning') return decideByPolicy(state, auto.action, 'auto-contain', auto.matchedRule);

  // After a failed containment the incident stays flagged until someone decides again.
  if (state.phase !== 'needs-attention') state.phase = 'awaiting-decision';
  allow(state, plan.decisionMakers);
  state.waitFor(plan.decisionMakers, 'a decision', plan.policy.decisionTimeoutMs);
  state.record(
    'decision.requested',
    `decision requested from ${plan.decisionMakers.map((p) => p.id).join(', ')}`,
    { actor: WORKER, delegatedBy: { type: 'policy', id: plan.policy.id } },
    {
      approvers: ids(plan.decisionMakers),
      approvalsRequired: plan.policy.approvalsRequired,
      timeoutMs: plan.policy.decisionTimeoutMs,
    },
  );
  state.notify(
    'decision-requested',
    plan.decisionMakers,
    `A leaked credential needs your decision: ${plan.secret.id} (${plan.secret.tier}).`,
  );
  if (await condition(() => state.tally() !== undefined, plan.policy.decisionTimeoutMs)) return decideByPeople(state);

  const onCallBackups = await backupsOnCallNow(state);
  const backups = onCallBackups ?? (plan.backupApprovers.length ? plan.backupApprovers : plan.escalationContacts);
  state.phase = 'escalated-to-backup';
  allow(state, backups);
  state.waitFor(dedupe([...plan.decisionMakers, ...backups]), 'a decision (escalated)', plan.policy.backupTimeoutMs);
  state.record(
    'decision.escalated',
    `no decision within ${plan.policy.decisionTimeoutMs / 1000}s: escalated to ${ids(backups).join(', ')}`,
    { actor: WORKER, delegatedBy: { type: 'policy', id: plan.policy.id } },
    { to: ids(backups), afterMs: plan.policy.decisionTimeoutMs },
  );
  state.notify(
    'escalated',
    backups,
    `Escalated to you: nobody decided on leaked credential ${plan.secret.id} in time.`,
  );
  if (await condition(() => state.tally() !== undefined, plan.policy.backupTimeoutMs)) return decideByPeople(state);

  if (plan.policy.fallback !== 'wait') {
    return decideByPolicy(state, plan.policy.fallback, 'fallback', {
      fallback: plan.policy.fallback,
      unansweredMs: plan.policy.decisionTimeoutMs + plan.policy.backupTimeoutMs,
    });
  }
  allow(state, plan.escalationContacts);
  state.waitFor(dedupe([...plan.decisionMakers, ...backups, ...plan.escalationContacts]), 'a decision (overdue)');
  state.record(
    'decision.escalated',
    `backup did not answer either: escalated to ${ids(plan.escalationContacts).join(', ')}; policy says wait`,
    { actor: WORKER, delegatedBy: { type: 'policy', id: plan.policy.id } },
    { to: ids(plan.escalationContacts) },
  );
  state.notify(
    'escalated',
    plan.escalationContacts,
    `Overdue: leaked credential ${plan.secret.id} still has no decision.`,
  );
  await condition(() => state.tally() !== undefined);
  return decideByPeople(state);
}

/**
 * Who is on call now, when the owner team's on-call is live: the schedule may have rotated since
 * planning. The look-up and its answer are evidence. Undefined when the roles come from YAML only.
 */
async function backupsOnCallNow(state: IncidentState): Promise<PersonRef[] | undefined> {
  const plan = state.plan!;
  if (!plan.liveOnCall || !patched('on-call-at-escalation')) return undefined;
  const { backups, record } = await bookkeeping.backupApproversNow(plan);
  state.record(
    'roles.re-resolved',
    `at escalation ${record.source} ${record.outcome === 'answered' ? 'named' : 'was unreachable; kept'} ${ids(backups).join(', ') || 'nobody'}`,
    { actor: WORKER, delegatedBy: { type: 'policy', id: plan.policy.id } },
    { source: record, backupApprovers: ids(backups) },
  );
  return backups.length ? backups : undefined;
}

function decideByPeople(state: IncidentState): Decision {
  const tally = state.tally()!;
  const first = tally.by[0]!;
  state.decision = { choice: tally.choice, by: tally.by, delegatedBy: first, at: now() };
  state.waitingOn = null;
  const attribution: Attribution = {
    actor: WORKER,
    delegatedBy: { type: 'person', id: first, slackUserId: state.person(first)?.slackUserId },
    policyInputs: { approvers: tally.by, approvalsRequired: state.plan!.policy.approvalsRequired },
  };
  state.record(
    'decision.made',
    `decided: ${tally.choice} by ${tally.by.join(' and ')}`,
    { ...attribution, actor: { type: 'person', id: first } },
    { choice: tally.choice, approvers: tally.by },
  );
  return { choice: tally.choice, attribution };
}

function decideByPolicy(
  state: IncidentState,
  action: ContainmentAction,
  why: 'auto-contain' | 'fallback',
  inputs: Record<string, unknown>,
): Decision {
  const policy = state.plan!.policy;
  const sighting = state.input.firstSighting;
  const policyInputs = {
    rule: why,
    ...inputs,
    verifiedActive: sighting.verifiedActive ?? false,
    publiclyExposed: sighting.publiclyExposed ?? false,
  };
  state.decision = { choice: action, by: [], delegatedBy: `policy:${policy.id}@${policy.version}`, at: now() };
  state.waitingOn = null;
  const attribution: Attribution = { actor: WORKER, delegatedBy: { type: 'policy', id: policy.id }, policyInputs };
  state.record(
    'decision.made',
    `${why === 'auto-contain' ? 'policy auto-contains' : 'nobody answered: policy fallback'}: ${action}`,
    attribution,
    { choice: action, why },
  );
  return { choice: action, attribution };
}

function allow(state: IncidentState, people: PersonRef[]): void {
  for (const person of people) state.allowedApprovers.add(person.id);
}

function ids(people: PersonRef[]): string[] {
  return people.map((person) => person.id);
}
