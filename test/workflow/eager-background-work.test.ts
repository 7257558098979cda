import { NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { workflowIdOfIncident } from '../../domain/ids';
import { startTestApp, type TestApp } from '../support/app';
import { testEnvironment } from '../support/environment';
import { eventually } from '../support/http';
import { openIncident, terminateIncidents, waitForNoPendingActivity, waitForPhase } from '../support/incidents';
import { createLoginRole } from '../support/roles';

type History = temporal.api.history.v1.IHistory;

/** Per activity of the run: its name, the task that scheduled it, and who started its last attempt. */
function activityStarts(incidentId: string, history: History) {
  const events = history.events ?? [];
  const started = new Map(
    events.flatMap((event) => {
      const attributes = event.activityTaskStartedEventAttributes;
      return attributes ? [[String(attributes.scheduledEventId), attributes] as const] : [];
    }),
  );
  return events.flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (!scheduled) return [];
    const start = started.get(String(event.eventId));
    return [
      {
        name: scheduled.activityType?.name ?? '',
        task: `${incidentId} ${String(scheduled.workflowTaskCompletedEventId)}`,
        identity: start?.identity ?? '(not started)',
        attempt: start?.attempt ?? 0,
      },
    ];
  });
}

/**
 * Evidence batches, notifications and the blast radius are dispatched eagerly: the workflow task that
 * schedules one hands it straight back to the worker that ran the task (at most three per task), so
 * the server spends no matching and no separate start on it (a storm drained in 155 s where it took
 * 198 s, BENCHMARKS.md, session 11). Proven with a second worker polling the same task queue for activities it does not
 * have: any activity that went through matching could reach it, fail there, and start again.
 */
describe('background work of an incident', () => {
  let app: TestApp;
  let connection: NativeConnection;
  let other: Worker;
  let otherRun: Promise<void>;
  const opened: string[] = [];

  beforeAll(async () => {
    app = await startTestApp({ WORKER_IDENTITY: 'product-worker' });
    connection = await NativeConnection.connect({ address: testEnvironment().temporalAddress });
    other = await Worker.create({
      connection,
      taskQueue: app.config.TEMPORAL_TASK_QUEUE,
      identity: 'other-worker',
      activities: { unrelated: async () => undefined },
      maxConcurrentActivityTaskPolls: 10,
    });
    otherRun = other.run();
  });
  afterAll(async () => {
    await terminateIncidents(app.client, opened);
    other.shutdown();
    await otherRun;
    await connection.close();
    await app.stop();
  });

  it('runs on the worker whose workflow task scheduled it, without going through the task queue', async () => {
    // The other worker really polls this task queue for activity tasks (its identity among the pollers).
    await eventually(
      async () =>
        (
          await app.client.workflowService.describeTaskQueue({
            namespace: app.config.TEMPORAL_NAMESPACE,
            taskQueue: { name: app.config.TEMPORAL_TASK_QUEUE },
            taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
          })
        ).pollers ?? [],
      (pollers) => pollers.some((poller) => poller.identity === 'other-worker'),
      30_000,
      'the other worker polling for activities',
    );
    for (const i of [1, 2, 3]) {
      const password = await createLoginRole(`eager_app_${i}`);
      opened.push(await openIncident(app, { secretId: `eager-${i}-db`, leakedValue: password }));
    }
    const starts = [];
    const retrying = [];
    for (const id of opened) {
      const handle = app.client.workflow.getHandle(workflowIdOfIncident(id));
      await waitForPhase(app, id, 'awaiting-decision');
      // An activity the other worker took fails there and is retried: still pending, with who last had it.
      const pending = await waitForNoPendingActivity(app.client, id, 20_000).then(
        () => [],
        async () => (await handle.describe()).raw.pendingActivities ?? [],
      );
      retrying.push(
        ...pending.map((activity) => ({
          name: activity.activityType?.name,
          attempt: activity.attempt,
          lastWorker: activity.lastWorkerIdentity,
        })),
      );
      starts.push(...activityStarts(id, await handle.fetchHistory()));
    }
    expect(retrying).toEqual([]);
    // A task hands at most three activities back to its worker: those scheduled beside more go through matching.
    const perTask = new Map<string, number>();
    starts.forEach((start) => perTask.set(start.task, (perTask.get(start.task) ?? 0) + 1));
    const eager = starts.filter((start) => perTask.get(start.task)! <= 3);
    const names = new Set(eager.map((start) => start.name));
    for (const name of ['appendEvidenceBatch', 'notify', 'assessBlastRadius']) expect(names).toContain(name);
    expect(eager.length).toBeGreaterThanOrEqual(3 * opened.length);
    expect(eager.filter((start) => start.identity !== 'product-worker' || start.attempt !== 1)).toEqual([]);
  });
});
