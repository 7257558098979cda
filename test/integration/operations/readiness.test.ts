import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_CATALOG, startTestApp, type TestApp } from '../../support/app';
import { api, eventually } from '../../support/http';
import { restartPostgresCluster, startPostgresCluster, stopPostgresCluster } from '../../support/postgres-cluster';
import { processAlive, signalGroup, waitForPortClosed, waitUntilGone } from '../../support/processes';
import { startTemporalDevServer } from '../../support/temporal-dev-server';

/** True when something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('/healthz and /readyz', () => {
  let app: TestApp;
  let cluster: { url: string; dataDir: string };

  beforeAll(async () => {
    // A PostgreSQL of its own, so stopping it cuts this app only, not every other test file.
    cluster = await startPostgresCluster();
    app = await startTestApp({ DATABASE_URL: cluster.url });
  });
  afterAll(async () => {
    await app?.stop();
    try {
      stopPostgresCluster(cluster.dataDir);
    } catch {
      // already stopped
    }
  });

  it('answers 200 with every check ok while Temporal, the database, the catalog and the worker are up', async () => {
    const ready = await api(app.baseUrl, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      ready: true,
      checks: { temporal: 'ok', database: 'ok', catalog: 'ok', worker: 'ok' },
    });
    expect((await api(app.baseUrl, 'GET', '/healthz')).status).toBe(200);
  });

  it('answers 503 naming the database while PostgreSQL is stopped, and 200 once it is back', async () => {
    const port = Number(new URL(cluster.url).port);
    stopPostgresCluster(cluster.dataDir);
    expect(await listening(port)).toBe(false);

    const down = await eventually(
      () => api(app.baseUrl, 'GET', '/readyz'),
      (r) => r.status === 503,
      30_000,
      'readyz 503',
    );
    expect(down.body.ready).toBe(false);
    expect(down.body.failed).toEqual(['database']);
    expect(down.body.checks.database).toMatch(/^failed: /);
    expect(down.body.checks.temporal).toBe('ok');
    // Liveness is not readiness: the process still answers, so an orchestrator does not restart it.
    expect((await api(app.baseUrl, 'GET', '/healthz')).status).toBe(200);

    await restartPostgresCluster(cluster.dataDir, cluster.url);
    expect(await listening(port)).toBe(true);
    const up = await eventually(
      () => api(app.baseUrl, 'GET', '/readyz'),
      (r) => r.status === 200,
      30_000,
      'readyz 200 again',
    );
    expect(up.body.checks.database).toBe('ok');
  });
});

describe('/readyz when Temporal or the worker is gone', () => {
  let app: TestApp | undefined;
  let temporal: { address: string; pid: number } | undefined;
  const temporalPort = () => Number(temporal!.address.split(':')[1]);

  beforeAll(async () => {
    // A Temporal dev server of its own: killing the shared one would fail every other test file.
    temporal = await startTemporalDevServer();
    app = await startTestApp({ TEMPORAL_ADDRESS: temporal.address });
  });
  afterAll(async () => {
    await app?.stop();
    if (temporal) {
      signalGroup(temporal.pid, 'SIGKILL');
      await waitUntilGone(temporal.pid, 10_000, 'test Temporal dev server');
    }
  });

  it('answers 503 naming temporal while the Temporal server is killed, and temporal ok once one listens again', async () => {
    expect((await api(app!.baseUrl, 'GET', '/readyz')).status).toBe(200);
    const { pid } = temporal!;
    signalGroup(pid, 'SIGKILL');
    await waitUntilGone(pid, 10_000, 'Temporal dev server');
    await waitForPortClosed(temporalPort(), 10_000, 'Temporal dev server');
    expect(processAlive(pid)).toBe(false);

    const down = await eventually(
      () => api(app!.baseUrl, 'GET', '/readyz'),
      (r) => r.status === 503 && r.body.failed?.includes('temporal'),
      30_000,
      'readyz 503 naming temporal',
    );
    expect(down.body.ready).toBe(false);
    expect(down.body.checks.temporal).toMatch(/^failed: /);
    expect(down.body.checks.database).toBe('ok');
    expect(down.body.checks.catalog).toBe('ok');
    expect((await api(app!.baseUrl, 'GET', '/healthz')).status).toBe(200);

    // A new server on the same address: the check follows the dependency back, it does not latch.
    temporal = await startTemporalDevServer(temporalPort());
    const up = await eventually(
      () => api(app!.baseUrl, 'GET', '/readyz'),
      (r) => r.body?.checks?.temporal === 'ok',
      60_000,
      'temporal ok again',
    );
    expect(up.body.checks.database).toBe('ok');
  });
});

describe('/readyz when the worker has stopped', () => {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('answers 503 naming the worker once the worker has stopped polling, while Temporal is up', async () => {
    expect((await api(app!.baseUrl, 'GET', '/readyz')).status).toBe(200);
    app!.worker.shutdown();
    await eventually(
      async () => app!.worker.getState(),
      (state) => state === 'STOPPED',
      60_000,
      'worker stopped',
    );
    // STOPPED is the SDK's own word that its native worker finished shutting down (polls ended).
    expect(app!.worker.getState()).toBe('STOPPED');

    const down = await api(app!.baseUrl, 'GET', '/readyz');
    expect(down.status).toBe(503);
    expect(down.body.failed).toEqual(['worker']);
    expect(down.body.checks.worker).toBe('failed: worker is STOPPED');
    expect(down.body.checks.temporal).toBe('ok');
  });
});

describe('/readyz with a catalog that lists no secret', () => {
  let app: TestApp | undefined;
  afterAll(async () => {
    await app?.stop();
  });

  it('answers 503 naming the catalog: the product can page people but contain nothing', async () => {
    const catalog = readFileSync(TEST_CATALOG, 'utf8');
    const empty = join(mkdtempSync(join(tmpdir(), 'tourniquet-catalog-')), 'catalog.yaml');
    writeFileSync(empty, `${catalog.slice(0, catalog.indexOf('\nsecrets:'))}\nsecrets: []\n`);
    app = await startTestApp({ CATALOG_PATH: empty });

    const ready = await api(app.baseUrl, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.failed).toEqual(['catalog']);
    expect(ready.body.checks.catalog).toBe(`failed: no secrets in ${empty}`);
  });
});
