import { CatalogSchema } from '../../../domain/catalog';
import type { IncidentInput, PersonRef, Sighting } from '../../../domain/incident';
import { planIncident } from '../../../domain/plan';

/**
 * A catalog shaped to exercise each planning rule: a full team (payments), a team without backup
 * or verifiers (platform), a team whose only backup is its primary (solo), a team with no decision
 * maker (leaderless), and policies that differ in auto-contain rules and approvals.
 */
const catalog = CatalogSchema.parse({
  version: 1,
  defaultOwnerTeam: 'security',
  defaultPolicy: 'standard',
  people: ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'].map((id) => ({ id, name: id.toUpperCase() })),
  teams: [
    {
      id: 'security',
      name: 'Security',
      decisionMakers: ['erin'],
      backupApprovers: ['frank'],
      verifiers: ['frank'],
      executors: ['erin'],
    },
    {
      id: 'payments',
      name: 'Payments',
      decisionMakers: ['alice', 'grace'],
      backupApprovers: ['bob'],
      verifiers: ['carol'],
      executors: ['alice'],
    },
    { id: 'platform', name: 'Platform', decisionMakers: ['dave'], executors: ['dave'] },
    { id: 'solo', name: 'Solo', decisionMakers: ['alice'], backupApprovers: ['alice'] },
    { id: 'leaderless', name: 'Leaderless', verifiers: ['carol'] },
  ],
  policies: [
    {
      id: 'standard',
      version: 3,
      decisionTimeout: '10m',
      backupTimeout: '5m',
      handoffReminder: '1m',
      handoffTimeout: '1h',
      autoContain: [{ minTier: 'high', verifiedActive: true, publiclyExposed: true, action: 'revoke' }],
    },
    { id: 'public-rotate', version: 1, autoContain: [{ minTier: 'medium', publiclyExposed: true, action: 'rotate' }] },
    {
      id: 'strict',
      version: 2,
      requireIssuerApproval: true,
      approvalsRequired: { low: 1, medium: 2, high: 3, critical: 4 },
    },
  ],
  secrets: [
    {
      id: 'payments-db',
      provider: 'postgres',
      ownerTeam: 'payments',
      issuingTeam: 'platform',
      tier: 'high',
      dependents: [{ id: 'payments-api', ownerTeam: 'platform', controller: 'manual' }],
    },
    { id: 'low-key', provider: 'postgres', ownerTeam: 'payments', tier: 'low' },
    { id: 'ledger-db', provider: 'postgres', ownerTeam: 'payments', tier: 'critical' },
    { id: 'vendor-key', provider: 'manual', ownerTeam: 'payments', tier: 'medium' },
    { id: 'platform-key', provider: 'postgres', ownerTeam: 'platform', tier: 'medium' },
    { id: 'solo-key', provider: 'postgres', ownerTeam: 'solo', tier: 'medium' },
    { id: 'orphan-key', provider: 'postgres', ownerTeam: 'leaderless', tier: 'medium' },
    { id: 'security-key', provider: 'postgres', ownerTeam: 'security', tier: 'medium' },
    { id: 'public-key', provider: 'postgres', ownerTeam: 'payments', tier: 'medium', policy: 'public-rotate' },
    { id: 'strict-key', provider: 'postgres', ownerTeam: 'payments', tier: 'high', policy: 'strict' },
  ],
});

function input(
  secretId: string | null,
  sighting: Partial<Sighting> = {},
  extra: Partial<IncidentInput> = {},
): IncidentInput {
  return {
    credentialFingerprint: 'f1ngerpr1nt0123456789abcdef',
    secretId,
    firstSighting: {
      source: 'api',
      sourceRef: 'ref-1',
      detectedAt: '2025-01-01T00:00:00.000Z',
      receivedAt: '2025-01-01T00:00:01.000Z',
      reportedBy: 'carol',
      ...sighting,
    },
    ...extra,
  };
}

const ids = (people: PersonRef[]) => people.map((person) => person.id);
const plan = (...args: Parameters<typeof input>) => planIncident(catalog, input(...args));

describe('planIncident: roles', () => {
  it('takes decision makers, backup and executors from the owner and issuing teams', () => {
    const result = plan('payments-db');
    expect(result.primary).toEqual({ id: 'alice', name: 'ALICE', slackUserId: undefined });
    expect(ids(result.decisionMakers)).toEqual(['alice', 'grace']);
    expect(ids(result.backupApprovers)).toEqual(['bob']);
    expect(ids(result.executors)).toEqual(['dave']);
    expect(ids(result.escalationContacts)).toEqual(['erin']);
    expect(result.ownershipGap).toBe(false);
    expect(result.findings).toEqual([]);
  });

  it('names the people who acknowledge each dependent, once each', () => {
    expect(
      Object.fromEntries(Object.entries(plan('payments-db').dependentOwners).map(([id, people]) => [id, ids(people)])),
    ).toEqual({
      'payments-api': ['dave'],
    });
  });

  it('orders verifier candidates: owner team verifiers, then the default team verifiers, then its decision makers', () => {
    expect(ids(plan('payments-db').verifierCandidates)).toEqual(['carol', 'frank', 'erin']);
  });

  it('lists a verifier candidate once even when teams overlap', () => {
    expect(ids(plan('security-key').verifierCandidates)).toEqual(['frank', 'erin']);
  });

  it("falls back to the default team's backups and decision makers when the team has no backup", () => {
    const result = plan('platform-key');
    expect(ids(result.backupApprovers)).toEqual(['frank', 'erin']);
    expect(result.findings).toContain(
      'team platform has no backup approver other than the primary; escalation goes to security',
    );
  });

  it('never makes the primary their own backup', () => {
    const result = plan('solo-key');
    expect(result.primary.id).toBe('alice');
    expect(ids(result.backupApprovers)).toEqual(['frank', 'erin']);
  });

  it('lets the default team decide for a team without decision makers, and says so', () => {
    const result = plan('orphan-key');
    expect(result.primary.id).toBe('erin');
    expect(result.findings).toContain('team leaderless has no decision maker; security decides');
  });
});

describe('planIncident: credentials the catalog does not know', () => {
  it('routes an unknown secret id to the default owner team, contained by hand, with an ownership-gap finding', () => {
    const result = plan('not-in-catalog');
    expect(result.ownershipGap).toBe(true);
    expect(result.findings).toContain(
      'ownership gap: secret "not-in-catalog" is not in the catalog; routed to security',
    );
    expect(result.secret).toMatchObject({
      id: 'unknown-f1ngerpr1nt0',
      ownerTeam: 'security',
      issuingTeam: 'security',
      provider: 'manual',
    });
    expect(result.containment).toBe('manual');
    expect(result.primary.id).toBe('erin');
    expect(ids(result.executors)).toEqual(['erin']);
  });

  it('keeps what the reporter said about a credential that matches nothing', () => {
    const result = plan(null, {}, { description: 'a token in a pastebin', providerHint: 'trufflehog:Stripe' });
    expect(result.findings).toContain(
      'ownership gap: the reported credential matches no catalog secret; routed to security',
    );
    expect(result.secret.description).toBe('a token in a pastebin');
    expect(result.secret.locator).toEqual({ hint: 'trufflehog:Stripe' });
    expect(result.policy.id).toBe('standard');
  });
});

describe('planIncident: policy', () => {
  const publicAndActive = { verifiedActive: true, publiclyExposed: true };

  it('contains at once when tier, verified-active and public exposure all match the rule', () => {
    expect(plan('payments-db', publicAndActive).policy.autoContain).toEqual({
      action: 'revoke',
      matchedRule: { minTier: 'high', verifiedActive: true, publiclyExposed: true, action: 'revoke' },
    });
  });

  it('applies a minimum tier to higher tiers too', () => {
    expect(plan('ledger-db', publicAndActive).policy.autoContain?.action).toBe('revoke');
  });

  it('asks instead when the tier is below the rule', () => {
    expect(plan('low-key', publicAndActive).policy.autoContain).toBeNull();
  });

  it('asks instead when the leak is not known to be active or not public', () => {
    expect(plan('payments-db', { publiclyExposed: true }).policy.autoContain).toBeNull();
    expect(plan('payments-db', { verifiedActive: true, publiclyExposed: false }).policy.autoContain).toBeNull();
  });

  it('ignores a condition the rule leaves unset', () => {
    expect(plan('public-key', { publiclyExposed: true, verifiedActive: false }).policy.autoContain?.action).toBe(
      'rotate',
    );
  });

  it('never auto-contains a canary, whatever else matches', () => {
    expect(plan('payments-db', { ...publicAndActive, canary: true }).policy.autoContain).toBeNull();
  });

  it('requires the approvals the policy sets for the tier', () => {
    expect(plan('low-key').policy.approvalsRequired).toBe(1);
    expect(plan('payments-db').policy.approvalsRequired).toBe(1);
    expect(plan('ledger-db').policy.approvalsRequired).toBe(2);
    expect(plan('strict-key').policy.approvalsRequired).toBe(3);
  });

  it('snapshots the policy version and its timers in milliseconds', () => {
    expect(plan('payments-db').policy).toMatchObject({
      id: 'standard',
      version: 3,
      decisionTimeoutMs: 600_000,
      backupTimeoutMs: 300_000,
      handoffReminderMs: 60_000,
      handoffTimeoutMs: 3_600_000,
      fallback: 'wait',
    });
  });

  it('hands containment to a person for the manual provider or a policy requiring the issuer', () => {
    expect(plan('payments-db').containment).toBe('automated');
    expect(plan('vendor-key').containment).toBe('manual');
    expect(plan('strict-key').containment).toBe('manual');
  });
});
