import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_CATALOG } from '../support/app';
import { createTestDatabase, testEnvironment } from '../support/environment';
import { api, eventually } from '../support/http';
import { startProductProcess, type ProductProcess } from '../support/product-process';
import { processAlive } from '../support/processes';
import { createLoginRole } from '../support/roles';
import { TcpProxy } from '../support/tcp-proxy';

describe('a worker killed in the middle of containment', () => {
  const workers: ProductProcess[] = [];
  let proxy: TcpProxy;
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
    await proxy.stop();
  });

  it('is replaced by a new worker that finishes the incident without revoking twice', async () => {
    const environment = testEnvironment();
    proxy = new TcpProxy(Number(new URL(environment.databaseUrl).port));
    const flakyUrl = new URL(environment.databaseUrl);
    flakyUrl.port = String(await proxy.start());
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: environment.temporalAddress,
      TEMPORAL_TASK_QUEUE: `crash-${randomBytes(4).toString('hex')}`,
      WORKFLOW_BUNDLE_PATH: environment.workflowBundlePath,
      DATABASE_URL: await createTestDatabase('crash'),
      CATALOG_PATH: TEST_CATALOG,
      HTTP_PORT: '0',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tourniquet-crash-')),
      FINGERPRINT_KEY: randomBytes(32).toString('hex'),
      VAULT_KEY: randomBytes(32).toString('hex'),
      TEST_PG_ADMIN_URL: environment.databaseUrl,
      TEST_PG_FLAKY_URL: flakyUrl.toString(),
    };
    const password = await createLoginRole('flaky_app');
    const first = await startProductProcess(env);
    workers.push(first);
    const opened = await api(first.baseUrl, 'POST', '/api/incidents', {
      as: 'carol',
      body: { secretId: 'flaky-db', leakedValue: password },
    });
    const id = opened.body.incidentId as string;
    await eventually(
      () => api(first.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'alice' }),
      (r) => r.body?.phase === 'awaiting-decision',
      30_000,
      'decision request',
    );

    // The revocation goes through; the next provider call (ending sessions) hangs: kill the worker then.
    proxy.stallAfter = /NOLOGIN/;
    const connectionsBefore = proxy.connections;
    expect(
      (await api(first.baseUrl, 'POST', `/api/incidents/${id}/decision`, { as: 'alice', body: { choice: 'revoke' } }))
        .status,
    ).toBe(200);
    await eventually(
      async () => proxy.connections,
      (count) => proxy.mode === 'stall' && count >= connectionsBefore + 2,
      30_000,
      'the stalled call after revocation',
    );
    // The process that polls this task queue and ran the hung activity is gone before anything replaces it.
    await first.kill();
    expect(processAlive(first.pid)).toBe(false);

    proxy.mode = 'pass';
    const second = await startProductProcess(env);
    workers.push(second);
    const status = await eventually(
      () => api(second.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'alice' }),
      (r) => r.body?.phase === 'awaiting-verification',
      90_000,
      'containment finished by the new worker',
    );
    expect(status.body.verification.dead).toBe(true);
    expect(proxy.count(/NOLOGIN/)).toBe(1);
    // Evidence is appended in the background and may have been in flight when the worker died: wait for it.
    const timeline = await eventually(
      () => api(second.baseUrl, 'GET', `/api/incidents/${id}/timeline`, { as: 'alice' }),
      (r) =>
        ['credential.revoked', 'sessions.ended'].every((kind) =>
          r.body?.evidence?.some((record: { kind: string }) => record.kind === kind),
        ),
      60_000,
      'the containment evidence',
    );
    const kinds = timeline.body.evidence.map((record: { kind: string }) => record.kind);
    expect(kinds.filter((kind: string) => kind === 'credential.revoked')).toHaveLength(1);
    expect(kinds.filter((kind: string) => kind === 'sessions.ended')).toHaveLength(1);
  });
});
