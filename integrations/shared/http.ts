import { ERROR_CODES, providerUnavailable, TourniquetError, type ErrorCode } from '../../domain/errors';

/** Reads Retry-After (seconds or an HTTP date) into milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * How long a rate-limited answer asks us to wait: Retry-After (seconds or an HTTP date), else the
 * reset time of an exhausted primary rate limit (`x-ratelimit-remaining: 0`, `x-ratelimit-reset`
 * in epoch seconds, as GitHub sends). undefined when the answer names no wait.
 */
export function rateLimitWaitMs(headers: Headers, now = Date.now()): number | undefined {
  const retryAfter = retryAfterMs(headers, now);
  if (retryAfter !== undefined) return retryAfter;
  if (headers.get('x-ratelimit-remaining') !== '0') return undefined;
  const reset = Number(headers.get('x-ratelimit-reset'));
  return Number.isFinite(reset) && reset > 0 ? Math.max(1_000, reset * 1_000 - now) : undefined;
}

/** 429, or a 403 that is GitHub's way of saying "rate limit exceeded" (an exhausted limit or a Retry-After). */
export function isRateLimited(status: number, headers: Headers): boolean {
  if (status === 429) return true;
  return status === 403 && (headers.get('x-ratelimit-remaining') === '0' || headers.has('retry-after'));
}

/** What to tell the operator per failure, where the default (a catalog locator) is not the fix. */
export interface FailureHints {
  notFound?: string;
  rejected?: string;
}

/**
 * Maps an HTTP failure to the error taxonomy, the one mapping every HTTP adapter uses: 429 (or a
 * rate-limited 403) → RATE_LIMITED with the wait, 401/403 → PERMISSION_DENIED, 404 → NOT_FOUND,
 * 409 → CONFLICT, 5xx → PROVIDER_UNAVAILABLE (retried), any other 4xx (400, 422) → INVALID_INPUT.
 * `detail` is the provider's own error text, already reduced to something safe to log (never a
 * request body, which may hold the leaked value).
 */
export function httpFailure(
  provider: string,
  operation: string,
  status: number,
  headers: Headers,
  detail = '',
  hints: FailureHints = {},
): TourniquetError {
  const what = `${provider} ${operation} answered HTTP ${status}${detail ? ` (${detail})` : ''}`;
  const code = isRateLimited(status, headers) ? ERROR_CODES.rateLimited : codeOfHttpStatus(status);
  const advice: Partial<Record<ErrorCode, string>> = {
    RATE_LIMITED: 'throttled, retry later',
    PERMISSION_DENIED: "grant Tourniquet's credential the permissions listed in docs/providers.md",
    NOT_FOUND: hints.notFound ?? 'check the catalog locator',
    CONFLICT: 'the resource is in a conflicting state',
    PROVIDER_UNAVAILABLE: 'the provider is failing, will retry',
    INVALID_INPUT: hints.rejected ?? 'the request was rejected, check the catalog locator',
  };
  const wait = code === ERROR_CODES.rateLimited ? rateLimitWaitMs(headers) : undefined;
  return new TourniquetError(code, `${what}: ${advice[code]}`, wait);
}

/**
 * What an HTTP status says about a call, as a taxonomy code: 429 → RATE_LIMITED, 401/403 →
 * PERMISSION_DENIED, 404 → NOT_FOUND, 409 → CONFLICT, 5xx → PROVIDER_UNAVAILABLE, any other → INVALID_INPUT.
 */
export function codeOfHttpStatus(status: number): ErrorCode {
  if (status === 429) return ERROR_CODES.rateLimited;
  if (status === 401 || status === 403) return ERROR_CODES.permissionDenied;
  if (status === 404) return ERROR_CODES.notFound;
  if (status === 409) return ERROR_CODES.conflict;
  if (status >= 500) return ERROR_CODES.providerUnavailable;
  return ERROR_CODES.invalidInput;
}

export interface FetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

/**
 * fetch with a timeout; network failures become PROVIDER_UNAVAILABLE (retryable). The URL is
 * named in errors, the body never is.
 */
export async function fetchProvider(
  provider: string,
  operation: string,
  url: string,
  options: FetchOptions = {},
): Promise<Response> {
  try {
    return await fetch(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      body: options.body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'network error';
    throw providerUnavailable(
      `${provider} ${operation}: could not reach ${new URL(url).origin} (${reason}), will retry`,
    );
  }
}

/** Reads a JSON body, tolerating an empty one; a non-JSON body becomes PROVIDER_UNAVAILABLE. */
export async function readJson(provider: string, operation: string, response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw providerUnavailable(`${provider} ${operation}: answer is not JSON (HTTP ${response.status})`);
  }
}
