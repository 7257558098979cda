import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import { signTourniquetRequest } from '../integrations/intake/common';
import { startPostgresCluster } from '../test/support/postgres-cluster';
import { startTemporalDevServer } from '../test/support/temporal-dev-server';
import { assembleProduct } from '../workers/assemble';
import { parseConfig } from '../workers/config';

/**
 * Intake storm: ALERTS alerts (default 5,000) posted with bounded concurrency to the running
 * product (worker + HTTP + PostgreSQL) on a fresh Temporal dev server, beside bare starts of a
 * trivial workflow on the same server in the same run. 20% of the alerts report a credential
 * already reported by another source, so accepted = incidents + extra sightings must hold.
 * Run: npx ts-node --transpile-only bench/intake-storm.ts   (ALERTS=5000 CONCURRENCY=64)
 */
const ALERTS = Number(process.env.ALERTS ?? 5000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const SECRETS = {
  TRUFFLEHOG_HMAC_SECRET: randomBytes(16).toString('hex'),
  GENERIC_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
  AWS_HEALTH_SHARED_SECRET: randomBytes(16).toString('hex'),
};

interface Alert {
  path: string;
  headers: Record<string, string>;
  body: string;
}

async function main(): Promise<void> {
  const [temporal, postgres] = await Promise.all([startTemporalDevServer(), startPostgresCluster()]);
  const config = parseConfig({
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'bench-intake',
    HTTP_PORT: '0',
    DATABASE_URL: postgres.url,
    CATALOG_PATH: join(__dirname, '../test/fixtures/catalog.test.yaml'),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-intake-')),
    TEST_PG_ADMIN_URL: postgres.url,
    FINGERPRINT_KEY: randomBytes(32).toString('hex'),
    VAULT_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'error',
    INTAKE_MAX_IN_FLIGHT: '256',
    ...SECRETS,
  });
  const env = { TEST_PG_ADMIN_URL: postgres.url };
  const product = await assembleProduct({
    config,
    env,
    logger: pino({ level: 'error' }),
    temporalAddress: temporal.address,
    workflows: { workflowsPath: require.resolve('../workflows/index.ts') },
  });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  try {
    // Latency first, on a quiet system; then the two throughput phases back to back.
    const latency = await latencyOf(product.baseUrl, product.service);
    const bare = await bareStarts(client, temporal.address);
    const storm = await stormOf(product.baseUrl);
    report(bare, storm, latency);
    const accounting = await account(client, product.service, storm.incidentIds);
    console.log(
      `incidents: ${accounting.incidents} (running in Temporal: ${accounting.runningInTemporal}); sightings: ${accounting.sightings} (expected ${storm.counts.accepted}); worker backlog drained ${Math.round(accounting.ms / 1000)} s after the storm`,
    );
  } finally {
    await connection.close();
    await product.stop();
    for (const pid of [temporal.pid, postgres.pid]) process.kill(pid, 'SIGTERM');
  }
}

async function pool<T>(items: T[], work: (item: T) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
  return performance.now() - started;
}

async function bareStarts(client: Client, address: string): Promise<{ ms: number; count: number }> {
  const connection = await (await import('@temporalio/worker')).NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue: 'bench-noop',
    workflowsPath: require.resolve('./trivial-workflow.ts'),
  });
  const running = worker.run();
  const ids = Array.from({ length: ALERTS }, () => `noop-${randomUUID()}`);
  const ms = await pool(ids, async (workflowId) => {
    await client.workflow.start('benchNoop', { workflowId, taskQueue: 'bench-noop' });
  });
  worker.shutdown();
  await running;
  await connection.close();
  return { ms, count: ids.length };
}

/** The storm: TruffleHog tokens and AWS Health key ids, 20% reported again through the generic intake. */
function alertsOf(count: number): Alert[] {
  const distinct = Math.round(count * 0.8);
  const alerts: Alert[] = [];
  for (let i = 0; i < distinct; i += 1) {
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    const keyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const first = i % 2 === 0 ? trufflehog(token, i) : awsHealth(keyId);
    alerts.push(first);
    if (i < count - distinct) alerts.push(generic(i % 2 === 0 ? { value: token } : { identifiers: [keyId] }));
  }
  return alerts.sort(() => Math.random() - 0.5);
}

function signed(path: string, body: string, secret: string): Alert {
  return { path, body, headers: { 'content-type': 'application/json', ...signTourniquetRequest(body, secret) } };
}
function trufflehog(token: string, i: number): Alert {
  const finding = {
    SourceMetadata: {
      Data: {
        Git: {
          repository: `https://github.com/wave/pkg-${i % 25}.git`,
          commit: randomBytes(20).toString('hex'),
          file: '.npmrc',
          line: 1,
        },
      },
    },
    SourceName: 'trufflehog - git',
    DetectorName: 'Github',
    Verified: true,
    Raw: token,
  };
  return signed('/webhooks/trufflehog', JSON.stringify(finding), SECRETS.TRUFFLEHOG_HMAC_SECRET);
}
function generic(fields: Record<string, unknown>): Alert {
  return signed(
    '/webhooks/generic',
    JSON.stringify({ id: randomUUID(), detectedAt: new Date().toISOString(), campaign: 'storm', ...fields }),
    SECRETS.GENERIC_WEBHOOK_SECRET,
  );
}
function awsHealth(keyId: string): Alert {
  const body = JSON.stringify({
    id: randomUUID(),
    'detail-type': 'AWS Health Event',
    source: 'aws.health',
    account: '123456789012',
    time: new Date().toISOString(),
    detail: {
      eventArn: 'arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/x',
      eventTypeCode: 'AWS_RISK_CREDENTIALS_EXPOSED',
      communicationId: randomUUID(),
      affectedEntities: [{ entityValue: keyId }],
    },
  });
  return {
    path: '/webhooks/aws-health',
    body,
    headers: { 'content-type': 'application/json', 'x-tourniquet-secret': SECRETS.AWS_HEALTH_SHARED_SECRET },
  };
}

async function send(
  baseUrl: string,
  alert: Alert,
): Promise<{
  status: number;
  body: { status?: string; incidents?: Array<{ incidentId: string; workflowId: string }> };
}> {
  const response = await fetch(`${baseUrl}${alert.path}`, { method: 'POST', headers: alert.headers, body: alert.body });
  return { status: response.status, body: (await response.json()) as never };
}

async function stormOf(baseUrl: string) {
  const alerts = alertsOf(ALERTS);
  const counts = { accepted: 0, duplicate: 0, shed429: 0, other: 0 };
  const incidentIds = new Map<string, string>();
  const ms = await pool(alerts, async (alert) => {
    for (;;) {
      const { status, body } = await send(baseUrl, alert);
      if (status === 429) {
        counts.shed429 += 1;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      if (status === 200 && body.status === 'accepted') counts.accepted += 1;
      else if (status === 200) counts.duplicate += 1;
      else counts.other += 1;
      for (const incident of body.incidents ?? []) incidentIds.set(incident.incidentId, incident.workflowId);
      return;
    }
  });
  return { ms, count: alerts.length, counts, incidentIds };
}

async function account(
  client: Client,
  service: { status(id: string): Promise<{ sightings: number } | undefined> },
  incidentIds: Map<string, string>,
) {
  // The worker is still working through the storm's backlog: a query may time out, so retry it.
  let sightings = 0;
  const ms = await pool([...incidentIds.keys()], async (id) => {
    for (let attempt = 1; ; attempt += 1) {
      const status = await service
        .status(id)
        .catch((error: Error) => (attempt < 30 ? undefined : Promise.reject(error)));
      if (status) {
        sightings += status.sightings;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  });
  const { count } = await client.workflow.count(
    `WorkflowType = 'leakedSecretIncident' AND ExecutionStatus = 'Running'`,
  );
  return { incidents: incidentIds.size, runningInTemporal: count, sightings, ms };
}

async function latencyOf(baseUrl: string, service: { status(id: string): Promise<unknown> }) {
  const accept: number[] = [];
  const open: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    const started = performance.now();
    const { body } = await send(baseUrl, generic({ value: `bench-latency-${randomUUID()}` }));
    accept.push(performance.now() - started);
    const id = body.incidents?.[0]?.incidentId as string;
    while (!(await service.status(id).catch(() => undefined))) await new Promise((r) => setTimeout(r, 5));
    open.push(performance.now() - started);
  }
  const stats = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { median: (sorted[9]! + sorted[10]!) / 2, max: sorted[19]! };
  };
  return { accept: stats(accept), open: stats(open) };
}

function report(
  bare: { ms: number; count: number },
  storm: Awaited<ReturnType<typeof stormOf>>,
  latency: Awaited<ReturnType<typeof latencyOf>>,
): void {
  const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);
  const lines = [
    `alerts posted: ${storm.count} (concurrency ${CONCURRENCY}); accepted ${storm.counts.accepted}, duplicate ${storm.counts.duplicate}, other ${storm.counts.other}, 429-then-retried ${storm.counts.shed429}`,
    `intake throughput: ${rate(storm.count, storm.ms)} alerts/s (${Math.round(storm.ms)} ms)`,
    `bare workflow starts: ${rate(bare.count, bare.ms)} starts/s (${Math.round(bare.ms)} ms for ${bare.count})`,
    `ratio intake / bare starts: ${(rate(storm.count, storm.ms) / rate(bare.count, bare.ms)).toFixed(2)}`,
    `alert-in -> accepted (HTTP 200): median ${latency.accept.median.toFixed(1)} ms, max ${latency.accept.max.toFixed(1)} ms (20 sequential)`,
    `alert-in -> incident open (status query answers): median ${latency.open.median.toFixed(1)} ms, max ${latency.open.max.toFixed(1)} ms`,
  ];
  console.log(lines.join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
