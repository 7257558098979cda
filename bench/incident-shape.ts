import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startTemporalDevServer } from '../test/support/temporal-dev-server';
import { DATABASE, devServerDatabase, stopDevServer } from './temporal-target';

/**
 * What the shape of a storm incident costs bare Temporal: `benchIncidentShape` (bench/trivial-workflow.ts)
 * with its background work (blast radius, evidence, notifications) as activities, as the product does,
 * beside the same with them as local activities, alternating, on one dev server, in one run. Each
 * round: RUNS signal-with-starts by 64 senders, then the drain (until every run's memo says it was
 * asked) and the server's CPU per run. No-op activities: this is the server's side alone.
 * Run: RUNS=1500 ROUNDS=2 npx tsx bench/incident-shape.ts
 * SHAPES=activities,combined compares the product's shape with its background work batched into two
 * activities (the default compares activities with local activities); SHAPES=lazy,activities compares
 * activities never dispatched eagerly with the product's; SHAPES=separate,activities compares the two
 * opening notifications sent one after the other with the product's (together). DATABASE as in temporal-target.ts.
 */
const RUNS = Number(process.env.RUNS ?? 1500);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const SENDERS = 64;
type Background = 'activities' | 'local' | 'combined' | 'lazy' | 'separate' | 'ride';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const database = devServerDatabase();
  const dev = await startTemporalDevServer(undefined, database);
  const connection = await Connection.connect({ address: dev.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: dev.address });
  const worker = await Worker.create({
    connection: native,
    taskQueue: 'bench-incident-shape',
    workflowsPath: require.resolve('./trivial-workflow.ts'),
    activities: { step: async () => undefined },
    maxCachedWorkflows: 100,
  });
  const running = worker.run();
  const rows: string[] = [];
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const background of (process.env.SHAPES ?? 'activities,local').split(',') as Background[]) {
        const result = await roundOf(client, dev.pid, background);
        rows.push(
          `| ${round + 1} | ${background} | ${result.startsPerSecond.toFixed(0)} | ${(result.drainMs / 1000).toFixed(1)} s | ${result.serverCpuMs.toFixed(1)} ms |`,
        );
      }
    }
  } finally {
    worker.shutdown();
    await running;
    await native.close();
    await connection.close();
    await stopDevServer(dev.pid, database);
  }
  console.log(`\n${RUNS} runs of the incident's shape per round (dev server, database: ${DATABASE}):\n`);
  console.log('| round | background work as | signal-with-starts/s | drained after the last | server CPU per run |');
  console.log('|---|---|---|---|---|');
  rows.forEach((row) => console.log(row));
}

async function roundOf(client: Client, serverPid: number, background: Background) {
  const cpuBefore = cpuSeconds(serverPid);
  const prefix = `shape-${background}-${randomUUID().slice(0, 8)}`;
  const ids = Array.from({ length: RUNS }, (_, i) => `${prefix}-${i}`);
  const started = Date.now();
  await pool(ids, async (workflowId) => {
    await client.workflow.signalWithStart('benchIncidentShape', {
      workflowId,
      taskQueue: 'bench-incident-shape',
      args: [background],
      signal: 'sighting',
      signalArgs: [1],
    });
  });
  const lastSignal = Date.now();
  for (;;) {
    let asked = 0;
    const query = `WorkflowId STARTS_WITH '${prefix}' AND ExecutionStatus = 'Running'`;
    for await (const run of client.workflow.list({ query })) if (run.memo?.phase === 'asked') asked += 1;
    if (asked >= RUNS) break;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const drainMs = Date.now() - lastSignal;
  const serverCpuMs = ((cpuSeconds(serverPid) - cpuBefore) * 1000) / RUNS;
  // Ended, so the next round finds the server as this one did.
  await pool(ids, async (workflowId) => {
    await client.workflow.getHandle(workflowId).terminate('bench round measured');
  });
  return { startsPerSecond: RUNS / ((lastSignal - started) / 1000), drainMs, serverCpuMs };
}

async function pool<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** User + system CPU of a process, in seconds (Linux /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
