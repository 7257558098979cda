import type { temporal } from '@temporalio/proto';
import { workflowIdOfIncident } from '../../domain/ids';
import { notFound } from '../../domain/errors';
import type { IncidentNotification, Notifier } from '../../integrations/ports';
import { startTestApp, type TestApp } from '../support/app';
import { Hold } from '../support/holds';
import { eventually } from '../support/http';
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

/**
 * Records every call in order; delivers each key once (as the Slack notifier dedupes); refuses for
 * good, every time, the next notification of a kind it was told to refuse.
 */
class RecordingNotifier implements Notifier {
  readonly calls: Array<{ key: string; kind: string; incidentId: string; delivered: boolean }> = [];
  private readonly delivered = new Set<string>();
  private readonly refusing = new Set<string>();
  private refuseNextOf: string | undefined;
  /** The incident whose notifications wait at the notifier (on their way) until the hold is released. */
  private hold: { point: Hold; incidentId?: string } | undefined;

  refuseNext(kind: string): void {
    this.refuseNextOf = kind;
  }

  /** Holds the notifications of the next incident whose notification arrives, until the hold is released. */
  holdNextIncident(): Hold {
    const point = new Hold('notifications', 'before');
    this.hold = { point };
    return point;
  }

  async notify(notification: IncidentNotification): Promise<void> {
    const { key, kind, incidentId } = notification;
    const hold = this.hold;
    if (hold?.point.armed && (hold.incidentId ??= incidentId) === incidentId) {
      hold.point.arrive();
      await hold.point.released;
    }
    if (kind === this.refuseNextOf) {
      this.refusing.add(key);
      this.refuseNextOf = undefined;
    }
    if (this.refusing.has(key)) {
      this.calls.push({ key, kind, incidentId, delivered: false });
      throw notFound(`no such user for ${key}`);
    }
    if (this.delivered.has(key)) return;
    this.delivered.add(key);
    this.calls.push({ key, kind, incidentId, delivered: true });
  }

  of(incidentId: string) {
    return this.calls.filter((call) => call.incidentId === incidentId);
  }
}

type History = temporal.api.history.v1.IHistory;

/**
 * Per notification activity: its name, the kinds and texts it carried, the workflow task that
 * scheduled it, and its event id.
 */
function notificationActivities(history: History) {
  return (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    const name = scheduled?.activityType?.name;
    if (!scheduled || (name !== 'notify' && name !== 'notifyInOrder')) return [];
    const input = JSON.parse(Buffer.from(scheduled.input!.payloads![0]!.data!).toString()) as
      IncidentNotification | IncidentNotification[];
    const notifications = Array.isArray(input) ? input : [input];
    return [
      {
        name,
        kinds: notifications.map((notification) => notification.kind),
        texts: notifications.map((notification) => notification.text),
        task: Number(scheduled.workflowTaskCompletedEventId),
        eventId: Number(event.eventId),
      },
    ];
  });
}

/** The event id of the answer (completion) of the first activity named `name`. */
function answeredAt(history: History, name: string): number {
  const events = history.events ?? [];
  const scheduled = events.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === name);
  const answer = events.find(
    (event) => String(event.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled?.eventId),
  );
  return Number(answer?.eventId ?? Number.NaN);
}

function firstWorkflowTask(history: History): number {
  return Number((history.events ?? []).find((event) => event.workflowTaskCompletedEventAttributes)!.eventId);
}

/**
 * Notifications queued while the one before them is being sent go out together, in order, as one
 * activity (patch 'notifications-together'). An incident tells its owner it opened and asks for a
 * decision in the same workflow task: the decision request no longer waits for the first message's
 * answer and a workflow task of its own.
 */
describe('notifications an incident sends at once', () => {
  const notifier = new RecordingNotifier();
  let app: TestApp;
  const opened: string[] = [];
  beforeAll(async () => {
    app = await startTestApp({}, { notifier });
  });
  afterAll(async () => {
    await terminateIncidents(app.client, opened);
    await app.stop();
  });

  it('go out together from the task that opened the incident, and arrive in order', async () => {
    const id = await openIncident(app, { secretId: 'together-1-db', description: 'password in a wiki page' });
    opened.push(id);
    await waitForPhase(app, id, 'awaiting-decision');
    await waitForNoPendingActivity(app.client, id);

    const history = await app.client.workflow.getHandle(workflowIdOfIncident(id)).fetchHistory();
    const activities = notificationActivities(history);
    // The decision request was scheduled by the first workflow task, beside the opening message.
    expect(activities[0]).toMatchObject({
      name: 'notifyInOrder',
      kinds: ['incident-opened', 'decision-requested'],
      task: firstWorkflowTask(history),
    });
    expect(activities.flatMap((activity) => activity.kinds).filter((kind) => kind !== 'progress')).toEqual([
      'incident-opened',
      'decision-requested',
    ]);
    // What the notifier really received, in order, each once.
    const received = notifier.of(id).filter((call) => call.kind !== 'progress');
    expect(received.map((call) => [call.kind, call.delivered])).toEqual([
      ['incident-opened', true],
      ['decision-requested', true],
    ]);
  });

  it('tell a notification refused for good as undelivered, and still deliver those after it once', async () => {
    // The incident's first notification is refused for good: an unknown user.
    notifier.refuseNext('incident-opened');
    const id = await openIncident(app, { secretId: 'together-2-db', description: 'password in a chat' });
    opened.push(id);
    await waitForPhase(app, id, 'awaiting-decision');

    const evidence = await waitForEvidence(app, id, 'notification.failed');
    const failed = evidence.find((record) => record.kind === 'notification.failed')!;
    expect(failed.details).toMatchObject({ kind: 'incident-opened', to: ['alice'] });
    expect(String(failed.details.reason)).toContain('no such user');
    await eventually(
      async () => notifier.of(id),
      (calls) => calls.some((call) => call.kind === 'decision-requested'),
      30_000,
      'the decision request delivered',
    );
    await waitForNoPendingActivity(app.client, id);
    // The refused notification went out together with the decision request.
    const history = await app.client.workflow.getHandle(workflowIdOfIncident(id)).fetchHistory();
    expect(notificationActivities(history)[0]).toMatchObject({
      name: 'notifyInOrder',
      kinds: ['incident-opened', 'decision-requested'],
    });
    const calls = notifier.of(id);
    // The refused one was tried once (not again one by one); the decision request delivered once, after it.
    expect(calls.filter((call) => call.kind === 'incident-opened')).toEqual([
      { key: `${id}:0`, kind: 'incident-opened', incidentId: id, delivered: false },
    ]);
    expect(calls.filter((call) => call.kind === 'decision-requested')).toHaveLength(1);
    const order = calls.map((call) => call.kind);
    expect(order.indexOf('incident-opened')).toBeLessThan(order.indexOf('decision-requested'));
    recordHistoryIfAsked('notifications-together', history);
  });

  it('queued after a decision wait for its provider call, not with a batch queued before it', async () => {
    const password = await createLoginRole('together_app_3');
    const hold = notifier.holdNextIncident();
    const id = await openIncident(app, { secretId: 'together-3-db', leakedValue: password });
    opened.push(id);
    await waitForPhase(app, id, 'awaiting-decision');
    // The opening batch is on its way (held at the notifier); the blast radius's card refresh queues behind it.
    await eventually(
      async () => hold.reached,
      (count) => count > 0,
      30_000,
      'the opening notifications held at the notifier',
    );
    await waitForEvidence(app, id, 'blast-radius.assessed');

    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    await waitForEvidence(app, id, 'credential.revoked');
    // The provider's real state: the leaked password no longer logs in.
    await expect(loginAs('together_app_3', password)).rejects.toMatchObject({ code: expect.stringMatching(/^28/) });
    hold.release();
    await eventually(
      async () => notifier.of(id),
      (calls) => calls.some((call) => call.kind === 'contained'),
      30_000,
      'the contained notification delivered',
    );

    const history = await app.client.workflow.getHandle(workflowIdOfIncident(id)).fetchHistory();
    const activities = notificationActivities(history);
    expect(activities[0]!.kinds).toEqual(['incident-opened', 'decision-requested']);
    // The batch queued before the decision carries only what was queued before it ...
    expect(activities[1]!.texts).toEqual([expect.stringContaining('Blast radius of together-3-db')]);
    // ... and what the decision queued went out once the provider call had answered.
    const afterDecision = activities.find((activity) =>
      activity.texts.some((text) => text.startsWith('Containment started')),
    )!;
    expect(afterDecision.texts.slice(0, 2)).toEqual([
      expect.stringContaining('alice approved revoke'),
      expect.stringContaining('Containment started'),
    ]);
    expect(afterDecision.eventId).toBeGreaterThan(answeredAt(history, 'revokeCredential'));
  });
});
