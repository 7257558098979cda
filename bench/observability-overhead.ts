import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import pino from 'pino';
import { startPostgresCluster } from '../test/support/postgres-cluster';
import { stopGroup } from '../test/support/processes';
import { startTemporalDevServer } from '../test/support/temporal-dev-server';
import { assembleProduct, type RunningProduct } from '../workers/assemble';
import { parseConfig } from '../workers/config';
import { pollUntil, post, resetRole } from './incident-helpers';
import { useScratchTmpdir } from './scratch';

/**
 * Issue 12's figure: what metrics + tracing cost on alert → revoked. Three copies of the product run
 * side by side in one process on the same Temporal dev server and PostgreSQL: "off" without metric
 * decorators, evidence observer or tracing interceptors; "metrics" with the metrics only (no OTLP
 * endpoint: tracing off); "on" with all of them and spans exported over OTLP/HTTP to a local
 * collector stand-in. Runs rotate between them, RUNS each, so all see the same machine load.
 * Run: npx tsx bench/observability-overhead.ts   (RUNS=20)
 */
const RUNS = Number(process.env.RUNS ?? 20);
const MODES = ['off', 'metrics', 'on'] as const;
type Mode = (typeof MODES)[number];
const LABEL: Record<Mode, string> = {
  off: 'metrics + tracing off',
  metrics: 'metrics on, tracing off',
  on: 'metrics + tracing on (OTLP export)',
};

async function main(): Promise<void> {
  useScratchTmpdir();
  const [temporal, postgres] = await Promise.all([startTemporalDevServer(), startPostgresCluster()]);
  const collector = await otlpSink();
  const products: Partial<Record<Mode, RunningProduct>> = {};
  const connection = await Connection.connect({ address: temporal.address });
  const client = new TemporalClient({ connection });
  const revoked: Record<Mode, number[]> = { off: [], metrics: [], on: [] };
  try {
    for (const mode of MODES) products[mode] = await start(mode, temporal.address, postgres.url, collector.url);
    for (let run = 0; run < RUNS; run += 1) {
      // Rotate who goes first, so no mode always runs right after another.
      for (let i = 0; i < MODES.length; i += 1) {
        const mode = MODES[(run + i) % MODES.length]!;
        revoked[mode].push(await oneIncident(products[mode]!, postgres.url, client));
      }
    }
  } finally {
    await connection.close();
    for (const product of Object.values(products)) await product.stop();
    collector.server.close();
    await stopGroup(temporal.pid, 'Temporal dev server');
    await stopGroup(postgres.pid, 'PostgreSQL');
  }
  const off = median(revoked.off);
  const rows = MODES.map((mode) => {
    const m = median(revoked[mode]);
    const delta = mode === 'off' ? '—' : `${(m - off).toFixed(0)} ms (${(((m - off) / off) * 100).toFixed(1)} %)`;
    return `| ${LABEL[mode]} | ${RUNS} | ${m.toFixed(0)} ms | ${quantile(revoked[mode], 0.9).toFixed(0)} ms | ${delta} |`;
  });
  console.log(
    [
      '| alert → revoked | runs | median | p90 | median vs off |',
      '|---|---|---|---|---|',
      ...rows,
      '',
      `OTLP requests received: ${collector.requests()}`,
    ].join('\n'),
  );
}

async function start(mode: Mode, temporalAddress: string, pgUrl: string, otlp: string) {
  const config = parseConfig({
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: `bench-observability-${mode}`,
    HTTP_PORT: '0',
    DATABASE_URL: pgUrl,
    CATALOG_PATH: join(__dirname, '../test/fixtures/catalog.test.yaml'),
    DATA_DIR: mkdtempSync(join(tmpdir(), `bench-observability-${mode}-`)),
    FINGERPRINT_KEY: randomBytes(32).toString('hex'),
    VAULT_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'error',
    ...(mode === 'on' ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlp } : {}),
  });
  return assembleProduct({
    config,
    env: { TEST_PG_ADMIN_URL: pgUrl },
    logger: pino({ level: 'error' }),
    temporalAddress,
    workflows: { workflowsPath: require.resolve('../workflows/index.ts') },
    instrumented: mode !== 'off',
  });
}

/** One auto-contained incident: ms from POST /api/incidents to the role set NOLOGIN (credential.revoked). */
async function oneIncident(product: RunningProduct, pgUrl: string, client: TemporalClient): Promise<number> {
  const password = await resetRole(pgUrl);
  const startedWall = Date.now();
  const opened = await post(product.baseUrl, '/api/incidents', 'carol', {
    secretId: 'payments-db',
    leakedValue: password,
    verifiedActive: true,
    publiclyExposed: true,
  });
  const status = await pollUntil(product.baseUrl, opened.incidentId, (s) => s.phase === 'awaiting-verification');
  const revokedAt = Date.parse(status.actions.find((action) => action.kind === 'credential.revoked')!.at);
  await post(product.baseUrl, `/api/incidents/${opened.incidentId}/verification`, 'carol', { note: 'bench' });
  await client.workflow.getHandle(status.workflowId).result();
  return revokedAt - startedWall;
}

/** Stands in for an OpenTelemetry collector: accepts OTLP/HTTP posts and counts them. */
async function otlpSink(): Promise<{ server: Server; url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
  };
}

function median(values: number[]): number {
  return quantile(values, 0.5);
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
