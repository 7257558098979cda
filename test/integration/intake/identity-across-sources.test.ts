import { randomBytes, randomUUID } from 'node:crypto';
import { startTestApp, tokenOf, type TestApp } from '../../support/app';
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
    async (_first, _second, [, reportFirst, firstKnewId], [, reportSecond]) => {
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
    },
  );
});
