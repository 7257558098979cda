import { z } from 'zod';
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
  return parseOr(schema, value, (error) =>
    providerUnavailable(`${provider} ${operation}: unexpected answer (${problems(error).join('; ')})`),
  );
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
  return parseOr(schema, value, (error) => invalidInput(`${provider}: ${problems(error, `${field}.`).join('; ')}`));
}

/** The parsed value, or the error `failure` makes of what did not fit. */
function parseOr<S extends z.ZodType>(schema: S, value: unknown, failure: (error: z.ZodError) => Error): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw failure(result.error);
}

/** Each issue of a failed parse as `<prefix><path>: <message>`. */
function problems(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => `${prefix}${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/** Text fields a sender may leave out, by name (for `z.object({ ...optionalText('a', 'b') })`). */
export function optionalText<K extends string>(...keys: K[]): Record<K, z.ZodOptional<z.ZodString>> {
  return Object.fromEntries(keys.map((key) => [key, z.string().optional()])) as Record<K, z.ZodOptional<z.ZodString>>;
}

/** Text fields a sender may leave out or send as null, by name. */
export function nullishText<K extends string>(...keys: K[]): Record<K, z.ZodOptional<z.ZodNullable<z.ZodString>>> {
  return Object.fromEntries(keys.map((key) => [key, z.string().nullish()])) as Record<
    K,
    z.ZodOptional<z.ZodNullable<z.ZodString>>
  >;
}
