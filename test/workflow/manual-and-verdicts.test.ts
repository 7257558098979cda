import { startTestApp, type TestApp } from '../support/app';
import { api } from '../support/http';
import { decide, openIncident, verify, waitForEvidence, waitForPhase } from '../support/incidents';

describe('manual containment, false positives, canaries and repeated reports', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp({ TIMER_CAP_MS: '3000' });
  });
  afterEach(async () => {
    await app.stop();
  });

  it('hands a SaaS key without an API to the issuing team, whose confirmation is the proof', async () => {
    const id = await openIncident(app, {
      identifiers: ['vendor_key_prefix_ab12'],
      leakedValue: 'vk_live_do-not-log-me',
    });
    const waiting = await waitForPhase(app, id, 'awaiting-decision');
    expect(waiting.secretId).toBe('vendor-api-key');
    const decided = await decide(app, id, 'alice', 'revoke');
    expect(decided.status).toBe(200);
    // The answer says what the approval did: it decided, and the incident left awaiting-decision.
    expect(decided.body.decision).toMatchObject({ choice: 'revoke', by: ['alice'] });
    expect(decided.body.phase).not.toBe('awaiting-decision');
    const manual = await waitForPhase(app, id, 'awaiting-manual-containment');
    expect(manual.waitingOn.people).toEqual(['dave']);
    const notExecutor = await api(app.baseUrl, 'POST', `/api/incidents/${id}/manual-containment`, {
      as: 'bob',
      body: { note: 'done' },
    });
    expect(notExecutor.status).toBe(403);
    const emptyNote = await api(app.baseUrl, 'POST', `/api/incidents/${id}/manual-containment`, {
      as: 'dave',
      body: { note: ' ' },
    });
    expect(emptyNote.status).toBe(400);
    expect(emptyNote.body.error.fields.note).toBeDefined();
    const confirmed = await api(app.baseUrl, 'POST', `/api/incidents/${id}/manual-containment`, {
      as: 'dave',
      body: { note: 'key deleted in vendor console', reference: 'vendor-audit-77' },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.actions.map((action: { kind: string }) => action.kind)).toContain(
      'manual-containment.confirmed',
    );
    expect(confirmed.body.phase).not.toBe('awaiting-manual-containment');
    await waitForPhase(app, id, 'awaiting-verification');
    expect((await verify(app, id, 'carol')).status).toBe(200);
    const closed = await waitForPhase(app, id, 'closed');
    expect(closed.outcome).toBe('contained');
    const evidence = await waitForEvidence(app, id, 'incident.closed');
    const confirmation = evidence.find((record) => record.kind === 'manual-containment.confirmed')!;
    expect(confirmation.actor).toEqual({ type: 'person', id: 'dave' });
    expect(confirmation.delegatedBy).toMatchObject({ type: 'person', id: 'alice' });
    expect(confirmation.providerAnswer.answerId).toBe('vendor-audit-77');
  });

  it('reminds and then escalates a manual handoff nobody picks up', async () => {
    const id = await openIncident(app, { secretId: 'vendor-api-key', description: 'slack paste' });
    await waitForPhase(app, id, 'awaiting-decision');
    await decide(app, id, 'alice', 'revoke');
    const evidence = await waitForEvidence(app, id, 'handoff.escalated', 20_000);
    expect(evidence.find((record) => record.kind === 'handoff.escalated')!.details.escalatedTo).toEqual(['erin']);
    const byEscalation = await api(app.baseUrl, 'POST', `/api/incidents/${id}/manual-containment`, {
      as: 'erin',
      body: { note: 'revoked by security on-call' },
    });
    expect(byEscalation.status).toBe(200);
    await waitForPhase(app, id, 'awaiting-verification');
  });

  it('closes a false positive only with a reason and a verifier', async () => {
    const id = await openIncident(app, { secretId: 'payments-db', description: 'test fixture password' });
    await waitForPhase(app, id, 'awaiting-decision');
    const noReason = await decide(app, id, 'alice', 'false-positive');
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.message).toContain('needs a reason');
    expect((await decide(app, id, 'alice', 'false-positive', 'value is the documented test fixture')).status).toBe(200);
    await waitForPhase(app, id, 'awaiting-verification');
    await verify(app, id, 'carol', 'fixture value, never valid in production');
    const closed = await waitForPhase(app, id, 'closed');
    expect(closed.outcome).toBe('false-positive');
    expect(closed.actions).toEqual([]);
  });

  it('records a canary finding without containing anything', async () => {
    const { incidentId } = await app.service.open({
      description: 'honeytoken in a public repo',
      leakedValue: 'canary-value-7',
      sighting: {
        source: 'trufflehog',
        sourceRef: 'finding-1',
        detectedAt: new Date().toISOString(),
        receivedAt: new Date().toISOString(),
        canary: true,
        reportedBy: 'trufflehog',
      },
    });
    const closed = await waitForPhase(app, incidentId, 'closed');
    expect(closed.outcome).toBe('canary');
    expect(closed.decision).toBeNull();
    expect(closed.actions).toEqual([]);
  });

  it('routes a credential the catalog does not know to the default owner team and records the ownership gap', async () => {
    const opened = await api(app.baseUrl, 'POST', '/api/incidents', {
      as: 'erin',
      body: { description: 'honeytoken', leakedValue: 'canary-token-123' },
    });
    expect(opened.status).toBe(202);
    const id = opened.body.incidentId as string;
    const status = await waitForPhase(app, id, 'awaiting-decision');
    expect(status.ownershipGap).toBe(true);
    expect(status.roles.primary.id).toBe('erin');
    const evidence = await waitForEvidence(app, id, 'ownership-gap.found');
    expect(evidence.find((record) => record.kind === 'ownership-gap.found')!.details.findings[0]).toContain(
      'routed to security',
    );
  });

  it('turns repeated reports of one credential into sightings on one incident', async () => {
    const first = await api(app.baseUrl, 'POST', '/api/incidents', {
      as: 'carol',
      body: { secretId: 'payments-db', location: 'repo A' },
      idempotencyKey: 'report-0001',
    });
    const again = await api(app.baseUrl, 'POST', '/api/incidents', {
      as: 'carol',
      body: { secretId: 'payments-db', location: 'repo A' },
      idempotencyKey: 'report-0001',
    });
    const other = await api(app.baseUrl, 'POST', '/api/incidents', {
      as: 'dave',
      body: { identifiers: ['payments_app'], location: 'repo B' },
      idempotencyKey: 'report-0002',
    });
    expect(new Set([first.body.incidentId, again.body.incidentId, other.body.incidentId]).size).toBe(1);
    const evidence = await waitForEvidence(app, first.body.incidentId, 'sighting.recorded');
    expect(evidence.filter((record) => record.kind === 'sighting.recorded')).toHaveLength(1);
    const status = await api(app.baseUrl, 'GET', `/api/incidents/${first.body.incidentId}`, { as: 'alice' });
    expect(status.body.sightings).toBe(2);
  });
});
