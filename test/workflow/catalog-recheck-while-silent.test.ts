import { testCatalogWith } from '../support/catalog';
import { api, eventually } from '../support/http';
import { decide, openIncident, verify, waitForEvidence, waitForPhase } from '../support/incidents';
import { useRedeployableApp } from '../support/redeploy';
import { recordHistoryIfAsked } from '../support/secrets';

jest.setTimeout(120_000);

/**
 * The waits that have no deadline — a decision overdue once the escalation contacts were asked, a
 * handoff whose reminders have stopped — read the catalog again now and then. The fix their
 * messages ask for (a person added to the team in the catalog, deployed with a restart) reaches the
 * incident already waiting: the new person is asked and may answer, and the change is evidence.
 * Without the re-read, grace stays refused (403) and bob is never asked.
 */
describe('an incident waiting without a deadline when the catalog gains people', () => {
  const deployment = useRedeployableApp();

  it('asks the decision maker and the verifier the catalog names since, and lets them answer', async () => {
    const before = await deployment.start(quietCatalog({ decide: [], verify: [] }));
    const id = await openIncident(before, { secretId: 'quiet-vendor-key', description: 'key in a build log' });

    // Nobody answers: the escalation contact (erin, no backups in this team) is asked, then the
    // policy says wait — the overdue wait, with no deadline.
    const overdue = await eventually(
      () => waitForEvidence(before, id, 'decision.escalated'),
      (records) => records.filter((record) => record.kind === 'decision.escalated').length === 2,
      30_000,
      'the overdue escalation',
    );
    expect(overdue.filter((record) => record.kind === 'decision.escalated').at(-1)!.details.summary).toContain(
      'policy says wait',
    );
    expect((await decide(before, id, 'grace', 'revoke')).status).toBe(403);
    await deployment.stop(before);

    // A new deploy: the catalog now names grace as a decision maker and bob as a verifier of the team.
    const after = await deployment.start(quietCatalog({ decide: ['grace'], verify: ['bob'] }));
    const asked = await waitForEvidence(after, id, 'roles.re-resolved');
    expect(asked.find((record) => record.kind === 'roles.re-resolved')!.details).toMatchObject({
      role: 'a decision (overdue)',
      added: ['grace'],
    });
    const status = await api(after.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'grace' });
    expect(status.body.waitingOn.people).toContain('grace');
    await eventually(
      async () => after.logLines(),
      (lines) => lines.includes('the catalog now names you') && lines.includes('grace'),
      20_000,
      'the message to grace',
    );
    const decided = await decide(after, id, 'grace', 'revoke');
    expect(decided.status).toBe(200);
    expect(decided.body.decision).toMatchObject({ choice: 'revoke', by: ['grace'] });

    // Dave deletes the key by hand; carol, the planned verifier, never answers: her reminders stop,
    // and the silent wait asks bob, whom the catalog names since (frank, security's
    // verifier, was asked at the last escalation).
    await waitForPhase(after, id, 'awaiting-manual-containment');
    const confirm = { as: 'dave', body: { note: 'key deleted in the vendor console' } };
    expect((await api(after.baseUrl, 'POST', `/api/incidents/${id}/manual-containment`, confirm)).status).toBe(200);
    await waitForEvidence(after, id, 'handoff.reminders-stopped');
    expect((await verify(after, id, 'bob', 'checked')).status).toBe(403);
    const widened = await eventually(
      () => waitForEvidence(after, id, 'roles.re-resolved'),
      (records) => records.filter((record) => record.kind === 'roles.re-resolved').length === 2,
      30_000,
      'bob asked',
    );
    expect(widened.filter((record) => record.kind === 'roles.re-resolved')[1]!.details).toMatchObject({
      role: 'verification',
      added: ['bob'],
    });
    expect((await verify(after, id, 'bob', 'checked: the vendor lists no such key')).status).toBe(200);
    const closed = await waitForPhase(after, id, 'closed');
    expect(closed.outcome).toBe('contained');
    recordHistoryIfAsked(
      'catalog-recheck-while-silent',
      await after.client.workflow.getHandle(closed.workflowId).fetchHistory(),
    );
  });
});

/** The test catalog with a quiet team (dave decides and executes, carol verifies) plus the people given. */
function quietCatalog(added: { decide: string[]; verify: string[] }): string {
  return testCatalogWith({
    teams: [
      {
        id: 'quiet',
        name: 'Quiet team',
        decisionMakers: ['dave', ...added.decide],
        backupApprovers: [],
        verifiers: ['carol', ...added.verify],
        executors: ['dave'],
      } as { id: string },
    ],
    policies: [
      {
        id: 'quiet-policy',
        version: 1,
        decisionTimeout: '2s',
        backupTimeout: '2s',
        fallback: 'wait',
        handoffReminder: '1s',
        handoffTimeout: '2s',
        handoffReminders: 0,
      },
    ],
    secrets: [
      {
        id: 'quiet-vendor-key',
        description: 'vendor key of the quiet team, revoked by hand',
        provider: 'manual',
        locator: { console: 'https://vendor.example/settings/keys' },
        matchers: ['quiet_vendor_prefix_qq77'],
        ownerTeam: 'quiet',
        issuingTeam: 'quiet',
        tier: 'low',
        policy: 'quiet-policy',
      },
    ],
  });
}
