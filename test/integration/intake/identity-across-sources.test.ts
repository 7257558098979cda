import { randomBytes, randomUUID } from 'node:crypto';
import { startTestApp, tokenOf, type TestApp } from '../../support/app';
import { eventually } from '../../support/http';
import { recordHistoryIfAsked } from '../../support/secrets';
import { INTAKE_SECRETS, genericRequest, post, trufflehogRequest } from '../../fixtures/intake/requests';

/**
 * README: a report "adds a sighting to the open one for the same credential", whichever source sent
 * it and whether or not that source knew the catalog id. Every ordered pair of reports of one value
 * (API or generic webhook with the catalog id; API, generic webhook or TruffleHog with the value
 * only) lands in one incident.
 */
describe('one credential, one incident, across sources', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ ...INTAKE_SECRETS });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const SECRET = 'vendor-api-key';
  const read = async (path: string) => {
    const response = await fetch(`${app.baseUrl}${path}`, { headers: { authorization: `Bearer ${tokenOf('erin')}` } });
    return (await response.json()) as Record<string, any>;
  };
  type Report = (value: string) => Promise<{ status: number; incidentId?: string; secretId?: string | null }>;

  const api =
    (catalogIdKnown: boolean): Report =>
    async (value) => {
      const response = await fetch(`${app.baseUrl}/api/incidents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokenOf('carol')}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          ...(catalogIdKnown ? { secretId: SECRET } : { description: 'a key pasted in a ticket' }),
          leakedValue: value,
          location: `https://tickets.example/${randomUUID()}`,
        }),
      });
      const body = (await response.json()) as { incidentId?: string; secretId?: string | null };
      return { status: response.status, ...body };
    };
  const generic =
    (catalogIdKnown: boolean): Report =>
    async (value) => {
      const answer = await post(
        app.baseUrl,
        genericRequest({
          id: randomUUID(),
          detectedAt: new Date().toISOString(),
          ...(catalogIdKnown ? { secretId: SECRET } : { description: 'a key in a build log' }),
          value,
          location: `https://ci.example/${randomUUID()}`,
          reportedBy: 'secretsbot',
        }),
      );
      const [first] = (answer.body.incidents ?? []) as Array<{ incidentId: string; secretId: string | null }>;
      return { status: answer.status, ...first };
    };
  const trufflehog: Report = async (value) => {
    const finding = {
      SourceMetadata: {
        Data: { Git: { repository: 'https://github.com/octo-org/tools.git', file: 'x.env', line: 1 } },
      },
      SourceName: 'trufflehog - git',
      DetectorName: 'Generic',
      Verified: false,
      Raw: value,
      Redacted: '',
      ExtraData: {},
    };
    const answer = await post(app.baseUrl, trufflehogRequest(`${JSON.stringify(finding)}\n`));
    const [first] = (answer.body.incidents ?? []) as Array<{ incidentId: string; secretId: string | null }>;
    return { status: answer.status, ...first };
  };

  const reports: Array<[string, Report, boolean]> = [
    ['API with the catalog id', api(true), true],
    ['generic webhook with the catalog id', generic(true), true],
    ['API with the value only', api(false), false],
    ['generic webhook with the value only', generic(false), false],
    ['TruffleHog (Generic detector) with the value only', trufflehog, false],
  ];
  const pairs = reports.flatMap((first) =>
    reports.filter((second) => second !== first).map((second) => [first, second]),
  );

  it.each(pairs.map(([first, second]) => [first![0], second![0], first!, second!] as const))(
    '%s, then %s: one incident',
    async (_first, _second, [, reportFirst, firstKnewId], [, reportSecond, secondKnewId]) => {
      const value = `vk_live_${randomBytes(18).toString('hex')}`;
      const first = await reportFirst(value);
      const second = await reportSecond(value);
      // Accepted: 202 from the API, 200 from a webhook.
      expect([200, 202]).toContain(first.status);
      expect([200, 202]).toContain(second.status);
      expect(first.incidentId).toEqual(expect.any(String));
      expect(second.incidentId).toBe(first.incidentId);
      // A source that only had the value is told the catalog id the first report gave.
      if (firstKnewId) expect(second.secretId).toBe(SECRET);
      // Opened from the value alone and routed to the default team, the incident learns what the
      // credential is from the later report: re-planned for the secret's owners before anyone decided.
      if (!firstKnewId && secondKnewId) {
        const status = await eventually(
          () => read(`/api/incidents/${first.incidentId}`),
          (body) => body.secretId === SECRET && body.phase === 'awaiting-decision',
          60_000,
          'the incident re-planned for the catalog secret',
        );
        expect(status).toMatchObject({ provider: 'manual', tier: 'medium', ownershipGap: false });
        expect(status.roles.primary.id).toBe('alice');
        expect(status.waitingOn.people).toEqual(expect.arrayContaining(['alice']));
        expect(status.waitingOn.people).not.toContain('erin');
        // Evidence is appended in batches: the record may reach the store a moment after the status shows the re-plan.
        const { evidence: timeline } = (await eventually(
          () => read(`/api/incidents/${first.incidentId}/timeline`),
          (body) => body.evidence?.some((e: { kind: string }) => e.kind === 'incident.identified'),
          60_000,
          'incident.identified in the timeline',
        )) as { evidence: Array<{ kind: string; details: Record<string, any> }> };
        const identified = timeline.find((e) => e.kind === 'incident.identified')!;
        expect(identified.details).toMatchObject({
          secretId: SECRET,
          ownerTeam: 'payments',
          previous: { ownerTeam: 'security' },
        });
        // The default team's approver no longer decides for the payments team's secret.
        const refused = await fetch(`${app.baseUrl}/api/incidents/${first.incidentId}/decision`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokenOf('erin')}`, 'content-type': 'application/json' },
          body: JSON.stringify({ choice: 'revoke' }),
        });
        expect(refused.status).toBe(403);
        if (_first === 'API with the value only' && _second === 'API with the catalog id')
          recordHistoryIfAsked(
            'identified-by-later-report',
            await app.client.workflow.getHandle(status.workflowId).fetchHistory(),
          );
      }
    },
  );
});
