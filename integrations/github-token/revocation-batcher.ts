import { invalidInput, rateLimited } from '../../domain/errors';
import { fetchProvider, httpFailure, retryAfterMs } from '../shared/http';

const PROVIDER = 'github-token';
const HOUR_MS = 3_600_000;

export interface BatcherOptions {
  /** GitHub's credential revocation endpoint (GITHUB_CREDENTIAL_REVOCATION_URL). */
  url: string;
  /** How long to gather tokens before sending: concurrent incidents share one request. */
  windowMs?: number;
  maxPerRequest?: number;
  maxRequestsPerHour?: number;
}

interface Waiting {
  token: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * GitHub's revocation API allows 60 requests per hour and 1,000 tokens per request. Tokens
 * submitted within one window go out together; when this process has used its hourly budget the
 * caller gets RATE_LIMITED with the wait, and Temporal retries the activity then. The budget is
 * per process: several workers share GitHub's limit, which answers 429 when they overrun it.
 * Revoking a token twice is harmless at GitHub, so a retried batch is safe.
 */
export class GitHubRevocationBatcher {
  private queue: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly sentAt: number[] = [];

  constructor(private readonly options: BatcherOptions) {}

  /** Resolves once GitHub accepted (202) a request carrying the token. */
  submit(token: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ token, resolve, reject });
      this.timer ??= setTimeout(() => void this.flush(), this.options.windowMs ?? 200);
    });
  }

  /** Requests sent in the last hour, for tests and metrics. */
  get requestsThisHour(): number {
    this.forgetOld(Date.now());
    return this.sentAt.length;
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const max = this.options.maxPerRequest ?? 1_000;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, max);
      const wait = this.budgetWait(Date.now());
      if (wait > 0) {
        const error = rateLimited(`${PROVIDER}: the hourly budget of revocation requests is used up`, wait);
        [...batch, ...this.queue.splice(0)].forEach((item) => item.reject(error));
        return;
      }
      this.sentAt.push(Date.now());
      await this.send(batch.map((item) => item.token)).then(
        () => batch.forEach((item) => item.resolve()),
        (error: Error) => batch.forEach((item) => item.reject(error)),
      );
    }
  }

  private async send(credentials: string[]): Promise<void> {
    // Unauthenticated on purpose: GitHub answers 403 to authenticated calls of this endpoint.
    const response = await fetchProvider(PROVIDER, 'credentials/revoke', this.options.url, {
      method: 'POST',
      headers: {
        accept: 'application/vnd.github+json',
        'content-type': 'application/json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'tourniquet',
      },
      body: JSON.stringify({ credentials }),
    });
    await response.body?.cancel();
    if (response.status === 202 || response.ok) return;
    if (response.status === 403 && response.headers.get('x-ratelimit-remaining') === '0') {
      const reset = Number(response.headers.get('x-ratelimit-reset')) * 1_000;
      throw rateLimited(
        `${PROVIDER}: GitHub's revocation rate limit is reached`,
        retryAfterMs(response.headers) ?? Math.max(0, reset - Date.now()),
      );
    }
    if (response.status === 422)
      throw invalidInput(
        `${PROVIDER} credentials/revoke answered 422: GitHub refused the list (not a supported token, or the endpoint considers it spam)`,
      );
    throw httpFailure(PROVIDER, 'credentials/revoke', response.status, response.headers);
  }

  private budgetWait(now: number): number {
    this.forgetOld(now);
    const limit = this.options.maxRequestsPerHour ?? 60;
    const oldest = this.sentAt[0];
    return this.sentAt.length < limit || oldest === undefined ? 0 : oldest + HOUR_MS - now;
  }

  private forgetOld(now: number): void {
    while (this.sentAt[0] !== undefined && this.sentAt[0] <= now - HOUR_MS) this.sentAt.shift();
  }
}
