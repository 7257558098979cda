import type { ActivityDeps } from '../../../activities/deps';
import { createContainmentActivities } from '../../../activities/containment';
import { createBookkeepingActivities } from '../../../activities/incident-bookkeeping';
import type { IncidentPlan } from '../../../domain/incident';
import { GitHubRevocationBatcher } from '../../../integrations/github-token/revocation-batcher';
import { GitHubTokenProvider } from '../../../integrations/github-token/token-provider';
import { ManualProvider } from '../../../integrations/manual/manual-provider';
import { meteredProviders } from '../../../integrations/metrics/metered-ports';
import { ProductMetrics } from '../../../integrations/metrics/product-metrics';
import { capabilitiesOf, containmentChoices } from '../../../integrations/ports';
import { ProviderRegistry } from '../../../integrations/provider-registry';
import { credentialTarget } from '../../support/credential-target';

// Nothing listens here: a test that reached GitHub would fail with a connection error instead.
const NOWHERE = 'http://127.0.0.1:9';
const github = new GitHubTokenProvider({
  apiUrl: NOWHERE,
  batcher: new GitHubRevocationBatcher({ url: `${NOWHERE}/credentials/revoke` }),
});
const providers = new ProviderRegistry([github, new ManualProvider()]);

function planFor(provider: string, policy: Partial<IncidentPlan['policy']>): IncidentPlan {
  return {
    secret: credentialTarget(provider, {}).secret,
    containment: 'automated',
    ownershipGap: false,
    primary: { id: 'alice', name: 'Alice' },
    decisionMakers: [],
    backupApprovers: [],
    verifierCandidates: [],
    executors: [],
    escalationContacts: [],
    dependentOwners: {},
    policy: {
      id: 'p',
      version: 1,
      decisionTimeoutMs: 1,
      backupTimeoutMs: 1,
      fallback: 'wait',
      approvalsRequired: 1,
      handoffReminderMs: 1,
      handoffTimeoutMs: 1,
      requireIssuerApproval: false,
      autoContain: null,
      ...policy,
    },
    findings: [],
  };
}

function deps(plan?: IncidentPlan): ActivityDeps {
  return {
    providers,
    vault: { open: async () => undefined },
    directory: { planIncident: () => structuredClone(plan) },
  } as unknown as ActivityDeps;
}

describe('activities use only the capabilities a provider has', () => {
  const request = { incidentId: 'inc-1', secret: credentialTarget('github-token', {}).secret };

  it('refuses to rotate a GitHub token as INVALID_INPUT (not retried), naming what the provider can do', async () => {
    await expect(createContainmentActivities(deps()).issueReplacement(request)).rejects.toMatchObject({
      type: 'INVALID_INPUT',
      nonRetryable: true,
      message: 'provider "github-token" cannot rotate (issue a replacement); it can: revoke, prove-death',
    });
  });

  it('has no derived sessions to end for a token provider', async () => {
    await expect(createContainmentActivities(deps()).endDerivedSessions(request)).resolves.toBeNull();
  });

  it('refuses every automated step for the manual provider', async () => {
    const manual = { incidentId: 'inc-1', secret: credentialTarget('manual', {}).secret };
    await expect(createContainmentActivities(deps()).revokeCredential(manual)).rejects.toMatchObject({
      type: 'INVALID_INPUT',
      message: 'provider "manual" cannot revoke; it can: nothing automated',
    });
  });
});

describe('decorated providers keep their real capabilities', () => {
  it('a metered GitHub token provider still cannot rotate (metrics wrap only what exists)', () => {
    const metered = meteredProviders(providers, new ProductMetrics()).provider('github-token');
    expect(capabilitiesOf(metered)).toEqual(['revoke', 'prove-death']);
    expect(containmentChoices(metered)).toEqual(['revoke']);
  });
});

describe('planning offers only what the provider can do', () => {
  const input = { firstSighting: {} } as never;

  it('lists the choices and turns a policy rotate into revoke, with a finding, for a token provider', async () => {
    const plan = await createBookkeepingActivities(
      deps(planFor('github-token', { fallback: 'rotate', autoContain: { action: 'rotate', matchedRule: {} } })),
    ).planIncident(input);
    expect(plan.choices).toEqual(['revoke']);
    expect(plan.policy.autoContain?.action).toBe('revoke');
    expect(plan.policy.fallback).toBe('revoke');
    expect(plan.findings).toEqual([
      'provider "github-token" cannot rotate: the auto-contain rule revokes instead',
      'provider "github-token" cannot rotate: the policy fallback revokes instead',
    ]);
  });

  it('leaves a manual provider unlimited: a person can revoke or rotate in the console', async () => {
    const plan = await createBookkeepingActivities(deps(planFor('manual', { fallback: 'rotate' }))).planIncident(input);
    expect(plan.containment).toBe('manual');
    expect(plan.choices).toBeUndefined();
    expect(plan.policy.fallback).toBe('rotate');
  });
});
