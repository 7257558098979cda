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
