import type { z } from 'zod';
import type { ProviderAnswer } from '../../domain/evidence';
import {
  ERROR_CODES,
  TourniquetError,
  configurationError,
  invalidInput,
  providerUnavailable,
} from '../../domain/errors';
import type { SourceAlertResolver } from '../ports';
import { providerAnswer } from '../shared/answer';
import { fetchProvider, httpFailure, readJson } from '../shared/http';
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
 * Failures map to the taxonomy through the shared HTTP helper (`shared/http.ts`), like every
 * other HTTP adapter: 401/403 → PERMISSION_DENIED, 404 → NOT_FOUND, 400/422 → INVALID_INPUT (a
 * closing 422 first re-reads the alert: resolved meanwhile is alreadyDone), 429 or an exhausted
 * rate limit → RATE_LIMITED (with the wait GitHub asked for), 5xx and network → PROVIDER_UNAVAILABLE.
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
   * patches twice. A 422 is re-checked the same way before it becomes INVALID_INPUT.
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
      if (!(error instanceof TourniquetError) || error.code !== ERROR_CODES.invalidInput) throw error;
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
    const operation = `${method} ${path}`;
    const response = await fetchProvider(PROVIDER, operation, `${this.baseUrl}${path}`, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${this.options.token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'tourniquet',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: this.options.timeoutMs ?? 10_000,
    });
    if (!response.ok) {
      // The error body is GitHub's message ("Bad credentials", "Not Found"), never alert content.
      const message = await readJson(PROVIDER, operation, response).then(
        (answer) => (answer as { message?: unknown }).message,
        () => undefined,
      );
      const detail = typeof message === 'string' ? message : '';
      throw httpFailure(PROVIDER, operation, response.status, response.headers, detail, HINTS);
    }
    const parsed = schema.safeParse(await readJson(PROVIDER, operation, response));
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

const PROVIDER = 'github';
const HINTS = {
  notFound: 'check the repository and alert number, and that GITHUB_TOKEN can see the repository',
  rejected: 'GitHub refused the request',
};

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
