import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { Dependent } from '../domain/catalog';
import type { ContainmentAction } from '../domain/catalog';
import type { Decision } from './decision-phase';
import { provider, revokeCredential } from './activity-stubs';
import { describeEndState, type UndoOutcome, type UndoStep } from './end-state';
import type { IncidentState } from './incident-state';
import { hasPatch } from './patches';

/**
 * Automated containment as a saga: dependents that fail closed are stopped first, then the
 * credential is rotated (issue → deliver → retire old) or revoked, derived sessions are ended and
 * the remaining dependents stopped in catalog order. If a step fails before the old credential is
 * dead, the steps already taken are undone in reverse order, the state actually reached is recorded
 * (`containment.compensated`) and the caller asks humans again with that state.
 * Returns true when the old credential was killed.
 */
export async function containAutomatically(
  state: IncidentState,
  action: ContainmentAction,
  decision: Decision,
): Promise<boolean> {
  const plan = state.plan!;
  const request = {
    incidentId: state.incidentId,
    secret: plan.secret,
    sealedValueHandle: state.input.sealedValueHandle,
  };
  const by = decision.attribution;
  const undo: UndoStep[] = [];
  // A person's decision too: nothing shares the worker with the provider call (released once it answered).
  if (hasPatch('provider-call-first-on-decision')) state.holdBackgroundWork();
  state.phase = 'containing';
  state.record('containment.started', `containment started: ${action}`, by, { action });
  state.progress(`Containment started: ${action}.`);
  try {
    for (const dependent of plan.secret.dependents.filter((d) => d.disable === 'before-revoke')) {
      await disable(state, dependent, decision);
      undo.push({
        what: `re-enable ${dependent.id}`,
        step: 'dependent',
        run: async () => {
          await enable(state, dependent, decision);
          return undefined;
        },
      });
    }
    if (action === 'rotate') {
      const issued = await provider.issueReplacement(request);
      state.recordAction(
        'credential.rotated',
        `replacement issued for ${plan.secret.id}`,
        by,
        { replacementHandle: issued.replacementHandle },
        issued.answer,
      );
      const replacement = { ...request, replacementHandle: issued.replacementHandle };
      undo.push({
        what: 'revoke the replacement',
        step: 'replacement',
        run: () => provider.revokeReplacement(replacement),
      });
      // Older runs had no undo for delivery; a delivery that fails half-way is withdrawn too.
      if (hasPatch('truthful-compensation') && plan.secret.delivery)
        undo.push({
          what: 'withdraw the delivered replacement',
          step: 'delivery',
          run: () => provider.withdrawReplacement(replacement),
        });
      const delivered = await provider.deliverReplacement(replacement);
      state.recordAction('replacement.delivered', delivered.summary, by, {}, delivered);
    }
    const revoked = await revokeCredential(
      { ...request, purpose: action === 'rotate' ? 'retire-after-rotation' : 'contain' },
      state.revocationLocalFirst,
      state,
    );
    state.releaseBackgroundWork();
    state.recordAction(
      'credential.revoked',
      revoked.summary,
      by,
      { purpose: action === 'rotate' ? 'retire-after-rotation' : 'contain' },
      revoked,
    );
  } catch (error) {
    state.releaseBackgroundWork();
    await compensate(state, undo, error, decision);
    return false;
  }
  // The old credential is dead: from here on nothing is undone; a failing step is handed to people.
  await afterRevocation(state, action, decision);
  return true;
}

async function afterRevocation(state: IncidentState, action: ContainmentAction, decision: Decision): Promise<void> {
  const plan = state.plan!;
  const request = {
    incidentId: state.incidentId,
    secret: plan.secret,
    sealedValueHandle: state.input.sealedValueHandle,
  };
  try {
    const ended = await provider.endDerivedSessions(request);
    if (ended) state.recordAction('sessions.ended', ended.summary, decision.attribution, {}, ended);
    // What was connected at containment: the exposure report classifies these sessions too.
    if (ended?.sessions) state.sessionsAtContainment = ended.sessions;
  } catch (error) {
    state.record('sessions.end-failed', `ending derived sessions failed: ${describe(error)}`, decision.attribution, {});
  }
  for (const dependent of plan.secret.dependents.filter((d) => d.disable === 'after-revoke')) {
    await disable(state, dependent, decision).catch((error) => markFailed(state, dependent, error, decision));
  }
  if (action === 'rotate') {
    // Workloads stopped before the revocation get the delivered replacement and start again.
    for (const dependent of plan.secret.dependents.filter((d) => d.disable === 'before-revoke')) {
      await enable(state, dependent, decision).catch((error) => markFailed(state, dependent, error, decision));
    }
  }
}

async function disable(state: IncidentState, dependent: Dependent, decision: Decision): Promise<void> {
  const answer = await provider.disableDependent({ incidentId: state.incidentId, dependent });
  setDependent(state, dependent.id, 'disabled');
  state.recordAction(
    'dependent.disabled',
    `${dependent.id} disabled (${dependent.controller})`,
    decision.attribution,
    { dependentId: dependent.id, order: state.plan!.secret.dependents.indexOf(dependent) },
    answer,
  );
}

async function enable(state: IncidentState, dependent: Dependent, decision: Decision): Promise<void> {
  const answer = await provider.enableDependent({ incidentId: state.incidentId, dependent });
  setDependent(state, dependent.id, 'enabled-again');
  state.recordAction(
    'dependent.enabled',
    `${dependent.id} enabled again`,
    decision.attribution,
    { dependentId: dependent.id },
    answer,
  );
}

function markFailed(state: IncidentState, dependent: Dependent, error: unknown, decision: Decision): void {
  setDependent(state, dependent.id, 'failed');
  state.record(
    'dependent.failed',
    `${dependent.id}: ${describe(error)}; its owner must stop it by hand`,
    decision.attribution,
    { dependentId: dependent.id },
  );
}

async function compensate(state: IncidentState, undo: UndoStep[], error: unknown, decision: Decision): Promise<void> {
  state.record('containment.failed', `containment failed: ${describe(error)}`, decision.attribution, {
    errorType: errorType(error),
  });
  const outcomes: UndoOutcome[] = [];
  for (const step of undo.reverse()) {
    try {
      const answer = await step.run();
      outcomes.push({ step: step.step, what: step.what, ok: true, answer: answer ?? undefined });
      state.record(
        'compensation.ran',
        `compensated: ${step.what}`,
        decision.attribution,
        { step: step.what },
        answer ?? undefined,
      );
    } catch (compensationError) {
      outcomes.push({ step: step.step, what: step.what, ok: false, error: describe(compensationError) });
      state.record(
        'compensation.failed',
        `could not ${step.what}: ${describe(compensationError)}`,
        decision.attribution,
        { step: step.what },
      );
    }
  }
  const endState = describeEndState(state.plan!, outcomes);
  state.lastFailure = endState.summary;
  // A new evidence record (an activity): runs started before it replay without it.
  if (hasPatch('truthful-compensation'))
    state.record('containment.compensated', endState.summary, decision.attribution, { endState });
}

function setDependent(state: IncidentState, id: string, value: 'disabled' | 'enabled-again' | 'failed'): void {
  const existing = state.dependents.find((dependent) => dependent.id === id);
  if (existing) existing.state = value;
  else state.dependents.push({ id, state: value });
}

export function describe(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

function errorType(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}
