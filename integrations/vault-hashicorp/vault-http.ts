import { configurationError } from '../../domain/errors';
import { fetchProvider, httpFailure, readJson } from '../shared/http';

const PROVIDER = 'vault';

export interface VaultAnswer {
  status: number;
  body: unknown;
  /** Vault's `errors` array joined, for checks and messages. */
  errors: string;
}

/**
 * Minimal Vault HTTP client: X-Vault-Token auth, JSON bodies. Returns 2xx and the statuses the
 * caller says it expects (e.g. 400 "invalid lease" on lookup); anything else maps to the error
 * taxonomy (403 → PERMISSION_DENIED, 429 → RATE_LIMITED with Retry-After, 5xx/sealed → retry).
 */
export class VaultHttp {
  constructor(
    private readonly options: { address: string | undefined; token: string | undefined; namespace?: string },
  ) {}

  async request(
    operation: string,
    method: string,
    path: string,
    body?: unknown,
    expected: number[] = [],
  ): Promise<VaultAnswer> {
    const { address, token } = this.options;
    if (!address || !token)
      throw configurationError(`${PROVIDER}: set VAULT_ADDR and VAULT_TOKEN to contain Vault credentials`);
    const response = await fetchProvider(PROVIDER, operation, `${address.replace(/\/$/, '')}/v1/${path}`, {
      method,
      headers: {
        'x-vault-token': token,
        'content-type': 'application/json',
        ...(this.options.namespace ? { 'x-vault-namespace': this.options.namespace } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed = response.status === 204 ? {} : await readJson(PROVIDER, operation, response).catch(() => ({}));
    const errors = errorsOf(parsed);
    if (response.ok || expected.includes(response.status)) return { status: response.status, body: parsed, errors };
    throw httpFailure(PROVIDER, operation, response.status, response.headers, errors.slice(0, 200));
  }
}

function errorsOf(body: unknown): string {
  const errors = (body as { errors?: unknown }).errors;
  return Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string').join('; ') : '';
}
