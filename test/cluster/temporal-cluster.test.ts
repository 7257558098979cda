import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createTestDatabase, testEnvironment } from '../support/environment';
import { localActivityRun } from '../support/histories';
import { api, eventually } from '../support/http';
import { startProductProcess, type ProductProcess } from '../support/product-process';
import { portOpen, processAlive } from '../support/processes';
import { createLoginRole, loginAs } from '../support/roles';
import { recordHistoryIfAsked } from '../support/secrets';
import { startTemporalCluster, type TemporalCluster } from '../support/temporal-cluster';

const CATALOG = join(__dirname, '../fixtures/catalog.cluster.yaml');
const refused = { code: expect.stringMatching(/^28(P01|000)$/) };

/**
 * The product against a real multi-service Temporal cluster (frontend, history, matching and worker as
 * separate processes on PostgreSQL, scripts/temporal-cluster.sh), not the dev server.
 */
describe('Tourniquet on a Temporal cluster', () => {
  let cluster: TemporalCluster;
  let product: ProductProcess;

  beforeAll(async () => {
    const environment = testEnvironment();
    // The first run on a machine builds the server with go install (~2 min); later runs reuse .tools/bin.
    cluster = await startTemporalCluster({
      postgresUrl: environment.databaseUrl,
      databasePrefix: `temporal_${randomBytes(4).toString('hex')}`,
    });
    product = await startProductProcess({
      ...process.env,
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_TASK_QUEUE: 'tourniquet',
      WORKFLOW_BUNDLE_PATH: environment.workflowBundlePath,
      DATABASE_URL: await createTestDatabase('cluster'),
      CATALOG_PATH: CATALOG,
      HTTP_PORT: '0',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tourniquet-cluster-app-')),
      FINGERPRINT_KEY: randomBytes(32).toString('hex'),
      VAULT_KEY: randomBytes(32).toString('hex'),
      TEST_PG_ADMIN_URL: environment.databaseUrl,
    });
  }, 20 * 60_000);

  afterAll(async () => {
    await product?.kill();
    await cluster?.stop();
  }, 120_000);

  it('runs as four separate server processes', async () => {
    const pids = (['frontend', 'history', 'matching', 'worker'] as const).map((service) => cluster.pid(service));
    expect(new Set(pids).size).toBe(4);
    for (const pid of pids) expect(processAlive(pid)).toBe(true);
  });

  it('auto-contains a publicly exposed, verified PostgreSQL credential and proves it dead', async () => {
    const password = await createLoginRole('cluster_auto_app');
    const attacker = await loginAs('cluster_auto_app', password);
    const opened = await api(product.baseUrl, 'POST', '/api/incidents', {
      as: 'carol',
      body: { secretId: 'cluster-auto-db', leakedValue: password, verifiedActive: true, publiclyExposed: true },
    });
    expect(opened.status).toBe(202);
    const id = opened.body.incidentId as string;
    const contained = await eventually(
      () => api(product.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'alice' }),
      (r) => r.body?.phase === 'awaiting-verification',
      60_000,
      'auto-containment on the cluster',
    );
    expect(contained.body.verification.dead).toBe(true);
    const connection = await Connection.connect({ address: cluster.address });
    try {
      const history = await new Client({ connection }).workflow.getHandle(contained.body.workflowId).fetchHistory();
      // Planning and the revocation ran as local activities inside the first workflow task: markers, no
      // activity task for either.
      const scheduled = history.events!.filter((event) => event.activityTaskScheduledEventAttributes);
      const names = scheduled.map((event) => event.activityTaskScheduledEventAttributes!.activityType!.name);
      expect(names).not.toContain('planIncident');
      expect(names).not.toContain('revokeCredential');
      const local = history.events!.flatMap((event) => localActivityRun(event) ?? []);
      expect(local.map((run) => run.activityType)).toEqual(['planIncident', 'revokeCredential']);
      recordHistoryIfAsked('local-planning-listing', history);
    } finally {
      await connection.close();
    }
    // The provider's real state: the leaked password no longer logs in, the open session is gone.
    await expect(loginAs('cluster_auto_app', password)).rejects.toMatchObject(refused);
    await expect(attacker.query('SELECT 1')).rejects.toThrow();
  });

  it('walks through the README: decision, 403 for a non-approver, revocation, separate verifier, closure', async () => {
    const password = await createLoginRole('cluster_walk_app');
    const opened = await api(product.baseUrl, 'POST', '/api/incidents', {
      as: 'carol',
      body: { secretId: 'cluster-walk-db', leakedValue: password, location: 'https://gist.example/abc' },
    });
    expect(opened.status).toBe(202);
    expect(opened.text).not.toContain(password);
    const id = opened.body.incidentId as string;
    const waiting = await eventually(
      () => api(product.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'alice' }),
      (r) => r.body?.phase === 'awaiting-decision',
      30_000,
      'awaiting-decision',
    );
    expect(waiting.body.waitingOn.people).toEqual(['alice']);
    // The list comes from visibility: the workflow's memo carries owner team and tier (a status query has no ownerTeam).
    const listed = await eventually(
      () => api(product.baseUrl, 'GET', '/api/incidents', { as: 'alice' }),
      (r) =>
        r.body?.incidents?.some(
          (entry: { incidentId: string; phase: string }) =>
            entry.incidentId === id && entry.phase === 'awaiting-decision',
        ),
      30_000,
      'the incident listed from visibility',
    );
    expect(listed.body.incidents.find((entry: { incidentId: string }) => entry.incidentId === id)).toMatchObject({
      secretId: 'cluster-walk-db',
      ownerTeam: 'payments',
      tier: 'high',
      waitingOn: { people: ['alice'] },
    });

    const notAllowed = await api(product.baseUrl, 'POST', `/api/incidents/${id}/decision`, {
      as: 'dave',
      body: { choice: 'revoke' },
    });
    expect(notAllowed.status).toBe(403);
    const decided = await api(product.baseUrl, 'POST', `/api/incidents/${id}/decision`, {
      as: 'alice',
      body: { choice: 'revoke' },
      idempotencyKey: `cluster-${randomBytes(4).toString('hex')}`,
    });
    expect(decided.status).toBe(200);
    await eventually(
      () => api(product.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'alice' }),
      (r) => r.body?.phase === 'awaiting-verification' && r.body?.verification?.dead === true,
      60_000,
      'awaiting-verification',
    );
    await expect(loginAs('cluster_walk_app', password)).rejects.toMatchObject(refused);
    const verified = await api(product.baseUrl, 'POST', `/api/incidents/${id}/verification`, {
      as: 'carol',
      body: { note: 'login refused' },
    });
    expect(verified.status).toBe(200);
    await eventually(
      () => api(product.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'alice' }),
      (r) => r.body?.phase === 'closed',
      60_000,
      'closed',
    );
    const timeline = await api(product.baseUrl, 'GET', `/api/incidents/${id}/timeline`, { as: 'carol' });
    const kinds = timeline.body.evidence.map((record: { kind: string }) => record.kind);
    expect(kinds.filter((kind: string) => kind === 'credential.revoked')).toHaveLength(1);
  });

  it('finishes an incident whose history service was SIGKILLed mid-incident, once restarted', async () => {
    const password = await createLoginRole('cluster_kill_app');
    const opened = await api(product.baseUrl, 'POST', '/api/incidents', {
      as: 'carol',
      body: { secretId: 'cluster-kill-db', leakedValue: password },
    });
    const id = opened.body.incidentId as string;
    await eventually(
      () => api(product.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'alice' }),
      (r) => r.body?.phase === 'awaiting-decision',
      30_000,
      'awaiting-decision',
    );

    const historyPid = cluster.pid('history');
    await cluster.kill('history');
    expect(processAlive(historyPid)).toBe(false);
    expect(await portOpen(cluster.port('history'))).toBe(false);
    // The decision arrives while history is down: it waits (the client retries) instead of being lost.
    const decision = api(product.baseUrl, 'POST', `/api/incidents/${id}/decision`, {
      as: 'alice',
      body: { choice: 'revoke' },
      idempotencyKey: `cluster-kill-${randomBytes(4).toString('hex')}`,
    });
    // Still unrevoked: nothing acted while history was gone.
    const stillAlive = await loginAs('cluster_kill_app', password);
    await stillAlive.end();

    await cluster.start('history');
    expect(cluster.pid('history')).not.toBe(historyPid);
    expect(processAlive(cluster.pid('history'))).toBe(true);
    const answered = await decision;
    // Either the retried update went through, or it timed out: then decide again (same idempotency semantics).
    if (answered.status !== 200) {
      await eventually(
        () =>
          api(product.baseUrl, 'POST', `/api/incidents/${id}/decision`, { as: 'alice', body: { choice: 'revoke' } }),
        (r) => r.status === 200 || r.status === 409,
        120_000,
        'a decision accepted after the restart',
      );
    }
    await eventually(
      () => api(product.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'alice' }),
      (r) => r.body?.phase === 'awaiting-verification' && r.body?.verification?.dead === true,
      120_000,
      'containment after the history restart',
    );
    await expect(loginAs('cluster_kill_app', password)).rejects.toMatchObject(refused);
    const timeline = await eventually(
      () => api(product.baseUrl, 'GET', `/api/incidents/${id}/timeline`, { as: 'carol' }),
      (r) => r.body?.evidence?.some((record: { kind: string }) => record.kind === 'credential.revoked'),
      60_000,
      'the revocation evidence',
    );
    const kinds = timeline.body.evidence.map((record: { kind: string }) => record.kind);
    expect(kinds.filter((kind: string) => kind === 'credential.revoked')).toHaveLength(1);
  });
});
