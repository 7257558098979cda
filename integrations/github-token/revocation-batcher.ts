import { invalidInput, rateLimited } from '../../domain/errors';
import { fetchProvider, httpFailure } from '../shared/http';

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

  private async flush(): Promise<void> {
    this.timer = undefined;
    const max = this.options.maxPerRequest ?? 1_000;
    while (this.queue.length > 0) await this.deliver(this.queue.splice(0, max));
  }

  /**
   * Sends one batch. GitHub answers 422 for the whole list when it refuses any token in it, and a
   * batch mixes tokens of unrelated incidents: a refused batch is split in halves and each half
   * sent again, so only the refused token's incident fails (INVALID_INPUT) and the others are
   * revoked. Each request counts against the hourly budget; once it is used up, the rest gets
   * RATE_LIMITED with the wait.
   */
  private async deliver(batch: Waiting[]): Promise<void> {
    const wait = this.budgetWait(Date.now());
    if (wait > 0) {
      const error = rateLimited(`${PROVIDER}: the hourly budget of revocation requests is used up`, wait);
      batch.forEach((item) => item.reject(error));
      return;
    }
    this.sentAt.push(Date.now());
    let outcome: 'accepted' | 'refused';
    try {
      outcome = await this.send(batch.map((item) => item.token));
    } catch (error) {
      batch.forEach((item) => item.reject(error as Error));
      return;
    }
    if (outcome === 'accepted') {
      batch.forEach((item) => item.resolve());
    } else if (batch.length === 1) {
      batch[0]!.reject(
        invalidInput(
          `${PROVIDER} credentials/revoke answered 422: GitHub refused this token (not a supported token type, or the endpoint considers it spam)`,
        ),
      );
    } else {
      const half = Math.ceil(batch.length / 2);
      await this.deliver(batch.slice(0, half));
      await this.deliver(batch.slice(half));
    }
  }

  /** `refused` when GitHub answered 422 for the list; other failures throw, mapped to the taxonomy. */
  private async send(credentials: string[]): Promise<'accepted' | 'refused'> {
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
    if (response.status === 202 || response.ok) return 'accepted';
    if (response.status === 422) return 'refused';
    throw httpFailure(PROVIDER, 'credentials/revoke', response.status, response.headers, '', {
      rejected: 'GitHub refused the request',
    });
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
