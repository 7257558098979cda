import type { AccessCheck } from './ports';
import { PostgresRoleProvider } from './postgres-role/postgres-role-provider';

/**
 * The provider kinds `tourniquet doctor` can reach read-only, keyed by catalog `provider`, with
 * settings (admin URLs, tokens) resolved by name as the worker resolves them. Kinds missing here
 * are reported as skipped, never as healthy.
 */
export function accessChecks(resolveSetting: (name: string) => string | undefined): Record<string, AccessCheck> {
  return { postgres: new PostgresRoleProvider(resolveSetting) };
}
