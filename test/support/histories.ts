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

/** The kinds of the notifications a run scheduled, in order: one by one (notify) or together (notifyInOrder). */
export function notificationKinds(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? [])
    .map((event) => event.activityTaskScheduledEventAttributes)
    .filter((attributes) => ['notify', 'notifyInOrder'].includes(attributes?.activityType?.name ?? ''))
    .flatMap((attributes) => {
      const payload = attributes!.input!.payloads![0]!;
      const input = JSON.parse(Buffer.from(payload.data!).toString()) as { kind: string } | Array<{ kind: string }>;
      return (Array.isArray(input) ? input : [input]).map((notification) => notification.kind);
    });
}

/** The patch ids a run's history records, in order (Core's `core_patch` markers). */
export function patchMarkers(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? []).flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    const data = marker?.details?.['patch-data']?.payloads?.[0]?.data;
    if (marker?.markerName !== 'core_patch' || !data) return [];
    return [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id];
  });
}

/** A local activity's marker: the activity it ran, its attempt, and whether it failed. */
export interface LocalActivityRun {
  activityType: string;
  attempt: number;
  failed: boolean;
}

/** What a local activity's marker records; undefined for any other event. */
export function localActivityRun(event: temporal.api.history.v1.IHistoryEvent): LocalActivityRun | undefined {
  const marker = event.markerRecordedEventAttributes;
  const data = marker?.details?.data?.payloads?.[0]?.data;
  if (marker?.markerName !== 'core_local_activity' || !data) return undefined;
  const recorded = JSON.parse(Buffer.from(data).toString()) as { activity_type: string; attempt: number };
  return { activityType: recorded.activity_type, attempt: recorded.attempt, failed: Boolean(marker.failure) };
}

/**
 * The activities a run scheduled from the workflow task that scheduled its first `activity` until that
 * activity completed: what shared the worker with it (just `[activity]` when nothing did). When
 * `activity` ran as a local activity instead, inside a workflow task, nothing could run beside it: the
 * task's commands reach the server when it ends. Then the answer is what that task scheduled before
 * it, and `activity`.
 */
export function scheduledBesideFirst(history: temporal.api.history.v1.IHistory, activity: string): string[] {
  const events = history.events ?? [];
  const name = (event: temporal.api.history.v1.IHistoryEvent) =>
    event.activityTaskScheduledEventAttributes?.activityType?.name;
  const taskCompletedBefore = (index: number) => {
    let at = index;
    while (at > 0 && !events[at]!.workflowTaskCompletedEventAttributes) at -= 1;
    return at;
  };
  const scheduled = events.findIndex((event) => name(event) === activity);
  if (scheduled < 0) {
    const local = events.findIndex((event) => localActivityRun(event)?.activityType === activity);
    if (local < 0) throw new Error(`no ${activity} in the history`);
    return [...events.slice(taskCompletedBefore(local), local).flatMap((event) => name(event) ?? []), activity];
  }
  const completed = events.findIndex(
    (event) =>
      event.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === String(events[scheduled]!.eventId),
  );
  if (completed < 0) throw new Error(`${activity} never completed`);
  return events.slice(taskCompletedBefore(scheduled), completed).flatMap((event) => name(event) ?? []);
}
