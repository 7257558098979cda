import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startTemporalDevServer } from '../../support/temporal-dev-server';
import { goSignal, slowQuery, type PauseActivities } from './late-local-resolution-workflow';

/**
 * Reproduces, on bare Temporal, why a history of the incident workflow did not replay
 * (rotation-held-background-2026-12-04): a query answered while a local activity runs lets the SDK
 * report the workflow task with the local activity's marker, and resume the workflow with its answer
 * only in the next task, after the answer of an activity that completed meanwhile. A replay resumes
 * it inside the first task, so the commands come in another order. Not part of the suite: it needs
 * the timing it sets up (a query answered slowly while both answers arrive).
 * Run: npx tsx test/replay/unreplayable/late-local-resolution.ts [runs per variant, default 3]
 */
const RUNS = Number(process.argv[2] ?? 3);
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dev = await startTemporalDevServer();
  const connection = await Connection.connect({ address: dev.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: dev.address });
  const activities: PauseActivities = {
    background: pause,
    afterBackground: async () => undefined,
    revoke: pause,
    afterRevoke: async () => undefined,
  };
  const taskQueue = `late-local-${randomUUID().slice(0, 8)}`;
  const workflowsPath = require.resolve('./late-local-resolution-workflow.ts');
  const worker = await Worker.create({ connection: native, taskQueue, workflowsPath, activities });
  const running = worker.run();
  try {
    for (const alone of [false, true]) {
      let late = 0;
      let failed = 0;
      for (let run = 0; run < RUNS; run += 1) {
        const handle = await client.workflow.start('lateLocalResolution', {
          taskQueue,
          workflowId: `late-local-${alone ? 'alone' : 'beside'}-${randomUUID().slice(0, 8)}`,
          args: [alone],
        });
        await pause(100);
        await handle.signal(goSignal);
        await handle.query(slowQuery);
        await handle.result();
        const history = await handle.fetchHistory();
        if (resumedLate(history)) late += 1;
        if (process.env.SHOW_HISTORY) console.log(describeHistory(history));
        try {
          await Worker.runReplayHistory({ workflowsPath }, history, handle.workflowId);
        } catch (error) {
          failed += 1;
          console.log(`  ${handle.workflowId}: ${String(error).slice(0, 300)}`);
        }
      }
      console.log(
        `${alone ? 'revocation alone (local-call-alone)' : 'revocation beside background work'}: ${RUNS} runs, ` +
          `${late} resumed after the next task's answers, ${failed} did not replay`,
      );
    }
  } finally {
    worker.shutdown();
    await running;
    await native.close();
    await connection.close();
    process.kill(dev.pid, 'SIGTERM');
  }
}

/** Whether 'afterRevoke' was scheduled after 'afterBackground' although the revocation's marker came first. */
function resumedLate(history: temporal.api.history.v1.IHistory): boolean {
  const events = history.events ?? [];
  const at = (name: string) =>
    events.findIndex((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === name);
  const marker = events.findIndex((event) => {
    const data = event.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
    return data !== undefined && data !== null && Buffer.from(data).toString().includes('"activity_type":"revoke"');
  });
  return (
    marker >= 0 &&
    at('afterBackground') >= 0 &&
    marker < at('afterBackground') &&
    at('afterBackground') < at('afterRevoke')
  );
}

/** One line per event: id, type, activity name or marker. */
function describeHistory(history: temporal.api.history.v1.IHistory): string {
  const ms = (event: temporal.api.history.v1.IHistoryEvent) =>
    Number(event.eventTime?.seconds ?? 0) * 1000 + Math.round((event.eventTime?.nanos ?? 0) / 1e6);
  const start = ms((history.events ?? [])[0] ?? {});
  return (history.events ?? [])
    .map((event) => {
      const name = event.activityTaskScheduledEventAttributes?.activityType?.name ?? '';
      const marker = event.markerRecordedEventAttributes ? 'marker' : '';
      const type = String(event.eventType);
      return `${String(event.eventId)} +${ms(event) - start} ms ${type} ${name}${marker}`;
    })
    .join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
