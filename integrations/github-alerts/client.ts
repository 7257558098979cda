import type { z } from 'zod';
import {
  type TourniquetError,
  configurationError,
  notFound,
  permissionDenied,
  providerUnavailable,
  rateLimited,
} from '../../domain/errors';
import {
  GithubAlertLocationsSchema,
  GithubAlertSchema,
  type GithubAlert,
  type GithubAlertLocation,
} from './schemas';

export interface GithubAlertsClientOptions {
  /** GITHUB_API_URL, e.g. https://api.github.com (or a GHES /api/v3 root). */
  baseUrl: string;
  /** GITHUB_TOKEN: a token with `secret_scanning_alerts: read` (GitHub App installation token or PAT). */
  token?: string;
  timeoutMs?: number;
}

/**
 * Reads secret scanning alerts through GitHub's REST API. Read-only, so every call may be retried.
 * Failures map to the domain taxonomy: 401/403 → PERMISSION_DENIED, 404 → NOT_FOUND,
 * 429 or an exhausted rate limit → RATE_LIMITED (with the wait GitHub asked for), 5xx and network
 * errors → PROVIDER_UNAVAILABLE.
 */
export class GithubAlertsClient {
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

  private async get<T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T>> {
    if (!this.options.token) throw configurationError('GITHUB_TOKEN is not set: it is needed to read secret scanning alerts');
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${this.options.token}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'tourniquet',
        },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw providerUnavailable(`GitHub API unreachable: ${(error as Error).message}`);
    }
    if (!response.ok) throw await errorOf(response, path);
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw providerUnavailable(`GitHub answered an unexpected body for ${path}: ${issue?.path.join('.')}: ${issue?.message}`);
    }
    return parsed.data;
  }
}

const enc = encodeURIComponent;

async function errorOf(response: Response, path: string): Promise<TourniquetError> {
  // The error body is GitHub's message ("Bad credentials", "Not Found"), never alert content.
  const message = await response
    .json()
    .then((body: unknown) => (body as { message?: string })?.message ?? '')
    .catch(() => '');
  const what = `GitHub ${response.status} for GET ${path}${message ? `: ${message}` : ''}`;
  const retryAfterMs = retryAfterOf(response);
  if (response.status === 429 || (response.status === 403 && retryAfterMs !== undefined)) return rateLimited(what, retryAfterMs);
  if (response.status === 401 || response.status === 403) return permissionDenied(what);
  if (response.status === 404) return notFound(what);
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
