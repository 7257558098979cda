import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testCatalogWith } from '../../support/catalog';
import { Client, Connection } from '@temporalio/client';
import { createTestDatabase, testEnvironment } from '../../support/environment';
import { api, eventually } from '../../support/http';
import { terminateIncidents } from '../../support/incidents';
import { parseExposition } from '../../support/metrics';
import { freePort } from '../../support/processes';
import { startProductProcess, type ProductProcess } from '../../support/product-process';
import { createLoginRole } from '../../support/roles';

interface LogLine {
  level: number;
  msg: string;
  component?: string;
  sdkComponent?: string;
  incidentId?: string;
}

const DEBUG = 20;
const WARN = 40;

function logLines(product: ProductProcess): LogLine[] {
  return product
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

/**
 * TEMPORAL_METRICS_ADDRESS and TEMPORAL_LOG_LEVEL, read from the environment by the product running
 * in its own process (the SDK allows one Runtime per process, so each setting needs its own).
 */
describe("the Temporal SDK's metrics endpoint and log level, configured by environment", () => {
  const running: ProductProcess[] = [];
  const incidents: string[] = [];
  afterAll(async () => {
    await Promise.all(running.map((product) => product.kill()));
    const connection = await Connection.connect({ address: testEnvironment().temporalAddress });
    await terminateIncidents(new Client({ connection }), incidents);
    await connection.close();
  });

  async function start(settings: Record<string, string>) {
    const environment = testEnvironment();
    const taskQueue = `sdk-runtime-${randomBytes(4).toString('hex')}`;
    const product = await startProductProcess({
      ...process.env,
      TEMPORAL_ADDRESS: environment.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE_PATH: environment.workflowBundlePath,
      DATABASE_URL: await createTestDatabase('sdkruntime'),
      TEST_PG_ADMIN_URL: environment.databaseUrl,
      CATALOG_PATH: testCatalogWith({
        secrets: [
          {
            id: 'runtime-db',
            description: 'used by this test file only',
            provider: 'postgres',
            locator: { adminUrlSetting: 'TEST_PG_ADMIN_URL', role: 'ops_runtime_app' },
            matchers: ['ops_runtime_app'],
            ownerTeam: 'payments',
            issuingTeam: 'platform',
            tier: 'high',
          },
        ],
      }),
      HTTP_PORT: '0',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tourniquet-sdk-runtime-')),
      FINGERPRINT_KEY: randomBytes(32).toString('hex'),
      VAULT_KEY: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'info',
      ...settings,
    });
    running.push(product);
    // An incident, so workflow.log writes its `evidence recorded` lines.
    const opened = await api(product.baseUrl, 'POST', '/api/incidents', {
      as: 'carol',
      body: { secretId: 'runtime-db', leakedValue: await createLoginRole('ops_runtime_app') },
    });
    expect(opened.status).toBe(202);
    const incidentId = opened.body.incidentId as string;
    incidents.push(incidentId);
    await eventually(
      async () => logLines(product),
      (lines) => lines.some((line) => line.msg === 'evidence recorded' && line.incidentId === incidentId),
      60_000,
      'workflow.log line of the incident',
    );
    return { product, taskQueue };
  }

  it("serves the SDK's worker metrics for the product's task queue, and core's debug lines, when asked", async () => {
    const metricsPort = await freePort();
    const { product, taskQueue } = await start({
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      TEMPORAL_LOG_LEVEL: 'DEBUG',
    });

    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(response.status).toBe(200);
    const samples = parseExposition(await response.text());
    const ours = samples.filter((sample) => sample.labels.task_queue === taskQueue);
    expect(ours.map((sample) => sample.name)).toEqual(
      expect.arrayContaining(['temporal_worker_task_slots_available', 'temporal_num_pollers']),
    );
    // Core's own debug lines cross the bridge although the app logs at info.
    const core = logLines(product).filter((line) => line.component === 'temporal' && line.sdkComponent === 'core');
    expect(core.some((line) => line.level === DEBUG)).toBe(true);
  });

  it("keeps Temporal's lines at WARN and above by default, while workflow.log lines follow LOG_LEVEL", async () => {
    const { product } = await start({});
    const temporal = logLines(product).filter((line) => line.component === 'temporal');
    expect(temporal.filter((line) => line.level < WARN)).toEqual([]);
    // The product's own workflow lines are info: they show at LOG_LEVEL=info (they did not while
    // the bridge filtered everything at TEMPORAL_LOG_LEVEL).
    const recorded = logLines(product).filter((line) => line.msg === 'evidence recorded');
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.every((line) => line.sdkComponent === 'workflow' && line.component === undefined)).toBe(true);
  });
});
