import type { Logger } from 'pino';
import { z } from 'zod';
import type { ProviderAnswer } from '../../domain/evidence';
import { permissionDenied, rateLimited } from '../../domain/errors';
import type { CredentialProvider, CredentialTarget, DeathProof, Revocation, DeathCheck } from '../ports';
import { providerAnswer } from '../shared/answer';
import { valueToRevoke } from '../shared/leaked-value';
import { fetchProvider, httpFailure, readJson, retryAfterMs } from '../shared/http';
import { parseCatalogField, parseProviderAnswer } from '../shared/parse';
import { DEFAULT_POLL, pollUntil, type PollBound } from '../shared/poll';

const PROVIDER = 'slack-token';

/** auth.test errors that mean the token no longer works. */
const DEAD_ERRORS = new Set(['invalid_auth', 'token_revoked', 'token_expired', 'account_inactive']);

const SlackAnswerSchema = z.object({ ok: z.boolean(), error: z.string().optional(), revoked: z.boolean().optional() });

export const SlackTokenLocatorSchema = z.strictObject({
  /** Labels only: Slack finds the token by its value. */
  workspace: z.string().max(100).optional(),
  tokenType: z.enum(['bot', 'user', 'app-level']).optional(),
});

/**
 * Revokes Slack tokens with auth.revoke, which the token itself must call. Idempotent: auth.test
 * first, and a token Slack already refuses is `alreadyDone`. Proof of death = auth.test answers
 * invalid_auth / token_revoked, polled within a bound. HTTP 429 and `ratelimited` honour
 * Retry-After. Slack cannot mint a replacement outside its OAuth flow: rotation is refused.
 */
export class SlackTokenProvider implements CredentialProvider, Revocation, DeathCheck {
  readonly kind = PROVIDER;
  readonly requiresHuman = false;

  constructor(private readonly deps: { apiUrl: string; poll?: PollBound; logger?: Logger }) {}

  validateLocator(locator: Record<string, unknown>): void {
    parseCatalogField(PROVIDER, SlackTokenLocatorSchema, 'locator', locator);
  }

  async revoke(target: CredentialTarget): Promise<ProviderAnswer> {
    const token = await this.tokenOf(target);
    const before = await this.call('auth.test', token);
    if (!before.ok)
      return providerAnswer(PROVIDER, 'revoke', `auth.test already answers ${before.error}`, { alreadyDone: true });
    const answer = await this.call('auth.revoke', token);
    if (!answer.ok && !DEAD_ERRORS.has(answer.error ?? ''))
      throw permissionDenied(`${PROVIDER} auth.revoke answered ${answer.error}`);
    this.deps.logger?.info({ provider: PROVIDER, incidentId: target.incidentId }, 'token revoked with auth.revoke');
    return providerAnswer(
      PROVIDER,
      'revoke',
      answer.ok ? `auth.revoke: revoked=${answer.revoked}` : `auth.revoke: ${answer.error}`,
    );
  }

  async proveDead(target: CredentialTarget): Promise<DeathProof> {
    const token = await this.tokenOf(target);
    const result = await pollUntil(async () => {
      const answer = await this.call('auth.test', token);
      return { done: !answer.ok && DEAD_ERRORS.has(answer.error ?? ''), answer };
    }, this.deps.poll ?? DEFAULT_POLL);
    const shown = result.answer.ok ? 'ok (still valid)' : result.answer.error;
    return {
      dead: result.done,
      checks: [`auth.test with the token: ${shown} after ${result.attempts} attempt(s)`],
    };
  }

  private tokenOf(target: CredentialTarget): Promise<string> {
    return valueToRevoke(target, PROVIDER, 'Slack');
  }

  /** Calls a Web API method with the token as bearer; maps transport errors, returns ok/error answers. */
  private async call(method: 'auth.test' | 'auth.revoke', token: string) {
    const url = new URL(method, this.deps.apiUrl.replace(/\/?$/, '/')).toString();
    const response = await fetchProvider(PROVIDER, method, url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw httpFailure(PROVIDER, method, response.status, response.headers);
    }
    const answer = parseProviderAnswer(SlackAnswerSchema, PROVIDER, method, await readJson(PROVIDER, method, response));
    if (answer.error === 'ratelimited')
      throw rateLimited(`${PROVIDER} ${method}: ratelimited`, retryAfterMs(response.headers) ?? 30_000);
    return answer;
  }
}
