import { startTestApp, type TestApp } from '../support/app';
import { testCatalogWith } from '../support/catalog';
import { api, eventually } from '../support/http';
import { decide, openIncident, verify, waitForEvidence, waitForPhase } from '../support/incidents';
import { useRedeployableApp } from '../support/redeploy';
import { recordHistoryIfAsked } from '../support/secrets';

jest.setTimeout(90_000);

/**
 * Separation of duties leaves nobody: the solo team's only verifier (alice) decided, and the only
 * escalation contact (erin, security, which names no verifier of its own in this catalog) executed
 * the containment by hand. The incident does not wait on nothing: it says so, asks the escalation
 * contacts to name a verifier, and closes once one has.
 */
describe('an incident whose team has no eligible verifier', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ CATALOG_PATH: catalogWithSecurityVerifiers([]) });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const assign = (id: string, as: string, verifier: string, reason = 'security engineer, uninvolved') =>
    api(app.baseUrl, 'POST', `/api/incidents/${id}/verifier`, { as, body: { verifier, reason } });

  it('asks the escalation contacts to name one, refuses conflicted names, and closes once named', async () => {
    const id = await openIncident(app, { secretId: 'solo-vendor-key', description: 'key in a CI log' });
    await waitForPhase(app, id, 'awaiting-decision');
    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    await waitForPhase(app, id, 'awaiting-manual-containment');
    const confirmed = await api(app.baseUrl, 'POST', `/api/incidents/${id}/manual-containment`, {
      as: 'erin',
      body: { note: 'key deleted in the vendor console' },
    });
    expect(confirmed.status).toBe(200);

    // What it does and says: needs attention, waiting on the escalation contact, for a verifier.
    const stuck = await waitForPhase(app, id, 'needs-attention');
    expect(stuck.waitingOn).toMatchObject({ people: ['erin'] });
    expect(stuck.waitingOn.for).toContain('name one who did neither');
    const evidence = await waitForEvidence(app, id, 'separation-of-duties.escalated');
    const escalated = evidence.find((record) => record.kind === 'separation-of-duties.escalated')!;
    expect(escalated.details.summary).toContain('nobody eligible');
    // The log notifier (no Slack here) delivered the message that says so.
    await eventually(
      async () => app.logLines(),
      (lines) => lines.includes('No eligible verifier for solo-vendor-key'),
      20_000,
      'the needs-attention message',
    );

    // Who may name, and whom: refusals say why.
    expect((await assign(id, 'alice', 'frank')).status).toBe(403); // alice is not an escalation contact
    const self = await assign(id, 'erin', 'erin');
    expect(self.status).toBe(400);
    const conflicted = await assign(id, 'erin', 'alice');
    expect(conflicted.status).toBe(403);
    expect(conflicted.body.error.message).toContain('separation of duties');
    expect((await assign(id, 'erin', 'nobody-such')).status).toBe(400);
    expect((await verify(app, id, 'frank')).status).toBe(409); // not awaiting verification yet

    const named = await assign(id, 'erin', 'frank');
    expect(named.status).toBe(200);
    expect(named.body.phase).toBe('awaiting-verification');
    expect(named.body.roles.verifier).toMatchObject({ id: 'frank' });
    expect((await assign(id, 'erin', 'carol')).status).toBe(409); // already named

    expect((await verify(app, id, 'frank', 'checked: the vendor lists no such key')).status).toBe(200);
    const closed = await waitForPhase(app, id, 'closed');
    expect(closed.outcome).toBe('contained');
    const records = await waitForEvidence(app, id, 'incident.closed');
    const assigned = records.find((record) => record.kind === 'verifier.assigned')!;
    expect(assigned.actor).toEqual({ type: 'person', id: 'erin' });
    expect(assigned.details).toMatchObject({ verifier: 'frank', reason: 'security engineer, uninvolved' });
    expect(records.find((record) => record.kind === 'verification.confirmed')!.actor).toEqual({
      type: 'person',
      id: 'frank',
    });
    recordHistoryIfAsked(
      'verifier-assigned-recheck',
      await app.client.workflow.getHandle(closed.workflowId).fetchHistory(),
    );
  });
});

/**
 * The fix the message asks for — a verifier added to the catalog — reaches an incident already
 * waiting: the worker restarts with the new catalog and the incident, looking again after its
 * handoff timeout, finds the new verifier by itself.
 */
describe('an incident waiting for a verifier when the catalog gains one', () => {
  const deployment = useRedeployableApp({ TIMER_CAP_MS: '6000' });

  it('picks the new verifier up without anyone naming them', async () => {
    const before = await deployment.start(catalogWithSecurityVerifiers([]));
    const id = await openIncident(before, { secretId: 'solo-vendor-key', description: 'key in a build log' });
    await waitForPhase(before, id, 'awaiting-decision');
    expect((await decide(before, id, 'alice', 'revoke')).status).toBe(200);
    await waitForPhase(before, id, 'awaiting-manual-containment');
    const confirm = { as: 'erin', body: { note: 'key deleted in the vendor console' } };
    expect((await api(before.baseUrl, 'POST', `/api/incidents/${id}/manual-containment`, confirm)).status).toBe(200);
    await waitForPhase(before, id, 'needs-attention');
    await deployment.stop(before);

    // A new deploy: the catalog now names grace as a security verifier.
    const after = await deployment.start(catalogWithSecurityVerifiers(['grace']));
    const picked = await waitForPhase(after, id, 'awaiting-verification');
    expect(picked.roles.verifier).toMatchObject({ id: 'grace' });
    const evidence = await waitForEvidence(after, id, 'roles.re-resolved');
    expect(evidence.find((record) => record.kind === 'roles.re-resolved')!.details).toMatchObject({
      role: 'verifier',
      verifier: 'grace',
    });
    expect((await verify(after, id, 'grace', 'checked: the vendor lists no such key')).status).toBe(200);
    const closed = await waitForPhase(after, id, 'closed');
    recordHistoryIfAsked(
      'verifier-catalog-recheck',
      await after.client.workflow.getHandle(closed.workflowId).fetchHistory(),
    );
  });
});

/** The test catalog with a manual-containment secret of the solo team and security's verifiers replaced. */
function catalogWithSecurityVerifiers(verifiers: string[]): string {
  return testCatalogWith({
    teams: [
      {
        id: 'security',
        name: 'Security',
        decisionMakers: ['erin'],
        backupApprovers: ['erin'],
        verifiers,
        executors: ['erin'],
      } as { id: string },
    ],
    secrets: [
      {
        id: 'solo-vendor-key',
        description: 'vendor key of the solo team, revoked by hand by security',
        provider: 'manual',
        locator: { console: 'https://vendor.example/settings/keys' },
        matchers: ['solo_vendor_prefix_zz99'],
        ownerTeam: 'solo',
        issuingTeam: 'security',
        tier: 'low',
      },
    ],
  });
}
