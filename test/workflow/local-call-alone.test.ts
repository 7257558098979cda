import { Worker } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { workflowIdOfIncident } from '../../domain/ids';
import type { IncidentNotification, Notifier } from '../../integrations/ports';
import { startTestApp, type TestApp } from '../support/app';
import { testEnvironment } from '../support/environment';
import { localActivityRun } from '../support/histories';
import { api, eventually } from '../support/http';
import {
  decide,
  openIncident,
  terminateIncidents,
  waitForEvidence,
  waitForNoPendingActivity,
  waitForPhase,
} from '../support/incidents';
import { createLoginRole, loginAs } from '../support/roles';
import { recordHistoryIfAsked } from '../support/secrets';

/** Delivers at once, except messages of incidents it was told to hold: those wait until released. */
class HoldingNotifier implements Notifier {
  readonly held: IncidentNotification[] = [];
  private readonly holding = new Map<string, { released: Promise<void>; release: () => void }>();

  holdFor(incidentId: string): void {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holding.set(incidentId, { released, release });
  }

  release(incidentId: string): void {
    this.holding.get(incidentId)?.release();
  }

  async notify(notification: IncidentNotification): Promise<void> {
    const hold = this.holding.get(notification.incidentId);
    if (!hold) return;
    this.held.push(notification);
    await hold.released;
  }
}

type Event = temporal.api.history.v1.IHistoryEvent;
const scheduledName = (event: Event) => event.activityTaskScheduledEventAttributes?.activityType?.name;

/** Activities scheduled before `activity` was, and not yet answered when it was (by their names). */
function inFlightWhenScheduled(history: temporal.api.history.v1.IHistory, activity: string): string[] {
  const events = history.events ?? [];
  const at = events.findIndex((event) => scheduledName(event) === activity);
  if (at < 0) return [];
  const answered = new Set(
    events.slice(0, at).flatMap((event) => {
      const done =
        event.activityTaskCompletedEventAttributes ??
        event.activityTaskFailedEventAttributes ??
        event.activityTaskTimedOutEventAttributes;
      return done ? [String(done.scheduledEventId)] : [];
    }),
  );
  return events
    .slice(0, at)
    .filter((event) => scheduledName(event) && !answered.has(String(event.eventId)))
    .map((event) => scheduledName(event)!);
}

/**
 * The revocation's first attempt runs as a local activity only when nothing else of the incident is
 * in flight (patch 'local-call-alone'). When a query is answered while a local activity runs, the
 * SDK may resume the workflow with its answer only in the next workflow task, after whatever else
 * answered meanwhile; a replay resumes it at once. A CI run kept such a history, which no longer
 * replays (test/replay/unreplayable). With an activity in flight, the revocation goes through the
 * server as an activity, whose answer the history orders.
 */
describe('a revocation decided while the incident still has work in flight', () => {
  const notifier = new HoldingNotifier();
  let app: TestApp;
  const opened: string[] = [];
  beforeAll(async () => {
    app = await startTestApp({}, { notifier });
  });
  afterAll(async () => {
    opened.forEach((id) => notifier.release(id));
    await terminateIncidents(app.client, opened);
    await app.stop();
  });

  it('runs as an activity while a message is on its way, and revokes the role once', async () => {
    const password = await createLoginRole('alone_app');
    const id = await openIncident(app, { secretId: 'alone-db', leakedValue: password });
    opened.push(id);
    notifier.holdFor(id);
    await waitForPhase(app, id, 'awaiting-decision');
    // A message to the approvers is in flight, held by the notifier (observable: it arrived there).
    await eventually(
      async () => notifier.held.filter((message) => message.incidentId === id).length,
      (count) => count > 0,
      30_000,
      'a held message',
    );

    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    await waitForEvidence(app, id, 'credential.revoked');
    // The provider's real state: the leaked password no longer logs in.
    await expect(loginAs('alone_app', password)).rejects.toMatchObject({ code: expect.stringMatching(/^28/) });

    const handle = app.client.workflow.getHandle(workflowIdOfIncident(id));
    const history = await handle.fetchHistory();
    const local = (history.events ?? []).flatMap((event) => localActivityRun(event) ?? []);
    expect(local.map((run) => run.activityType)).not.toContain('revokeCredential');
    // The opening messages go out together (patch 'notifications-together'): one activity, held.
    expect(inFlightWhenScheduled(history, 'revokeCredential')).toContain('notifyInOrder');
    expect((history.events ?? []).filter((event) => scheduledName(event) === 'revokeCredential')).toHaveLength(1);

    notifier.release(id);
    await waitForPhase(app, id, 'awaiting-verification');
    const done = await handle.fetchHistory();
    recordHistoryIfAsked('local-call-alone', done);
    await Worker.runReplayHistory({ workflowBundle: { codePath: testEnvironment().workflowBundlePath } }, done);
  });

  it('runs as a local activity once nothing is in flight', async () => {
    const password = await createLoginRole('quiet_app');
    const id = await openIncident(app, { secretId: 'quiet-db', leakedValue: password });
    opened.push(id);
    await waitForPhase(app, id, 'awaiting-decision');
    await waitForNoPendingActivity(app.client, id);

    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    await waitForEvidence(app, id, 'credential.revoked');
    await expect(loginAs('quiet_app', password)).rejects.toMatchObject({ code: expect.stringMatching(/^28/) });
    const history = await app.client.workflow.getHandle(workflowIdOfIncident(id)).fetchHistory();
    const local = (history.events ?? []).flatMap((event) => localActivityRun(event) ?? []);
    expect(local.filter((run) => run.activityType === 'revokeCredential')).toEqual([
      { activityType: 'revokeCredential', attempt: 1, failed: false },
    ]);
    expect((history.events ?? []).filter((event) => scheduledName(event) === 'revokeCredential')).toHaveLength(0);
  });

  it('plans alone when reports came with its start: their evidence waits in a batch, their sealed copy after planning', async () => {
    // No worker on the task queue while two reports of one credential arrive: the run's first task brings both.
    const intake = await startTestApp();
    const password = await createLoginRole('alone_early_app');
    let worker: TestApp | undefined;
    try {
      await intake.stopWorker();
      const report = (location: string) =>
        api(intake.baseUrl, 'POST', '/api/incidents', {
          as: 'carol',
          body: { secretId: 'alone-early-db', leakedValue: password, location },
        });
      const first = await report('https://git.example/a/.env');
      expect(first.status).toBe(202);
      expect((await report('https://git.example/b/.env')).status).toBe(202);
      const id = first.body.incidentId as string;
      const handle = intake.client.workflow.getHandle(workflowIdOfIncident(id));
      expect((await handle.fetchHistory()).events!.some((event) => event.workflowTaskStartedEventAttributes)).toBe(
        false,
      );

      const { config } = intake;
      worker = await startTestApp({
        TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
        DATABASE_URL: config.DATABASE_URL!,
        FINGERPRINT_KEY: config.FINGERPRINT_KEY!,
        VAULT_KEY: config.VAULT_KEY!,
      });
      opened.push(id);
      const waiting = await waitForPhase(worker, id, 'awaiting-decision');
      expect(waiting.sightings).toBe(2);
      await waitForNoPendingActivity(worker.client, id);
      const events = (await handle.fetchHistory()).events ?? [];
      const planned = events.findIndex((event) => localActivityRun(event)?.activityType === 'planIncident');
      expect(planned).toBeGreaterThan(0);
      // Nothing was scheduled beside planning: the second report's evidence waited, in a batch, and so did its copy.
      expect(events.slice(0, planned).filter((event) => scheduledName(event))).toEqual([]);
      const names = events.flatMap((event) => scheduledName(event) ?? []);
      expect(names).not.toContain('appendEvidence');
      expect(names).toContain('destroySealedValue');
      const evidence = await waitForEvidence(worker, id, 'sighting.recorded');
      expect(evidence.filter((record) => record.kind === 'sighting.recorded')).toHaveLength(1);
    } finally {
      await worker?.stop();
      await intake.stop();
    }
  });
});
