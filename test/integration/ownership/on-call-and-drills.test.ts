import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startTestApp, tokenOf, type TestApp } from '../../support/app';
import { testEnvironment, withAdmin } from '../../support/environment';
import { api, eventually } from '../../support/http';
import { decide, openIncident, verify, waitForEvidence, waitForPhase } from '../../support/incidents';
import { createLoginRole } from '../../support/roles';
import { FakeBackstage } from '../../fakes/backstage-api';
import { FakeOpsgenie } from '../../fakes/opsgenie-api';
import { FakePagerDuty } from '../../fakes/pagerduty-api';
import { INTAKE_SECRETS, gitguardianRequest, post } from '../../fixtures/intake/requests';

const CATALOG = join(__dirname, '../../fixtures/catalog.ownership.yaml');
const CANARY_PATH = 'cnry-path-0123456789abcdefghijkl';

/**
 * Who is accountable right now, end to end on the real product (Temporal dev server, PostgreSQL):
 * roles from a PagerDuty fake that rotates mid-incident, delegation, approvals across teams, drills
 * against the drill provider and a tripped Canarytoken.
 */
describe('accountable now: on-call, delegation, drills, honeytokens', () => {
  const pagerduty = new FakePagerDuty();
  const opsgenie = new FakeOpsgenie();
  const backstage = new FakeBackstage();
  let app: TestApp;

  beforeAll(async () => {
    await Promise.all([pagerduty.start(), opsgenie.start(), backstage.start()]);
    app = await startTestApp({
      CATALOG_PATH: CATALOG,
      // Long enough for a loaded machine to act before the decision window closes.
      TIMER_CAP_MS: '6000',
      PAGERDUTY_API_URL: pagerduty.url,
      PAGERDUTY_API_TOKEN: pagerduty.token,
      OPSGENIE_API_URL: opsgenie.url,
      OPSGENIE_API_KEY: opsgenie.apiKey,
      BACKSTAGE_URL: backstage.url,
      CANARYTOKENS_PATH_SECRET: CANARY_PATH,
      GITGUARDIAN_SIGNATURE_TOKEN: INTAKE_SECRETS.GITGUARDIAN_SIGNATURE_TOKEN,
    });
  });
  afterAll(async () => {
    await app.stop();
    await Promise.all([pagerduty.stop(), opsgenie.stop(), backstage.stop()]);
  });
  /** A tripped honeytoken: opened as a confirmed trip scored for the team, and the role really cannot log in. */
  async function expectTripContained(incidentId: string, source: string, roleName: string): Promise<void> {
    const evidence = await waitForEvidence(app, incidentId, 'credential.revoked');
    const opened = evidence.find((r) => r.kind === 'incident.opened')!;
    expect(opened.details.sighting).toMatchObject({ source, honeytokenTripped: true, verifiedActive: true });
    expect(opened.details.exercise).toEqual({ team: 'payments', trigger: 'honeytoken' });
    const role = await withAdmin(testEnvironment().databaseUrl, (admin) =>
      admin.query<{ rolcanlogin: boolean }>('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [roleName]),
    );
    expect(role.rows[0]?.rolcanlogin).toBe(false);
  }

  beforeEach(() => {
    pagerduty.onCalls = [
      { escalationPolicyId: 'PPAYMNT', level: 1, email: 'grace@example.com', name: 'Grace' },
      { escalationPolicyId: 'PPAYMNT', level: 2, email: 'carol@example.com', name: 'Carol' },
    ];
  });

  it('asks who PagerDuty has on call, asks again at escalation after the schedule rotated, and records both answers', async () => {
    const id = await openIncident(app, { secretId: 'vendor-key', description: 'pasted in a ticket' }, 'erin');
    const waiting = await waitForPhase(app, id, 'awaiting-decision');
    expect(waiting.roles.primary.id).toBe('grace');
    // The YAML primary is not on call: the validator refuses her.
    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(403);
    // The schedule rotates before the decision window ends: bob is level 2 now, not carol.
    pagerduty.onCalls = [
      { escalationPolicyId: 'PPAYMNT', level: 1, email: 'grace@example.com', name: 'Grace' },
      { escalationPolicyId: 'PPAYMNT', level: 2, email: 'bob@example.com', name: 'Bob' },
    ];
    const escalated = await waitForPhase(app, id, 'escalated-to-backup');
    expect(escalated.waitingOn.people).toEqual(expect.arrayContaining(['grace', 'bob']));
    expect(escalated.waitingOn.people).not.toContain('carol');
    expect((await decide(app, id, 'carol', 'revoke')).status).toBe(403);
    expect((await decide(app, id, 'bob', 'revoke')).status).toBe(200);
    const evidence = await waitForEvidence(app, id, 'manual-containment.requested');
    const resolved = evidence.find((record) => record.kind === 'roles.resolved')!;
    expect(resolved.details.sources[0]).toMatchObject({
      source: 'pagerduty',
      outcome: 'answered',
      levels: [
        { level: 1, people: ['grace'] },
        { level: 2, people: ['carol'] },
      ],
    });
    expect(resolved.details.sources[0].request).toContain('escalation_policy_ids[]=PPAYMNT');
    const again = evidence.find((record) => record.kind === 'roles.re-resolved')!;
    expect(again.details).toMatchObject({ backupApprovers: ['bob'], source: { outcome: 'answered' } });
    const oncallRequests = pagerduty.requests.filter((request) => request.path.startsWith('/oncalls'));
    expect(oncallRequests.length).toBeGreaterThanOrEqual(2);
  });

  it('falls back to the catalog and records an ownership gap when PagerDuty is down', async () => {
    pagerduty.failNext({ status: 503, body: { error: { message: 'maintenance' } } });
    const id = await openIncident(app, { secretId: 'vendor-key-b', description: 'seen in CI output' }, 'erin');
    const waiting = await waitForPhase(app, id, 'awaiting-decision');
    expect(waiting.roles.primary.id).toBe('alice');
    // decision.requested is appended after ownership-gap.found and roles.resolved.
    const evidence = await waitForEvidence(app, id, 'decision.requested');
    const gap = evidence.find((record) => record.kind === 'ownership-gap.found')!;
    expect(gap.details.findings.join('\n')).toMatch(/pagerduty on-call for team payments unavailable/);
    const resolved = evidence.find((record) => record.kind === 'roles.resolved')!;
    expect(resolved.details.sources[0]).toMatchObject({
      outcome: 'unreachable',
      fallback: 'catalog roles of team payments',
    });
  });

  it('lets an approver delegate a pending decision to a named colleague, who then decides; the delegator no longer can', async () => {
    const id = await openIncident(app, { secretId: 'vendor-key-c', description: 'found in a gist' }, 'erin');
    await waitForPhase(app, id, 'awaiting-decision');
    const refused = await api(app.baseUrl, 'POST', `/api/incidents/${id}/delegation`, {
      as: 'grace',
      body: { to: 'nobody-here', reason: 'on leave' },
    });
    expect(refused.status).toBe(400);
    const byOutsider = await api(app.baseUrl, 'POST', `/api/incidents/${id}/delegation`, {
      as: 'dave',
      body: { to: 'hank', reason: 'not mine' },
    });
    expect(byOutsider.status).toBe(403);
    const delegated = await api(app.baseUrl, 'POST', `/api/incidents/${id}/delegation`, {
      as: 'grace',
      body: { to: 'dave', reason: 'I am boarding a plane; Dave knows the vendor' },
    });
    expect(delegated.status).toBe(200);
    expect((await decide(app, id, 'grace', 'revoke')).status).toBe(403);
    expect((await decide(app, id, 'dave', 'revoke')).status).toBe(200);
    const evidence = await waitForEvidence(app, id, 'decision.made');
    const record = evidence.find((r) => r.kind === 'decision.delegated')!;
    expect(record.actor).toEqual({ type: 'person', id: 'grace' });
    expect(record.details).toMatchObject({
      from: 'grace',
      to: 'dave',
      reason: 'I am boarding a plane; Dave knows the vendor',
    });
    expect(record.policy).toMatchObject({ id: 'standard', version: 1 });
    expect(evidence.find((r) => r.kind === 'decision.made')!.details.approvers).toEqual(['dave']);
  });

  it('needs its approvals from different teams when the policy says so', async () => {
    const id = await openIncident(app, { secretId: 'shared-ledger', description: 'ledger key in a log' }, 'erin');
    await waitForPhase(app, id, 'awaiting-decision');
    expect((await decide(app, id, 'ivy', 'revoke')).status).toBe(200);
    expect((await decide(app, id, 'jack', 'revoke')).status).toBe(200);
    // Two approvals, one team: not decided.
    const still = await api(app.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'erin' });
    expect(still.body.decision).toBeNull();
    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    const evidence = await waitForEvidence(app, id, 'decision.made');
    expect(evidence.find((r) => r.kind === 'decision.made')!.details.approvers).toEqual(['ivy', 'jack', 'alice']);
  });

  it('runs a drill end to end against the drill provider: DRILL messages, real decisions, nothing real touched, a report with times', async () => {
    await createLoginRole('drill_app');
    const byOutsider = await api(app.baseUrl, 'POST', '/api/drills', {
      as: 'hank',
      body: { team: 'payments', secretId: 'drill-db' },
    });
    expect(byOutsider.status).toBe(403);
    const started = await api(app.baseUrl, 'POST', '/api/drills', {
      as: 'alice',
      body: { team: 'payments', secretId: 'drill-db' },
      idempotencyKey: 'drill-payments-2026-12',
    });
    expect(started.status).toBe(202);
    const again = await api(app.baseUrl, 'POST', '/api/drills', {
      as: 'alice',
      body: { team: 'payments', secretId: 'drill-db' },
      idempotencyKey: 'drill-payments-2026-12',
    });
    expect(again.body.incidentId).toBe(started.body.incidentId);
    const id = started.body.incidentId as string;
    expect(id).toMatch(/^drill-/);
    const waiting = await waitForPhase(app, id, 'awaiting-decision');
    expect(waiting.roles.primary.id).toBe('grace');
    expect(waiting.drill).toMatchObject({ team: 'payments', trigger: 'on-demand' });
    const decided = await decide(app, id, 'grace', 'revoke');
    expect(decided.text).toContain('"decision"');
    await waitForPhase(app, id, 'awaiting-verification');
    expect((await verify(app, id, 'carol', 'drill: checked the runbook steps')).status).toBe(200);
    const evidence = await waitForEvidence(app, id, 'incident.closed');
    const opened = evidence.find((r) => r.kind === 'incident.opened')!;
    expect(opened.details.drill).toMatchObject({ team: 'payments', requestedBy: 'alice', trigger: 'on-demand' });
    expect(opened.details.provider).toBe('drill');
    expect(evidence.filter((r) => r.policy.inputs.drill !== true).map((r) => r.kind)).toEqual([]);
    const revoked = evidence.find((r) => r.kind === 'credential.revoked')!;
    expect(revoked.providerAnswer).toMatchObject({ provider: 'drill' });
    // The borrowed role was never touched: it can still log in.
    const role = await withAdmin(testEnvironment().databaseUrl, (admin) =>
      admin.query<{ rolcanlogin: boolean }>('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', ['drill_app']),
    );
    expect(role.rows[0]?.rolcanlogin).toBe(true);
    expect(app.logLines()).toContain('[DRILL] A leaked credential needs your decision: drill-db');
    const report = await api(app.baseUrl, 'GET', '/api/drills/report?team=payments', { as: 'erin' });
    expect(report.status).toBe(200);
    const run = report.body.drills.find((d: { incidentId: string }) => d.incidentId === id);
    expect(run).toMatchObject({ closed: true, trigger: 'on-demand', answeredBy: ['grace', 'carol'] });
    for (const step of ['msToAcknowledge', 'msToDecide', 'msToContain', 'msToVerify']) {
      expect(run[step]).toBeGreaterThanOrEqual(0);
    }
    expect(report.body.medians.msToVerify).toBeGreaterThanOrEqual(run.msToDecide);
    // Drills stay out of production figures.
    const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
    expect(metrics).toContain('tourniquet_incidents_opened_total');
    expect(metrics).not.toMatch(/tourniquet_incidents_opened_total\{[^}]*source="drill"/);
    const forAuditors = await api(app.baseUrl, 'GET', '/audit/api/drills?team=payments', { as: 'auditor' });
    expect(forAuditors.status).toBe(200);
    expect(forAuditors.body.drills.map((d: { incidentId: string }) => d.incidentId)).toContain(id);
    const portal = await fetch(`${app.baseUrl}/audit/drills?team=payments`, {
      headers: { authorization: `Bearer ${tokenOf('auditor')}` },
    });
    const pageHtml = await portal.text();
    expect(portal.status).toBe(200);
    expect(pageHtml).toContain(id);
    expect(pageHtml).toContain('grace, carol');
    const missingTeam = await api(app.baseUrl, 'GET', '/api/drills/report', { as: 'erin' });
    expect(missingTeam.status).toBe(400);
  });

  it('schedules recurring drills as a Temporal Schedule; a fired schedule opens a drill incident that reports as scheduled', async () => {
    const bad = await api(app.baseUrl, 'POST', '/api/drills/schedules', {
      as: 'alice',
      body: { team: 'payments', secretId: 'vendor-key', every: 'fortnightly' },
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('every');
    const created = await api(app.baseUrl, 'POST', '/api/drills/schedules', {
      as: 'alice',
      body: { team: 'payments', secretId: 'vendor-key', every: '30d' },
    });
    expect(created.status).toBe(201);
    const scheduleId = created.body.scheduleId as string;
    try {
      const described = await app.client.schedule.getHandle(scheduleId).describe();
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'scheduledDrill' });
      await app.service.triggerDrillSchedule(scheduleId);
      const report = await eventually(
        () => api(app.baseUrl, 'GET', '/api/drills/report?team=payments&last=50', { as: 'erin' }),
        (r) => r.body?.drills?.some((d: { trigger: string }) => d.trigger === 'scheduled'),
        30_000,
        'a scheduled drill in the report',
      );
      const run = report.body.drills.find((d: { trigger: string }) => d.trigger === 'scheduled');
      const status = await waitForPhase(app, run.incidentId, 'awaiting-decision');
      expect(status.provider).toBe('drill');
    } finally {
      await app.client.schedule.getHandle(scheduleId).delete();
    }
  });

  it('drives drills from the CLI with exit codes: 0 done, 1 refused by the API, 2 usage', async () => {
    // Asynchronous: the product serves the CLI's requests from this same process.
    const cli = (args: string[], as = 'alice') =>
      new Promise<{ status: number | null; stdout: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', join(__dirname, '../../../entrypoints/cli/main.ts'), ...args],
          {
            env: { ...process.env, TOURNIQUET_URL: app.baseUrl, TOURNIQUET_TOKEN: tokenOf(as) },
            stdio: ['ignore', 'pipe', 'ignore'],
          },
        );
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.on('close', (status) => resolve({ status, stdout }));
      });
    const started = await cli(['drill', 'start', '--team', 'payments', '--secret', 'vendor-key']);
    expect(started.status).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({ drill: true, workflowId: expect.stringMatching(/^drill-/) });
    expect((await cli(['drill', 'start', '--team', 'payments', '--secret', 'vendor-key'], 'hank')).status).toBe(1);
    expect((await cli(['drill', 'start', '--secret', 'vendor-key'])).status).toBe(2);
    const report = await cli(['drill', 'report', '--team', 'payments']);
    expect(report.status).toBe(0);
    expect(JSON.parse(report.stdout).team).toBe('payments');
  });

  it('contains a tripped Canarytoken at once, flags it as a honeytoken trip and scores the team', async () => {
    await createLoginRole('honey_app');
    const alert = {
      manage_url: 'https://canarytokens.example/manage?token=cnry_honey_db_token',
      memo: 'decoy DB password in the staging config repo',
      channel: 'HTTP',
      token: 'cnry_honey_db_token',
      token_type: 'http',
      src_ip: '203.0.113.9',
      time: '2026-12-03 06:00:00 (UTC)',
      additional_data: { useragent: 'curl/8.5' },
    };
    const wrong = await fetch(`${app.baseUrl}/webhooks/canarytokens/not-the-secret-path-xxxxxxx`, {
      method: 'POST',
      body: JSON.stringify(alert),
    });
    expect(wrong.status).toBe(401);
    const response = await fetch(`${app.baseUrl}/webhooks/canarytokens/${CANARY_PATH}`, {
      method: 'POST',
      body: JSON.stringify(alert),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { incidents: Array<{ incidentId: string; secretId: string }> };
    expect(body.incidents[0]!.secretId).toBe('honey-db');
    const id = body.incidents[0]!.incidentId;
    await expectTripContained(id, 'canarytokens', 'honey_app');
    const report = await api(app.baseUrl, 'GET', '/api/drills/report?team=payments', { as: 'erin' });
    expect(report.body.drills.map((d: { incidentId: string }) => d.incidentId)).toContain(id);
  });

  it('contains a tripped GitGuardian honeytoken (signed like every GitGuardian event) and joins its later uses', async () => {
    await createLoginRole('honey_gg_app');
    const honeytokenId = '5b1f3c2e-9d4a-4e8b-a7c6-0f2d1e3b4a59';
    const triggered = {
      source: 'GitGuardian',
      timestamp: new Date().toISOString(),
      action: 'honeytoken_triggered',
      message: 'This honeytoken has been triggered.',
      target_user: null,
      honeytoken: {
        id: honeytokenId,
        name: 'decoy-db-in-ci-cache',
        description: '',
        created_at: '2026-11-02T10:00:00Z',
        gitguardian_url: `https://dashboard.gitguardian.com/workspace/1/honeytokens/${honeytokenId}`,
        status: 'triggered',
        triggered_at: new Date().toISOString(),
        revoked_at: null,
        open_events_count: 1,
        type: 'AWS',
      },
    };
    const unsigned = await post(app.baseUrl, gitguardianRequest(triggered, new Date(), 'not-the-signature-token'));
    expect(unsigned.status).toBe(401);
    const opened = await post(app.baseUrl, gitguardianRequest(triggered));
    expect(opened.status).toBe(200);
    const [incident] = opened.body.incidents as Array<{ incidentId: string; secretId: string }>;
    expect(incident!.secretId).toBe('honey-gg-db');
    const use = {
      source: 'GitGuardian',
      timestamp: new Date().toISOString(),
      action: 'new_honeytoken_event',
      message: 'A new honeytoken event has been received.',
      target_user: null,
      honeytoken_event: {
        id: 'c0ffee00-0000-4000-8000-000000000001',
        honeytoken_id: honeytokenId,
        ip_address: '198.51.100.7',
      },
    };
    const later = await post(app.baseUrl, gitguardianRequest(use));
    expect(later.status).toBe(200);
    expect((later.body.incidents as Array<{ incidentId: string }>)[0]!.incidentId).toBe(incident!.incidentId);

    await expectTripContained(incident!.incidentId, 'gitguardian', 'honey_gg_app');
    await eventually(
      () => api(app.baseUrl, 'GET', `/api/incidents/${incident!.incidentId}`, { as: 'erin' }),
      (r) => r.body.sightings === 2,
      30_000,
      'the later use joined as a sighting',
    );
  });
});
