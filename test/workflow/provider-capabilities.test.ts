import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { FakeGitHubApi } from '../fakes/github-api';
import { startTestApp, TEST_CATALOG, type TestApp } from '../support/app';
import { decide, openIncident, waitForEvidence, waitForPhase } from '../support/incidents';

/**
 * A GitHub token cannot be issued on the owner's behalf: the provider has no Rotation capability,
 * so the plan offers revoke only and a `rotate` decision is refused up front (not failed later at
 * containment). Revoke still contains it, at GitHub's (fake) revocation API.
 */
describe('the plan offers only what the provider can do', () => {
  let github: FakeGitHubApi;
  let app: TestApp;

  beforeAll(async () => {
    github = new FakeGitHubApi();
    await github.start();
    const catalog = parse(readFileSync(TEST_CATALOG, 'utf8')) as { secrets: Array<Record<string, unknown>> };
    catalog.secrets.push({
      id: 'ci-github-token',
      description: 'personal access token of the CI bot',
      provider: 'github-token',
      locator: { tokenType: 'classic-pat' },
      ownerTeam: 'payments',
      issuingTeam: 'platform',
      tier: 'medium',
    });
    const path = join(mkdtempSync(join(tmpdir(), 'tourniquet-capabilities-')), 'catalog.yaml');
    writeFileSync(path, stringify(catalog));
    app = await startTestApp({
      CATALOG_PATH: path,
      GITHUB_API_URL: github.url,
      GITHUB_CREDENTIAL_REVOCATION_URL: `${github.url}/credentials/revoke`,
      TIMER_CAP_MS: '60000',
    });
  });
  afterAll(async () => {
    await app?.stop();
    await github?.stop();
  });

  it('refuses rotate for a token provider, names what it can do, and revokes when asked to', async () => {
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    github.live.add(token);
    const id = await openIncident(app, { secretId: 'ci-github-token', leakedValue: token });
    const waiting = await waitForPhase(app, id, 'awaiting-decision');
    expect(waiting.choices).toEqual(['revoke', 'false-positive']);

    const rotate = await decide(app, id, 'alice', 'rotate');
    expect(rotate.status).toBe(400);
    expect(rotate.body.error.message).toContain('github-token cannot rotate');
    expect(rotate.body.error.message).toContain('revoke, false-positive');
    // Refused, not recorded: nobody approved anything and nothing was sent to GitHub.
    const after = await waitForPhase(app, id, 'awaiting-decision');
    expect(after.approvals).toEqual([]);
    expect(github.revocationRequests).toBe(0);
    expect(github.live.has(token)).toBe(true);

    expect((await decide(app, id, 'alice', 'revoke')).status).toBe(200);
    await waitForEvidence(app, id, 'death.proven');
    expect(github.revocationRequests).toBe(1);
    expect(github.live.has(token)).toBe(false);
  });
});
