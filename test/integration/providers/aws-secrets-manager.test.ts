import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ERROR_CODES } from '../../../domain/errors';
import { SecretsManagerDelivery } from '../../../integrations/aws-secrets-manager/secret-delivery';
import { SecretsManagerProvider } from '../../../integrations/aws-secrets-manager/secret-provider';
import { capturedLogger } from '../../support/captured-logger';
import { credentialTarget } from '../../support/credential-target';
import { startMoto, type MotoServer } from '../../support/moto';

jest.setTimeout(60_000);

let moto: MotoServer;
let client: SecretsManagerClient;
const capture = capturedLogger();
const CANARY = 'canary-leaked-3f9c1e7a-value-never-logged';

async function storedSecret(name: string, value: string): Promise<void> {
  await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
}

async function current(name: string): Promise<string | undefined> {
  return (await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
}

beforeAll(async () => {
  moto = await startMoto();
  client = new SecretsManagerClient({
    endpoint: moto.endpoint,
    region: moto.region,
    credentials: moto.admin,
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

const deps = () => ({ clientFor: () => client, logger: capture.logger });

describe('aws-secrets-manager provider against moto_server', () => {
  it('rotates a secret without a rotation function, retires the leaked version, and proves it dead', async () => {
    await storedSecret('payments/api-key', CANARY);
    const provider = new SecretsManagerProvider(deps());
    const target = credentialTarget('aws-secrets-manager', { secretId: 'payments/api-key' }, CANARY);
    expect((await provider.proveDead(target)).dead).toBe(false);

    const started = Date.now();
    const answer = await provider.revoke(target);
    const proof = await provider.proveDead(target);
    console.log(`aws-secrets-manager containment (revoke -> proveDead) against moto: ${Date.now() - started} ms`);

    expect(answer.summary).toMatch(
      /version [0-9a-f]{64} is now AWSCURRENT .*AWSPREVIOUS removed from the leaked version/,
    );
    expect(proof).toMatchObject({ dead: true });
    expect(await current('payments/api-key')).toMatch(/^[A-Za-z0-9]{40}$/);
    expect((await provider.revoke(target)).alreadyDone).toBe(true);
    expect(capture.text()).not.toContain(CANARY);
  });

  it('issues a replacement once per incident and hands back the value that is now current', async () => {
    await storedSecret('payments/webhook-secret', 'old-value-0123456789');
    const provider = new SecretsManagerProvider(deps());
    const target = credentialTarget('aws-secrets-manager', { secretId: 'payments/webhook-secret', valueLength: 64 });
    const first = await provider.issueReplacement(target);
    const again = await provider.issueReplacement(target);
    expect(first.newValue).toHaveLength(64);
    expect(again).toMatchObject({ newValue: first.newValue, answer: { alreadyDone: true } });
    expect(await current('payments/webhook-secret')).toBe(first.newValue);
    expect(capture.text()).not.toContain(first.newValue);
  });

  it('rejects a locator without secretId, naming the field', () => {
    expect(() => new SecretsManagerProvider(deps()).validateLocator({ secret: 'x' })).toThrow(/locator\.secretId/);
  });
});

describe('aws-secrets-manager delivery against moto_server', () => {
  it('delivers a rotated value as AWSCURRENT exactly once, and a re-issued value replaces it', async () => {
    await storedSecret('deployer/aws-key', '{}');
    const delivery = new SecretsManagerDelivery(deps());
    const target = { kind: 'aws-secrets-manager', secretId: 'deployer/aws-key' };
    const value = JSON.stringify({ accessKeyId: 'AKIAEXAMPLEEXAMPLE00', secretAccessKey: 'new-secret-value-abcdef' });
    expect((await delivery.deliver('inc-7', target, value)).alreadyDone).toBeUndefined();
    expect((await delivery.deliver('inc-7', target, value)).alreadyDone).toBe(true);
    expect(await current('deployer/aws-key')).toBe(value);
    const reissued = value.replace('abcdef', 'ghijkl');
    expect((await delivery.deliver('inc-7', target, reissued)).alreadyDone).toBeUndefined();
    expect(await current('deployer/aws-key')).toBe(reissued);
    await expect(delivery.deliver('inc-7', { ...target, secretId: 'missing/secret' }, value)).rejects.toMatchObject({
      code: ERROR_CODES.notFound,
    });
    await expect(delivery.deliver('inc-7', { kind: 'aws-secrets-manager' }, value)).rejects.toThrow(
      /delivery\.secretId/,
    );
    expect(capture.text()).not.toContain('new-secret-value-abcdef');
  });
});
