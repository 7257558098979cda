import { ERROR_CODES } from '../../../domain/errors';
import { GitHubRevocationBatcher } from '../../../integrations/github-token/revocation-batcher';
import { GitHubTokenProvider } from '../../../integrations/github-token/token-provider';
import { capabilitiesOf, containmentChoices } from '../../../integrations/ports';
import { capturedLogger } from '../../support/captured-logger';
import { credentialTarget } from '../../support/credential-target';
import { FakeGitHubApi } from '../../fakes/github-api';

const CANARY = 'ghp_canaryLeakedValue0123456789abcdefABCD';
let github: FakeGitHubApi;
const capture = capturedLogger();

function provider(batcher = new GitHubRevocationBatcher({ url: `${github.url}/credentials/revoke`, windowMs: 20 })) {
  return new GitHubTokenProvider({
    apiUrl: github.url,
    batcher,
    poll: { timeoutMs: 2_000, intervalMs: 20 },
    logger: capture.logger,
  });
}

beforeEach(async () => {
  github = new FakeGitHubApi();
  await github.start();
});
afterEach(() => github.stop());

describe('github-token provider', () => {
  it('revokes through the unauthenticated revocation API and proves death with GET /user answering 401', async () => {
    github.live.add(CANARY);
    github.revokeDelayMs = 50;
    const target = credentialTarget('github-token', {}, CANARY);
    const gh = provider();
    const started = Date.now();
    expect((await gh.revoke(target)).summary).toContain('202');
    const proof = await gh.proveDead(target);
    console.log(`github-token containment (revoke -> proveDead) against the fake: ${Date.now() - started} ms`);
    expect(proof.dead).toBe(true);
    expect(proof.checks[0]).toContain('401');
    const revoke = github.requests.find((r) => r.path === '/credentials/revoke')!;
    expect(JSON.parse(revoke.body)).toEqual({ credentials: [CANARY] });
    expect(revoke.headers.authorization).toBeUndefined();
    expect((await gh.revoke(target)).alreadyDone).toBe(true);
    expect(github.revocationRequests).toBe(1);
    expect(capture.text()).not.toContain(CANARY);
  });

  it('batches concurrent incidents into one request and stops at the hourly budget', async () => {
    const tokens = Array.from({ length: 30 }, (_, i) => `ghp_batch${i}`);
    tokens.forEach((token) => github.live.add(token));
    // A wide window: on a loaded machine 30 concurrent calls can take longer than 50 ms to arrive.
    const batcher = new GitHubRevocationBatcher({
      url: `${github.url}/credentials/revoke`,
      windowMs: 1_000,
      maxRequestsPerHour: 1,
    });
    const gh = provider(batcher);
    await Promise.all(tokens.map((token) => gh.revoke(credentialTarget('github-token', {}, token))));
    expect(github.revocationRequests).toBe(1);
    github.live.add('ghp_late');
    await expect(gh.revoke(credentialTarget('github-token', {}, 'ghp_late'))).rejects.toMatchObject({
      code: ERROR_CODES.rateLimited,
      retryAfterMs: expect.any(Number),
    });
  });

  it('a token GitHub refuses (422) fails only its own incident: the batch is split, the others are revoked', async () => {
    const good = ['ghp_good1', 'ghp_good2', 'ghp_good3'];
    const bad = 'ghp_refused';
    [...good, bad].forEach((token) => github.live.add(token));
    github.refused.add(bad);
    const gh = provider(new GitHubRevocationBatcher({ url: `${github.url}/credentials/revoke`, windowMs: 1_000 }));
    const targets = [...good, bad].map((token, i) =>
      credentialTarget('github-token', {}, token, { id: `incident-${i}` }),
    );
    const results = await Promise.allSettled(targets.map((target) => gh.revoke(target)));
    // All four went out together first: the whole list was refused once.
    const lists = github.requests
      .filter((r) => r.path === '/credentials/revoke')
      .map((r) => (JSON.parse(r.body) as { credentials: string[] }).credentials);
    expect(lists[0]).toHaveLength(4);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect(results[3]).toMatchObject({ reason: { code: ERROR_CODES.invalidInput } });
    expect((results[3] as PromiseRejectedResult).reason.message).toContain('refused this token');
    // GitHub's own state: the three unrelated tokens are dead, the refused one still answers.
    for (const target of targets.slice(0, 3)) expect((await gh.proveDead(target)).dead).toBe(true);
    expect(github.live.has(bad)).toBe(true);
    expect(github.revocationRequests).toBeGreaterThanOrEqual(2);
  });

  it('maps GitHub failures: 429 with Retry-After, 5xx, 422', async () => {
    github.live.add('ghp_x');
    const target = credentialTarget('github-token', {}, 'ghp_x');
    github.failNext({ status: 429, headers: { 'retry-after': '7' } });
    await expect(provider().revoke(target)).rejects.toMatchObject({
      code: ERROR_CODES.rateLimited,
      retryAfterMs: 7_000,
    });
    github.failNext({ status: 200 }, { status: 503 });
    await expect(provider().revoke(target)).rejects.toMatchObject({
      code: ERROR_CODES.providerUnavailable,
      retryable: true,
    });
    github.failNext({ status: 200 }, { status: 422, body: { message: 'Validation Failed' } });
    await expect(provider().revoke(target)).rejects.toMatchObject({ code: ERROR_CODES.invalidInput, retryable: false });
  });

  it('refuses to revoke without the token value', async () => {
    await expect(provider().revoke(credentialTarget('github-token', {}))).rejects.toMatchObject({
      code: ERROR_CODES.invalidInput,
    });
  });

  it('has no rotation: it revokes and proves death, and the plan offers revoke only', () => {
    expect(capabilitiesOf(provider())).toEqual(['revoke', 'prove-death']);
    expect(containmentChoices(provider())).toEqual(['revoke']);
  });
});
