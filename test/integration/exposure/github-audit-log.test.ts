import { createHash, randomBytes } from 'node:crypto';
import { GitHubAuditLogExposureSource, hashedTokenForms } from '../../../integrations/github-audit-log/exposure-source';
import { FakeGitHubAuditLog } from '../../fakes/github-audit-log-api';

const HOUR = 3_600_000;
const READER = 'audit-reader-token';
let audit: FakeGitHubAuditLog;
let url: string;

beforeAll(async () => {
  audit = new FakeGitHubAuditLog('acme', READER);
  url = await audit.start();
});
afterAll(() => audit.stop());

function query(token: string | undefined, leakedAt: number, containedAt: number) {
  return {
    incidentId: 'inc-1',
    secret: {
      id: 'ci-token',
      provider: 'github-token',
      locator: {},
      ownerTeam: 'payments',
      issuingTeam: 'platform',
      tier: 'high' as const,
      dependents: [],
    },
    leakedAt: new Date(leakedAt).toISOString(),
    containedAt: new Date(containedAt).toISOString(),
    readLeakedValue: () => Promise.resolve(token),
  };
}

describe('GitHub audit log exposure source', () => {
  it('searches by the SHA-256 of the token in padded and unpadded base64, classifies, pages, and never carries the token', async () => {
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    const [padded, unpadded] = hashedTokenForms(token);
    expect(padded).toBe(createHash('sha256').update(token).digest('base64'));
    expect(padded.endsWith('=')).toBe(true);
    expect(unpadded).toBe(padded.replace(/=+$/, ''));
    const leakedAt = Date.now() - 3 * HOUR;
    const containedAt = Date.now() - HOUR;
    // 120 clones by CI before the leak (two pages under the padded form), one under the unpadded form.
    for (let i = 0; i < 120; i++)
      audit.add({
        hashedToken: padded,
        at: new Date(leakedAt - 48 * HOUR + i * 60_000),
        action: 'git.clone',
        actorIp: '10.1.2.3',
        userAgent: 'git/2.43 ci-runner',
      });
    audit.add({
      hashedToken: unpadded,
      at: new Date(leakedAt + HOUR),
      action: 'repo.download_zip',
      actorIp: '203.0.113.50',
      userAgent: 'curl/8.4',
    });
    audit.add({
      hashedToken: padded,
      at: new Date(containedAt + 10 * 60_000),
      action: 'git.clone',
      actorIp: '203.0.113.50',
      userAgent: 'git/2.39',
    });

    const source = new GitHubAuditLogExposureSource({
      apiUrl: url,
      organization: 'acme',
      token: READER,
      lateLogsMs: 30 * 60_000,
    });
    const report = await source.report(query(token, leakedAt, containedAt));

    expect(audit.phrases().map((p) => p.split(' ')[0])).toEqual(
      expect.arrayContaining([`hashed_token:"${padded}"`, `hashed_token:"${unpadded}"`]),
    );
    expect(report.counts).toEqual({ baseline: 120, 'during-exposure': 1, 'after-containment': 1, denied: 0 });
    expect(report.usedAfterContainment).toBe(true);
    expect(report.events[0]).toMatchObject({
      action: 'git.clone',
      classification: 'after-containment',
      sourceIp: '203.0.113.50',
    });
    expect(report.candidates).toEqual([expect.objectContaining({ sourceIp: '10.1.2.3', calls: 120 })]);
    expect(report.apiCalls['github:GET /orgs/{org}/audit-log']).toBe(3);
    expect(report.complete).toBe(true);
    expect(JSON.stringify(report)).not.toContain(token);
  });

  it('says plainly what it cannot know without an Enterprise Cloud organization or without the value', async () => {
    const now = Date.now();
    const unconfigured = new GitHubAuditLogExposureSource({ apiUrl: url, token: READER });
    expect((await unconfigured.report(query('ghp_x', now - HOUR, now))).cannotKnow[0]).toContain(
      'GITHUB_AUDIT_LOG_ORG',
    );
    const withoutValue = new GitHubAuditLogExposureSource({ apiUrl: url, organization: 'acme', token: READER });
    expect((await withoutValue.report(query(undefined, now - HOUR, now))).cannotKnow[0]).toContain('was not reported');
    const notEnterprise = new GitHubAuditLogExposureSource({ apiUrl: url, organization: 'small-org', token: READER });
    await expect(notEnterprise.report(query('ghp_x', now - HOUR, now))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
