import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { Database } from '../../integrations/database/database';
import { assembleProduct, closeLater, type AssembleOptions } from '../../workers/assemble';
import { parseConfig, type Config } from '../../workers/config';
import type { IncidentService } from '../../application/incident-service';
import { createLogger } from '../../workers/logger';
import { bridgeTemporalLogs } from '../../workers/temporal-runtime';
import { createTestDatabase, testEnvironment } from './environment';

export interface TestApp {
  baseUrl: string;
  service: IncidentService;
  /** A Temporal client of the test's own. */
  client: Client;
  /** The product's Temporal client, which the service calls through. */
  productClient: Client;
  config: Config;
  database: Database;
  /** The product's Temporal worker (its state is what /readyz reports). */
  worker: Worker;
  /** Everything the product logged so far, as pino JSON lines. */
  logLines(): string;
  /** Stops only the worker: the HTTP API stays up, and no workflow task of this app's task queue runs. */
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_CATALOG = join(__dirname, '../fixtures/catalog.test.yaml');

/** Bearer token of a test catalog person ("token-<id>"). */
export const tokenOf = (personId: string) => `token-${personId}`;

/**
 * The whole product — worker, HTTP server, stores — against the shared Temporal dev server and a
 * fresh PostgreSQL database, on its own task queue and a random port. `overrides` are environment
 * values (e.g. TIMER_CAP_MS, SLACK_SIGNING_SECRET; TEMPORAL_ADDRESS for a Temporal of the test's own).
 * `options.workflowBundlePath` loads other workflow code than the run's bundle (a second build).
 */
export async function startTestApp(
  overrides: Record<string, string> = {},
  options: Pick<AssembleOptions, 'spanProcessor' | 'notifier'> & { workflowBundlePath?: string } = {},
): Promise<TestApp> {
  const { workflowBundlePath, ...assembleOptions } = options;
  const environment = testEnvironment();
  // Another Temporal server (e.g. the time-skipping test server) when the test names one.
  const temporalAddress = overrides.TEMPORAL_ADDRESS ?? environment.temporalAddress;
  const databaseUrl = overrides.DATABASE_URL ?? (await createTestDatabase('app'));
  const env: Record<string, string | undefined> = {
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(6).toString('hex')}`,
    HTTP_PORT: '0',
    CATALOG_PATH: TEST_CATALOG,
    DATABASE_URL: databaseUrl,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'tourniquet-app-')),
    FINGERPRINT_KEY: randomBytes(32).toString('hex'),
    VAULT_KEY: randomBytes(32).toString('hex'),
    TEST_PG_ADMIN_URL: environment.databaseUrl,
    LOG_LEVEL: 'debug',
    ...overrides,
  };
  const config = parseConfig(env);
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger(config.LOG_LEVEL, sink);
  bridgeTemporalLogs(createLogger('warn'), 'WARN');
  const product = await assembleProduct({
    config,
    env,
    logger,
    temporalAddress,
    workflows: { workflowBundle: { codePath: workflowBundlePath ?? environment.workflowBundlePath } },
    ...assembleOptions,
  });
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  return {
    baseUrl: product.baseUrl,
    service: product.service,
    client,
    productClient: product.client,
    config,
    database: product.database,
    worker: product.worker,
    logLines: () => lines.join(''),
    async stopWorker() {
      product.worker.shutdown();
      await product.workerRun;
    },
    async stop() {
      await product.stop();
      closeLater(connection);
    },
  };
}
