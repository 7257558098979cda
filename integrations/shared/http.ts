import {
  conflict,
  invalidInput,
  notFound,
  permissionDenied,
  providerUnavailable,
  rateLimited,
  type TourniquetError,
} from '../../domain/errors';

/** Reads Retry-After (seconds or an HTTP date) into milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Maps an HTTP failure to the error taxonomy. `detail` is the provider's own error text, already
 * reduced to something safe to log (never a request body, which may hold the leaked value).
 */
export function httpFailure(
  provider: string,
  operation: string,
  status: number,
  headers: Headers,
  detail = '',
): TourniquetError {
  const what = `${provider} ${operation} answered HTTP ${status}${detail ? ` (${detail})` : ''}`;
  if (status === 429) return rateLimited(`${what}: throttled, retry later`, retryAfterMs(headers));
  if (status === 401 || status === 403)
    return permissionDenied(`${what}: grant Tourniquet's credential the permissions listed in docs/providers.md`);
  if (status === 404) return notFound(`${what}: check the catalog locator`);
  if (status === 409) return conflict(`${what}: the resource is in a conflicting state`);
  if (status >= 500) return providerUnavailable(`${what}: the provider is failing, will retry`);
  return invalidInput(`${what}: the request was rejected, check the catalog locator`);
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
