import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { Client } from 'pg';
import pino from 'pino';
import { startPostgresCluster } from '../test/support/postgres-cluster';
import { startTemporalDevServer } from '../test/support/temporal-dev-server';
import { assembleProduct } from '../workers/assemble';
import { parseConfig } from '../workers/config';
import type { IncidentStatus } from '../domain/incident';

/**
 * Issue 2's figure: from opening an auto-contained incident (POST /api/incidents of a verified,
 * public, high-tier PostgreSQL credential) to "contained" — the role revoked at the provider — and
 * to "death proven", over RUNS incidents, on a fresh Temporal dev server and PostgreSQL.
 * Run: npx tsx bench/containment-latency.ts   (RUNS=20)
 */
const RUNS = Number(process.env.RUNS ?? 20);

async function main(): Promise<void> {
  const [temporal, postgres] = await Promise.all([startTemporalDevServer(), startPostgresCluster()]);
  const config = parseConfig({
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'bench-containment',
    HTTP_PORT: '0',
    DATABASE_URL: postgres.url,
    CATALOG_PATH: join(__dirname, '../test/fixtures/catalog.test.yaml'),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-containment-')),
    FINGERPRINT_KEY: randomBytes(32).toString('hex'),
    VAULT_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'error',
  });
  const product = await assembleProduct({
    config,
    env: { TEST_PG_ADMIN_URL: postgres.url },
    logger: pino({ level: 'error' }),
    temporalAddress: temporal.address,
    workflows: { workflowsPath: require.resolve('../workflows/index.ts') },
  });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new TemporalClient({ connection });
  const toContained: number[] = [];
  const toProven: number[] = [];
  try {
    for (let run = 0; run < RUNS; run += 1) {
      const password = await resetRole(postgres.url);
      const started = performance.now();
      const startedWall = Date.now();
      const opened = await post(product.baseUrl, '/api/incidents', 'carol', {
        secretId: 'payments-db',
        leakedValue: password,
        verifiedActive: true,
        publiclyExposed: true,
      });
      const status = await pollUntil(product.baseUrl, opened.incidentId, (s) => s.phase === 'awaiting-verification');
      toProven.push(performance.now() - started);
      const revokedAt = Date.parse(status.actions.find((action) => action.kind === 'credential.revoked')!.at);
      // Workflow time is the worker's clock, the same machine's as ours.
      toContained.push(revokedAt - startedWall);
      await post(product.baseUrl, `/api/incidents/${opened.incidentId}/verification`, 'carol', { note: 'bench' });
      // Wait for the run to end, so the next report opens a new incident rather than a late sighting.
      await client.workflow.getHandle(status.workflowId).result();
    }
  } finally {
    await connection.close();
    await product.stop();
    for (const pid of [temporal.pid, postgres.pid]) process.kill(pid, 'SIGTERM');
  }
  const line = (name: string, values: number[]) =>
    `| ${name} | ${RUNS} | ${median(values).toFixed(0)} ms | ${Math.max(...values).toFixed(0)} ms |`;
  console.log(
    [
      '| open → … | runs | median | max |',
      '|---|---|---|---|',
      line('contained (role NOLOGIN at PostgreSQL)', toContained),
      line('death proven (old password refused, no session left)', toProven),
    ].join('\n'),
  );
}

async function resetRole(url: string): Promise<string> {
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DO $$ BEGIN CREATE ROLE payments_app; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
  await admin.query(`ALTER ROLE payments_app LOGIN PASSWORD '${password}'`);
  await admin.end();
  return password;
}

async function post(baseUrl: string, path: string, as: string, body: unknown): Promise<{ incidentId: string }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer token-${as}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { incidentId: string };
}

async function pollUntil(
  baseUrl: string,
  id: string,
  done: (status: IncidentStatus) => boolean,
): Promise<IncidentStatus> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${baseUrl}/api/incidents/${id}`, { headers: { authorization: 'Bearer token-erin' } });
    const text = await response.text();
    if (response.ok && done(JSON.parse(text) as IncidentStatus)) return JSON.parse(text) as IncidentStatus;
    if (Date.now() > deadline) throw new Error(`incident ${id} stuck: ${text.slice(0, 1_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
