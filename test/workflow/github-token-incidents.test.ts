import { randomBytes } from 'node:crypto';
import { FakeGitHubApi } from '../fakes/github-api';
import { startTestApp, type TestApp } from '../support/app';
import { testCatalogWith } from '../support/catalog';
import { api, eventually } from '../support/http';
import { recordHistoryIfAsked } from '../support/secrets';
import { decide, verify, waitForEvidence, waitForPhase } from '../support/incidents';

jest.setTimeout(120_000);

/**
 * GitHub tokens against the fake GitHub API (revocation API + GET /user). A token leaks, is
 * revoked, the incident closes (its sealed copy destroyed); then the same token value is reported
 * again: the second incident must have a live sealed copy and revoke it. And a token GitHub
 * accepts for revocation but keeps honouring: proof of death asks a person within the policy time.
 */
describe('GitHub token incidents', () => {
  let github: FakeGitHubApi;
  let app: TestApp;

  beforeAll(async () => {
    github = new FakeGitHubApi();
    const url = await github.start();
    const token = (id: string, description: string, policy?: string) => ({
      id,
      description,
      provider: 'github-token',
      locator: { tokenType: 'classic-pat' },
      ownerTeam: 'payments',
      issuingTeam: 'platform',
      tier: 'medium',
      ...(policy ? { policy } : {}),
    });
    const catalogPath = testCatalogWith({
      policies: [{ id: 'quick-proof', version: 1, deathProofTimeout: '8s' }],
      secrets: [
        token('deploy-bot-token', 'deploy bot token, proof of death bounded at 8 s', 'quick-proof'),
        token('release-bot-token', 'release bot personal access token'),
      ],
    });
    app = await startTestApp({
      CATALOG_PATH: catalogPath,
      GITHUB_API_URL: url,
      GITHUB_CREDENTIAL_REVOCATION_URL: `${url}/credentials/revoke`,
    });
  });

  afterAll(async () => {
    await app?.stop();
    await github?.stop();
  });

  /**
   * Reports the token and takes the incident to closure. Addressed by workflow id (its newest run):
   * a report that reaches the first incident while it is still closing becomes the next incident
   * through continue-as-new, the other way a re-leak is told apart.
   */
  const reportOf = (secretId: string, token: string) => (location: string) =>
    api(app.baseUrl, 'POST', '/api/incidents', { as: 'carol', body: { secretId, leakedValue: token, location } });

  async function leakAndContain(token: string, where: string, alsoAt?: string): Promise<string> {
    const report = reportOf('release-bot-token', token);
    const opened = await report(where);
    expect(opened.status).toBe(202);
    const id = opened.body.workflowId as string;
    let deciding = await waitForPhase(app, id, 'awaiting-decision');
    if (alsoAt) {
      // Another report of the open incident: its own sealed copy is destroyed, the incident keeps its own.
      expect((await report(alsoAt)).status).toBe(202);
      deciding = await eventually(
        () => api(app.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'erin' }),
        (r) => r.body?.sightings === 2,
        30_000,
        'the second sighting',
      ).then((r) => r.body);
    }
    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    await waitForPhase(app, id, 'awaiting-verification');
    expect((await verify(app, id, 'carol')).status).toBe(200);
    await waitForPhase(app, id, 'closed');
    return deciding.incidentId as string;
  }

  it('seals the value again for the second incident, which revokes it at GitHub', async () => {
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    github.live.add(token);
    const first = await leakAndContain(token, 'https://github.com/acme/app/blob/main/.env');
    expect(github.revocationsOf.get(token)).toBe(1);
    expect(github.live.has(token)).toBe(false);

    // The same token works again (say the revocation was reverted) and is pasted somewhere else.
    github.live.add(token);
    const second = await leakAndContain(token, 'https://gist.github.com/someone/abc', 'https://pastebin.com/x');
    expect(second).not.toBe(first);
    expect(github.revocationsOf.get(token)).toBe(2);
    expect(github.live.has(token)).toBe(false);
    expect((await app.service.status(second))?.outcome).toBe('contained');
    // The first incident is over but still answers: its status and its evidence, under its own id.
    const earlier = await api(app.baseUrl, 'GET', `/api/incidents/${first}/timeline`, { as: 'erin' });
    expect(earlier.status).toBe(200);
    expect(earlier.body).toMatchObject({ incidentId: first, phase: 'closed' });
    expect(earlier.body.evidence.some((e: { kind: string }) => e.kind === 'credential.revoked')).toBe(true);
    expect(earlier.body.evidence.every((e: { incidentId: string }) => e.incidentId === first)).toBe(true);
    // Every sealed copy of the value (the first incident's, the second's, the spare report's) is destroyed.
    const copies = await app.database.query<{ live: string; total: string }>(
      `SELECT count(*) FILTER (WHERE ciphertext IS NOT NULL) AS live, count(*) AS total FROM sealed_values WHERE purpose = 'leaked'`,
    );
    expect(copies.rows[0]).toEqual({ live: '0', total: '3' });
    const workflowId = (await app.service.status(second))!.workflowId;
    const handle = app.client.workflow.getHandle(workflowId);
    await handle.result();
    recordHistoryIfAsked('sealed-per-report', await handle.fetchHistory());
  });

  it('asks the approvers, saying why, when GitHub still honours the token after the policy time', async () => {
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    github.live.add(token);
    github.revokeDelayMs = 3_600_000; // accepted (202) but not processed while the proof runs
    const opened = await reportOf('deploy-bot-token', token)('https://github.com/acme/deploy/blob/main/ci.yml');
    const id = opened.body.incidentId as string;
    await waitForPhase(app, id, 'awaiting-decision');
    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);

    // One poller with heartbeats: the pending activity reports its checks while it polls (the SDK
    // throttles heartbeats, so Temporal shows the first one until the heartbeat interval passes).
    const handle = app.client.workflow.getHandle(opened.body.workflowId as string);
    const heartbeat = await eventually(
      async () => (await handle.describe()).raw.pendingActivities ?? [],
      (pending) => pending.some((a) => a.activityType?.name === 'proveCredentialDead' && heartbeatAttempts(a) >= 1),
      15_000,
      'a heartbeat of proveCredentialDead',
    );
    // One poller: a single proveCredentialDead pending (evidence or a notification may be in flight beside it).
    expect(heartbeat.filter((a) => a.activityType?.name === 'proveCredentialDead')).toHaveLength(1);

    const attention = await waitForPhase(app, id, 'needs-attention', 30_000);
    expect(github.live.has(token)).toBe(true); // really still alive at the provider
    expect(attention.waitingOn.people).toEqual(['alice', 'grace']);
    expect(attention.waitingOn.for).toContain('death could not be proven: still alive within 8s');
    expect(attention.waitingOn.for).toContain('GET /user with the token: still accepted');
    const evidence = await waitForEvidence(app, id, 'death.unproven');
    const unproven = evidence.find((record) => record.kind === 'death.unproven')!;
    expect(unproven.details.attempts).toBeGreaterThanOrEqual(2);
    expect(evidence.filter((record) => record.kind === 'death.proven')).toHaveLength(0);

    // GitHub processes revocations again; the approver decides again and the proof succeeds.
    github.revokeDelayMs = 0;
    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    await waitForPhase(app, id, 'awaiting-verification');
    expect(github.live.has(token)).toBe(false);
  });
});

function heartbeatAttempts(activity: {
  heartbeatDetails?: { payloads?: Array<{ data?: Uint8Array | null }> | null } | null;
}): number {
  const data = activity.heartbeatDetails?.payloads?.[0]?.data;
  if (!data) return 0;
  return (JSON.parse(Buffer.from(data).toString('utf8')) as { attempts?: number }).attempts ?? 0;
}
