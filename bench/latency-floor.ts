import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Client } from 'pg';
import pino from 'pino';
import { localActivityRun } from '../test/support/histories';
import { startPostgresCluster } from '../test/support/postgres-cluster';
import { startTemporalTarget, TARGET_NAME } from './temporal-target';
import { assembleProduct } from '../workers/assemble';
import { parseConfig } from '../workers/config';
import { awaitListing, post, resetRole, status } from './incident-helpers';
import { useScratchTmpdir } from './scratch';

/**
 * Issue 11's latency figures beside their floor, interleaved in one run on one server:
 *  - raw provider call: connect, ALTER ROLE … NOLOGIN, pg_terminate_backend (what the revocation costs);
 *  - bare Temporal: an empty workflow start → result; one activity doing the raw call; the same as a local activity;
 *  - Tourniquet: POST /api/incidents (auto-contain) → role revoked, → death proven; POST (an incident that
 *    asks people) → the decision request delivered; decision click → revoked.
 * Then the per-step breakdown (server event times) of the median product run, start → revoked.
 * Run: npx tsx bench/latency-floor.ts          (dev server, eager activities on; RUNS=30)
 *      TARGET=cluster npx tsx bench/latency-floor.ts   (four-process cluster, scripts/temporal-cluster.sh)
 */
const RUNS = Number(process.env.RUNS ?? 30);

async function main(): Promise<void> {
  useScratchTmpdir();
  // The product's workflows log every evidence record at INFO: printing them would slow the figures.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const postgres = await startPostgresCluster();
  try {
    const temporal = await startTemporalTarget(postgres.url);
    try {
      await run(temporal.address, postgres.url);
    } finally {
      await temporal.stop();
    }
  } finally {
    process.kill(postgres.pid, 'SIGTERM');
  }
}

async function run(address: string, pgUrl: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
  const bundlePath = join(dir, 'workflow-bundle.js');
  const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
  writeFileSync(
    bundlePath,
    (await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows/index.ts'), logger: quiet })).code,
  );
  const config = parseConfig({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: 'bench-floor-product',
    HTTP_PORT: '0',
    DATABASE_URL: pgUrl,
    CATALOG_PATH: join(__dirname, '../test/fixtures/catalog.test.yaml'),
    DATA_DIR: dir,
    FINGERPRINT_KEY: randomBytes(32).toString('hex'),
    VAULT_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'error',
  });
  const product = await assembleProduct({
    config,
    env: { TEST_PG_ADMIN_URL: pgUrl },
    logger: pino({ level: 'error' }),
    temporalAddress: address,
    workflows: { workflowBundle: { codePath: bundlePath } },
  });
  const nativeConnection = await NativeConnection.connect({ address });
  const floorWorker = await Worker.create({
    connection: nativeConnection,
    taskQueue: 'bench-floor',
    workflowBundle: {
      code: (await bundleWorkflowCode({ workflowsPath: require.resolve('./floor-workflows.ts'), logger: quiet })).code,
    },
    activities: { revokeRole: (role: string) => rawRevoke(pgUrl, role) },
  });
  const floorRunning = floorWorker.run();
  const connection = await Connection.connect({ address });
  const client = new TemporalClient({ connection });
  const figures: Record<string, number[]> = {};
  const add = (name: string, ms: number) => (figures[name] ??= []).push(ms);
  const productRuns: Array<{ ms: number; workflowId: string; runId: string; wallStart: number }> = [];
  const clickLocal: boolean[] = [];
  try {
    for (let i = 0; i < RUNS + 3; i += 1) {
      const warm = i < 3;
      // Raw provider call.
      await resetRole(pgUrl, 'floor_app');
      let t = performance.now();
      await rawRevoke(pgUrl, 'floor_app');
      if (!warm) add('raw provider call (connect, ALTER ROLE NOLOGIN, pg_terminate_backend)', performance.now() - t);
      // Bare Temporal: each floor workflow on its own, the role reset before those that revoke it.
      for (const [name, workflowType, args] of FLOOR_WORKFLOWS) {
        if (args.length) await resetRole(pgUrl, 'floor_app');
        t = performance.now();
        await client.workflow.execute(workflowType, {
          taskQueue: 'bench-floor',
          workflowId: `${workflowType}-${randomUUID()}`,
          args,
        });
        if (!warm) add(name, performance.now() - t);
      }
      // Tourniquet, auto-contain.
      const password = await resetRole(pgUrl, 'payments_app');
      const wallStart = Date.now();
      t = performance.now();
      const opened = await post(product.baseUrl, '/api/incidents', 'carol', {
        secretId: 'payments-db',
        leakedValue: password,
        verifiedActive: true,
        publiclyExposed: true,
      });
      // Milestones from visibility (the server), not status reads: a status read every 5 ms is a workflow
      // query every 5 ms, served by the worker between the very tasks being timed.
      await awaitListing(client, opened.workflowId, (l) => l.phase === 'awaiting-verification');
      const provenMs = performance.now() - t;
      const proven = await status(product.baseUrl, opened.incidentId);
      const revokedMs = Date.parse(proven.actions.find((a) => a.kind === 'credential.revoked')!.at) - wallStart;
      // The provider's own answer time (the activity's clock right after ALTER ROLE returned), from the evidence.
      const answeredMs = Date.parse(await revocationAnswerAt(product.baseUrl, opened.incidentId)) - wallStart;
      if (!warm) {
        add('Tourniquet: POST /api/incidents (auto-contain) → revoked', revokedMs);
        add('Tourniquet: POST /api/incidents (auto-contain) → provider answered the revocation', answeredMs);
        add('Tourniquet: POST /api/incidents (auto-contain) → death proven', provenMs);
        const { runId } = await client.workflow.getHandle(proven.workflowId).describe();
        productRuns.push({ ms: revokedMs, workflowId: proven.workflowId, runId, wallStart });
      }
      await post(product.baseUrl, `/api/incidents/${opened.incidentId}/verification`, 'carol', { note: 'bench' });
      await client.workflow.getHandle(proven.workflowId).result();
      // Tourniquet, a decision click → revoked.
      const password2 = await resetRole(pgUrl, 'payments_app');
      const askWall = Date.now();
      const asked = await post(product.baseUrl, '/api/incidents', 'carol', {
        secretId: 'payments-db',
        leakedValue: password2,
      });
      await awaitListing(client, asked.workflowId, (l) => l.phase === 'awaiting-decision');
      if (!warm)
        add(
          'Tourniquet: POST /api/incidents (asks people) → decision request delivered',
          (await decisionRequestDeliveredAt(client, asked.workflowId)) - askWall,
        );
      const clickWall = Date.now();
      await post(product.baseUrl, `/api/incidents/${asked.incidentId}/decision`, 'alice', { choice: 'revoke' });
      await awaitListing(client, asked.workflowId, (l) => l.phase === 'awaiting-verification');
      const done = await status(product.baseUrl, asked.incidentId);
      if (!warm)
        add(
          'Tourniquet: decision click (POST …/decision) → revoked',
          Date.parse(done.actions.find((a) => a.kind === 'credential.revoked')!.at) - clickWall,
        );
      if (!warm) clickLocal.push(await revokedLocally(client, done.workflowId));
      await post(product.baseUrl, `/api/incidents/${asked.incidentId}/verification`, 'carol', { note: 'bench' });
      await client.workflow.getHandle(done.workflowId).result();
    }
    report(figures);
    // Local only when nothing else of the incident is in flight (patch 'local-call-alone'), else as an activity.
    console.log(
      `decision click: the revocation ran as a local activity in ${clickLocal.filter(Boolean).length} of ${clickLocal.length} runs`,
    );
    await split(client, productRuns);
    const median = [...productRuns].sort((a, b) => a.ms - b.ms)[Math.floor(productRuns.length / 2)]!;
    await breakdown(client, median.workflowId, median.runId);
  } finally {
    await connection.close();
    floorWorker.shutdown();
    await floorRunning;
    await nativeConnection.close();
    await product.stop();
  }
}

function report(figures: Record<string, number[]>): void {
  const q = (values: number[], p: number) =>
    [...values].sort((a, b) => a - b)[Math.ceil((p / 100) * values.length) - 1]!;
  console.log(`\n${TARGET_NAME}, ${RUNS} runs each, interleaved\n`);
  console.log('| path | p50 | p95 | p99 |\n|---|---|---|---|');
  for (const [name, values] of Object.entries(figures))
    console.log(
      `| ${name} | ${q(values, 50).toFixed(0)} ms | ${q(values, 95).toFixed(0)} ms | ${q(values, 99).toFixed(0)} ms |`,
    );
  const raw = figures['raw provider call (connect, ALTER ROLE NOLOGIN, pg_terminate_backend)']!;
  const empty = figures['bare Temporal: empty workflow, start → result']!;
  const product = figures['Tourniquet: POST /api/incidents (auto-contain) → revoked']!;
  const floor = q(raw, 50) + q(empty, 50);
  console.log(
    `\nfloor (empty workflow + raw call, p50) ${floor.toFixed(0)} ms; alert → revoked p50 ${q(product, 50).toFixed(0)} ms = ${(q(product, 50) / floor).toFixed(2)}× the floor`,
  );
}

/**
 * The product path in two parts, p50 over the runs: POST sent → WorkflowExecutionStarted (HTTP, authentication,
 * identity claim, sealing, signal-with-start) and WorkflowExecutionStarted → revoked (the workflow).
 */
async function split(
  client: TemporalClient,
  runs: Array<{ ms: number; workflowId: string; runId: string; wallStart: number }>,
): Promise<void> {
  const intake: number[] = [];
  const workflow: number[] = [];
  const firstTaskWait: number[] = [];
  for (const run of runs) {
    const events = (await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory()).events ?? [];
    const at = (event: temporal.api.history.v1.IHistoryEvent) =>
      Number(event.eventTime!.seconds) * 1000 + Math.round((event.eventTime!.nanos ?? 0) / 1e6);
    const startedAt = at(events[0]!);
    intake.push(startedAt - run.wallStart);
    workflow.push(run.wallStart + run.ms - startedAt);
    const scheduled = events.find((e) => e.workflowTaskScheduledEventAttributes);
    const started = events.find((e) => e.workflowTaskStartedEventAttributes);
    if (scheduled && started) firstTaskWait.push(at(started) - at(scheduled));
  }
  const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length / 2) - 1]!;
  console.log(
    `\nalert → revoked, p50 of its parts: POST sent → WorkflowExecutionStarted ${p50(intake)} ms; WorkflowExecutionStarted → revoked ${p50(workflow)} ms (of which the first workflow task waited for a worker ${p50(firstTaskWait)} ms)`,
  );
  console.log(`first workflow task waits, every run: ${firstTaskWait.join(' ')}`);
}

/** Where the time went in one product run: every history event up to the revocation, ms after the start. */
async function breakdown(client: TemporalClient, workflowId: string, runId: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = history.events ?? [];
  const at = (event: temporal.api.history.v1.IHistoryEvent) =>
    Number(event.eventTime!.seconds) * 1000 + Math.round((event.eventTime!.nanos ?? 0) / 1e6);
  const start = at(events[0]!);
  const names = new Map<number, string>();
  console.log(`\nmedian run ${workflowId}: server event times, ms after WorkflowExecutionStarted\n`);
  for (const event of events) {
    const type = temporal.api.enums.v1.EventType[event.eventType!].replace('EVENT_TYPE_', '');
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) names.set(Number(event.eventId), scheduled.activityType!.name!);
    const of =
      event.activityTaskStartedEventAttributes?.scheduledEventId ??
      event.activityTaskCompletedEventAttributes?.scheduledEventId;
    const name =
      scheduled?.activityType?.name ?? (of ? names.get(Number(of)) : event.markerRecordedEventAttributes?.markerName);
    console.log(`${String(at(event) - start).padStart(6)} ms  ${type}${name ? ` (${name})` : ''}`);
    if (event.activityTaskCompletedEventAttributes && names.get(Number(of)) === 'revokeCredential') break;
    if (localActivityRun(event)?.activityType === 'revokeCredential' && !localActivityRun(event)?.failed) break;
  }
}

/**
 * When the notifier answered for the decision request (server time of its activity's completion):
 * the request goes out alone (`notify`) or with the opening message (`notifyInOrder`).
 */
async function decisionRequestDeliveredAt(client: TemporalClient, workflowId: string): Promise<number> {
  for (;;) {
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const request = events.find((event) =>
      Buffer.from(event.activityTaskScheduledEventAttributes?.input?.payloads?.[0]?.data ?? [])
        .toString()
        .includes('"kind":"decision-requested"'),
    );
    const completed = events.find(
      (event) => String(event.activityTaskCompletedEventAttributes?.scheduledEventId) === String(request?.eventId),
    );
    if (request && completed)
      return Number(completed.eventTime!.seconds) * 1000 + Math.round((completed.eventTime!.nanos ?? 0) / 1e6);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether the run's revocation answered as a local activity (its first attempt, not the activity after it). */
async function revokedLocally(client: TemporalClient, workflowId: string): Promise<boolean> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  return events.some((event) => {
    const run = localActivityRun(event);
    return run?.activityType === 'revokeCredential' && !run.failed;
  });
}

async function revocationAnswerAt(baseUrl: string, incidentId: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/incidents/${incidentId}/timeline`, {
    headers: { authorization: 'Bearer token-carol' },
  });
  const { evidence } = (await response.json()) as {
    evidence: Array<{ kind: string; providerAnswer?: { at: string } }>;
  };
  return evidence.find((record) => record.kind === 'credential.revoked')!.providerAnswer!.at;
}

/** The bare Temporal baselines: figure name, workflow type (bench/floor-workflows.ts), its arguments. */
const FLOOR_WORKFLOWS: Array<[string, string, string[]]> = [
  ['bare Temporal: empty workflow, start → result', 'floorEmpty', []],
  ['bare Temporal: one activity doing the raw call', 'floorOneActivity', ['floor_app']],
  ['bare Temporal: the raw call as a local activity', 'floorLocalActivity', ['floor_app']],
];

async function rawRevoke(url: string, role: string): Promise<number> {
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`ALTER ROLE ${role} NOLOGIN PASSWORD '${randomBytes(12).toString('hex')}'`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
  } finally {
    await admin.end();
  }
  return Date.now();
}

function noop(): void {}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
