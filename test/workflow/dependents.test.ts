import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeWebhookReceiver } from '../fakes/webhook-receiver';
import { startTestApp, TEST_CATALOG, type TestApp } from '../support/app';
import { api } from '../support/http';
import { decide, openIncident, verify, waitForEvidence, waitForPhase } from '../support/incidents';
import { createLoginRole } from '../support/roles';

const SIGNING_KEY = 'dependent-webhook-signing-key-for-tests';

/** The test catalog plus a secret whose workloads are stopped through a loopback webhook. */
function catalogWithDependents(url: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'catalog.yaml');
  const secret = `
  - id: orders-db
    provider: postgres
    locator: { adminUrlSetting: TEST_PG_ADMIN_URL, role: orders_app }
    ownerTeam: payments
    issuingTeam: platform
    tier: medium
    dependents:
      - { id: orders-worker, ownerTeam: payments, controller: webhook, target: { url: "${url}/orders-worker" }, disable: before-revoke }
      - { id: orders-reports, ownerTeam: platform, controller: webhook, target: { url: "${url}/orders-reports" }, disable: after-revoke }
`;
  writeFileSync(path, readFileSync(TEST_CATALOG, 'utf8').replace('\nauditors:', `${secret}auditors:`));
  return path;
}

describe('dependent workloads', () => {
  let app: TestApp;
  let receiver: FakeWebhookReceiver;
  beforeAll(async () => {
    receiver = new FakeWebhookReceiver(SIGNING_KEY);
    const url = await receiver.start();
    app = await startTestApp({ CATALOG_PATH: catalogWithDependents(url), PROVIDER_WEBHOOK_SIGNING_KEY: SIGNING_KEY });
  });
  afterAll(async () => {
    await app.stop();
    await receiver.stop();
  });

  it('stops workloads in catalog order around a rotation, restarts the fail-closed one, and waits for each owner to acknowledge', async () => {
    await createLoginRole('orders_app');
    const id = await openIncident(app, { secretId: 'orders-db', description: 'orders password in a log' });
    await waitForPhase(app, id, 'awaiting-decision');
    expect((await decide(app, id, 'alice', 'rotate')).status).toBe(200);
    await waitForPhase(app, id, 'awaiting-verification');
    const calls = receiver.requests.map((request) => `${JSON.parse(request.body).action} ${request.path}`);
    expect(calls).toEqual(['disable /orders-worker', 'disable /orders-reports', 'enable /orders-worker']);

    expect((await verify(app, id, 'carol')).status).toBe(200);
    const acks = await waitForPhase(app, id, 'awaiting-acknowledgement');
    expect(acks.waitingOn.for).toContain('acknowledgement');
    const wrongOwner = await api(
      app.baseUrl,
      'POST',
      `/api/incidents/${id}/dependents/orders-reports/acknowledgement`,
      { as: 'alice', body: {} },
    );
    expect(wrongOwner.status).toBe(403);
    expect(
      (
        await api(app.baseUrl, 'POST', `/api/incidents/${id}/dependents/orders-worker/acknowledgement`, {
          as: 'alice',
          body: { note: 'worker back on the new password' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api(app.baseUrl, 'POST', `/api/incidents/${id}/dependents/orders-reports/acknowledgement`, {
          as: 'dave',
          body: { note: 'reports stay off until Monday' },
        })
      ).status,
    ).toBe(200);
    const closed = await waitForPhase(app, id, 'closed');
    expect(closed.outcome).toBe('rotated');
    expect(closed.dependents).toEqual([
      { id: 'orders-worker', state: 'enabled-again', acknowledgedBy: 'alice' },
      { id: 'orders-reports', state: 'disabled', acknowledgedBy: 'dave' },
    ]);
    const evidence = await waitForEvidence(app, id, 'incident.closed');
    const kinds = evidence.map((record) => record.kind);
    expect(kinds.indexOf('dependent.disabled')).toBeLessThan(kinds.indexOf('credential.rotated'));
    expect(kinds.filter((kind) => kind === 'dependent.acknowledged')).toHaveLength(2);
  });
});
