import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** One run of a workflow with the size of its history: events, and bytes as Temporal stores them (protobuf). */
export interface RunHistory {
  runId: string;
  history: temporal.api.history.v1.IHistory;
  events: number;
  bytes: number;
}

/** Every run of a workflow from `firstRunId` on, following its continue-as-new chain. */
export async function runChain(client: Client, workflowId: string, firstRunId: string): Promise<RunHistory[]> {
  const runs: RunHistory[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events: temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
    const bytes = temporal.api.history.v1.History.encode(history).finish().length;
    runs.push({ runId, history, events: events.length, bytes });
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

/** The kinds of the notifications a run scheduled, in order. */
export function notificationKinds(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? [])
    .map((event) => event.activityTaskScheduledEventAttributes)
    .filter((attributes) => attributes?.activityType?.name === 'notify')
    .map((attributes) => {
      const payload = attributes!.input!.payloads![0]!;
      return (JSON.parse(Buffer.from(payload.data!).toString()) as { kind: string }).kind;
    });
}

/**
 * The activities a run scheduled from the workflow task that scheduled its first `activity` until that
 * activity completed: what shared the worker with it (just `[activity]` when nothing did).
 */
export function scheduledBesideFirst(history: temporal.api.history.v1.IHistory, activity: string): string[] {
  const events = history.events ?? [];
  const name = (event: temporal.api.history.v1.IHistoryEvent) =>
    event.activityTaskScheduledEventAttributes?.activityType?.name;
  const scheduled = events.findIndex((event) => name(event) === activity);
  if (scheduled < 0) throw new Error(`no ${activity} in the history`);
  let taskCompleted = scheduled;
  while (taskCompleted > 0 && !events[taskCompleted]!.workflowTaskCompletedEventAttributes) taskCompleted -= 1;
  const completed = events.findIndex(
    (event) =>
      event.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === String(events[scheduled]!.eventId),
  );
  if (completed < 0) throw new Error(`${activity} never completed`);
  return events.slice(taskCompleted, completed).flatMap((event) => name(event) ?? []);
}
