import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

/** A run whose history today's workflow code does not replay the same way. */
export interface ReplayFailure {
  workflowId: string;
  runId: string;
  error: string;
}

const PRODUCT_TYPES = ['leakedSecretIncident', 'githubAlertIntake', 'scheduledDrill'];

/**
 * Build ids of workflow code other than the run's bundle: the two-build deploy test's build B is
 * deliberately incompatible (test/fixtures/deploy/build-b-workflows.ts); its runs are not replayed.
 */
export const FOREIGN_BUILD_IDS = ['build-b'];

function ranOnForeignBuild(history: temporal.api.history.v1.IHistory): boolean {
  return (history.events ?? []).some((event) => {
    const buildId = event.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId;
    return buildId !== undefined && buildId !== null && FOREIGN_BUILD_IDS.includes(buildId);
  });
}

/**
 * Replays the history of every product workflow run the server holds (running, closed, continued
 * as new) against the workflow bundle, and saves each history that fails in `failuresDir`: every
 * run the suite produced is a replay test, under whatever load and timing the suite had.
 */
export async function replayEveryHistory(
  address: string,
  workflowBundlePath: string,
  failuresDir: string,
): Promise<{ replayed: number; failures: ReplayFailure[] }> {
  rmSync(failuresDir, { recursive: true, force: true });
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    const query = `WorkflowType IN (${PRODUCT_TYPES.map((t) => `'${t}'`).join(', ')})`;
    const histories = new Map<string, temporal.api.history.v1.IHistory>();
    async function* collected() {
      for await (const entry of client.workflow.list({ query }).intoHistories({ concurrency: 4 })) {
        const history = entry.history as temporal.api.history.v1.IHistory;
        if (ranOnForeignBuild(history)) continue;
        const runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.originalExecutionRunId ?? '';
        histories.set(`${entry.workflowId}/${runId}`, history);
        yield entry;
      }
    }
    const failures: ReplayFailure[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      {
        workflowBundle: { codePath: workflowBundlePath },
        replayName: 'suite-histories',
        // The tracing interceptors' span exporter (workers/telemetry.ts): nothing to export in a replay.
        sinks: { exporter: { export: { fn: () => undefined } } },
      },
      collected(),
    )) {
      replayed++;
      const key = `${result.workflowId}/${result.runId}`;
      const history = histories.get(key);
      histories.delete(key);
      if (!result.error) continue;
      failures.push({ workflowId: result.workflowId, runId: result.runId, error: String(result.error.message) });
      if (history) {
        mkdirSync(failuresDir, { recursive: true });
        const name = `${result.workflowId}-${result.runId}.history.pb`.replace(/[^\w.-]/g, '_');
        writeFileSync(join(failuresDir, name), temporal.api.history.v1.History.encode(history).finish());
      }
    }
    return { replayed, failures };
  } finally {
    await connection.close();
  }
}
