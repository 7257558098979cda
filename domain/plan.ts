import { TIERS, type Catalog, type Person, type Policy, type Secret, type Team } from './catalog';
import type { IncidentInput, IncidentPlan, PersonRef, PolicySnapshot, SecretSnapshot, Sighting } from './incident';

/**
 * Resolves who is accountable for an incident and which policy governs it. Pure: the same catalog
 * and input always give the same plan, so it can be unit-tested and its result recorded in history.
 */
export function planIncident(catalog: Catalog, input: IncidentInput, overrides: PlanOverrides = {}): IncidentPlan {
  const findings: string[] = [];
  const known = input.secretId ? catalog.secrets.find((secret) => secret.id === input.secretId) : undefined;
  if (!known) {
    findings.push(
      input.secretId
        ? `ownership gap: secret "${input.secretId}" is not in the catalog; routed to ${catalog.defaultOwnerTeam}`
        : `ownership gap: the reported credential matches no catalog secret; routed to ${catalog.defaultOwnerTeam}`,
    );
  }
  const secret = known ? snapshotSecret(known) : unknownSecret(catalog, input);
  // A drill exercises the team it names, whoever owns the secret it borrows.
  const ownerOverride = overrides.ownerTeam ?? input.drill?.team;
  if (ownerOverride) secret.ownerTeam = ownerOverride;
  if (input.drill) {
    // A drill exercises people, not providers: the drill provider touches nothing, dependents stay up.
    secret.provider = 'drill';
    secret.dependents = [];
    secret.delivery = undefined;
    findings.push(`drill ${input.drill.drillId} for team ${input.drill.team}: the drill provider touches nothing real`);
  }
  const ownerTeam = teamById(catalog, secret.ownerTeam);
  const issuingTeam = teamById(catalog, secret.issuingTeam);
  const defaultTeam = teamById(catalog, catalog.defaultOwnerTeam);
  const people = (ids: string[]) => ids.map((id) => personRef(catalog, id));

  const decisionMakers = people(
    ownerTeam.decisionMakers.length ? ownerTeam.decisionMakers : defaultTeam.decisionMakers,
  );
  const primary = decisionMakers[0];
  if (!primary) throw new Error(`no decision maker for team ${ownerTeam.id} nor ${defaultTeam.id}`);
  if (ownerTeam.decisionMakers.length === 0)
    findings.push(`team ${ownerTeam.id} has no decision maker; ${defaultTeam.id} decides`);

  const backupApprovers = people(ownerTeam.backupApprovers).filter((person) => person.id !== primary.id);
  if (backupApprovers.length === 0) {
    backupApprovers.push(
      ...people(defaultTeam.backupApprovers.concat(defaultTeam.decisionMakers)).filter(
        (person) => person.id !== primary.id,
      ),
    );
    findings.push(
      `team ${ownerTeam.id} has no backup approver other than the primary; escalation goes to ${defaultTeam.id}`,
    );
  }
  const verifierCandidates = dedupe([
    ...people(ownerTeam.verifiers),
    ...people(defaultTeam.verifiers),
    ...people(defaultTeam.decisionMakers),
  ]);
  const dependentOwners: Record<string, PersonRef[]> = {};
  for (const dependent of secret.dependents) {
    const team = teamById(catalog, dependent.ownerTeam);
    dependentOwners[dependent.id] = people(
      dedupe2([...team.decisionMakers, ...team.executors, ...team.backupApprovers]),
    );
  }
  const policy = snapshotPolicy(policyFor(catalog, known), secret.tier, input.firstSighting);
  // A drill measures how people decide: no rule decides for them.
  if (input.drill) policy.autoContain = null;
  return {
    secret,
    // The activity that calls this refines it with the provider registry (a provider may need a human).
    containment:
      !input.drill && (secret.provider === 'manual' || policyFor(catalog, known).requireIssuerApproval)
        ? 'manual'
        : 'automated',
    ownershipGap: !known,
    primary,
    decisionMakers,
    backupApprovers: dedupe(backupApprovers),
    verifierCandidates,
    executors: people(issuingTeam.executors.length ? issuingTeam.executors : issuingTeam.decisionMakers),
    escalationContacts: people(defaultTeam.decisionMakers),
    dependentOwners,
    policy,
    findings,
    ...(input.firstSighting.honeytokenTripped && policyFor(catalog, known).exerciseOnHoneytokenTrip
      ? { exercise: { team: secret.ownerTeam, trigger: 'honeytoken' as const } }
      : {}),
    ...(policy.approvalsFromDistinctTeams
      ? {
          teamsOf: teamsOfPeople(catalog, [
            ...decisionMakers,
            ...backupApprovers,
            ...people(defaultTeam.decisionMakers),
          ]),
        }
      : {}),
  };
}

/** What a live source (Backstage) may change in a plan before roles are resolved. */
export interface PlanOverrides {
  /** The owner team a service catalog named in place of the YAML `ownerTeam`. */
  ownerTeam?: string;
}

/** The teams of each of these people in catalog order: approvals across teams count the first. */
export function teamsOfPeople(catalog: Catalog, people: PersonRef[]): Record<string, string[]> {
  const teams: Record<string, string[]> = {};
  for (const person of people) teams[person.id] = teamIdsOf(catalog, person.id);
  return teams;
}

export function teamIdsOf(catalog: Catalog, personId: string): string[] {
  return catalog.teams
    .filter((team) =>
      [team.decisionMakers, team.backupApprovers, team.verifiers, team.executors].some((ids) => ids.includes(personId)),
    )
    .map((team) => team.id);
}

/** The first auto-contain rule the sighting satisfies, if any. Rules only ever tighten with tier. */
export function matchAutoContain(policy: Policy, tier: SecretSnapshot['tier'], sighting: Sighting) {
  if (sighting.canary) return null;
  return (
    policy.autoContain.find(
      (rule) =>
        TIERS.indexOf(tier) >= TIERS.indexOf(rule.minTier) &&
        (rule.verifiedActive === undefined || rule.verifiedActive === (sighting.verifiedActive ?? false)) &&
        (rule.publiclyExposed === undefined || rule.publiclyExposed === (sighting.publiclyExposed ?? false)),
    ) ?? null
  );
}

function snapshotPolicy(policy: Policy, tier: SecretSnapshot['tier'], sighting: Sighting): PolicySnapshot {
  const rule = matchAutoContain(policy, tier, sighting);
  return {
    id: policy.id,
    version: policy.version,
    decisionTimeoutMs: policy.decisionTimeout,
    backupTimeoutMs: policy.backupTimeout,
    fallback: policy.fallback,
    approvalsRequired: policy.approvalsRequired[tier],
    handoffReminderMs: policy.handoffReminder,
    handoffTimeoutMs: policy.handoffTimeout,
    handoffReminders: policy.handoffReminders,
    containmentAttempts: policy.containmentAttempts,
    continueAsNewAfterEvents: policy.continueAsNewAfterEvents,
    deathProofTimeoutMs: policy.deathProofTimeout,
    requireIssuerApproval: policy.requireIssuerApproval,
    autoContain: rule ? { action: rule.action, matchedRule: { ...rule } } : null,
    ...(policy.approvalsFromDistinctTeams ? { approvalsFromDistinctTeams: true } : {}),
  };
}

function policyFor(catalog: Catalog, secret: Secret | undefined): Policy {
  const id = secret?.policy ?? catalog.defaultPolicy;
  const policy = catalog.policies.find((candidate) => candidate.id === id);
  if (!policy) throw new Error(`policy ${id} is not in the catalog`);
  return policy;
}

function snapshotSecret(secret: Secret): SecretSnapshot {
  return {
    id: secret.id,
    description: secret.description,
    provider: secret.provider,
    locator: secret.locator,
    ownerTeam: secret.ownerTeam,
    issuingTeam: secret.issuingTeam ?? secret.ownerTeam,
    tier: secret.tier,
    delivery: secret.delivery,
    dependents: secret.dependents,
  };
}

/** A credential the catalog does not know: the default owner contains it by hand. */
function unknownSecret(catalog: Catalog, input: IncidentInput): SecretSnapshot {
  return {
    id: `unknown-${input.credentialFingerprint.slice(0, 12)}`,
    description: input.description ?? input.providerHint ?? 'credential not in the catalog',
    provider: 'manual',
    locator: input.providerHint ? { hint: input.providerHint } : {},
    ownerTeam: catalog.defaultOwnerTeam,
    issuingTeam: catalog.defaultOwnerTeam,
    tier: 'high',
    dependents: [],
  };
}

function teamById(catalog: Catalog, id: string): Team {
  const team = catalog.teams.find((candidate) => candidate.id === id);
  if (!team) throw new Error(`team ${id} is not in the catalog`);
  return team;
}

function personRef(catalog: Catalog, id: string): PersonRef {
  const person: Person | undefined = catalog.people.find((candidate) => candidate.id === id);
  if (!person) throw new Error(`person ${id} is not in the catalog`);
  return { id: person.id, name: person.name, slackUserId: person.slackUserId };
}

function dedupe(people: PersonRef[]): PersonRef[] {
  const seen = new Set<string>();
  return people.filter((person) => !seen.has(person.id) && Boolean(seen.add(person.id)));
}

function dedupe2(ids: string[]): string[] {
  return [...new Set(ids)];
}
