import { connect } from 'node:net';
import { startTestApp, type TestApp } from '../../support/app';
import { api, eventually } from '../../support/http';
import { restartPostgresCluster, startPostgresCluster, stopPostgresCluster } from '../../support/postgres-cluster';

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
