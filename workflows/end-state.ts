import type { ProviderAnswer } from '../domain/evidence';
import type { IncidentPlan } from '../domain/incident';

/** One step of the containment saga that compensation may have to undo. */
export interface UndoStep {
  what: string;
  step: 'dependent' | 'replacement' | 'delivery';
  run: () => Promise<ProviderAnswer | undefined>;
}

export interface UndoOutcome {
  step: UndoStep['step'];
  what: string;
  ok: boolean;
  answer?: ProviderAnswer;
  error?: string;
}

/** Where a failed containment left the credential, as evidence records it and people read it. */
export interface EndState {
  leakedCredential: 'still-works' | 'may-still-work' | 'replaced' | 'locked' | 'unknown';
  replacement: 'none' | 'locked' | 'deleted' | 'kept' | 'may-still-work';
  delivery: 'none' | 'withdrawn' | 'not-withdrawn';
  dependentsStillStopped: string[];
  summary: string;
}

/**
 * Says the state a failed containment really reached, from the provider's declared rotation
 * effects and the answers of the compensation steps: never "rolled back" when nothing could be.
 */
export function describeEndState(plan: IncidentPlan, outcomes: UndoOutcome[]): EndState {
  const effects = plan.rotationEffects;
  const replacement = outcomes.find((outcome) => outcome.step === 'replacement');
  const delivery = outcomes.find((outcome) => outcome.step === 'delivery');
  const dependents = outcomes.filter((outcome) => outcome.step === 'dependent');
  const parts: string[] = [];
  const state: Omit<EndState, 'summary'> = {
    leakedCredential: 'may-still-work',
    replacement: 'none',
    delivery: 'none',
    dependentsStillStopped: dependents.filter((d) => !d.ok).map((d) => d.what.replace(/^re-enable /, '')),
  };
  if (!replacement) {
    parts.push(`the leaked credential was not revoked and may still work`);
  } else {
    if (!effects) {
      state.leakedCredential = 'unknown';
      parts.push(`provider ${plan.secret.provider} does not declare what rotating did to the leaked credential`);
    } else if (effects.oldCredential === 'replaced-in-place') {
      state.leakedCredential = 'replaced';
      parts.push('the leaked credential was already replaced when the replacement was issued');
    } else {
      state.leakedCredential = 'still-works';
      parts.push('the leaked credential was not touched and still works');
    }
    if (!replacement.ok) {
      state.replacement = 'may-still-work';
      parts.push(`the replacement could not be revoked (${replacement.error}) and may still work`);
    } else {
      const undo = effects?.undo ?? 'delete-replacement';
      state.replacement = undo === 'lock-credential' ? 'locked' : undo === 'keep-rotation' ? 'kept' : 'deleted';
      if (undo === 'lock-credential') state.leakedCredential = 'locked';
      const verb = { locked: 'replacement locked', kept: 'rotation kept', deleted: 'replacement deleted' }[
        state.replacement
      ];
      parts.push(`${verb}: ${replacement.answer?.summary ?? replacement.what}`);
    }
  }
  if (delivery) {
    state.delivery = delivery.ok ? 'withdrawn' : 'not-withdrawn';
    parts.push(
      delivery.ok
        ? `delivery withdrawn: ${delivery.answer?.summary ?? 'done'}`
        : `the delivered replacement could not be withdrawn (${delivery.error})`,
    );
  }
  const restarted = dependents.filter((d) => d.ok).map((d) => d.what.replace(/^re-enable /, ''));
  if (restarted.length) parts.push(`${restarted.join(', ')} running again`);
  if (state.dependentsStillStopped.length) parts.push(`${state.dependentsStillStopped.join(', ')} still stopped`);
  return { ...state, summary: `${parts.join('; ')} — decide again` };
}
