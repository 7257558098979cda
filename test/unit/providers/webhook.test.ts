import { ERROR_CODES } from '../../../domain/errors';
import { ManualDependentController } from '../../../integrations/dependents/manual-controller';
import { WebhookDependentController } from '../../../integrations/dependents/webhook-controller';
import { WebhookCredentialProvider } from '../../../integrations/webhook-provider/webhook-provider';
import { credentialTarget } from '../../support/credential-target';
import { FakeWebhookReceiver } from '../../fakes/webhook-receiver';

const KEY = 'shared-webhook-signing-key-0123456789';
let team: FakeWebhookReceiver;
const provider = (key: string | undefined = KEY) => new WebhookCredentialProvider({ signingKey: key });
const dependent = (url: string) => ({
  id: 'billing-worker',
  ownerTeam: 'payments',
  controller: 'webhook',
  target: { url },
  disable: 'before-revoke' as const,
});

beforeEach(async () => {
  team = new FakeWebhookReceiver(KEY);
  await team.start();
});
afterEach(() => team.stop());

describe('webhook provider', () => {
  it('sends a signed revoke, accepts only a signed answer, and repeats safely', async () => {
    let dead = false;
    team.answer = (payload) => {
      if (payload.operation === 'revoke') dead = true;
      return payload.operation === 'prove-dead'
        ? { status: 'done', dead, checks: ['login refused'] }
        : { status: 'done', reference: 'T-42' };
    };
    const target = credentialTarget('webhook', { url: `${team.url}/revoke` }, 'canary-webhook-secret');
    const started = Date.now();
    const answer = await provider().revoke(target);
    const proof = await provider().proveDead(target);
    console.log(`webhook containment (revoke -> proveDead) against the fake: ${Date.now() - started} ms`);
    expect(answer.answerId).toBe('T-42');
    expect(answer.alreadyDone).toBeUndefined();
    expect(proof).toEqual({ dead: true, checks: ['login refused'] });
    expect((await provider().revoke(target)).alreadyDone).toBe(true);
    expect(team.requests[0]!.headers['idempotency-key']).toBe('inc-test-1:revoke');
    expect(team.requests.every((r) => !r.body.includes('canary-webhook-secret'))).toBe(true);
  });

  it('sends the leaked value only when the locator asks for it', async () => {
    await provider().revoke(credentialTarget('webhook', { url: team.url, sendValue: true }, 'canary-webhook-secret'));
    expect(JSON.parse(team.requests[0]!.body)).toMatchObject({
      operation: 'revoke',
      value: 'canary-webhook-secret',
      purpose: 'contain',
    });
  });

  it('refuses unsigned answers and badly signed requests, and needs a signing key', async () => {
    team.signAnswers = false;
    const target = credentialTarget('webhook', { url: team.url });
    await expect(provider().revoke(target)).rejects.toMatchObject({
      code: ERROR_CODES.permissionDenied,
      message: expect.stringContaining('not signed'),
    });
    await expect(provider('another-key-entirely-0123456789').revoke(target)).rejects.toMatchObject({
      code: ERROR_CODES.permissionDenied,
    });
    await expect(new WebhookCredentialProvider({ signingKey: undefined }).revoke(target)).rejects.toMatchObject({
      code: ERROR_CODES.configuration,
    });
    team.failNext({ status: 429, headers: { 'retry-after': '9' } }, { status: 500 });
    await expect(provider().revoke(target)).rejects.toMatchObject({
      code: ERROR_CODES.rateLimited,
      retryAfterMs: 9_000,
    });
    await expect(provider().revoke(target)).rejects.toMatchObject({ code: ERROR_CODES.providerUnavailable });
  });
});

describe('dependent controllers', () => {
  it('disables and re-enables a webhook dependent, idempotently', async () => {
    const controller = new WebhookDependentController({ signingKey: KEY });
    expect((await controller.disable('inc-1', dependent(team.url))).alreadyDone).toBeUndefined();
    expect((await controller.disable('inc-1', dependent(team.url))).alreadyDone).toBe(true);
    expect((await controller.enable('inc-1', dependent(team.url))).summary).toBe('billing-worker: enable done');
    expect(team.requests.map((r) => JSON.parse(r.body).action)).toEqual(['disable', 'disable', 'enable']);
    await expect(controller.disable('inc-1', dependent('not a url'))).rejects.toThrow(/target\.url/);
  });

  it('records a manual dependent without acting', async () => {
    const answer = await new ManualDependentController().disable('inc-1', {
      ...dependent(team.url),
      controller: 'manual',
    });
    expect(answer.summary).toBe('billing-worker: owner team payments asked to stop it by hand');
  });
});
