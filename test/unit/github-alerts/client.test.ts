import { TourniquetError } from '../../../domain/errors';
import { GithubAlertsClient } from '../../../integrations/github-alerts/client';
import { startFakeGithubAlertsApi, type FakeGithubAlertsApi } from '../../fakes/github-alerts-api';
import { fixture } from '../../fixtures/intake/requests';

describe('GithubAlertsClient against the loopback GitHub API', () => {
  let api: FakeGithubAlertsApi;
  let client: GithubAlertsClient;

  beforeAll(async () => {
    api = await startFakeGithubAlertsApi();
    api.setAlert(
      'octo-org',
      'payments-service',
      { ...JSON.parse(fixture('github-rest-alert.json')), secret: 'AKIAIOSFODNN7EXAMPLE' },
      JSON.parse(fixture('github-rest-locations.json')),
    );
    client = new GithubAlertsClient({ baseUrl: `${api.url}/`, token: api.token });
  });
  afterAll(() => api.close());

  const codeOf = async (work: Promise<unknown>) => {
    const error = await work.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TourniquetError);
    return error as TourniquetError;
  };

  it('reads an alert with its secret, and its locations', async () => {
    await expect(client.getAlert('octo-org', 'payments-service', 42)).resolves.toMatchObject({
      number: 42,
      secret: 'AKIAIOSFODNN7EXAMPLE',
      validity: 'active',
    });
    await expect(client.listLocations('octo-org', 'payments-service', 42)).resolves.toEqual([
      expect.objectContaining({ type: 'commit' }),
    ]);
    expect(api.requests).toContain('/repos/octo-org/payments-service/secret-scanning/alerts/42/locations?per_page=10');
  });

  it('maps GitHub errors to the taxonomy', async () => {
    expect((await codeOf(client.getAlert('octo-org', 'payments-service', 7))).code).toBe('NOT_FOUND');
    expect(
      (
        await codeOf(
          new GithubAlertsClient({ baseUrl: api.url, token: 'wrong' }).getAlert('octo-org', 'payments-service', 42),
        )
      ).code,
    ).toBe('PERMISSION_DENIED');
    api.failNext(1, 403, {
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 30),
    });
    const limited = await codeOf(client.getAlert('octo-org', 'payments-service', 42));
    expect(limited.code).toBe('RATE_LIMITED');
    expect(limited.retryAfterMs).toBeGreaterThan(20_000);
    api.failNext(1, 429, { 'retry-after': '7' });
    expect((await codeOf(client.getAlert('octo-org', 'payments-service', 42))).retryAfterMs).toBe(7000);
    api.failNext(1, 502);
    const unavailable = await codeOf(client.getAlert('octo-org', 'payments-service', 42));
    expect([unavailable.code, unavailable.retryable]).toEqual(['PROVIDER_UNAVAILABLE', true]);
  });

  it('refuses an unexpected response body as a retryable provider problem naming the field', async () => {
    api.failNext(1, 200, {}, { number: 'x' });
    const error = await codeOf(client.getAlert('octo-org', 'payments-service', 42));
    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(error.message).toMatch(/number/);
  });

  describe('resolveAlertAsRevoked', () => {
    const path = (n: number) => `/repos/octo-org/billing/secret-scanning/alerts/${n}`;
    const seed = (n: number, extra: Record<string, unknown> = {}) =>
      api.setAlert('octo-org', 'billing', { ...JSON.parse(fixture('github-rest-alert.json')), number: n, ...extra });
    const patchesOf = (n: number) => api.patches.filter((patch) => patch.path === path(n));

    it('resolves an open alert as revoked with the comment, and a retry does not patch again', async () => {
      seed(101);
      const answer = await client.resolveAlertAsRevoked(
        'octo-org/billing',
        101,
        'Revoked by Tourniquet, incident i-1: https://t.example/audit/incidents/i-1',
      );
      expect(answer).toMatchObject({
        provider: 'github',
        operation: 'secret-scanning.resolve-alert',
        summary: 'octo-org/billing#101 resolved as revoked',
      });
      expect(answer.alreadyDone).toBeUndefined();
      expect(patchesOf(101).map((patch) => patch.body)).toEqual([
        {
          state: 'resolved',
          resolution: 'revoked',
          resolution_comment: 'Revoked by Tourniquet, incident i-1: https://t.example/audit/incidents/i-1',
        },
      ]);
      const again = await client.resolveAlertAsRevoked('octo-org/billing', 101, 'second attempt');
      expect(again.alreadyDone).toBe(true);
      expect(patchesOf(101)).toHaveLength(1);
    });

    it('leaves an alert a person already resolved as it is', async () => {
      seed(102, { state: 'resolved', resolution: 'false_positive' });
      const answer = await client.resolveAlertAsRevoked('octo-org/billing', 102, 'comment');
      expect([answer.alreadyDone, answer.summary]).toEqual([
        true,
        'octo-org/billing#102 was already resolved as false_positive',
      ]);
      expect(patchesOf(102)).toHaveLength(0);
    });

    it("keeps the comment within GitHub's 270 characters", async () => {
      seed(103);
      await client.resolveAlertAsRevoked('octo-org/billing', 103, 'x'.repeat(400));
      expect(String(patchesOf(103)[0]!.body.resolution_comment)).toHaveLength(270);
    });

    it('maps refusals like every HTTP adapter: 404 NOT_FOUND, 403 PERMISSION_DENIED, 422 INVALID_INPUT, 5xx retryable', async () => {
      expect((await codeOf(client.resolveAlertAsRevoked('octo-org/billing', 999, 'c'))).code).toBe('NOT_FOUND');
      seed(104);
      api.failNextPatch(1, 403, { message: 'Resource not accessible by integration' });
      const denied = await codeOf(client.resolveAlertAsRevoked('octo-org/billing', 104, 'c'));
      expect([denied.code, denied.message]).toEqual([
        'PERMISSION_DENIED',
        expect.stringContaining(
          'PATCH /repos/octo-org/billing/secret-scanning/alerts/104 answered HTTP 403 (Resource not accessible',
        ),
      ]);
      api.failNextPatch(1, 422, { message: 'State does not match the resolution or resolution comment' });
      const refused = await codeOf(client.resolveAlertAsRevoked('octo-org/billing', 104, 'c'));
      expect([refused.code, refused.retryable]).toEqual(['INVALID_INPUT', false]);
      api.failNextPatch(1, 503);
      const unavailable = await codeOf(client.resolveAlertAsRevoked('octo-org/billing', 104, 'c'));
      expect([unavailable.code, unavailable.retryable]).toEqual(['PROVIDER_UNAVAILABLE', true]);
      expect((await codeOf(client.resolveAlertAsRevoked('billing', 104, 'c'))).code).toBe('INVALID_INPUT');
    });
  });

  it('says GITHUB_TOKEN is missing before calling GitHub', async () => {
    expect((await codeOf(new GithubAlertsClient({ baseUrl: api.url }).getAlert('o', 'r', 1))).code).toBe(
      'CONFIGURATION',
    );
  });
});
