import { bookkeeping } from './activity-stubs';
import type { ContainmentAction } from '../domain/catalog';
import type { DecisionStage } from '../domain/incident-carry';
import type { DecisionChoice, PersonRef, Phase } from '../domain/incident';
import { askNewcomers, freshPeople, waitReadingCatalog } from './catalog-recheck';
import { rollOver } from './continue-as-new';
import { reidentify } from './identification';
import { dedupe } from './handoff';
import { BOUNDS, WORKER, now, waitUntil, type Attribution, type IncidentState } from './incident-state';
import { hasPatch } from './patches';

export interface Decision {
  choice: DecisionChoice;
  /** On whose authority the containment runs: the approvers, or the policy. */
  attribution: Attribution;
}

/** Where a decision wait stands: its stage, the stage's deadline, the backups asked. */
export interface DecisionWait {
  stage: DecisionStage;
  deadline?: string;
  backups: PersonRef[];
}

/**
 * Gets a decision: from the policy at once when it allows auto-containment, else from the
 * approvers, escalating to the backup approvers and then to the policy's fallback when nobody
 * answers in time. `resumed`: a continued run goes on waiting where the previous run waited.
 */
export async function obtainDecision(state: IncidentState, resumed?: DecisionWait): Promise<Decision> {
  let waiting = resumed;
  for (;;) {
    // A later report named the catalog secret: its owners and policy decide, from the start.
    if (state.pendingIdentity !== undefined) {
      await reidentify(state);
      waiting = undefined;
    }
    const decision = await decideOrIdentify(state, waiting);
    if (decision) return decision;
  }
}

/** A decision; undefined when a later report identified the credential before anyone decided. */
async function decideOrIdentify(state: IncidentState, resumed?: DecisionWait): Promise<Decision | undefined> {
  const plan = state.plan!;
  const auto = plan.policy.autoContain;
  if (!resumed && auto && state.phase === 'planning')
    return decideByPolicy(state, auto.action, 'auto-contain', auto.matchedRule);
  if (resumed?.stage === 'backup') return awaitBackups(state, resumed);
  if (resumed?.stage === 'overdue') return awaitOverdue(state, resumed.backups);
  if (!resumed) requestDecision(state);
  const deadline = resumed?.deadline ?? after(plan.policy.decisionTimeoutMs);
  const waited = await awaitDecision(state, { stage: 'people', deadline, backups: [] });
  if (waited === 'identified') return undefined;
  if (waited === 'decided') return decideByPeople(state);
  return awaitBackups(state);
}

/** Asks the decision makers (and, once containment has failed too often, the escalation contacts). */
function requestDecision(state: IncidentState): void {
  const plan = state.plan!;
  const deciders = attemptsExhausted(state)
    ? dedupe([...plan.decisionMakers, ...plan.escalationContacts])
    : plan.decisionMakers;

  // After a failed containment the incident stays flagged until someone decides again.
  if (state.phase !== 'needs-attention') state.phase = 'awaiting-decision';
  allow(state, deciders);
  const what =
    state.phase === 'needs-attention' && state.lastFailure ? `a new decision: ${state.lastFailure}` : 'a decision';
  state.waitFor(deciders, what, plan.policy.decisionTimeoutMs);
  state.record(
    'decision.requested',
    `decision requested from ${deciders.map((p) => p.id).join(', ')}`,
    { actor: WORKER, delegatedBy: { type: 'policy', id: plan.policy.id } },
    {
      approvers: ids(deciders),
      approvalsRequired: plan.policy.approvalsRequired,
      timeoutMs: plan.policy.decisionTimeoutMs,
    },
  );
  state.notify(
    'decision-requested',
    deciders,
    `A leaked credential needs your decision: ${plan.secret.id} (${plan.secret.tier}).`,
  );
}

/** Nobody decided in time: the backups are asked; then the policy's fallback, or the overdue wait. */
async function awaitBackups(state: IncidentState, resumed?: DecisionWait): Promise<Decision | undefined> {
  const plan = state.plan!;
  const backups = resumed?.backups ?? (await escalateToBackups(state));
  const deadline = resumed?.deadline ?? after(plan.policy.backupTimeoutMs);
  const waited = await awaitDecision(state, { stage: 'backup', deadline, backups });
  if (waited === 'identified') return undefined;
  if (waited === 'decided') return decideByPeople(state);
  if (plan.policy.fallback !== 'wait' && !attemptsExhausted(state)) {
    return decideByPolicy(state, plan.policy.fallback, 'fallback', {
      fallback: plan.policy.fallback,
      unansweredMs: plan.policy.decisionTimeoutMs + plan.policy.backupTimeoutMs,
    });
  }
  escalateOverdue(state, backups);
  return awaitOverdue(state, backups);
}

async function escalateToBackups(state: IncidentState): Promise<PersonRef[]> {
  const plan = state.plan!;
  const onCallBackups = await backupsOnCallNow(state);
  const toBackups = onCallBackups !== undefined || plan.backupApprovers.length > 0;
  const backups = onCallBackups ?? (toBackups ? plan.backupApprovers : plan.escalationContacts);
  state.phase = escalatedPhase(toBackups);
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
  return backups;
}

function escalateOverdue(state: IncidentState, backups: PersonRef[]): void {
  const plan = state.plan!;
  state.phase = escalatedPhase(false);
  allow(state, plan.escalationContacts);
  state.waitFor(dedupe([...plan.decisionMakers, ...backups, ...plan.escalationContacts]), 'a decision (overdue)');
  state.record(
    'decision.escalated',
    `backup did not answer either: escalated to ${ids(plan.escalationContacts).join(', ')}; ${attemptsExhausted(state) ? `containment failed ${state.containmentAttempts} times: people decide` : 'policy says wait'}`,
    { actor: WORKER, delegatedBy: { type: 'policy', id: plan.policy.id } },
    { to: ids(plan.escalationContacts) },
  );
  state.notify(
    'escalated',
    plan.escalationContacts,
    `Overdue: leaked credential ${plan.secret.id} still has no decision.`,
  );
}

/**
 * The phase says who was asked: the backup approvers, or (no backup, or the backups stayed silent)
 * the escalation contacts. Behind a patch: older runs read escalated-to-backup throughout.
 */
function escalatedPhase(toBackups: boolean): Phase {
  if (toBackups || !hasPatch('truthful-escalation-phase')) return 'escalated-to-backup';
  return 'escalated-to-escalation-contacts';
}

async function awaitOverdue(state: IncidentState, backups: PersonRef[]): Promise<Decision | undefined> {
  const waited = await awaitDecision(state, { stage: 'overdue', backups });
  return waited === 'identified' ? undefined : decideByPeople(state);
}

/**
 * Waits for the approvals to add up, until the stage's deadline (none: for as long as it takes),
 * or for a later report to identify the credential. When the history has grown long the incident
 * continues as a new run that resumes this wait with the time that is left.
 */
async function awaitDecision(
  state: IncidentState,
  wait: DecisionWait,
): Promise<'decided' | 'timed-out' | 'identified'> {
  const decided = () => state.tally() !== undefined;
  const identified = () => state.pendingIdentity !== undefined;
  const ready = () => decided() || identified() || state.rollOverDue();
  const timeout = wait.deadline === undefined ? undefined : Math.max(1, Date.parse(wait.deadline) - Date.now());
  const woke = wait.stage === 'overdue' ? await waitOverdue(state, ready) : await waitUntil(ready, timeout);
  if (decided()) return 'decided';
  if (identified()) return 'identified';
  if (woke) await rollOver(state, { step: 'decision', ...wait });
  return 'timed-out';
}

/**
 * The overdue wait has no deadline: it reads the catalog again now and then, and decision makers,
 * backups or escalation contacts it names since are allowed to decide and asked (patch
 * 'catalog-recheck-while-silent'). True once `ready()`.
 */
async function waitOverdue(state: IncidentState, ready: () => boolean): Promise<true> {
  await waitReadingCatalog(state, 'catalog-recheck-while-silent', ready, (fresh) => {
    if (ready()) return;
    const roles = ['decisionMakers', 'backupApprovers', 'escalationContacts'] as const;
    const found = freshPeople(state, fresh, [...roles], (id) => state.allowedApprovers.has(id));
    allow(state, found);
    askNewcomers(state, 'a decision (overdue)', found);
  });
  return true;
}

/** Containment failed as often as the policy allows: no more policy fallback; the escalation contacts decide. */
export function attemptsExhausted(state: IncidentState): boolean {
  const allowed = state.plan?.policy.containmentAttempts ?? BOUNDS.containmentAttempts;
  return state.bounded && state.containmentAttempts >= allowed;
}

function after(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}

/**
 * Who is on call now, when the owner team's on-call is live: the schedule may have rotated since
 * planning. The look-up and its answer are evidence. Undefined when the roles come from YAML only.
 */
async function backupsOnCallNow(state: IncidentState): Promise<PersonRef[] | undefined> {
  const plan = state.plan!;
  if (!plan.liveOnCall || !hasPatch('on-call-at-escalation')) return undefined;
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
