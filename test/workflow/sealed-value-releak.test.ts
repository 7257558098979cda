import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { FakeGitHubApi } from '../fakes/github-api';
import { startTestApp, TEST_CATALOG, type TestApp } from '../support/app';
import { api, eventually } from '../support/http';
import { recordHistoryIfAsked } from '../support/secrets';
import { decide, verify, waitForPhase } from '../support/incidents';

jest.setTimeout(120_000);

/**
 * A GitHub token leaks, is revoked, the incident closes (its sealed copy destroyed); then the same
 * token value is reported again. The second incident must have a live sealed copy and revoke it:
 * the fake GitHub counts the token in two accepted revocation requests.
 */
describe('a value leaked again after its incident closed', () => {
  let github: FakeGitHubApi;
  let app: TestApp;

  beforeAll(async () => {
    github = new FakeGitHubApi();
    const url = await github.start();
    const catalog = parse(readFileSync(TEST_CATALOG, 'utf8')) as { secrets: unknown[] };
    catalog.secrets.push({
      id: 'release-bot-token',
      description: 'release bot personal access token',
      provider: 'github-token',
      locator: { tokenType: 'classic-pat' },
      ownerTeam: 'payments',
      issuingTeam: 'platform',
      tier: 'medium',
    });
    const catalogPath = join(mkdtempSync(join(tmpdir(), 'tourniquet-catalog-')), 'catalog.yaml');
    writeFileSync(catalogPath, stringify(catalog));
    app = await startTestApp({
      CATALOG_PATH: catalogPath,
      GITHUB_API_URL: url,
      GITHUB_CREDENTIAL_REVOCATION_URL: `${url}/credentials/revoke`,
    });
  });

  afterAll(async () => {
    await app?.stop();
    await github?.stop();
  });

  /**
   * Reports the token and takes the incident to closure. Addressed by workflow id (its newest run):
   * a report that reaches the first incident while it is still closing becomes the next incident
   * through continue-as-new, the other way a re-leak is told apart.
   */
  async function leakAndContain(token: string, where: string, alsoAt?: string): Promise<string> {
    const report = (location: string) =>
      api(app.baseUrl, 'POST', '/api/incidents', {
        as: 'carol',
        body: { secretId: 'release-bot-token', leakedValue: token, location },
      });
    const opened = await report(where);
    expect(opened.status).toBe(202);
    const id = opened.body.workflowId as string;
    let deciding = await waitForPhase(app, id, 'awaiting-decision');
    if (alsoAt) {
      // Another report of the open incident: its own sealed copy is destroyed, the incident keeps its own.
      expect((await report(alsoAt)).status).toBe(202);
      deciding = await eventually(
        () => api(app.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'erin' }),
        (r) => r.body?.sightings === 2,
        30_000,
        'the second sighting',
      ).then((r) => r.body);
    }
    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    await waitForPhase(app, id, 'awaiting-verification');
    expect((await verify(app, id, 'carol')).status).toBe(200);
    await waitForPhase(app, id, 'closed');
    return deciding.incidentId as string;
  }

  it('seals the value again for the second incident, which revokes it at GitHub', async () => {
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    github.live.add(token);
    const first = await leakAndContain(token, 'https://github.com/acme/app/blob/main/.env');
    expect(github.revocationsOf.get(token)).toBe(1);
    expect(github.live.has(token)).toBe(false);

    // The same token works again (say the revocation was reverted) and is pasted somewhere else.
    github.live.add(token);
    const second = await leakAndContain(token, 'https://gist.github.com/someone/abc', 'https://pastebin.com/x');
    expect(second).not.toBe(first);
    expect(github.revocationsOf.get(token)).toBe(2);
    expect(github.live.has(token)).toBe(false);
    expect((await app.service.status(second))?.outcome).toBe('contained');
    // Every sealed copy of the value (the first incident's, the second's, the spare report's) is destroyed.
    const copies = await app.database.query<{ live: string; total: string }>(
      `SELECT count(*) FILTER (WHERE ciphertext IS NOT NULL) AS live, count(*) AS total FROM sealed_values WHERE purpose = 'leaked'`,
    );
    expect(copies.rows[0]).toEqual({ live: '0', total: '3' });
    const workflowId = (await app.service.status(second))!.workflowId;
    const handle = app.client.workflow.getHandle(workflowId);
    await handle.result();
    recordHistoryIfAsked('sealed-per-report', await handle.fetchHistory());
  });
});
