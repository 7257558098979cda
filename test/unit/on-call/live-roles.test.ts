import { join } from 'node:path';
import type { IncidentInput } from '../../../domain/incident';
import { planIncident } from '../../../domain/plan';
import { loadCatalog } from '../../../integrations/catalog/load-catalog';
import { BackstageCatalog } from '../../../integrations/on-call/backstage';
import { LiveRoleResolver } from '../../../integrations/on-call/live-roles';
import { OpsgenieOnCall } from '../../../integrations/on-call/opsgenie';
import { PagerDutyOnCall } from '../../../integrations/on-call/pagerduty';
import { SlackPeopleByEmail } from '../../../integrations/slack/people-by-email';
import { createSlackWebClient } from '../../../integrations/slack/web-client';
import { FakeBackstage } from '../../fakes/backstage-api';
import { LoopbackFake } from '../../fakes/loopback-server';
import { FakeOpsgenie } from '../../fakes/opsgenie-api';
import { FakePagerDuty } from '../../fakes/pagerduty-api';

const catalog = loadCatalog(join(__dirname, '../../fixtures/catalog.ownership.yaml'));

function input(secretId: string): IncidentInput {
  const at = '2026-12-01T10:00:00.000Z';
  return {
    credentialFingerprint: `fp-${secretId}`,
    secretId,
    firstSighting: { source: 'api', sourceRef: 'r1', detectedAt: at, receivedAt: at, reportedBy: 'carol' },
  };
}

describe('the documented live-ownership example catalog', () => {
  it('loads, with a PagerDuty on-call team and a Backstage-owned secret', () => {
    const example = loadCatalog(join(__dirname, '../../../docs/examples/catalog.live-ownership.yaml'));
    expect(example.teams.find((team) => team.id === 'payments')?.onCall).toMatchObject({ source: 'pagerduty' });
    expect(example.secrets.find((secret) => secret.backstageEntity)?.id).toBe('billing-saas-key');
  });
});

describe('live roles from on-call tools and the service catalog', () => {
  const pagerduty = new FakePagerDuty();
  const opsgenie = new FakeOpsgenie();
  const backstage = new FakeBackstage(1);
  let resolver: LiveRoleResolver;

  beforeAll(async () => {
    await Promise.all([pagerduty.start(), opsgenie.start(), backstage.start()]);
    resolver = new LiveRoleResolver(catalog, {
      pagerduty: new PagerDutyOnCall({ baseUrl: pagerduty.url, token: pagerduty.token }),
      opsgenie: new OpsgenieOnCall({ baseUrl: opsgenie.url, apiKey: opsgenie.apiKey }),
      backstage: new BackstageCatalog({ baseUrl: backstage.url }),
    });
  });
  afterAll(async () => {
    await Promise.all([pagerduty.stop(), opsgenie.stop(), backstage.stop()]);
  });
  beforeEach(() => {
    pagerduty.requests.length = 0;
    pagerduty.failures.length = 0;
    pagerduty.onCalls = [
      { escalationPolicyId: 'PPAYMNT', level: 1, email: 'grace@example.com', name: 'Grace' },
      { escalationPolicyId: 'PPAYMNT', level: 2, email: 'carol@example.com', name: 'Carol' },
      { escalationPolicyId: 'POTHER', level: 1, email: 'erin@example.com', name: 'Erin' },
    ];
  });

  it('asks PagerDuty GET /oncalls for the team escalation policy with users included, level 1 decides, level 2 backs up', async () => {
    const plan = await resolver.refine(planIncident(catalog, input('vendor-key')), input('vendor-key'));
    expect(plan.primary.id).toBe('grace');
    expect(plan.decisionMakers.map((p) => p.id)).toEqual(['grace']);
    expect(plan.backupApprovers.map((p) => p.id)).toEqual(['carol']);
    const request = pagerduty.requests[0]!;
    expect(request.headers.authorization).toBe('Token token=pd-test-token');
    expect(request.headers.accept).toBe('application/vnd.pagerduty+json;version=2');
    const url = new URL(request.path, 'http://x');
    expect(url.pathname).toBe('/oncalls');
    expect(url.searchParams.getAll('escalation_policy_ids[]')).toEqual(['PPAYMNT']);
    expect(url.searchParams.getAll('include[]')).toEqual(['users']);
    expect(plan.roleSources).toEqual([
      expect.objectContaining({
        source: 'pagerduty',
        team: 'payments',
        outcome: 'answered',
        levels: [
          { level: 1, people: ['grace'] },
          { level: 2, people: ['carol'] },
        ],
      }),
    ]);
    expect(plan.roleSourceGap).toBeUndefined();
    expect(plan.liveOnCall).toBe(true);
  });

  it('keeps separation of duties whoever the schedule names: an on-call decider is no verifier candidate', async () => {
    pagerduty.onCalls = [{ escalationPolicyId: 'PPAYMNT', level: 1, email: 'carol@example.com', name: 'Carol' }];
    const plan = await resolver.refine(planIncident(catalog, input('vendor-key')), input('vendor-key'));
    expect(plan.primary.id).toBe('carol');
    expect(plan.verifierCandidates.map((p) => p.id)).not.toContain('carol');
    expect(plan.verifierCandidates.length).toBeGreaterThan(0);
  });

  it('falls back to the YAML roles with an ownership-gap finding when PagerDuty is down', async () => {
    pagerduty.failNext({ status: 503, body: { error: { message: 'unavailable' } } });
    const plan = await resolver.refine(planIncident(catalog, input('vendor-key')), input('vendor-key'));
    expect(plan.primary.id).toBe('alice');
    expect(plan.roleSourceGap).toBe(true);
    expect(plan.findings.join('\n')).toMatch(
      /pagerduty on-call for team payments unavailable .*HTTP 503.*fell back to the catalog/,
    );
    expect(plan.roleSources![0]).toMatchObject({ outcome: 'unreachable', fallback: 'catalog roles of team payments' });
  });

  it('records an on-call person matched to no catalog person or Slack user as an ownership gap', async () => {
    pagerduty.onCalls = [
      { escalationPolicyId: 'PPAYMNT', level: 1, email: 'oscar@contractor.example', name: 'Oscar' },
      { escalationPolicyId: 'PPAYMNT', level: 1, email: 'grace@example.com', name: 'Grace' },
    ];
    const plan = await resolver.refine(planIncident(catalog, input('vendor-key')), input('vendor-key'));
    expect(plan.primary.id).toBe('grace');
    expect(plan.roleSourceGap).toBe(true);
    expect(plan.roleSources![0]!.unknown).toEqual(['oscar@contractor.example']);
    expect(plan.findings.join('\n')).toContain('oscar@contractor.example');
  });

  it('asks the on-call again at escalation: a rotated schedule names the new backup', async () => {
    const plan = await resolver.refine(planIncident(catalog, input('vendor-key')), input('vendor-key'));
    pagerduty.onCalls = [
      { escalationPolicyId: 'PPAYMNT', level: 1, email: 'grace@example.com', name: 'Grace' },
      { escalationPolicyId: 'PPAYMNT', level: 2, email: 'bob@example.com', name: 'Bob' },
    ];
    const { backups, record } = await resolver.backupsNow(plan);
    expect(backups.map((p) => p.id)).toEqual(['bob']);
    expect(record).toMatchObject({ source: 'pagerduty', outcome: 'answered' });
  });

  it('reads Opsgenie schedules flat: the primary schedule decides, the backup schedule backs up', async () => {
    opsgenie.onCall = { 'platform-primary': ['hank@example.com'], 'platform-secondary': ['dave@example.com'] };
    const plan = await resolver.refine(planIncident(catalog, input('platform-key')), input('platform-key'));
    expect(plan.primary.id).toBe('hank');
    expect(plan.backupApprovers.map((p) => p.id)).toEqual(['dave']);
    expect(opsgenie.requests.map((r) => r.path)).toEqual([
      '/v2/schedules/platform-primary/on-calls?flat=true',
      '/v2/schedules/platform-secondary/on-calls?flat=true',
    ]);
    expect(opsgenie.requests[0]!.headers.authorization).toBe('GenieKey og-test-key');
  });

  it('takes the owner team from Backstage spec.owner, following cursor pages of the owner group members', async () => {
    backstage.entities = [
      { kind: 'Component', name: 'billing-api', owner: 'group:default/growth' },
      { kind: 'User', name: 'grace', email: 'grace@example.com', memberOf: ['group:default/growth'] },
      { kind: 'User', name: 'bob', email: 'bob@example.com', memberOf: ['group:default/growth'] },
    ];
    const plan = await resolver.refine(planIncident(catalog, input('billing-api-key')), input('billing-api-key'));
    expect(plan.secret.ownerTeam).toBe('growth');
    expect(plan.primary.id).toBe('grace');
    const record = plan.roleSources!.find((r) => r.source === 'backstage')!;
    expect(record).toMatchObject({ outcome: 'answered', ownerGroup: 'group:default/growth', ownerTeam: 'growth' });
    // One entity look-up, then two pages of members (page size 1 plus the cursor).
    expect(
      backstage.requests.filter((r) => r.path.includes('relations.memberof') || r.path.includes('cursor=')),
    ).toHaveLength(2);
  });

  it("follows a Backstage component's pagerduty.com/service-id to its on-call when the team names no schedule", async () => {
    backstage.entities = [
      {
        kind: 'Component',
        name: 'billing-api',
        owner: 'group:default/growth',
        annotations: { 'pagerduty.com/service-id': 'PSVC1' },
      },
    ];
    pagerduty.services = { PSVC1: 'POTHER' };
    const plan = await resolver.refine(planIncident(catalog, input('billing-api-key')), input('billing-api-key'));
    expect(plan.secret.ownerTeam).toBe('growth');
    expect(plan.primary.id).toBe('erin');
    expect(plan.roleSources!.map((r) => r.source)).toEqual(['backstage', 'pagerduty']);
    expect(plan.roleSources![1]!.request).toContain('GET /services/PSVC1');
  });

  it('keeps the catalog owner when Backstage does not answer, and says so', async () => {
    backstage.failNext({ status: 500, body: {} });
    const plan = await resolver.refine(planIncident(catalog, input('billing-api-key')), input('billing-api-key'));
    expect(plan.secret.ownerTeam).toBe('payments');
    expect(plan.roleSourceGap).toBe(true);
    expect(plan.findings.join('\n')).toContain('Backstage did not answer');
  });
});

describe('Slack users.lookupByEmail for on-call people the catalog does not list', () => {
  const slack = new LoopbackFake((request) => {
    const email = new URLSearchParams(request.body).get('email');
    if (email === 'oscar@contractor.example') {
      return { status: 200, body: { ok: true, user: { id: 'U0OSCAR', name: 'oscar', real_name: 'Oscar Contractor' } } };
    }
    return { status: 200, body: { ok: false, error: 'users_not_found' } };
  });
  const pagerduty = new FakePagerDuty();
  beforeAll(async () => {
    await Promise.all([slack.start(), pagerduty.start()]);
  });
  afterAll(async () => {
    await Promise.all([slack.stop(), pagerduty.stop()]);
  });

  it('makes a Slack user of an unknown on-call email, and reports only the emails nobody knows', async () => {
    pagerduty.onCalls = [
      { escalationPolicyId: 'PPAYMNT', level: 1, email: 'oscar@contractor.example', name: 'Oscar' },
      { escalationPolicyId: 'PPAYMNT', level: 2, email: 'nobody@contractor.example', name: 'Nobody' },
    ];
    const resolver = new LiveRoleResolver(catalog, {
      pagerduty: new PagerDutyOnCall({ baseUrl: pagerduty.url, token: pagerduty.token }),
      peopleByEmail: new SlackPeopleByEmail(createSlackWebClient({ token: 'xoxb-test', apiUrl: slack.url })),
    });
    const plan = await resolver.refine(planIncident(catalog, input('vendor-key')), input('vendor-key'));
    expect(plan.primary).toEqual({ id: 'slack:U0OSCAR', name: 'Oscar Contractor', slackUserId: 'U0OSCAR' });
    expect(plan.roleSources![0]!.unknown).toEqual(['nobody@contractor.example']);
    expect(slack.requests.map((r) => r.path)).toEqual(['/users.lookupByEmail', '/users.lookupByEmail']);
  });
});
