import { startTestApp, type TestApp } from '../support/app';
import { testEnvironment } from '../support/environment';
import { decide, openIncident, waitForEvidence, waitForPhase } from '../support/incidents';
import { createLoginRole } from '../support/roles';
import { TcpProxy } from '../support/tcp-proxy';

describe('containment when providers fail', () => {
  let app: TestApp;
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = new TcpProxy(Number(new URL(testEnvironment().databaseUrl).port));
    const port = await proxy.start();
    const flaky = new URL(testEnvironment().databaseUrl);
    flaky.port = String(port);
    app = await startTestApp({ TEST_PG_FLAKY_URL: flaky.toString() });
  });
  afterAll(async () => {
    await app.stop();
    await proxy.stop();
  });

  it('retries a provider that is down and revokes once it is back', async () => {
    const password = await createLoginRole('flaky_app');
    const id = await openIncident(app, { secretId: 'flaky-db', leakedValue: password });
    await waitForPhase(app, id, 'awaiting-decision');
    proxy.mode = 'refuse';
    const before = proxy.connections;
    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    await waitUntil(() => proxy.connections >= before + 2, 'two refused attempts');
    expect((await waitForPhase(app, id, 'containing')).actions).toEqual([]);
    proxy.mode = 'pass';
    await waitForPhase(app, id, 'awaiting-verification');
    const evidence = await waitForEvidence(app, id, 'death.proven');
    expect(evidence.filter((record) => record.kind === 'credential.revoked')).toHaveLength(1);
    expect(proxy.count(/NOLOGIN/)).toBe(1);
  });

  it('undoes a half-done rotation and asks the approvers again, who can then revoke', async () => {
    await createLoginRole('rotating_app');
    const id = await openIncident(app, { secretId: 'rotating-db', description: 'found in a backup' });
    await waitForPhase(app, id, 'awaiting-decision');
    expect((await decide(app, id, 'alice', 'rotate')).status).toBe(200);
    const attention = await waitForPhase(app, id, 'needs-attention');
    expect(attention.decision).toBeNull();
    const evidence = await waitForEvidence(app, id, 'compensation.ran');
    const kinds = evidence.map((record) => record.kind);
    expect(kinds.indexOf('credential.rotated')).toBeLessThan(kinds.indexOf('containment.failed'));
    expect(kinds.indexOf('containment.failed')).toBeLessThan(kinds.indexOf('compensation.ran'));
    expect(evidence.find((record) => record.kind === 'containment.failed')!.details.summary).toContain(
      'no delivery adapter "nowhere"',
    );
    expect(kinds).not.toContain('credential.revoked');

    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    await waitForPhase(app, id, 'awaiting-verification');
  });
});

async function waitUntil(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
