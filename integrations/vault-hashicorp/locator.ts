import { z } from 'zod';
import { invalidInput } from '../../domain/errors';

const path = z.string().regex(/^[\w./-]+$/, 'a Vault path without leading slash, e.g. database/creds/app');

/** Catalog `locator` of a `vault` secret: what the leaked credential is inside Vault. */
export const VaultLocatorSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('lease'), leaseId: path }),
  z.strictObject({ type: z.literal('lease-prefix'), prefix: path }),
  z.strictObject({ type: z.literal('token-accessor'), accessor: z.string().min(8, 'a token accessor') }),
  z.strictObject({
    type: z.literal('database-static-role'),
    role: z.string().regex(/^[\w-]+$/, 'a static role name'),
    mount: path.default('database'),
  }),
]);
export type VaultLocator = z.infer<typeof VaultLocatorSchema>;

export function parseVaultLocator(locator: Record<string, unknown>): VaultLocator {
  const result = VaultLocatorSchema.safeParse(locator);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `locator.${issue.path.join('.') || 'type'}: ${issue.message}`);
  throw invalidInput(
    `vault: ${problems.join('; ')} (type is lease, lease-prefix, token-accessor or database-static-role)`,
  );
}
