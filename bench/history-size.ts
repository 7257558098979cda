import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import pino from 'pino';
import { catalogWithStandardPolicy } from '../test/support/catalogs';
import { runChain, type RunHistory } from '../test/support/histories';
import { startPostgresCluster } from '../test/support/postgres-cluster';
import { startTemporalDevServer } from '../test/support/temporal-dev-server';
import { startTimeSkippingServer } from '../test/support/time-skipping';
import { assembleProduct, type RunningProduct } from '../workers/assemble';
import { parseConfig } from '../workers/config';
import { createLogger } from '../workers/logger';
import { bridgeTemporalLogs } from '../workers/temporal-runtime';
import { pollUntil, post, resetRole } from './incident-helpers';
import { useScratchTmpdir } from './scratch';

/**
 * Issue 9's history figures: the Temporal history (events, and bytes as stored: protobuf) of
 * (a) a standard incident decide → contain → verify, (b) incidents with 500, 1,000 and 2,000
 * distinct sightings posted through the API, (c) an incident waiting 30 days for its verifier with
 * the standard reminders, on Temporal's time-skipping test server. Each run must stay under 10,000
 * events and 5 MB; (b) must grow linearly. Everything goes through the running product (worker,
 * HTTP API, PostgreSQL); (a) and (b) on a fresh Temporal dev server.
 * Run: npx tsx bench/history-size.ts   (SIGHTINGS=500,1000,2000 CONCURRENCY=16)
 */
const SIGHTINGS = (process.env.SIGHTINGS ?? '500,1000,2000').split(',').map(Number);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const LIMITS = { events: 10_000, bytes: 5 * 1024 * 1024 };

interface Figures {
  name: string;
  runs: RunHistory[];
  note?: string;
}

async function main(): Promise<void> {
  useScratchTmpdir();
  // One SDK runtime per process, installed before any worker or test environment.
  bridgeTemporalLogs(createLogger('error'), 'ERROR');
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows/index.ts'),
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    },
  });
  const [temporal, postgres] = await Promise.all([startTemporalDevServer(), startPostgresCluster()]);
  const figures: Figures[] = [];
  try {
    const product = await startProduct(temporal.address, postgres.url, workflowBundle.code);
    const connection = await Connection.connect({ address: temporal.address });
    const client = new TemporalClient({ connection });
    try {
      figures.push(await standardIncident(product, client, postgres.url));
      for (const count of SIGHTINGS) figures.push(await sightingsIncident(product, client, count));
    } finally {
      await connection.close();
      await product.stop();
    }
    figures.push(await monthLongWait(postgres.url, workflowBundle.code));
  } finally {
    for (const pid of [temporal.pid, postgres.pid]) process.kill(pid, 'SIGTERM');
  }
  report(figures);
}

async function startProduct(address: string, databaseUrl: string, code: string, catalog?: string) {
  const config = parseConfig({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: `bench-history-${randomBytes(4).toString('hex')}`,
    HTTP_PORT: '0',
    DATABASE_URL: databaseUrl,
    CATALOG_PATH: catalog ?? join(__dirname, '../test/fixtures/catalog.test.yaml'),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-history-')),
    FINGERPRINT_KEY: randomBytes(32).toString('hex'),
    VAULT_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'error',
  });
  return assembleProduct({
    config,
    env: { TEST_PG_ADMIN_URL: databaseUrl },
    logger: pino({ level: 'error' }),
    temporalAddress: address,
    workflows: { workflowBundle: { code } },
  });
}

/** (a) A PostgreSQL credential: alice decides revoke, the role is set NOLOGIN, carol verifies. */
async function standardIncident(product: RunningProduct, client: TemporalClient, pgUrl: string): Promise<Figures> {
  const password = await resetRole(pgUrl);
  const { incidentId } = await post(product.baseUrl, '/api/incidents', 'carol', {
    secretId: 'payments-db',
    leakedValue: password,
    description: 'bench: standard incident',
  });
  await pollUntil(product.baseUrl, incidentId, (s) => s.phase === 'awaiting-decision');
  await post(product.baseUrl, `/api/incidents/${incidentId}/decision`, 'alice', { choice: 'revoke' });
  const waiting = await pollUntil(product.baseUrl, incidentId, (s) => s.phase === 'awaiting-verification');
  await post(product.baseUrl, `/api/incidents/${incidentId}/verification`, 'carol', {
    note: 'bench: old password refused',
  });
  await client.workflow.getHandle(waiting.workflowId).result();
  return { name: '(a) standard incident: decide → contain → verify', runs: await runsOf(client, waiting.workflowId) };
}

/** (b) One unknown credential reported `count` times from distinct places, in bursts of CONCURRENCY. */
async function sightingsIncident(product: RunningProduct, client: TemporalClient, count: number): Promise<Figures> {
  const leakedValue = `bench-${randomBytes(16).toString('hex')}`;
  const report = (i: number) =>
    post(product.baseUrl, '/api/incidents', 'carol', { leakedValue, location: `https://ci.example/build/${i}` });
  const { incidentId } = await report(0);
  const started = performance.now();
  let next = 1;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await report(next++);
    }),
  );
  const posted = performance.now() - started;
  // Every sighting counted and every evidence record appended: the history is complete.
  const settled = await pollUntil(product.baseUrl, incidentId, (s) => s.sightings === count, 300_000);
  await pollEvidence(product.baseUrl, incidentId, settled.evidenceCount);
  const caughtUp = performance.now() - started;
  return {
    name: `(b) ${count.toLocaleString('en')} distinct sightings`,
    runs: await runsOf(client, settled.workflowId),
    note: `posted in ${(posted / 1000).toFixed(1)} s, evidence complete after ${(caughtUp / 1000).toFixed(1)} s`,
  };
}

/**
 * (c) A credential without a revocation API: decided, revoked by hand, then its verifier stays
 * silent for 30 days of the time-skipping server's clock (standard policy: 5 reminders backing off
 * from 5 minutes, then one last escalation); then carol verifies and it closes.
 */
async function monthLongWait(pgUrl: string, code: string): Promise<Figures> {
  const server = await startTimeSkippingServer();
  const product = await startProduct(server.address, pgUrl, code, catalogWithStandardPolicy({}));
  try {
    const started = performance.now();
    const { incidentId } = await post(product.baseUrl, '/api/incidents', 'carol', { secretId: 'vendor-api-key' });
    await pollUntil(product.baseUrl, incidentId, (s) => s.phase === 'awaiting-decision');
    await post(product.baseUrl, `/api/incidents/${incidentId}/decision`, 'alice', { choice: 'revoke' });
    await pollUntil(product.baseUrl, incidentId, (s) => s.phase === 'awaiting-manual-containment');
    await post(product.baseUrl, `/api/incidents/${incidentId}/manual-containment`, 'dave', {
      note: 'revoked in the console',
    });
    const waiting = await pollUntil(product.baseUrl, incidentId, (s) => s.phase === 'awaiting-verification');
    for (let day = 0; day < 30; day += 1) await server.sleep('1 day');
    const after = await pollUntil(product.baseUrl, incidentId, (s) => s.phase === 'awaiting-verification');
    await post(product.baseUrl, `/api/incidents/${incidentId}/verification`, 'carol', {
      note: 'checked after a month',
    });
    await pollUntil(product.baseUrl, incidentId, (s) => s.phase === 'closed');
    const wall = performance.now() - started;
    return {
      name: '(c) 30 days waiting for a verifier, with reminders (time-skipping server)',
      runs: await runsOf(server.client, waiting.workflowId),
      note: `30 days in ${(wall / 1000).toFixed(1)} s wall time; waiting on "${after.waitingOn?.for}"`,
    };
  } finally {
    await product.stop();
    await server.stop();
  }
}

async function runsOf(client: TemporalClient, workflowId: string): Promise<RunHistory[]> {
  const description = await client.workflow.getHandle(workflowId).describe();
  const firstRunId = description.raw.workflowExecutionInfo?.firstRunId ?? description.runId;
  return runChain(client, workflowId, firstRunId);
}

function report(figures: Figures[]): void {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const lines = [
    '| incident | runs | events (all runs) | bytes (all runs) | largest run: events | largest run: bytes | under 10,000 events and 5 MB per run |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const { name, runs } of figures) {
    const events = runs.reduce((sum, run) => sum + run.events, 0);
    const bytes = runs.reduce((sum, run) => sum + run.bytes, 0);
    const maxEvents = Math.max(...runs.map((run) => run.events));
    const maxBytes = Math.max(...runs.map((run) => run.bytes));
    const ok = maxEvents < LIMITS.events && maxBytes < LIMITS.bytes ? 'yes' : 'NO';
    lines.push(`| ${name} | ${runs.length} | ${events} | ${kib(bytes)} | ${maxEvents} | ${kib(maxBytes)} | ${ok} |`);
  }
  console.log(lines.join('\n'));
  for (const { name, runs, note } of figures) {
    console.log(
      `${name}: per run ${runs.map((run) => `${run.events} ev/${kib(run.bytes)}`).join(', ')}${note ? `; ${note}` : ''}`,
    );
  }
  const sightings = figures.filter((f) => f.name.startsWith('(b)'));
  const perSighting = sightings.map((f, i) => {
    const events = f.runs.reduce((sum, run) => sum + run.events, 0);
    const bytes = f.runs.reduce((sum, run) => sum + run.bytes, 0);
    return `${SIGHTINGS[i]}: ${(events / SIGHTINGS[i]!).toFixed(2)} events and ${kib(bytes / SIGHTINGS[i]!)} per sighting`;
  });
  console.log(`linear growth (per sighting, all runs): ${perSighting.join('; ')}`);
}

async function pollEvidence(baseUrl: string, id: string, count: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const response = await fetch(`${baseUrl}/api/incidents/${id}/timeline`, {
      headers: { authorization: 'Bearer token-erin' },
    });
    const body = (await response.json()) as { evidence?: unknown[] };
    if ((body.evidence?.length ?? 0) >= count) return;
    if (Date.now() > deadline) throw new Error(`incident ${id}: evidence ${body.evidence?.length} of ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
