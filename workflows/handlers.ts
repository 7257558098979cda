import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import type {
  IncidentSummary,
  DecisionRequest,
  DelegationRequest,
  DependentAcknowledgement,
  ManualConfirmation,
  Phase,
  ReportedValue,
  Sighting,
  VerificationRequest,
  VerifierAssignment,
} from '../domain/incident';
import type { IncidentState } from './incident-state';
import {
  acknowledgeDependentUpdate,
  assignVerifierUpdate,
  confirmManualContainmentUpdate,
  decideUpdate,
  delegateDecisionUpdate,
  getStatusQuery,
  LOCAL_CALL_REFUSAL,
  reportSightingSignal,
  verifyClosureUpdate,
} from './messages';
import { hasPatch } from './patches';

/** Phases in which approvers may decide (or delegate the decision). */
const DECIDING_PHASES: readonly Phase[] = [
  'awaiting-decision',
  'escalated-to-backup',
  'escalated-to-escalation-contacts',
  'needs-attention',
];

const refuse = (message: string, type: 'PERMISSION_DENIED' | 'CONFLICT' | 'INVALID_INPUT' | 'RATE_LIMITED') =>
  ApplicationFailure.create({ message, type, nonRetryable: true });

/**
 * Each update's validator, behind a first check: no update is accepted while a local activity runs
 * alone (patch 'local-call-alone'). Accepted beside the local activity's late answer (see
 * IncidentState.beginLocalCall), its acceptance would come before the commands the workflow gives on
 * that answer, and after them on replay. Refused before it enters history; the service asks again.
 */
export function unlessLocalCall<Request>(
  state: IncidentState,
  validate: (request: Request) => void,
): (request: Request) => void {
  return (request: Request) => {
    if (state.localCallInProgress)
      throw refuse("the incident is waiting for its provider's answer: try again in a moment", LOCAL_CALL_REFUSAL);
    validate(request);
  };
}

/**
 * Registers the incident's query, signal and updates. Each update has a validator: a caller who
 * is not allowed, or a message that no longer fits the incident's phase, is rejected before it
 * enters history.
 */
export function registerHandlers(
  state: IncidentState,
  onSighting: (sighting: Sighting, value?: ReportedValue) => void,
): void {
  setHandler(getStatusQuery, () => state.status());
  registerDelegation(state);
  setHandler(reportSightingSignal, onSighting);

  setHandler(
    decideUpdate,
    (request: DecisionRequest) => {
      state.approvals.push({
        by: request.by,
        choice: request.choice,
        reason: request.reason,
        at: new Date(Date.now()).toISOString(),
        channel: request.channel,
      });
      state.conflicted.add(request.by);
      // The approval that decides an automatic containment: its evidence and messages wait for the provider call.
      const decided = state.tally()?.choice;
      if (
        decided &&
        decided !== 'false-positive' &&
        state.plan?.containment !== 'manual' &&
        hasPatch('provider-call-first-on-decision')
      )
        state.holdBackgroundWork();
      state.record(
        'decision.approved',
        `${request.by} chose ${request.choice}${request.reason ? `: ${request.reason}` : ''}`,
        person(state, request.by),
        { choice: request.choice, reason: request.reason, channel: request.channel },
      );
      state.progress(`${request.by} approved ${request.choice}.`);
      // The approval that completes the tally is answered with the decision it made, not before it.
      return answerOnceActedOn(state, () => state.tally() === undefined || state.decision !== null);
    },
    { validator: unlessLocalCall(state, (request: DecisionRequest) => validateDecision(state, request)) },
  );

  setHandler(
    confirmManualContainmentUpdate,
    (confirmation: ManualConfirmation) => {
      state.manualConfirmation = { by: confirmation.by, note: confirmation.note, reference: confirmation.reference };
      state.conflicted.add(confirmation.by);
      return answerOnceActedOn(state, () => state.actions.some((a) => a.kind === 'manual-containment.confirmed'));
    },
    {
      validator: unlessLocalCall(state, (confirmation: ManualConfirmation) => {
        if (state.phase !== 'awaiting-manual-containment')
          throw refuse(`no manual containment is awaited (phase: ${state.phase})`, 'CONFLICT');
        requireAllowed(state.allowedExecutors, confirmation.by, 'an executor', 'executors');
        requireNote(confirmation.note, 'a confirmation note is required: say what was revoked and where');
      }),
    },
  );

  setHandler(
    acknowledgeDependentUpdate,
    (ack: DependentAcknowledgement) => {
      const dependent = state.dependents.find((candidate) => candidate.id === ack.dependentId)!;
      dependent.acknowledgedBy = ack.by;
      state.record(
        'dependent.acknowledged',
        `${ack.by} acknowledged the shutdown of ${ack.dependentId}`,
        person(state, ack.by),
        { dependentId: ack.dependentId, note: ack.note },
      );
      state.progress(`${ack.by} acknowledged ${ack.dependentId}.`);
      return answerOnceSettled(state);
    },
    {
      validator: unlessLocalCall(state, (ack: DependentAcknowledgement) => {
        const dependent = state.dependents.find((candidate) => candidate.id === ack.dependentId);
        if (!dependent) throw refuse(`dependent ${ack.dependentId} is not part of this incident`, 'INVALID_INPUT');
        if (dependent.acknowledgedBy)
          throw refuse(
            `dependent ${ack.dependentId} was already acknowledged by ${dependent.acknowledgedBy}`,
            'CONFLICT',
          );
        if (dependent.state === 'running')
          throw refuse(`dependent ${ack.dependentId} has not been shut down yet`, 'CONFLICT');
        if (!state.allowedAckers[ack.dependentId]?.has(ack.by))
          throw refuse(`${ack.by} does not own dependent ${ack.dependentId}`, 'PERMISSION_DENIED');
      }),
    },
  );

  setHandler(
    assignVerifierUpdate,
    (assignment: VerifierAssignment) => {
      state.verifier = assignment.verifier;
      state.allowedVerifiers.add(assignment.verifier.id);
      state.record(
        'verifier.assigned',
        `${assignment.by} named ${assignment.verifier.id} verifier: ${assignment.reason}`,
        person(state, assignment.by),
        { verifier: assignment.verifier.id, reason: assignment.reason, channel: assignment.channel },
      );
      return answerOnceActedOn(state, () => state.phase === 'awaiting-verification');
    },
    {
      validator: unlessLocalCall(state, (assignment: VerifierAssignment) =>
        validateVerifierAssignment(state, assignment),
      ),
    },
  );

  setHandler(
    verifyClosureUpdate,
    (request: VerificationRequest) => {
      state.verification = {
        ...(state.verification ?? { dead: false }),
        verifiedBy: request.by,
        note: request.note,
        at: new Date(Date.now()).toISOString(),
      };
      return answerOnceSettled(state);
    },
    {
      validator: unlessLocalCall(state, (request: VerificationRequest) => {
        if (state.phase !== 'awaiting-verification')
          throw refuse(`the incident is not awaiting verification (phase: ${state.phase})`, 'CONFLICT');
        if (state.conflicted.has(request.by))
          throw refuse(
            `${request.by} decided or executed this incident and cannot also verify it (separation of duties)`,
            'PERMISSION_DENIED',
          );
        requireAllowed(state.allowedVerifiers, request.by, 'the verifier', 'verifier');
        requireNote(request.note, 'a verification note is required: say what you checked');
      }),
    },
  );
}

/**
 * An update's answer must reflect what it caused: the main flow acts on some updates (a completed
 * tally becomes the decision, a confirmation becomes the recorded action), so the handler waits
 * until it has. Behind a patch: runs from before it answered at once with the state before acting.
 */
async function answerOnceActedOn(state: IncidentState, acted: () => boolean): Promise<IncidentSummary> {
  if (hasPatch('fresh-update-answers')) await condition(acted);
  return state.summary();
}

/**
 * A verification or acknowledgement ends a handoff the main flow waits on with a timer. Answered at
 * once, the update completed in the same workflow task as that timer's cancellation, in an order
 * replay did not always reproduce (nondeterminism: "Update machine does not handle TimerCanceled"),
 * so the status of a closed incident, or a worker's replay, could fail. From patch
 * 'settled-handoff-answers' it answers once the main flow has seen the handoff done: after the
 * cancellation, with what the main flow did (the verification recorded, the next phase).
 */
function answerOnceSettled(state: IncidentState): IncidentSummary | Promise<IncidentSummary> {
  // An acknowledgement that ends no awaited handoff (it came before the main flow waits on it) wakes no timer.
  if (!state.settledAnswers || !state.awaitedHandoff?.()) return state.summary();
  const settled = state.handoffsSettled;
  return condition(() => state.handoffsSettled > settled).then(() => state.summary());
}

function registerDelegation(state: IncidentState): void {
  setHandler(
    delegateDecisionUpdate,
    (request: DelegationRequest) => {
      state.allowedApprovers.delete(request.by);
      state.allowedApprovers.add(request.to.id);
      state.delegates.push({ ...request.to, delegatedBy: request.by });
      state.teamsOf[request.to.id] = request.toTeams;
      if (state.waitingOn) {
        const people = state.waitingOn.people.filter((id) => id !== request.by);
        state.waitingOn = { ...state.waitingOn, people: [...people, request.to.id] };
      }
      state.record(
        'decision.delegated',
        `${request.by} delegated the decision to ${request.to.id}: ${request.reason}`,
        person(state, request.by),
        {
          from: request.by,
          to: request.to.id,
          toSlackUserId: request.to.slackUserId,
          reason: request.reason,
          channel: request.channel,
        },
      );
      state.notify(
        'decision-requested',
        [request.to],
        `${request.by} delegated the decision on leaked credential ${state.plan!.secret.id} to you: ${request.reason}`,
      );
      return state.summary();
    },
    { validator: unlessLocalCall(state, (request: DelegationRequest) => validateDelegation(state, request)) },
  );
}

function validateDelegation(state: IncidentState, request: DelegationRequest): void {
  if (state.decision)
    throw refuse(`already decided: ${state.decision.choice} by ${state.decision.by.join(' and ')}`, 'CONFLICT');
  if (!DECIDING_PHASES.includes(state.phase)) {
    throw refuse(`the incident is not awaiting a decision (phase: ${state.phase})`, 'CONFLICT');
  }
  if (!state.allowedApprovers.has(request.by)) {
    throw refuse(
      `${request.by} is not an approver of this incident now and cannot delegate its decision`,
      'PERMISSION_DENIED',
    );
  }
  if (state.approvals.some((approval) => approval.by === request.by)) {
    throw refuse(`${request.by} has already approved; an approval cannot be delegated afterwards`, 'CONFLICT');
  }
  if (request.to.id === request.by) throw refuse('delegate to somebody else', 'INVALID_INPUT');
  if (state.allowedApprovers.has(request.to.id)) {
    throw refuse(`${request.to.id} is already an approver of this incident`, 'CONFLICT');
  }
  if (!request.reason.trim())
    throw refuse('a delegation needs a reason: say why you hand the decision over', 'INVALID_INPUT');
}

function validateVerifierAssignment(state: IncidentState, assignment: VerifierAssignment): void {
  if (!state.verifierWanted)
    throw refuse(
      `the incident does not need a verifier named (phase: ${state.phase}${state.verifier ? `, verifier: ${state.verifier.id}` : ''})`,
      'CONFLICT',
    );
  const assigners = state.verifierAssigners().map((p) => p.id);
  if (!assigners.includes(assignment.by))
    throw refuse(
      `${assignment.by} may not name the verifier; the escalation contacts may: ${assigners.join(', ')}`,
      'PERMISSION_DENIED',
    );
  if (assignment.verifier.id === assignment.by)
    throw refuse('name another person: whoever names the verifier does not verify', 'INVALID_INPUT');
  if (state.conflicted.has(assignment.verifier.id))
    throw refuse(
      `${assignment.verifier.id} decided or executed this incident and cannot verify it (separation of duties)`,
      'PERMISSION_DENIED',
    );
  if (!assignment.reason.trim()) throw refuse('say why this person can verify', 'INVALID_INPUT');
}

function validateDecision(state: IncidentState, request: DecisionRequest): void {
  if (state.decision) {
    throw refuse(
      `already decided: ${state.decision.choice} by ${state.decision.by.join(' and ')} at ${state.decision.at}`,
      'CONFLICT',
    );
  }
  if (!DECIDING_PHASES.includes(state.phase)) {
    throw refuse(`the incident is not awaiting a decision (phase: ${state.phase})`, 'CONFLICT');
  }
  requireAllowed(state.allowedApprovers, request.by, 'an approver', 'approvers', ' now');
  if (state.approvals.some((approval) => approval.by === request.by)) {
    throw refuse(`${request.by} has already approved; a second, different approver is required`, 'CONFLICT');
  }
  const choices = state.plan?.choices;
  if (request.choice !== 'false-positive' && choices && !choices.includes(request.choice)) {
    throw refuse(
      `provider ${state.plan!.secret.provider} cannot ${request.choice} this credential; choose one of: ${[...choices, 'false-positive'].join(', ')}`,
      'INVALID_INPUT',
    );
  }
  if (request.choice === 'false-positive' && !request.reason?.trim()) {
    throw refuse('a false positive needs a reason: say why the credential is not real or not exposed', 'INVALID_INPUT');
  }
}

/** Refuses a person the incident does not allow in this role now, naming who may (`as`: "an executor"). */
function requireAllowed(allowed: Set<string>, by: string, as: string, who: string, when = ''): void {
  if (!allowed.has(by))
    throw refuse(`${by} is not ${as} of this incident${when}; ${who}: ${[...allowed].join(', ')}`, 'PERMISSION_DENIED');
}

/** Refuses an answer without the note that says what was done or checked. */
function requireNote(note: string, message: string): void {
  if (!note.trim()) throw refuse(message, 'INVALID_INPUT');
}

/** Attribution for an action a person took directly. */
export function person(state: IncidentState, id: string) {
  return {
    actor: { type: 'person' as const, id },
    delegatedBy: { type: 'person' as const, id, slackUserId: state.person(id)?.slackUserId },
  };
}
