import type { Logger } from 'pino';
import { z } from 'zod';
import type { ProviderAnswer } from '../../domain/evidence';
import { rateLimited } from '../../domain/errors';
import type { CredentialProvider, CredentialTarget, DeathProof, Revocation, DeathCheck } from '../ports';
import { providerAnswer } from '../shared/answer';
import { valueToRevoke } from '../shared/leaked-value';
import { fetchProvider, httpFailure, isRateLimited, rateLimitWaitMs } from '../shared/http';
import { parseCatalogField } from '../shared/parse';
import { DEFAULT_POLL, pollUntil, type PollBound } from '../shared/poll';
import type { GitHubRevocationBatcher } from './revocation-batcher';

const PROVIDER = 'github-token';

/** Catalog `locator` of a `github-token` secret: nothing is needed to find it, only optional labels. */
export const GitHubTokenLocatorSchema = z.strictObject({
  tokenType: z.enum(['classic-pat', 'fine-grained-pat', 'oauth', 'app-user', 'app-refresh']).optional(),
  owner: z.string().max(100).optional(),
});

export interface GitHubTokenDeps {
  /** REST API base (GITHUB_API_URL), used for proof of death: GET /user. */
  apiUrl: string;
  batcher: GitHubRevocationBatcher;
  poll?: PollBound;
  logger?: Logger;
}

/**
 * Revokes GitHub tokens through the credential revocation API (the token owner is notified; GitHub
 * cannot reactivate them). Idempotent: revoke first asks GET /user with the token, and a token
 * that already answers 401 is `alreadyDone` without spending the hourly budget. Proof of death =
 * GET /user answers 401, polled within a bound (revocation is processed asynchronously after 202).
 * No Rotation: GitHub cannot issue a token on someone's behalf (the owner creates one), so the
 * plan offers only revoke.
 */
export class GitHubTokenProvider implements CredentialProvider, Revocation, DeathCheck {
  readonly kind = PROVIDER;
  readonly requiresHuman = false;

  constructor(private readonly deps: GitHubTokenDeps) {}

  validateLocator(locator: Record<string, unknown>): void {
    parseCatalogField(PROVIDER, GitHubTokenLocatorSchema, 'locator', locator);
  }

  async revoke(target: CredentialTarget): Promise<ProviderAnswer> {
    const token = await this.tokenOf(target);
    if ((await this.probe(token)) === 'dead')
      return providerAnswer(PROVIDER, 'revoke', 'the token already answers 401', { alreadyDone: true });
    await this.deps.batcher.submit(token);
    this.deps.logger?.info(
      { provider: PROVIDER, incidentId: target.incidentId },
      'token submitted to the credential revocation API',
    );
    return providerAnswer(PROVIDER, 'revoke', 'GitHub accepted the token for revocation (202); the owner is notified');
  }

  async proveDead(target: CredentialTarget): Promise<DeathProof> {
    const token = await this.tokenOf(target);
    const result = await pollUntil(
      async () => ({ done: (await this.probe(token)) === 'dead' }),
      this.deps.poll ?? DEFAULT_POLL,
    );
    const check = `GET /user with the token: ${result.done ? '401 Bad credentials' : 'still accepted'} after ${result.attempts} attempt(s)`;
    return { dead: result.done, checks: [check] };
  }

  private tokenOf(target: CredentialTarget): Promise<string> {
    return valueToRevoke(target, PROVIDER, 'GitHub');
  }

  /** Asks GitHub who the token is. 401 = dead; any authenticated answer (200, 403 without rate limit) = alive. */
  private async probe(token: string): Promise<'dead' | 'alive'> {
    const response = await fetchProvider(
      PROVIDER,
      'GET /user',
      new URL('user', this.deps.apiUrl.replace(/\/?$/, '/')).toString(),
      {
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'user-agent': 'tourniquet',
        },
      },
    );
    await response.body?.cancel();
    if (response.status === 401) return 'dead';
    if (response.ok) return 'alive';
    if (isRateLimited(response.status, response.headers))
      throw rateLimited(`${PROVIDER} GET /user: rate limited`, rateLimitWaitMs(response.headers) ?? 60_000);
    if (response.status === 403) return 'alive';
    throw httpFailure(PROVIDER, 'GET /user', response.status, response.headers);
  }
}
