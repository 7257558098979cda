import type { SecretSnapshot } from '../../domain/incident';
import type { CredentialTarget } from '../../integrations/ports';

/** Builds what the workflow's activity hands a provider: a catalog snapshot and the sealed value's reader. */
export function credentialTarget(
  provider: string,
  locator: Record<string, unknown>,
  leakedValue?: string,
  overrides: Partial<SecretSnapshot> = {},
  purpose: CredentialTarget['purpose'] = 'contain',
): CredentialTarget {
  return {
    incidentId: overrides.id ? `inc-${overrides.id}` : 'inc-test-1',
    secret: {
      id: 'test-secret',
      provider,
      locator,
      ownerTeam: 'payments',
      issuingTeam: 'platform',
      tier: 'high',
      dependents: [],
      ...overrides,
    },
    purpose,
    readLeakedValue: async () => leakedValue,
  };
}
