import { TourniquetError } from '../../../domain/errors';
import { GithubAlertsClient } from '../../../integrations/github-alerts/client';
import { startFakeGithubAlertsApi, type FakeGithubAlertsApi } from '../../fakes/github-alerts-api';
import { fixture } from '../../fixtures/intake/requests';

describe('GithubAlertsClient against the loopback GitHub API', () => {
  let api: FakeGithubAlertsApi;
  let client: GithubAlertsClient;

  beforeAll(async () => {
    api = await startFakeGithubAlertsApi();
    api.setAlert('octo-org', 'payments-service', { ...JSON.parse(fixture('github-rest-alert.json')), secret: 'AKIAIOSFODNN7EXAMPLE' }, JSON.parse(fixture('github-rest-locations.json')));
    client = new GithubAlertsClient({ baseUrl: `${api.url}/`, token: api.token });
  });
  afterAll(() => api.close());

  const codeOf = async (work: Promise<unknown>) => {
    const error = await work.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TourniquetError);
    return error as TourniquetError;
  };

  it('reads an alert with its secret, and its locations', async () => {
    await expect(client.getAlert('octo-org', 'payments-service', 42)).resolves.toMatchObject({ number: 42, secret: 'AKIAIOSFODNN7EXAMPLE', validity: 'active' });
    await expect(client.listLocations('octo-org', 'payments-service', 42)).resolves.toEqual([expect.objectContaining({ type: 'commit' })]);
    expect(api.requests).toContain('/repos/octo-org/payments-service/secret-scanning/alerts/42/locations?per_page=10');
  });

  it('maps GitHub errors to the taxonomy', async () => {
    expect((await codeOf(client.getAlert('octo-org', 'payments-service', 7))).code).toBe('NOT_FOUND');
    expect((await codeOf(new GithubAlertsClient({ baseUrl: api.url, token: 'wrong' }).getAlert('octo-org', 'payments-service', 42))).code).toBe('PERMISSION_DENIED');
    api.failNext(1, 403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 30) });
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

  it('says GITHUB_TOKEN is missing before calling GitHub', async () => {
    expect((await codeOf(new GithubAlertsClient({ baseUrl: api.url }).getAlert('o', 'r', 1))).code).toBe('CONFIGURATION');
  });
});
