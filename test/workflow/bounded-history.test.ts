import { startTestApp, type TestApp } from '../support/app';
import { catalogWithStandardPolicy as catalogWith } from '../support/catalogs';
import { localActivityRun, notificationKinds, runChain, scheduledBesideFirst } from '../support/histories';
import { api, eventually } from '../support/http';
import { decide, openIncident, verify, waitForEvidence, waitForPhase } from '../support/incidents';
import { createLoginRole } from '../support/roles';
import { recordHistoryIfAsked } from '../support/secrets';

/**
 * Bounded history against the real Temporal dev server: reminders that back off and stop, a
 * decide → contain loop that ends with the escalation contacts, and an incident that continues as
 * a new run in the middle of a wait and goes on under the same incident id.
 */
describe('bounded history', () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.stop();
  });

  it('backs off reminders, stops after the configured number, escalates once more and then waits silently', async () => {
    const password = await createLoginRole('payments_app');
    app = await startTestApp({
      CATALOG_PATH: catalogWith({ handoffReminder: '400ms', handoffTimeout: '1s', handoffReminders: 2 }),
    });
    const id = await openIncident(app, {
      secretId: 'payments-db',
      leakedValue: password,
      verifiedActive: true,
      publiclyExposed: true,
    });
    await waitForPhase(app, id, 'awaiting-verification');
    const stopped = await eventually(
      () => api(app.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'erin' }),
      (r) => String(r.body?.waitingOn?.for ?? '').includes('reminders stopped'),
      30_000,
      'reminders stopped',
    );
    expect(stopped.body.waitingOn.for).toBe('verification (reminders stopped after 2)');
    // The last escalation reaches the escalation contacts (security: erin) beside the verifier.
    expect(stopped.body.waitingOn.people).toEqual(expect.arrayContaining(['carol', 'erin']));
    expect(stopped.body.waitingOn.until).toBeUndefined();

    const history = await workflowHistory(app, stopped.body.workflowId);
    const events = history.events ?? [];
    const notified = notificationKinds(history);
    expect(notified.filter((kind) => kind === 'reminder')).toHaveLength(2);
    // The handoff timeout's escalation, then the last call when the reminders ran out.
    expect(notified.filter((kind) => kind === 'escalated')).toHaveLength(2);
    // Backed off: each reminder timer is twice the one before. After the last call the only timers are the
    // silent wait's looks at the catalog: from the handoff timeout (1 s), each twice the one before.
    // The policy contains at once: background work waits for the revocation (at most 2 s). The revocation ran
    // as a local activity in the first workflow task, so that hold started and ended inside the task and its
    // timer never reached history; every timer is a reminder (the first, 0.4 s) or a look at the catalog.
    const reminders = events.filter((event) => event.timerStartedEventAttributes);
    const timers = reminders.map((event) => seconds(event.timerStartedEventAttributes!.startToFireTimeout));
    expect(timers.slice(0, 4)).toEqual([0.4, 0.8, 0.8, 1.6]);
    const rechecks = timers.slice(4);
    expect(rechecks).toEqual([1, 2, 4, 8].slice(0, rechecks.length));
    // Nothing shared the worker with the revocation: it ran first, as a local activity in the first workflow
    // task (one attempt, answered), and the evidence, notifications and blast radius are scheduled only once
    // it has answered.
    const revocation = events.findIndex((event) => localActivityRun(event)?.activityType === 'revokeCredential');
    expect(localActivityRun(events[revocation]!)).toEqual({
      activityType: 'revokeCredential',
      attempt: 1,
      failed: false,
    });
    expect(events.slice(0, revocation).some((event) => event.activityTaskScheduledEventAttributes)).toBe(false);
    expect(scheduledBesideFirst(history, 'revokeCredential')).toEqual(['revokeCredential']);
    const scheduled = events.map((event) => Boolean(event.activityTaskScheduledEventAttributes));
    const lastCall = scheduled.lastIndexOf(true);
    expect(events.slice(lastCall).some((event) => event.timerStartedEventAttributes)).toBe(false);

    expect((await verify(app, id, 'carol')).status).toBe(200);
    const closed = await waitForPhase(app, id, 'closed');
    expect(closed.outcome).toBe('contained');
    const evidence = await waitForEvidence(app, id, 'handoff.reminders-stopped');
    expect(evidence.find((record) => record.kind === 'handoff.reminders-stopped')!.details).toMatchObject({
      what: 'verification',
      reminders: 2,
    });
    recordHistoryIfAsked('bounded-history-reminders', await workflowHistory(app, stopped.body.workflowId));
    // Policy containment at planning: notifications, evidence and the blast radius held for the revocation.
    recordHistoryIfAsked('provider-call-first', await workflowHistory(app, stopped.body.workflowId));
  });

  it('asks the escalation contacts once containment has failed the configured number of times', async () => {
    await createLoginRole('rotating_app');
    app = await startTestApp({ CATALOG_PATH: catalogWith({ containmentAttempts: 2 }) });
    const id = await openIncident(app, { secretId: 'rotating-db', description: 'rotation cannot be delivered' });
    await waitForPhase(app, id, 'awaiting-decision');
    // erin (security, the default owner team) is no approver of a payments credential yet.
    expect((await decide(app, id, 'erin', 'rotate')).status).toBe(403);
    expect((await decide(app, id, 'alice', 'rotate')).status).toBe(200);
    await waitForEvidence(app, id, 'containment.failed');
    await waitForPhase(app, id, 'needs-attention');
    expect((await decide(app, id, 'alice', 'rotate')).status).toBe(200);
    const evidence = await waitForEvidence(app, id, 'containment.attempts-exhausted');
    expect(evidence.find((record) => record.kind === 'containment.attempts-exhausted')!.details).toMatchObject({
      attempts: 2,
      allowed: 2,
      to: ['erin'],
    });
    const waiting = await eventually(
      () => api(app.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'erin' }),
      (r) => r.body?.phase === 'needs-attention' && r.body?.waitingOn?.people?.includes('erin'),
      30_000,
      'escalation contacts asked',
    );
    expect(waiting.body.decision).toBeNull();
    expect((await decide(app, id, 'erin', 'revoke')).status).toBe(200);
    await waitForEvidence(app, id, 'credential.revoked');
  });

  it('continues as new in the middle of a decision wait and goes on under the same incident id', async () => {
    await createLoginRole('payments_app');
    app = await startTestApp({ CATALOG_PATH: catalogWith({ continueAsNewAfterEvents: 500 }) });
    const id = await openIncident(app, { secretId: 'payments-db', description: 'first report' });
    const before = await waitForPhase(app, id, 'awaiting-decision');
    const firstRun = (await app.client.workflow.getHandle(before.workflowId).describe()).runId;

    // Bursts of 20 concurrent reports: sightings keep arriving while the first run rolls over.
    const sightings = 400;
    for (let burst = 0; burst < sightings; burst += 20) {
      const reported = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          api(app.baseUrl, 'POST', '/api/incidents', {
            as: 'carol',
            body: { secretId: 'payments-db', location: `https://ci.example/build/${burst + i}` },
          }),
        ),
      );
      expect(reported.map((r) => [r.status, r.body.incidentId])).toEqual(reported.map(() => [202, id]));
    }
    const handle = app.client.workflow.getHandle(before.workflowId);
    const continued = await eventually(
      () => handle.describe(),
      (description) => description.runId !== firstRun,
      30_000,
      'a continued run',
    );
    expect(continued.memo).toEqual({ incidentId: id });
    const after = await eventually(
      () => api(app.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'erin' }),
      (r) => r.body?.sightings === sightings + 1,
      30_000,
      'every sighting counted',
    );
    expect(after.body).toMatchObject({ incidentId: id, phase: 'awaiting-decision', openedAt: before.openedAt });
    expect(after.body.waitingOn).toEqual(before.waitingOn);
    // The decision timer resumes with the time that was left: the new run's timer ends at the old deadline.
    const resumed = await handle.fetchHistory();
    const timer = resumed.events!.find((event) => event.timerStartedEventAttributes)!;
    const firesAt = timestamp(timer.eventTime) + seconds(timer.timerStartedEventAttributes!.startToFireTimeout) * 1000;
    expect(Math.abs(firesAt - Date.parse(before.waitingOn.until))).toBeLessThan(2_000);

    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    await waitForPhase(app, id, 'awaiting-verification');
    expect((await verify(app, id, 'carol')).status).toBe(200);
    await waitForPhase(app, id, 'closed');
    const evidence = await waitForEvidence(app, id, 'incident.closed');
    expect(evidence.map((record) => record.seq)).toEqual(evidence.map((_, index) => index));
    expect(evidence.filter((record) => record.kind === 'sighting.recorded')).toHaveLength(sightings);

    // The first run stopped soon after the policy's 500 events with a continue-as-new: it let the
    // evidence batch in flight land and left the rest to the next run, however many sightings kept
    // arriving (the sightings after it are the next run's). The run after it went on to closure.
    const first = await app.client.workflow.getHandle(before.workflowId, firstRun).fetchHistory();
    expect(first.events!.length).toBeGreaterThanOrEqual(500);
    expect(first.events!.length).toBeLessThan(1_000);
    expect(first.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    await handle.result(); // the last run ends after closure (it seals the bundle after phase 'closed')
    const runs = await runChain(app.client, before.workflowId, firstRun);
    expect(runs.at(-1)!.history.events!.at(-1)!.workflowExecutionCompletedEventAttributes).toBeTruthy();
    // The first run: batched evidence, the bounded-roll-over settling and its continue-as-new; the
    // second: state restored before the sightings that reached it in its first task.
    recordHistoryIfAsked('bounded-roll-over', first);
    recordHistoryIfAsked('bounded-roll-over-continued', runs[1]!.history);
  });
});

async function workflowHistory(app: TestApp, workflowId: string) {
  return app.client.workflow.getHandle(workflowId).fetchHistory();
}

function timestamp(time: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return seconds(time) * 1000;
}

function seconds(duration: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(duration?.seconds ?? 0) + (duration?.nanos ?? 0) / 1e9;
}
