import { condition } from '@temporalio/workflow';
import type { PersonRef } from '../domain/incident';
import type { NotificationKind } from '../integrations/ports';
import { WORKER, type IncidentState } from './incident-state';

export interface Handoff {
  /** What is awaited, for people and evidence ("verification", "manual containment"...). */
  what: string;
  kind: NotificationKind;
  done: () => boolean;
  people: PersonRef[];
  /** Called when the handoff timer runs out: widen who may answer, and return who was added. */
  escalate: () => PersonRef[];
}

/**
 * A durable wait on people, with its own reminder and escalation. Timers live in Temporal, so the
 * wait survives worker restarts and deploys. After escalation it keeps waiting, reminding everyone.
 */
export async function awaitHandoff(state: IncidentState, handoff: Handoff): Promise<void> {
  const policy = state.plan!.policy;
  let people = handoff.people;
  state.waitFor(people, handoff.what, policy.handoffTimeoutMs);
  state.notify(handoff.kind, people, `Tourniquet needs ${handoff.what} for ${state.plan!.secret.id}.`);
  let waited = 0;
  let escalated = false;
  while (!(await condition(handoff.done, policy.handoffReminderMs))) {
    waited += policy.handoffReminderMs;
    if (!escalated && waited >= policy.handoffTimeoutMs) {
      escalated = true;
      const added = handoff.escalate();
      people = dedupe([...people, ...added]);
      state.record(
        'handoff.escalated',
        `no ${handoff.what} after ${Math.round(waited / 1000)}s: escalated to ${added.map((p) => p.id).join(', ') || 'nobody new'}`,
        { actor: WORKER, delegatedBy: { type: 'policy', id: policy.id } },
        { what: handoff.what, waitedMs: waited, escalatedTo: added.map((p) => p.id) },
      );
      state.waitFor(people, handoff.what);
      state.notify('escalated', added, `Escalation: ${handoff.what} for ${state.plan!.secret.id} is overdue.`);
    } else {
      state.notify('reminder', people, `Reminder: ${handoff.what} for ${state.plan!.secret.id} is still awaited.`);
    }
  }
  state.waitingOn = null;
}

export function dedupe(people: PersonRef[]): PersonRef[] {
  const seen = new Set<string>();
  return people.filter((person) => !seen.has(person.id) && Boolean(seen.add(person.id)));
}
