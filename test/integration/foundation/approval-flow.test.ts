import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from '../../support/app';
import { verifyClosureBundle } from '../../../integrations/evidence/verify-bundle';
import { api, eventually } from '../../support/http';
import { createLoginRole, loginAs } from '../../support/roles';
import { expectNowhereInDatabase, historyText, recordHistoryIfAsked } from '../../support/secrets';
import { patchMarkers, scheduledBesideFirst } from '../../support/histories';
import { BASELINE_PATCH } from '../../../workflows/patches';

describe('an incident decided by its owner over the HTTP API', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.stop();
  });

  it('revokes a PostgreSQL role, kills its sessions, proves death, and closes after a separate verifier confirms', async () => {
    const password = await createLoginRole('payments_app');
    const attackerSession = await loginAs('payments_app', password);

    const opened = await api(app.baseUrl, 'POST', '/api/incidents', {
      as: 'carol',
      body: {
        secretId: 'payments-db',
        leakedValue: password,
        location: 'https://git.example/payments/.env',
        notes: `the line read DB_PASSWORD=${password}`,
      },
    });
    expect(opened.status).toBe(202);
    expect(opened.text).not.toContain(password);
    const id = opened.body.incidentId as string;

    const waiting = await eventually(
      () => api(app.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'alice' }),
      (r) => r.body?.phase === 'awaiting-decision',
      30_000,
      'awaiting-decision',
    );
    expect(waiting.body.roles.primary.id).toBe('alice');
    expect(waiting.body.waitingOn.people).toEqual(['alice', 'grace']);

    const wrongPerson = await api(app.baseUrl, 'POST', `/api/incidents/${id}/decision`, {
      as: 'dave',
      body: { choice: 'revoke' },
    });
    expect(wrongPerson.status).toBe(403);
    expect(wrongPerson.body.error.message).toContain('dave is not an approver');

    const decided = await api(app.baseUrl, 'POST', `/api/incidents/${id}/decision`, {
      as: 'alice',
      body: { choice: 'revoke' },
      idempotencyKey: `click-${randomBytes(4).toString('hex')}`,
    });
    expect(decided.status).toBe(200);

    const verifying = await eventually(
      () => api(app.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'alice' }),
      (r) => r.body?.phase === 'awaiting-verification',
      60_000,
      'awaiting-verification',
    );
    expect(verifying.body.verification.dead).toBe(true);
    expect(verifying.body.roles.verifier.id).toBe('carol');
    await expect(loginAs('payments_app', password)).rejects.toMatchObject({
      code: expect.stringMatching(/^28(P01|000)$/),
    });
    await expect(attackerSession.query('SELECT 1')).rejects.toThrow();

    const selfVerify = await api(app.baseUrl, 'POST', `/api/incidents/${id}/verification`, {
      as: 'alice',
      body: { note: 'looks fine' },
    });
    expect(selfVerify.status).toBe(403);
    expect(selfVerify.body.error.message).toContain('separation of duties');

    const verified = await api(app.baseUrl, 'POST', `/api/incidents/${id}/verification`, {
      as: 'carol',
      body: { note: 'login refused, no sessions left' },
    });
    expect(verified.status).toBe(200);
    const closed = await eventually(
      () => api(app.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'alice' }),
      (r) => r.body?.phase === 'closed',
      30_000,
      'closed',
    );
    expect(closed.body.outcome).toBe('contained');

    const timeline = await eventually(
      () => api(app.baseUrl, 'GET', `/api/incidents/${id}/timeline`, { as: 'carol' }),
      (r) => r.body?.evidence?.some((e: { kind: string }) => e.kind === 'incident.closed'),
      30_000,
      'closure evidence',
    );
    const kinds = timeline.body.evidence.map((record: { kind: string }) => record.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'incident.opened',
        'roles.resolved',
        'decision.approved',
        'decision.made',
        'credential.revoked',
        'sessions.ended',
        'death.proven',
        'verification.confirmed',
        'sealed-value.destroyed',
        'incident.closed',
      ]),
    );
    for (const record of timeline.body.evidence) {
      expect(record.actor.id).toBeTruthy();
      expect(record.delegatedBy.id).toBeTruthy();
      expect(record.policy.id).toBe('standard');
      // docs/auditors.md: a catalog person with their Slack id, or the policy, or the detector.
      if (record.delegatedBy.type === 'person') expect(record.delegatedBy.slackUserId).toMatch(/^U0[A-Z]+$/);
      else if (record.delegatedBy.type === 'policy') expect(record.delegatedBy.id).toBe('standard');
      else expect(record.delegatedBy).toEqual({ type: 'source', id: record.actor.id });
    }
    const delegatorOf = (kind: string) =>
      timeline.body.evidence.find((record: { kind: string }) => record.kind === kind).delegatedBy;
    // Carol reported it over the API, and Carol verified it: the catalog person, with her Slack id.
    expect(delegatorOf('incident.opened')).toEqual({ type: 'person', id: 'carol', slackUserId: 'U0CAROL' });
    expect(delegatorOf('verification.confirmed')).toEqual({ type: 'person', id: 'carol', slackUserId: 'U0CAROL' });
    expect(timeline.text).not.toContain(password);
    expect(app.logLines()).not.toContain(password);
    const history = await app.client.workflow.getHandle(closed.body.workflowId).fetchHistory();
    const text = historyText(history);
    expect(text).toContain('"secretId":"payments-db"');
    expect(text).not.toContain(password);
    await expectNowhereInDatabase(app, password);
    recordHistoryIfAsked('approval-flow', history);
    // Alice's approval → the revocation: nothing else was scheduled beside the provider call until it answered.
    expect(scheduledBesideFirst(history, 'revokeCredential')).toEqual(['revokeCredential']);
    recordHistoryIfAsked('revocation-local-first', history);
    // A new run records one patch marker, the baseline that stands for every patch (one visibility write).
    expect(patchMarkers(history)).toEqual([BASELINE_PATCH]);
    // Recorded under the baseline's name (baseline-2026-12-06.history.pb and older stay as their runs were).
    recordHistoryIfAsked(BASELINE_PATCH, history);

    const auditor = { authorization: 'Bearer token-auditor' };
    const bundle = await eventually(
      () => fetch(`${app.baseUrl}/audit/api/incidents/${id}/bundle`, { headers: auditor }),
      (r) => r.status === 200,
      30_000,
      'sealed bundle',
    );
    const bundleText = await bundle.text();
    expect(bundleText).not.toContain(password);
    const publicKey = await (await fetch(`${app.baseUrl}/audit/api/public-key`, { headers: auditor })).text();
    const verification = verifyClosureBundle(JSON.parse(bundleText), publicKey);
    expect(verification).toMatchObject({ ok: true, signatureValid: true, brokenRecord: null, incidentId: id });
    const auditorDecides = await fetch(`${app.baseUrl}/api/incidents/${id}/decision`, {
      method: 'POST',
      headers: { ...auditor, 'content-type': 'application/json' },
      body: '{"choice":"revoke"}',
    });
    expect(auditorDecides.status).toBe(403);
  });
});
