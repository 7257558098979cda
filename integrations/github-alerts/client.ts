import type { z } from 'zod';
import type { ProviderAnswer } from '../../domain/evidence';
import {
  ERROR_CODES,
  TourniquetError,
  configurationError,
  conflict,
  invalidInput,
  notFound,
  permissionDenied,
  providerUnavailable,
  rateLimited,
} from '../../domain/errors';
import type { SourceAlertResolver } from '../ports';
import { providerAnswer } from '../shared/answer';
import { GithubAlertLocationsSchema, GithubAlertSchema, type GithubAlert, type GithubAlertLocation } from './schemas';

export interface GithubAlertsClientOptions {
  /** GITHUB_API_URL, e.g. https://api.github.com (or a GHES /api/v3 root). */
  baseUrl: string;
  /**
   * GITHUB_TOKEN: a GitHub App installation token with `secret_scanning_alerts: write` ("Secret
   * scanning alerts: read and write"), or a classic PAT with `security_events` (`repo` for private
   * repositories). Read access is enough for intake; closing alerts needs write.
   */
  token?: string;
  timeoutMs?: number;
}

/**
 * Reads secret scanning alerts through GitHub's REST API and closes them once the credential is
 * revoked. Every call may be retried: reads are reads, and closing checks the alert's state first.
 * Failures map to the domain taxonomy: 401/403 → PERMISSION_DENIED, 404 → NOT_FOUND,
 * 400 → INVALID_INPUT, 422 → CONFLICT (unless the alert turns out resolved already),
 * 429 or an exhausted rate limit → RATE_LIMITED (with the wait GitHub asked for), 5xx and network
 * errors → PROVIDER_UNAVAILABLE.
 */
export class GithubAlertsClient implements SourceAlertResolver {
  private readonly baseUrl: string;

  constructor(private readonly options: GithubAlertsClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  getAlert(owner: string, repo: string, alertNumber: number): Promise<GithubAlert> {
    return this.get(`/repos/${enc(owner)}/${enc(repo)}/secret-scanning/alerts/${alertNumber}`, GithubAlertSchema);
  }

  /** The first page of locations (enough to say where it leaked; later ones arrive as location events). */
  listLocations(owner: string, repo: string, alertNumber: number, perPage = 10): Promise<GithubAlertLocation[]> {
    const path = `/repos/${enc(owner)}/${enc(repo)}/secret-scanning/alerts/${alertNumber}/locations?per_page=${perPage}`;
    return this.get(path, GithubAlertLocationsSchema);
  }

  /**
   * `PATCH .../secret-scanning/alerts/{n}` to `resolved` / `revoked` with `comment` (GitHub keeps at
   * most 270 characters and never lets it be edited). Idempotent: an alert already resolved — by an
   * earlier attempt or by a person — is left as it is and answered as already done, so a retry never
   * patches twice. A 422 is re-checked the same way before it becomes CONFLICT.
   */
  async resolveAlertAsRevoked(repository: string, alertNumber: number, comment: string): Promise<ProviderAnswer> {
    const [owner, repo] = repository.split('/');
    if (!owner || !repo) throw invalidInput(`repository: expected "owner/name", got "${repository}"`);
    const path = `/repos/${enc(owner)}/${enc(repo)}/secret-scanning/alerts/${alertNumber}`;
    const before = await this.getAlert(owner, repo, alertNumber);
    if (before.state === 'resolved') return alreadyResolved(repository, before);
    const body = {
      state: 'resolved',
      resolution: 'revoked',
      resolution_comment: comment.slice(0, RESOLUTION_COMMENT_MAX),
    };
    try {
      const after = await this.send('PATCH', path, GithubAlertSchema, body);
      return providerAnswer(
        'github',
        'secret-scanning.resolve-alert',
        `${repository}#${alertNumber} resolved as ${after.resolution ?? 'revoked'}`,
        { answerId: after.html_url ?? `${repository}#${alertNumber}` },
      );
    } catch (error) {
      if (!(error instanceof TourniquetError) || error.code !== ERROR_CODES.conflict) throw error;
      const now = await this.getAlert(owner, repo, alertNumber);
      if (now.state === 'resolved') return alreadyResolved(repository, now);
      throw error;
    }
  }

  private get<T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T>> {
    return this.send('GET', path, schema);
  }

  private async send<T extends z.ZodType>(
    method: 'GET' | 'PATCH',
    path: string,
    schema: T,
    body?: unknown,
  ): Promise<z.infer<T>> {
    if (!this.options.token)
      throw configurationError('GITHUB_TOKEN is not set: it is needed to read and close secret scanning alerts');
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${this.options.token}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'tourniquet',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw providerUnavailable(`GitHub API unreachable: ${(error as Error).message}`);
    }
    if (!response.ok) throw await errorOf(response, method, path);
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw providerUnavailable(
        `GitHub answered an unexpected body for ${path}: ${issue?.path.join('.')}: ${issue?.message}`,
      );
    }
    return parsed.data;
  }
}

const enc = encodeURIComponent;

/** GitHub's limit on `resolution_comment`. */
export const RESOLUTION_COMMENT_MAX = 270;

function alreadyResolved(repository: string, alert: GithubAlert): ProviderAnswer {
  const how = alert.resolution ? ` as ${alert.resolution}` : '';
  return providerAnswer(
    'github',
    'secret-scanning.resolve-alert',
    `${repository}#${alert.number} was already resolved${how}`,
    { answerId: alert.html_url ?? `${repository}#${alert.number}`, alreadyDone: true },
  );
}

async function errorOf(response: Response, method: string, path: string): Promise<TourniquetError> {
  // The error body is GitHub's message ("Bad credentials", "Not Found"), never alert content.
  const message = await response
    .json()
    .then((body: unknown) => (body as { message?: string })?.message ?? '')
    .catch(() => '');
  const what = `GitHub ${response.status} for ${method} ${path}${message ? `: ${message}` : ''}`;
  const retryAfterMs = retryAfterOf(response);
  if (response.status === 429 || (response.status === 403 && retryAfterMs !== undefined))
    return rateLimited(what, retryAfterMs);
  if (response.status === 401 || response.status === 403) return permissionDenied(what);
  if (response.status === 404) return notFound(what);
  if (response.status === 400) return invalidInput(what);
  if (response.status === 422) return conflict(what);
  return providerUnavailable(what);
}

/** Retry-After (seconds), or the reset time of an exhausted primary rate limit. */
function retryAfterOf(response: Response): number | undefined {
  const retryAfter = response.headers.get('retry-after');
  if (retryAfter && /^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
  if (response.headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(response.headers.get('x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset > 0) return Math.max(1000, reset * 1000 - Date.now());
  }
  return undefined;
}
