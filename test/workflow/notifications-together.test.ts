import type { temporal } from '@temporalio/proto';
import { workflowIdOfIncident } from '../../domain/ids';
import { notFound } from '../../domain/errors';
import type { IncidentNotification, Notifier } from '../../integrations/ports';
import { startTestApp, type TestApp } from '../support/app';
import { eventually } from '../support/http';
import {
  openIncident,
  terminateIncidents,
  waitForEvidence,
  waitForNoPendingActivity,
  waitForPhase,
} from '../support/incidents';
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

  refuseNext(kind: string): void {
    this.refuseNextOf = kind;
  }

  async notify(notification: IncidentNotification): Promise<void> {
    const { key, kind, incidentId } = notification;
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

/** Per notification activity: its name, the kinds it carried, and the workflow task that scheduled it. */
function notificationActivities(history: History) {
  return (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    const name = scheduled?.activityType?.name;
    if (!scheduled || (name !== 'notify' && name !== 'notifyInOrder')) return [];
    const input = JSON.parse(Buffer.from(scheduled.input!.payloads![0]!.data!).toString()) as
      IncidentNotification | IncidentNotification[];
    return [
      {
        name,
        kinds: (Array.isArray(input) ? input : [input]).map((notification) => notification.kind),
        task: Number(scheduled.workflowTaskCompletedEventId),
      },
    ];
  });
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
    expect(activities[0]).toEqual({
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
});
