import type { z } from 'zod';
import { providerUnavailable } from '../../domain/errors';

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
  const fields = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw providerUnavailable(`${provider} ${operation}: unexpected answer (${fields.join('; ')})`);
}
