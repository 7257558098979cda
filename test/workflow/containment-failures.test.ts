import { workflowIdOfIncident } from '../../domain/ids';
import { startTestApp, type TestApp } from '../support/app';
import { localActivityRun } from '../support/histories';
import { decide, openIncident, waitForEvidence, waitForNoPendingActivity, waitForPhase } from '../support/incidents';
import { testEnvironment, withAdmin } from '../support/environment';
import { createLoginRole, loginAs } from '../support/roles';
import { recordHistoryIfAsked } from '../support/secrets';
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
    // Nothing else in flight: the revocation's first attempt runs as a local activity (patch 'local-call-alone').
    await waitForNoPendingActivity(app.client, id);
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
    // The first attempt ran as a local activity and failed; the activity that followed retried until it answered.
    const history = await app.client.workflow.getHandle(workflowIdOfIncident(id)).fetchHistory();
    const local = (history.events ?? []).flatMap((event) => localActivityRun(event) ?? []);
    expect(local.filter((run) => run.activityType === 'revokeCredential')).toEqual([
      { activityType: 'revokeCredential', attempt: 1, failed: true },
    ]);
    recordHistoryIfAsked('revocation-local-first-fallback', history);
  });

  it('a rotation that fails at delivery leaves the role locked, and says so instead of "rolled back"', async () => {
    const leaked = await createLoginRole('rotating_app');
    const id = await openIncident(app, { secretId: 'rotating-db', leakedValue: leaked, description: 'in a backup' });
    await waitForPhase(app, id, 'awaiting-decision');
    expect((await decide(app, id, 'alice', 'rotate')).status).toBe(200);
    const attention = await waitForPhase(app, id, 'needs-attention');
    expect(attention.decision).toBeNull();
    const evidence = await waitForEvidence(app, id, 'containment.compensated');

    // The provider's real state: the password was replaced in place at issue, and the undo locked the role.
    expect(await roleCanLogin('rotating_app')).toBe(false);
    await expect(loginAs('rotating_app', leaked)).rejects.toMatchObject({ code: expect.stringMatching(/^28/) });
    const reached = evidence.find((record) => record.kind === 'containment.compensated')!.details;
    expect(reached.endState).toMatchObject({ leakedCredential: 'locked', replacement: 'locked' });
    expect(reached.summary).toContain('already replaced when the replacement was issued');
    expect(reached.summary).toContain('cannot log in');
    expect(reached.summary).not.toContain('rolled back');
    // What the approvers are asked, in the API status (and so in Slack), states the same end state.
    expect(attention.waitingOn.for).toContain('cannot log in');

    const kinds = evidence.map((record) => record.kind);
    expect(kinds.indexOf('credential.rotated')).toBeLessThan(kinds.indexOf('containment.failed'));
    expect(kinds.indexOf('containment.failed')).toBeLessThan(kinds.indexOf('compensation.ran'));
    expect(evidence.find((record) => record.kind === 'containment.failed')!.details.summary).toContain(
      'no delivery adapter "nowhere"',
    );
    expect(kinds).not.toContain('credential.revoked');

    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    const verifying = await waitForPhase(app, id, 'awaiting-verification');
    recordHistoryIfAsked(
      'truthful-compensation',
      await app.client.workflow.getHandle(verifying.workflowId).fetchHistory(),
    );
  });
});

async function waitUntil(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function roleCanLogin(role: string): Promise<boolean | undefined> {
  return withAdmin(testEnvironment().databaseUrl, async (admin) => {
    const result = await admin.query<{ rolcanlogin: boolean }>('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [
      role,
    ]);
    return result.rows[0]?.rolcanlogin;
  });
}
