import { ERROR_CODES } from '../../../domain/errors';
import { VaultHttp } from '../../../integrations/vault-hashicorp/vault-http';
import { VaultProvider } from '../../../integrations/vault-hashicorp/vault-provider';
import { capturedLogger } from '../../support/captured-logger';
import { credentialTarget } from '../../support/credential-target';
import { FakeVaultApi } from '../../fakes/vault-api';

let vault: FakeVaultApi;
const capture = capturedLogger();
const provider = (token = 'root-token') =>
  new VaultProvider({
    http: new VaultHttp({ address: vault.url, token }),
    poll: { timeoutMs: 300, intervalMs: 20 },
    logger: capture.logger,
  });

beforeEach(async () => {
  vault = new FakeVaultApi('root-token');
  await vault.start();
});
afterEach(() => vault.stop());

describe('vault provider', () => {
  it.each([
    ['lease', { type: 'lease', leaseId: 'database/creds/app/abc123' }],
    ['lease-prefix', { type: 'lease-prefix', prefix: 'database/creds/app/' }],
    ['token-accessor', { type: 'token-accessor', accessor: 'accessor-0123456789' }],
  ])('revokes a %s, answers alreadyDone the second time, and proves it dead', async (kind, locator) => {
    vault.leases.add('database/creds/app/abc123').add('database/creds/app/def456').add('other/lease');
    vault.accessors.add('accessor-0123456789');
    const target = credentialTarget('vault', locator);
    expect((await provider().proveDead(target)).dead).toBe(false);
    const started = Date.now();
    await provider().revoke(target);
    const proof = await provider().proveDead(target);
    console.log(`vault ${kind} containment (revoke -> proveDead) against the fake: ${Date.now() - started} ms`);
    expect(proof.dead).toBe(true);
    expect((await provider().revoke(target)).alreadyDone).toBe(true);
    expect(vault.leases.has('other/lease')).toBe(true);
  });

  it('rotates a database static role, hands back the new password, and never logs the old one', async () => {
    const leaked = 'canary-old-db-password-0000';
    vault.staticRoles.set('app', { password: leaked, rotatedAt: '2024-01-01T00:00:00Z' });
    const target = credentialTarget('vault', { type: 'database-static-role', role: 'app' }, leaked);
    const { newValue, answer } = await provider().issueReplacement(target);
    expect(newValue).not.toBe(leaked);
    expect(answer.summary).toBe('static role app rotated');
    expect((await provider().issueReplacement(target)).newValue).toBe(newValue);
    expect((await provider().revoke(target)).alreadyDone).toBe(true);
    expect(await provider().proveDead(target)).toMatchObject({ dead: true });
    expect(capture.text()).not.toContain(leaked);
    expect(capture.text()).not.toContain(newValue);
  });

  it('maps 403 to PERMISSION_DENIED, 429 to RATE_LIMITED with Retry-After, 503 to PROVIDER_UNAVAILABLE', async () => {
    const target = credentialTarget('vault', { type: 'lease', leaseId: 'a/b' });
    await expect(provider('wrong-token').revoke(target)).rejects.toMatchObject({
      code: ERROR_CODES.permissionDenied,
      retryable: false,
    });
    vault.failNext({ status: 429, headers: { 'retry-after': '4' }, body: { errors: ['rate limit quota exceeded'] } });
    await expect(provider().revoke(target)).rejects.toMatchObject({
      code: ERROR_CODES.rateLimited,
      retryAfterMs: 4_000,
    });
    vault.failNext({ status: 503, body: { errors: ['Vault is sealed'] } });
    await expect(provider().revoke(target)).rejects.toMatchObject({
      code: ERROR_CODES.providerUnavailable,
      message: expect.stringContaining('sealed'),
    });
  });

  it('explains a bad locator', () => {
    expect(() => provider().validateLocator({ type: 'lease' })).toThrow(/locator\.leaseId/);
    expect(() => provider().validateLocator({ type: 'kv' })).toThrow(
      /lease, lease-prefix, token-accessor or database-static-role/,
    );
  });
});
