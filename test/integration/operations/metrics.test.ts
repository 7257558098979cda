import { startTestApp, type TestApp } from '../../support/app';
import { api, eventually } from '../../support/http';
import { decide, openIncident, verify, waitForEvidence, waitForPhase } from '../../support/incidents';
import { scrape, valueOf, type Sample } from '../../support/metrics';
import { createLoginRole, loginAs } from '../../support/roles';

describe('GET /metrics after an incident runs decide → contain → verify', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.stop();
  });

  it('moves the incident counters, the milestone histograms and the provider, notification, evidence and HTTP metrics', async () => {
    const team = { tier: 'high', owner_team: 'payments' };
    const before = await scrape(app.baseUrl);
    const moved = (after: Sample[], name: string, labels: Record<string, string> = {}) =>
      valueOf(after, name, labels) - valueOf(before, name, labels);

    const password = await createLoginRole('ops_app');
    const id = await openIncident(app, { secretId: 'ops-db', leakedValue: password });
    await waitForPhase(app, id, 'awaiting-decision');
    const waiting = await eventually(
      () => scrape(app.baseUrl),
      (s) =>
        valueOf(s, 'tourniquet_open_incidents', { phase: 'awaiting-decision', waiting_on: 'decision-maker' }) === 1,
      30_000,
      'open incident waiting on a decision maker',
    );
    expect(moved(waiting, 'tourniquet_incidents_opened_total', { source: 'api', ...team })).toBe(1);
    expect(moved(waiting, 'tourniquet_time_to_decide_seconds_count', team)).toBe(0);

    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    await waitForPhase(app, id, 'awaiting-verification');
    // The provider really refuses the old password: the metrics describe a real revocation.
    await expect(loginAs('ops_app', password)).rejects.toMatchObject({ code: expect.stringMatching(/^28/) });
    expect((await verify(app, id, 'carol')).status).toBe(200);
    const evidence = await waitForEvidence(app, id, 'incident.closed');

    const after = await eventually(
      () => scrape(app.baseUrl),
      (s) => moved(s, 'tourniquet_time_to_close_seconds_count', team) === 1,
      30_000,
      'time to close observed',
    );
    for (const milestone of ['decide', 'contain', 'prove_death', 'verify', 'close'])
      expect({ milestone, count: moved(after, `tourniquet_time_to_${milestone}_seconds_count`, team) }).toEqual({
        milestone,
        count: 1,
      });
    // Milestones are timed from the evidence's own timestamps, so the histogram sums agree with it.
    const openedAt = Date.parse(evidence.find((r) => r.kind === 'incident.opened')!.at);
    const closedAt = Date.parse(evidence.find((r) => r.kind === 'incident.closed')!.at);
    expect(moved(after, 'tourniquet_time_to_close_seconds_sum', team)).toBeCloseTo((closedAt - openedAt) / 1_000, 3);
    expect(moved(after, 'tourniquet_incidents_closed_total', { outcome: 'contained', ...team })).toBe(1);
    expect(valueOf(after, 'tourniquet_open_incidents')).toBe(0);

    const postgres = { provider: 'postgres' };
    expect(moved(after, 'tourniquet_provider_calls_total', { ...postgres, operation: 'revoke' })).toBe(1);
    expect(moved(after, 'tourniquet_provider_calls_total', { ...postgres, operation: 'prove_dead' })).toBeGreaterThan(
      0,
    );
    expect(moved(after, 'tourniquet_provider_call_duration_seconds_count', { ...postgres, operation: 'revoke' })).toBe(
      1,
    );
    expect(moved(after, 'tourniquet_notifications_total', { kind: 'decision-requested', outcome: 'delivered' })).toBe(
      1,
    );
    // Every write to the evidence was timed: a record alone, or a batch of records in one transaction.
    const writes = moved(after, 'tourniquet_evidence_append_duration_seconds_count', { outcome: 'ok' });
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThanOrEqual(evidence.length);
    const opened = { method: 'POST', route: '/api/incidents', status: '202' };
    expect(moved(after, 'tourniquet_http_request_duration_seconds_count', opened)).toBe(1);
    expect(valueOf(after, 'tourniquet_build_info')).toBe(1);
    expect(valueOf(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('writes the incident id and workflow id on every log line an activity writes', async () => {
    const lines = app
      .logLines()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const fromActivities = lines.filter((line) => typeof line.activity === 'string');
    // The log notifier writes one line per notification from inside the notify activity.
    expect(fromActivities.filter((line) => line.activity === 'notify').length).toBeGreaterThan(0);
    for (const line of fromActivities) {
      expect(line.incidentId).toMatch(/^leak-[0-9a-f]{24}-[0-9a-f]{8}$/);
      expect(line.workflowId).toBe(String(line.incidentId).slice(0, 'leak-'.length + 24));
    }
  });

  it('answers every request with an X-Request-Id', async () => {
    const response = await fetch(`${app.baseUrl}/api/incidents`, { headers: { 'x-request-id': 'ops-metrics-1' } });
    expect(response.headers.get('x-request-id')).toBe('ops-metrics-1');
    expect((await api(app.baseUrl, 'GET', '/healthz')).body).toEqual({ ok: true });
  });
});
