import { makeContinueAsNewFunc, uuid4, workflowInfo } from '@temporalio/workflow';
import { incidentIdOf } from '../domain/ids';
import type { HandoffProgress, IncidentCarry, ResumePoint } from '../domain/incident-carry';
import type { IncidentInput, IncidentStatus, ReportedValue, Sighting } from '../domain/incident';
import { bookkeeping, localPlanning } from './activity-stubs';
import { awaitDependentAcknowledgements, awaitVerification, closeIncident, proveDeath } from './closure-phase';
import { containAutomatically } from './containment-phase';
import { attemptsExhausted, obtainDecision, type Decision } from './decision-phase';
import {
  assessBlastRadius,
  awaitExposureReportBeforeClosure,
  beginExposureReport,
  registerCandidateConfirmation,
} from './exposure-phase';
import { freshPeople } from './catalog-recheck';
import { awaitHandoff } from './handoff';
import { noteIdentity, recordRoles } from './identification';
import { decideBaseline, decidePatchesBeforePlanning, hasPatch } from './patches';
import { registerHandlers } from './handlers';
import { BOUNDS, IncidentState, restoreState, WORKER } from './incident-state';
import { reporterDelegator } from './attribution';

/**
 * One leaked credential, from first report to closure evidence. The workflow id is a keyed
 * fingerprint of the credential, so every later report of it lands here as a sighting. `carry`:
 * the incident continues from a previous run whose history had grown long (continue-as-new).
 */
export async function leakedSecretIncident(input: IncidentInput, carry?: IncidentCarry): Promise<IncidentStatus> {
  decideBaseline();
  const info = workflowInfo();
  const state = new IncidentState(
    input,
    carry?.incidentId ?? input.incidentId ?? incidentIdOf(info.workflowId, info.runId),
    info.workflowId,
  );
  // In the main flow at the start of every run: a patch marker written inside an update handler is fragile.
  state.settledAnswers = hasPatch('settled-handoff-answers');
  decidePatchesBeforePlanning();
  state.identifiesLater = hasPatch('identified-by-later-report');
  // In the baseline of 2026-12-05; a run of the first baseline decided it here with its own marker (patches.ts).
  state.revocationLocalFirst = hasPatch('revocation-local-first');
  state.localCallAlone = hasPatch('local-call-alone');
  state.notificationsTogether = hasPatch('notifications-together');
  // A continued run restores its state before its handlers see the sightings that reached it while
  // the previous run ended (they come in the first workflow task): deduplicated, numbered after the
  // carried evidence. Runs from before the patch registered the handlers first.
  const restoreFirst = carry !== undefined && hasPatch('bounded-roll-over');
  if (carry && restoreFirst) restoreState(state, carry);
  // A first run plans alone (patch 'local-call-alone'): the sightings that came with its start are
  // recorded in batches, held with the rest of its background work until planning has answered.
  const planningAlone = carry === undefined && state.localCallAlone && hasPatch('local-planning');
  if (planningAlone) {
    state.bounded = hasPatch('bounded-history');
    state.beginLocalCall();
  }
  registerHandlers(state, (sighting, value) => recordSighting(state, sighting, value));
  registerCandidateConfirmation(state);
  if (carry) {
    if (!restoreFirst) restoreState(state, carry);
    return runFrom(state, carry.resume);
  }
  state.bounded = hasPatch('bounded-history');

  // Planning runs as a local activity in the first workflow task (runs started before replay the activity).
  if (planningAlone) await planLocally(state, input);
  else if (!hasPatch('local-planning')) state.plan = await bookkeeping.planIncident(input);
  else state.plan = await localPlanning.planIncident(input);
  if (containsAtOnce(state)) state.holdBackgroundWork();
  recordOpening(state);
  for (const sighting of input.lateSightings ?? []) recordSighting(state, sighting);
  if (input.firstSighting.canary) {
    await closeIncident(state, 'canary', 'canary (honeytoken) finding: recorded, not contained');
    return finish(state);
  }
  assessBlastRadius(state);
  return runFrom(state);
}

/**
 * The policy contains this incident at once, in the workflow task that plans it: nothing should
 * share the worker with its provider call (patch 'provider-call-first'; older runs replay without it).
 */
function containsAtOnce(state: IncidentState): boolean {
  const plan = state.plan!;
  return (
    Boolean(plan.policy.autoContain) &&
    plan.containment !== 'manual' &&
    !state.input.firstSighting.canary &&
    hasPatch('provider-call-first')
  );
}

/** The incident from its decision (or from where a previous run waited) to closure. */
async function runFrom(state: IncidentState, resume?: ResumePoint): Promise<IncidentStatus> {
  switch (resume?.step) {
    case 'manual-containment':
      await contain(state, resume.decision, resume.handoff);
      return verifyAndClose(state);
    case 'verification':
      return verifyAndClose(state, resume.handoff);
    case 'acknowledgement':
      await awaitDependentAcknowledgements(state, resume);
      return closeContained(state);
  }
  let waiting = resume;
  for (;;) {
    const decision = await obtainDecision(state, waiting);
    waiting = undefined;
    if (decision.choice === 'false-positive') return verifyAndClose(state);
    if (await contain(state, decision)) break;
    askAgain(state);
  }
  return verifyAndClose(state);
}

/** A second person verifies; a false positive closes at once, a containment after its dependents' acknowledgements. */
async function verifyAndClose(state: IncidentState, carried?: HandoffProgress): Promise<IncidentStatus> {
  await awaitVerification(state, carried);
  if (state.decision?.choice === 'false-positive') {
    await closeIncident(
      state,
      'false-positive',
      state.approvals
        .map((a) => a.reason)
        .filter(Boolean)
        .join('; '),
    );
    return finish(state);
  }
  await awaitDependentAcknowledgements(state);
  return closeContained(state);
}

async function closeContained(state: IncidentState): Promise<IncidentStatus> {
  await awaitExposureReportBeforeClosure(state);
  await closeIncident(
    state,
    state.decision?.choice === 'rotate' ? 'rotated' : 'contained',
    state.verification?.note ?? '',
  );
  return finish(state);
}

/**
 * Ends the run. Reports that arrived while the incident was closing are a new leak of the
 * credential: the workflow continues as a new run, which is the credential's next incident.
 */
async function finish(state: IncidentState): Promise<IncidentStatus> {
  const [next, ...more] = state.lateReports;
  if (!next) return state.status();
  // The next incident gets an id of its own (random from the run's seeded generator: replays mint the
  // same), in its input and its memo. Runs before this derived it from the next run's id, which is
  // the same for runs started within about 65 s.
  const incidentId = incidentIdOf(state.workflowId, uuid4());
  const nextIncident = makeContinueAsNewFunc<typeof leakedSecretIncident>({ memo: { incidentId } });
  return nextIncident({
    ...state.input,
    incidentId,
    firstSighting: next.sighting,
    valueFingerprint: next.value?.valueFingerprint ?? state.input.valueFingerprint,
    sealedValueHandle: next.value?.sealedValueHandle,
    lateSightings: more.map((report) => report.sighting),
  });
}

/** Contains and proves death; false when it did not work and people must decide again. */
async function contain(state: IncidentState, decision: Decision, carried?: HandoffProgress): Promise<boolean> {
  const action = decision.choice === 'rotate' ? 'rotate' : 'revoke';
  if (state.plan!.containment === 'manual') {
    await containByHand(state, action, decision, carried);
    beginExposureReport(state);
    state.notify('contained', [state.plan!.primary], `Contained by hand: ${state.plan!.secret.id}.`);
    return true;
  }
  if (!(await containAutomatically(state, action, decision))) return false;
  if (!(await proveDeath(state, decision))) return false;
  beginExposureReport(state);
  state.notify('contained', [state.plan!.primary], `Contained: ${state.plan!.secret.id} (${action}).`);
  return true;
}

/** The issuing team revokes in the vendor console and confirms; their note is the proof. */
async function containByHand(
  state: IncidentState,
  action: 'rotate' | 'revoke',
  decision: Decision,
  carried?: HandoffProgress,
): Promise<void> {
  const plan = state.plan!;
  if (!carried) {
    state.phase = 'awaiting-manual-containment';
    plan.executors.forEach((person) => state.allowedExecutors.add(person.id));
    state.record(
      'manual-containment.requested',
      `team ${plan.secret.issuingTeam} asked to ${action} ${plan.secret.id} by hand`,
      decision.attribution,
      { executors: plan.executors.map((p) => p.id), action },
    );
  }
  await awaitHandoff(
    state,
    {
      what: `manual ${action} in the provider console`,
      kind: 'manual-containment-requested',
      done: () => state.manualConfirmation !== undefined,
      people: plan.executors,
      escalate: () => {
        plan.escalationContacts.forEach((person) => state.allowedExecutors.add(person.id));
        return plan.escalationContacts;
      },
      newcomers: (fresh) => {
        const known = (id: string) => state.allowedExecutors.has(id);
        const found = freshPeople(state, fresh, ['executors', 'escalationContacts'], known);
        found.forEach((person) => state.allowedExecutors.add(person.id));
        return found;
      },
      resumeAs: (handoff) => ({ step: 'manual-containment', decision, handoff }),
    },
    carried,
  );
  const confirmation = state.manualConfirmation!;
  state.verification = { dead: true, proof: `confirmed by ${confirmation.by}: ${confirmation.note}` };
  state.recordAction(
    'manual-containment.confirmed',
    `${confirmation.by} confirmed: ${confirmation.note}`,
    {
      actor: { type: 'person', id: confirmation.by },
      delegatedBy: decision.attribution.delegatedBy,
      policyInputs: decision.attribution.policyInputs,
    },
    { reference: confirmation.reference, action },
    {
      provider: plan.secret.provider,
      operation: `manual-${action}`,
      answerId: confirmation.reference,
      summary: confirmation.note,
      at: new Date(Date.now()).toISOString(),
    },
  );
}

/** Containment failed: the approvers must decide again, told the state the credential is really in. */
function askAgain(state: IncidentState): void {
  state.phase = 'needs-attention';
  state.decision = null;
  state.approvals = [];
  state.containmentAttempts += 1;
  const reached = state.lastFailure ?? 'the leaked credential may still work — decide again';
  state.notify(
    'needs-attention',
    state.plan!.decisionMakers,
    `Containment of ${state.plan!.secret.id} failed: ${reached}.`,
  );
  if (attemptsExhausted(state)) askEscalationContacts(state);
}

/**
 * Planning as a local activity, alone (patch 'local-call-alone'; the hold began before the handlers
 * saw the sightings that came with the start). An incident the policy contains at once keeps the hold
 * for its provider call (which gives it its time limit); any other releases it.
 */
async function planLocally(state: IncidentState, input: IncidentInput): Promise<void> {
  state.plan = await localPlanning.planIncident(input);
  state.endLocalCall();
  if (!containsAtOnce(state)) state.releaseBackgroundWork();
}

/**
 * The decide → contain loop is bounded: after the policy's number of failed attempts no policy
 * fallback decides again; the escalation contacts are asked (and may decide) beside the approvers.
 */
function askEscalationContacts(state: IncidentState): void {
  const plan = state.plan!;
  const attempts = plan.policy.containmentAttempts ?? BOUNDS.containmentAttempts;
  state.record(
    'containment.attempts-exhausted',
    `containment failed ${state.containmentAttempts} times (policy allows ${attempts}): escalated to ${plan.escalationContacts.map((p) => p.id).join(', ')}`,
    { actor: WORKER, delegatedBy: { type: 'policy', id: plan.policy.id } },
    { attempts: state.containmentAttempts, allowed: attempts, to: plan.escalationContacts.map((p) => p.id) },
  );
  state.notify(
    'needs-attention',
    plan.escalationContacts,
    `Containment of ${plan.secret.id} failed ${state.containmentAttempts} times: a person must decide what to do.`,
  );
}

function recordOpening(state: IncidentState): void {
  const plan = state.plan!;
  const sighting = state.input.firstSighting;
  const source = { type: 'source' as const, id: sighting.source };
  state.record(
    'incident.opened',
    `incident opened for ${plan.secret.id} from ${sighting.source}`,
    { actor: source, delegatedBy: reporterDelegator(state, sighting) },
    {
      credentialFingerprint: state.input.credentialFingerprint,
      valueFingerprint: state.input.valueFingerprint,
      provider: plan.secret.provider,
      ownerTeam: plan.secret.ownerTeam,
      sighting,
      ...(state.input.drill ? { drill: state.input.drill } : {}),
      ...(plan.exercise ? { exercise: plan.exercise } : {}),
    },
  );
  if (plan.ownershipGap || plan.roleSourceGap)
    state.record(
      'ownership-gap.found',
      plan.findings.join('; '),
      { actor: WORKER, delegatedBy: { type: 'policy', id: plan.policy.id } },
      { findings: plan.findings },
    );
  recordRoles(state);
  state.notify(
    'incident-opened',
    [plan.primary],
    `Leaked credential reported: ${plan.secret.id} (${plan.secret.tier}).`,
  );
}

function recordSighting(state: IncidentState, sighting: Sighting, value?: ReportedValue): void {
  if (!state.addSighting(sighting)) return;
  if (state.phase === 'closed') {
    state.lateReports.push({ sighting, value });
    return;
  }
  const copy = value?.sealedValueHandle;
  // Each report seals its own copy (so a re-leak after closure is usable); this incident keeps its own.
  if (copy && copy !== state.input.sealedValueHandle && hasPatch('sealed-per-report')) state.discardSealedCopy(copy);
  state.noteSourceAlert(sighting);
  noteIdentity(state, value?.secretId);
  const source = { type: 'source' as const, id: sighting.source };
  const kind = sighting.resolvedAtSource ? 'sighting.resolved-at-source' : 'sighting.recorded';
  state.record(
    kind,
    `${sighting.source} reported it again${sighting.location ? ` at ${sighting.location}` : ''}`,
    { actor: source, delegatedBy: reporterDelegator(state, sighting) },
    { sighting },
  );
}
