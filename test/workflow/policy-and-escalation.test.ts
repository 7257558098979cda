import { startTestApp, type TestApp } from '../support/app';
import { decide, openIncident, verify, waitForEvidence, waitForPhase } from '../support/incidents';
import { createLoginRole } from '../support/roles';

describe('policy decides, people escalate', () => {
  // A fresh app per test: a fresh fingerprint key, so the same catalog secret opens a new incident.
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp({ TIMER_CAP_MS: '1500' });
  });
  afterEach(async () => {
    await app.stop();
  });

  it('auto-contains a verified-active, publicly exposed high-tier credential without asking anyone', async () => {
    const password = await createLoginRole('payments_app');
    const id = await openIncident(app, {
      secretId: 'payments-db',
      leakedValue: password,
      verifiedActive: true,
      publiclyExposed: true,
    });
    const status = await waitForPhase(app, id, 'awaiting-verification');
    expect(status.approvals).toEqual([]);
    expect(status.decision.delegatedBy).toBe('policy:standard@3');
    const evidence = await waitForEvidence(app, id, 'death.proven');
    const made = evidence.find((record) => record.kind === 'decision.made')!;
    expect(made.delegatedBy).toEqual({ type: 'policy', id: 'standard' });
    expect(made.policy.inputs).toMatchObject({
      rule: 'auto-contain',
      verifiedActive: true,
      publiclyExposed: true,
      tier: 'high',
    });
    const revoked = evidence.find((record) => record.kind === 'credential.revoked')!;
    expect(revoked.delegatedBy).toEqual({ type: 'policy', id: 'standard' });
    expect(revoked.actor.id).toMatch(/^tourniquet-worker@/);
  });

  it('escalates to the backup approver when the decision makers stay silent, and only then lets the backup decide', async () => {
    await createLoginRole('payments_app');
    await app.stop();
    app = await startTestApp({ TIMER_CAP_MS: '4000' });
    const id = await openIncident(app, { secretId: 'payments-db', description: 'seen in a CI log' });
    await waitForPhase(app, id, 'awaiting-decision', 3_000);
    const tooEarly = await decide(app, id, 'bob', 'revoke');
    expect(tooEarly.status).toBe(403);
    const escalated = await waitForPhase(app, id, 'escalated-to-backup');
    expect(escalated.waitingOn.people).toEqual(expect.arrayContaining(['alice', 'grace', 'bob']));
    expect((await decide(app, id, 'bob', 'revoke')).status).toBe(200);
    const evidence = await waitForEvidence(app, id, 'credential.revoked');
    expect(evidence.map((record) => record.kind)).toEqual(
      expect.arrayContaining(['decision.requested', 'decision.escalated', 'decision.made']),
    );
    expect(evidence.find((record) => record.kind === 'credential.revoked')!.delegatedBy).toMatchObject({
      type: 'person',
      id: 'bob',
      slackUserId: 'U0BOB',
    });
  });

  it('falls back to the policy action when neither the primary nor the backup answers a critical incident', async () => {
    await createLoginRole('ledger_app');
    const id = await openIncident(app, { secretId: 'ledger-db', description: 'pasted in a ticket' });
    const status = await waitForPhase(app, id, 'awaiting-verification', 30_000);
    expect(status.decision.delegatedBy).toBe('policy:critical-fallback@1');
    const evidence = await waitForEvidence(app, id, 'death.proven');
    const made = evidence.find((record) => record.kind === 'decision.made')!;
    expect(made.policy.inputs).toMatchObject({ rule: 'fallback', fallback: 'revoke' });
  });

  it('needs two distinct approvers for a critical credential', async () => {
    await createLoginRole('ledger_app');
    const slowApp = await startTestApp({ TIMER_CAP_MS: '20000' });
    const id = await openIncident(slowApp, { secretId: 'ledger-db', description: 'critical leak' }, 'dave');
    await waitForPhase(slowApp, id, 'awaiting-decision');
    expect((await decide(slowApp, id, 'alice', 'revoke')).status).toBe(200);
    const again = await decide(slowApp, id, 'alice', 'revoke');
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('second, different approver');
    expect((await decide(slowApp, id, 'grace', 'revoke')).status).toBe(200);
    const status = await waitForPhase(slowApp, id, 'awaiting-verification');
    expect(status.decision.by).toEqual(['alice', 'grace']);
    await slowApp.stop();
  });

  it("hands verification to the default owner team when the team's only verifier also decided", async () => {
    await createLoginRole('solo_app');
    const id = await openIncident(app, { secretId: 'solo-db', description: 'solo team leak' });
    await waitForPhase(app, id, 'awaiting-decision');
    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    const status = await waitForPhase(app, id, 'awaiting-verification');
    expect(status.roles.verifier.id).toBe('frank');
    const refused = await verify(app, id, 'alice');
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('separation of duties');
    const evidence = await waitForEvidence(app, id, 'separation-of-duties.escalated');
    expect(evidence.find((record) => record.kind === 'separation-of-duties.escalated')!.details.verifier).toBe('frank');
    expect((await verify(app, id, 'frank')).status).toBe(200);
    await waitForPhase(app, id, 'closed');
  });
});
