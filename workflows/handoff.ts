import type { HandoffProgress, ResumePoint } from '../domain/incident-carry';
import type { IncidentPlan, PersonRef } from '../domain/incident';
import type { NotificationKind } from '../integrations/ports';
import { askNewcomers, waitReadingCatalog } from './catalog-recheck';
import { rollOver } from './continue-as-new';
import { BOUNDS, WORKER, waitUntil, type IncidentState } from './incident-state';

export interface Handoff {
  /** What is awaited, for people and evidence ("verification", "manual containment"...). */
  what: string;
  kind: NotificationKind;
  done: () => boolean;
  people: PersonRef[];
  /** Called when the handoff timer runs out: widen who may answer, and return who was added. */
  escalate: () => PersonRef[];
  /**
   * Once the reminders have stopped: who the catalog, read again, names for this handoff and may not
   * answer yet. Lets them answer and returns them (they are then asked).
   */
  newcomers: (fresh: IncidentPlan) => PersonRef[];
  /** Where a continued run resumes this wait. */
  resumeAs: (progress: HandoffProgress) => ResumePoint;
}

/**
 * A durable wait on people, with its own reminders and escalation. Timers live in Temporal, so the
 * wait survives worker restarts and deploys; its schedule is kept as deadlines, so a continued run
 * (`carried`) resumes it with the time that was left. Bounded history: reminders back off (each
 * waits twice as long as the one before) and stop after the policy's number; then the handoff is
 * escalated once more and waits silently, saying so in the status. Before bounded history,
 * reminders repeated at the same interval for as long as nobody answered. The silent wait reads the
 * catalog again now and then and asks whom it names since (patch 'catalog-recheck-while-silent').
 */
export async function awaitHandoff(state: IncidentState, handoff: Handoff, carried?: HandoffProgress): Promise<void> {
  const progress = carried ?? startHandoff(state, handoff);
  state.awaitedHandoff = handoff.done;
  const ready = () => handoff.done() || state.rollOverDue();
  for (;;) {
    const woke = progress.stopped
      ? await waitSilently(state, handoff, progress, ready)
      : await waitUntil(ready, Math.max(1, Date.parse(progress.nextReminderAt) - Date.now()));
    if (handoff.done()) break;
    if (woke) {
      state.awaitedHandoff = undefined; // the run ends once handlers finish: none may wait on it
      await rollOver(state, handoff.resumeAs(progress));
    } else remindOrEscalate(state, handoff, progress);
  }
  state.waitingOn = null;
  state.awaitedHandoff = undefined;
  state.handoffsSettled += 1;
}

function startHandoff(state: IncidentState, handoff: Handoff): HandoffProgress {
  const policy = state.plan!.policy;
  state.waitFor(handoff.people, handoff.what, policy.handoffTimeoutMs);
  state.notify(handoff.kind, handoff.people, `Tourniquet needs ${handoff.what} for ${state.plan!.secret.id}.`);
  return {
    people: handoff.people,
    waitedMs: 0,
    intervalMs: policy.handoffReminderMs,
    escalated: false,
    remindersSent: 0,
    nextReminderAt: after(policy.handoffReminderMs),
    stopped: false,
  };
}

/** A reminder timer ran out: escalate once the handoff timeout has passed, else remind (or stop reminding). */
function remindOrEscalate(state: IncidentState, handoff: Handoff, progress: HandoffProgress): void {
  const policy = state.plan!.policy;
  const secretId = state.plan!.secret.id;
  progress.waitedMs += progress.intervalMs;
  const waited = progress.waitedMs;
  if (!progress.escalated && waited >= policy.handoffTimeoutMs) {
    progress.escalated = true;
    const added = handoff.escalate();
    progress.people = dedupe([...progress.people, ...added]);
    state.record(
      'handoff.escalated',
      `no ${handoff.what} after ${Math.round(waited / 1000)}s: escalated to ${added.map((p) => p.id).join(', ') || 'nobody new'}`,
      { actor: WORKER, delegatedBy: { type: 'policy', id: policy.id } },
      { what: handoff.what, waitedMs: waited, escalatedTo: added.map((p) => p.id) },
    );
    state.waitFor(progress.people, handoff.what);
    state.notify('escalated', added, `Escalation: ${handoff.what} for ${secretId} is overdue.`);
  } else if (!state.bounded || progress.remindersSent < (policy.handoffReminders ?? BOUNDS.handoffReminders)) {
    progress.remindersSent += 1;
    state.notify('reminder', progress.people, `Reminder: ${handoff.what} for ${secretId} is still awaited.`);
  } else {
    stopReminding(state, handoff, progress);
    return;
  }
  progress.intervalMs = policy.handoffReminderMs * (state.bounded ? 2 ** progress.remindersSent : 1);
  progress.nextReminderAt = after(progress.intervalMs);
}

/** The reminders are used up: one last escalation, then the wait goes on without messages. */
function stopReminding(state: IncidentState, handoff: Handoff, progress: HandoffProgress): void {
  const plan = state.plan!;
  progress.stopped = true;
  const added = handoff.escalate();
  progress.people = dedupe([...progress.people, ...added, ...plan.escalationContacts]);
  const waited = progress.waitedMs;
  state.record(
    'handoff.reminders-stopped',
    `no ${handoff.what} after ${progress.remindersSent} reminders (${Math.round(waited / 1000)}s): escalated once more to ${progress.people.map((p) => p.id).join(', ')}; waiting without reminders`,
    { actor: WORKER, delegatedBy: { type: 'policy', id: plan.policy.id } },
    { what: handoff.what, waitedMs: waited, reminders: progress.remindersSent, escalatedTo: ids(progress.people) },
  );
  state.waitFor(progress.people, `${handoff.what} (reminders stopped after ${progress.remindersSent})`);
  state.notify(
    'escalated',
    progress.people,
    `Last call: ${handoff.what} for ${plan.secret.id} is still awaited after ${progress.remindersSent} reminders. No more reminders will be sent; the incident waits for you.`,
  );
}

/** Reminders stopped: no messages, but people the catalog names since are asked. True once `ready()`. */
async function waitSilently(
  state: IncidentState,
  handoff: Handoff,
  progress: HandoffProgress,
  ready: () => boolean,
): Promise<true> {
  await waitReadingCatalog(state, 'catalog-recheck-while-silent', ready, (fresh) => {
    if (handoff.done()) return;
    const newcomers = handoff.newcomers(fresh);
    askNewcomers(state, handoff.what, newcomers);
    progress.people = [...progress.people, ...newcomers];
  });
  return true;
}

function after(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}

function ids(people: PersonRef[]): string[] {
  return people.map((person) => person.id);
}

export function dedupe(people: PersonRef[]): PersonRef[] {
  const seen = new Set<string>();
  return people.filter((person) => !seen.has(person.id) && Boolean(seen.add(person.id)));
}
