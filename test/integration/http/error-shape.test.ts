import { INTAKE_SECRETS, genericRequest, trufflehogRequest } from '../../fixtures/intake/requests';
import { startTestApp, tokenOf, type TestApp } from '../../support/app';

/**
 * README: every HTTP error, on every surface (intake, incident API, Slack, campaigns, auditor API, unknown
 * routes), is `{ "error": { "code", "message", "fields"?, "requestId" } }`, and the request id is
 * the caller's X-Request-Id (or a generated one), answered in the X-Request-Id header too.
 */
describe('one error shape everywhere', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      ...INTAKE_SECRETS,
      SLACK_SIGNING_SECRET: 'slack-signing-secret-for-tests-0001',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  async function call(
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<{ status: number; header: string | null; body: any }> {
    const response = await fetch(`${app.baseUrl}${path}`, init);
    return { status: response.status, header: response.headers.get('x-request-id'), body: await response.json() };
  }

  function expectOneShape(answer: { status: number; header: string | null; body: any }, status: number, code: string) {
    expect(answer.status).toBe(status);
    expect(Object.keys(answer.body)).toEqual(['error']);
    const { error } = answer.body;
    expect(error).toEqual({
      code,
      message: expect.any(String),
      requestId: answer.header,
      ...(error.fields ? { fields: expect.any(Object) } : {}),
    });
    expect(error.message.length).toBeGreaterThan(5);
    expect(answer.header).toEqual(expect.stringMatching(/\S/));
  }

  const bearer = (person: string) => ({
    authorization: `Bearer ${tokenOf(person)}`,
    'content-type': 'application/json',
  });

  it('intake: a forged signature, an unknown intake, a malformed alert', async () => {
    const forged = genericRequest({ detectedAt: 'x' }, new Date(), 'not-the-secret');
    expectOneShape(await call(forged.path, { method: 'POST', ...forged }), 401, 'UNAUTHENTICATED');
    expectOneShape(await call('/webhooks/pagerduty', { method: 'POST', body: '{}' }), 404, 'NOT_FOUND');
    const truffle = trufflehogRequest('not json at all');
    const bad = await call(truffle.path, { method: 'POST', ...truffle });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expectOneShape(bad, bad.status, 'INVALID_INPUT');
  });

  it('incident API: no token, bad input with fields, no such incident', async () => {
    expectOneShape(await call('/api/incidents'), 401, 'UNAUTHENTICATED');
    const invalid = await call('/api/incidents', { method: 'POST', headers: bearer('carol'), body: '{"secretId":7}' });
    expectOneShape(invalid, 400, 'INVALID_INPUT');
    expect(invalid.body.error.fields).toHaveProperty('secretId');
    // A query parameter the list does not take is named, not blamed on "the body".
    const unknown = await call('/api/incidents?cursor=abc', { headers: bearer('carol') });
    expectOneShape(unknown, 400, 'INVALID_INPUT');
    expect(unknown.body.error.fields).toEqual({ cursor: 'not a field this request takes' });
    expectOneShape(
      await call('/api/incidents/leak-000000000000000000000000', { headers: bearer('carol') }),
      404,
      'NOT_FOUND',
    );
  });

  it('incident API: a body that is not JSON, malformed JSON, a URL that does not decode', async () => {
    const text = await call('/api/incidents', {
      method: 'POST',
      headers: { ...bearer('carol'), 'content-type': 'text/plain' },
      body: 'secretId=payments-db',
    });
    expectOneShape(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(text.body.error.message).toContain('application/json');
    expectOneShape(
      await call('/api/incidents', { method: 'POST', headers: bearer('carol'), body: '{"secretId":' }),
      400,
      'INVALID_INPUT',
    );
    const undecodable = await call('/api/incidents/%zz', { headers: bearer('carol') });
    expectOneShape(undecodable, 400, 'INVALID_INPUT');
    expect(undecodable.body.error.message).toContain('URL');
  });

  it('Slack: a request whose signature does not verify', async () => {
    const unsigned = await call('/slack/events', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'command=%2Ftourniquet&text=status',
    });
    expectOneShape(unsigned, 401, 'UNAUTHENTICATED');
    expect(unsigned.body.error.message).toContain('SLACK_SIGNING_SECRET');
  });

  it('campaigns, auditor API and unknown routes', async () => {
    expectOneShape(await call('/api/campaigns?sinceHours=-1', { headers: bearer('carol') }), 400, 'INVALID_INPUT');
    const auditor = { authorization: `Bearer ${tokenOf('auditor')}` };
    expectOneShape(await call('/audit/api/incidents?limit=9999', { headers: auditor }), 400, 'INVALID_INPUT');
    expectOneShape(await call('/audit/api/incidents', { method: 'POST', headers: auditor }), 403, 'AUDITOR_READ_ONLY');
    expectOneShape(await call('/no/such/route'), 404, 'NOT_FOUND');
  });

  it('keeps the caller’s X-Request-Id, and replaces one that is not a plain id', async () => {
    const mine = await call('/api/incidents', { headers: { 'x-request-id': 'req-42.abc' } });
    expect([mine.header, mine.body.error.requestId]).toEqual(['req-42.abc', 'req-42.abc']);
    const weird = await call('/api/incidents', { headers: { 'x-request-id': 'has spaces and <html>' } });
    expect(weird.header).toMatch(/^[0-9a-f-]{36}$/);
    expect(weird.body.error.requestId).toBe(weird.header);
    const ok = await fetch(`${app.baseUrl}/healthz`, { headers: { 'x-request-id': 'health-1' } });
    expect(ok.headers.get('x-request-id')).toBe('health-1');
  });
});
