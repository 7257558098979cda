import type { Logger } from 'pino';
import { z } from 'zod';
import type { ProviderAnswer } from '../../domain/evidence';
import { invalidInput } from '../../domain/errors';
import type { CredentialProvider, CredentialTarget, DeathProof, Revocation, Rotation, DeathCheck } from '../ports';
import { sameSecret } from '../shared/compare';
import { providerAnswer } from '../shared/answer';
import { parseProviderAnswer } from '../shared/parse';
import { DEFAULT_POLL, pollUntil, type PollBound } from '../shared/poll';
import { parseVaultLocator, type VaultLocator } from './locator';
import type { VaultHttp } from './vault-http';

const PROVIDER = 'vault';
const StaticCredsSchema = z.object({
  data: z.object({ password: z.string(), last_vault_rotation: z.string().optional() }),
});
const ListSchema = z.object({ data: z.object({ keys: z.array(z.string()) }).optional() });

interface Liveness {
  alive: boolean;
  check: string;
}

/**
 * Contains Vault (or OpenBao) credentials over the HTTP API: revoke a lease or every lease under
 * a prefix, revoke a token by accessor (Vault also revokes its children and their leases), rotate
 * a database static role. Each step looks first and answers `alreadyDone` when the credential is
 * already gone. Proof of death = the lookup fails (lease, accessor) or the role's password is no
 * longer the leaked one.
 */
export class VaultProvider implements CredentialProvider, Revocation, Rotation, DeathCheck {
  readonly kind = PROVIDER;
  /** Rotating a static role replaces its password; a rotation is never undone. */
  readonly rotationEffects = { oldCredential: 'replaced-in-place', undo: 'keep-rotation' } as const;
  readonly requiresHuman = false;

  constructor(private readonly deps: { http: VaultHttp; poll?: PollBound; logger?: Logger }) {}

  validateLocator(locator: Record<string, unknown>): void {
    parseVaultLocator(locator);
  }

  async revoke(target: CredentialTarget): Promise<ProviderAnswer> {
    const locator = parseVaultLocator(target.secret.locator);
    const before = await this.liveness(locator, await target.readLeakedValue());
    if (!before.alive) return providerAnswer(PROVIDER, 'revoke', before.check, { alreadyDone: true });
    const summary = await this.kill(locator);
    this.deps.logger?.info(
      { provider: PROVIDER, type: locator.type, incidentId: target.incidentId },
      'vault credential revoked',
    );
    return providerAnswer(PROVIDER, 'revoke', summary);
  }

  async issueReplacement(target: CredentialTarget): Promise<{ answer: ProviderAnswer; newValue: string }> {
    const locator = parseVaultLocator(target.secret.locator);
    if (locator.type !== 'database-static-role')
      throw invalidInput(
        `${PROVIDER}: ${locator.type} credentials are re-issued by the workload's next login; choose revoke`,
      );
    const leaked = await target.readLeakedValue();
    const before = await this.liveness(locator, leaked);
    const summary = before.alive ? await this.kill(locator) : before.check;
    const newValue = (await this.staticCreds(locator)).data.password;
    return { answer: providerAnswer(PROVIDER, 'issueReplacement', summary, { alreadyDone: !before.alive }), newValue };
  }

  /** A rotated static role has no previous password to return to; nothing to undo. */
  async revokeReplacement(): Promise<ProviderAnswer> {
    return providerAnswer(
      PROVIDER,
      'revokeReplacement',
      'Vault rotations are not undone: the old password must stay dead',
      { alreadyDone: true },
    );
  }

  async endDerivedSessions(): Promise<ProviderAnswer | null> {
    return null;
  }

  async proveDead(target: CredentialTarget): Promise<DeathProof> {
    const locator = parseVaultLocator(target.secret.locator);
    const leaked = await target.readLeakedValue();
    const result = await pollUntil(async () => {
      const state = await this.liveness(locator, leaked);
      return { done: !state.alive, state };
    }, this.deps.poll ?? DEFAULT_POLL);
    return {
      dead: result.done,
      checks: [result.state.check, `checked ${result.attempts} time(s)`],
    };
  }

  private async kill(locator: VaultLocator): Promise<string> {
    const http = this.deps.http;
    switch (locator.type) {
      case 'lease':
        await http.request('leases/revoke', 'PUT', 'sys/leases/revoke', { lease_id: locator.leaseId });
        return `lease ${locator.leaseId} revoked`;
      case 'lease-prefix':
        await http.request('leases/revoke-prefix', 'PUT', `sys/leases/revoke-prefix/${locator.prefix}`);
        return `leases under ${locator.prefix} revoked`;
      case 'token-accessor':
        await http.request('token/revoke-accessor', 'POST', 'auth/token/revoke-accessor', {
          accessor: locator.accessor,
        });
        return `token with accessor ${locator.accessor} and its children revoked`;
      case 'database-static-role':
        await http.request('rotate-role', 'POST', `${locator.mount}/rotate-role/${locator.role}`);
        return `static role ${locator.role} rotated`;
    }
  }

  /**
   * A look-up Vault answers with 400 once what it names is gone (revoked lease, token): dead, with
   * Vault's reason; any other answer: alive.
   */
  private async lookUp(
    operation: string,
    method: 'PUT' | 'POST',
    path: string,
    body: Record<string, string>,
    what: 'lease' | 'token',
  ): Promise<Liveness> {
    const answer = await this.deps.http.request(operation, method, path, body, [400]);
    const named = `${path} ${Object.values(body)[0]}`;
    return answer.status === 400
      ? {
          alive: false,
          check: `${named}: ${answer.errors || (what === 'lease' ? 'invalid lease' : 'invalid accessor')}`,
        }
      : { alive: true, check: `${named}: ${what} exists` };
  }

  private async liveness(locator: VaultLocator, leaked: string | undefined): Promise<Liveness> {
    const http = this.deps.http;
    switch (locator.type) {
      case 'lease':
        return this.lookUp('leases/lookup', 'PUT', 'sys/leases/lookup', { lease_id: locator.leaseId }, 'lease');
      case 'lease-prefix': {
        const answer = await http.request(
          'leases/lookup (list)',
          'GET',
          `sys/leases/lookup/${locator.prefix}?list=true`,
          undefined,
          [404],
        );
        const keys =
          answer.status === 404
            ? []
            : (parseProviderAnswer(ListSchema, PROVIDER, 'leases/lookup', answer.body).data?.keys ?? []);
        return { alive: keys.length > 0, check: `sys/leases/lookup/${locator.prefix}: ${keys.length} lease(s) left` };
      }
      case 'token-accessor':
        return this.lookUp(
          'token/lookup-accessor',
          'POST',
          'auth/token/lookup-accessor',
          { accessor: locator.accessor },
          'token',
        );
      case 'database-static-role': {
        if (!leaked)
          return {
            alive: true,
            check: `${locator.mount}/static-creds/${locator.role}: no leaked value reported, cannot tell the old password from the new`,
          };
        const creds = await this.staticCreds(locator);
        const same = sameSecret(creds.data.password, leaked);
        return {
          alive: same,
          check: `${locator.mount}/static-creds/${locator.role}: password ${same ? 'is still the leaked one' : `rotated at ${creds.data.last_vault_rotation ?? 'unknown time'}`}`,
        };
      }
    }
  }

  private async staticCreds(locator: Extract<VaultLocator, { type: 'database-static-role' }>) {
    const answer = await this.deps.http.request('static-creds', 'GET', `${locator.mount}/static-creds/${locator.role}`);
    return parseProviderAnswer(StaticCredsSchema, PROVIDER, 'static-creds', answer.body);
  }
}
