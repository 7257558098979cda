import type { z } from 'zod';
import { invalidInput, providerUnavailable } from '../../domain/errors';

/**
 * Validates a provider's answer. A provider that answers in a shape we do not know is treated as
 * unavailable (a proxy error page, a version skew): the message names each field that did not fit.
 */
export function parseProviderAnswer<S extends z.ZodType>(
  schema: S,
  provider: string,
  operation: string,
  value: unknown,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw providerUnavailable(`${provider} ${operation}: unexpected answer (${problems(result.error).join('; ')})`);
}

/**
 * Validates catalog configuration of a provider (`field`: its locator, a delivery): the error is
 * INVALID_INPUT and names each field that does not fit (`github-token: locator.tokenSetting: ...`).
 */
export function parseCatalogField<S extends z.ZodType>(
  provider: string,
  schema: S,
  field: string,
  value: unknown,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidInput(`${provider}: ${problems(result.error, `${field}.`).join('; ')}`);
}

/** Each issue of a failed parse as `<prefix><path>: <message>`. */
function problems(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => `${prefix}${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
