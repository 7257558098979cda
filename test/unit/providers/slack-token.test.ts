import { ERROR_CODES } from '../../../domain/errors';
import { SlackTokenProvider } from '../../../integrations/slack-token/token-provider';
import { capturedLogger } from '../../support/captured-logger';
import { credentialTarget } from '../../support/credential-target';
import { FakeSlackTokenApi } from '../../fakes/slack-token-api';

const CANARY = 'xoxb-canary-0000-leaked-value-never-logged';
let slack: FakeSlackTokenApi;
const capture = capturedLogger();
const provider = () =>
  new SlackTokenProvider({
    apiUrl: `${slack.url}/api/`,
    poll: { timeoutMs: 500, intervalMs: 20 },
    logger: capture.logger,
  });

beforeEach(async () => {
  slack = new FakeSlackTokenApi();
  await slack.start();
});
afterEach(() => slack.stop());

describe('slack-token provider', () => {
  it('revokes with auth.revoke and proves death with auth.test answering token_revoked', async () => {
    slack.live.add(CANARY);
    const target = credentialTarget('slack-token', {}, CANARY);
    expect((await provider().proveDead(target)).dead).toBe(false);
    const started = Date.now();
    expect((await provider().revoke(target)).summary).toBe('auth.revoke: revoked=true');
    const proof = await provider().proveDead(target);
    console.log(`slack-token containment (revoke -> proveDead) against the fake: ${Date.now() - started} ms`);
    expect(proof).toMatchObject({ dead: true, checks: [expect.stringContaining('token_revoked')] });
    expect((await provider().revoke(target)).alreadyDone).toBe(true);
    expect(slack.requests.filter((r) => r.path === '/api/auth.revoke')).toHaveLength(1);
    expect(slack.requests.every((r) => r.headers.authorization === `Bearer ${CANARY}` && r.body === '')).toBe(true);
    expect(capture.text()).not.toContain(CANARY);
  });

  it('maps HTTP 429 with Retry-After, ratelimited answers, 5xx and malformed answers', async () => {
    slack.live.add('xoxb-1');
    const target = credentialTarget('slack-token', {}, 'xoxb-1');
    slack.failNext({ status: 429, headers: { 'retry-after': '3' } });
    await expect(provider().revoke(target)).rejects.toMatchObject({
      code: ERROR_CODES.rateLimited,
      retryAfterMs: 3_000,
    });
    slack.failNext({ status: 200, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '2' } });
    await expect(provider().revoke(target)).rejects.toMatchObject({
      code: ERROR_CODES.rateLimited,
      retryAfterMs: 2_000,
    });
    slack.failNext({ status: 502 });
    await expect(provider().revoke(target)).rejects.toMatchObject({ code: ERROR_CODES.providerUnavailable });
    slack.failNext({ status: 200, body: { okay: 'yes' } });
    await expect(provider().revoke(target)).rejects.toThrow(/ok: /);
  });
});
