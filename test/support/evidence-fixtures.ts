import type { EvidenceDraft, EvidenceRecord } from '../../domain/evidence';
import type { EvidenceStore } from '../../integrations/ports';

/**
 * Builders of realistic incident evidence, appended through a real evidence store, for the
 * closure-evidence tests and benchmark. The shape of each record follows what the incident
 * workflow writes: worker actors, person or policy delegators, the policy and its inputs.
 */
export interface ClosedIncidentOptions {
  incidentId: string;
  ownerTeam?: string;
  provider?: string;
  outcome?: 'contained' | 'rotated' | 'false-positive';
  /** When the leak was detected; every later record is a few seconds after it. */
  detectedAt?: string;
  /** Extra sightings, to make long timelines (the benchmark's 500-event incident). */
  extraSightings?: number;
}

const POLICY = { id: 'prod-default', version: 3 };
const WORKER = { type: 'worker', id: 'tourniquet-worker@test' } as const;
const ALICE = { type: 'person', id: 'alice', slackUserId: 'U0ALICE1' } as const;
const VICTOR = { type: 'person', id: 'victor', slackUserId: 'U0VICTOR' } as const;
const BY_POLICY = { type: 'policy', id: POLICY.id } as const;

type Step = Omit<EvidenceDraft, 'incidentId' | 'seq' | 'at'>;

/** The drafts of a closed incident, in seq order, without storing them. */
export function closedIncidentDrafts(options: ClosedIncidentOptions): EvidenceDraft[] {
  const start = Date.parse(options.detectedAt ?? '2025-03-01T10:00:00.000Z');
  const ownerTeam = options.ownerTeam ?? 'payments';
  const provider = options.provider ?? 'aws-iam';
  const outcome = options.outcome ?? 'contained';
  const inputs = { tier: 'high', secretId: 'payments-ci-key', ownershipGap: false, verifiedActive: true };
  const step = (kind: string, details: Record<string, unknown>, extra: Partial<Step> = {}): Step => ({
    kind,
    actor: WORKER,
    delegatedBy: BY_POLICY,
    policy: { ...POLICY, inputs },
    details,
    ...extra,
  });
  const answer = (operation: string, answerId: string) => ({
    provider,
    operation,
    answerId,
    summary: `${operation} done`,
    at: new Date(start).toISOString(),
  });
  const steps: Step[] = [
    step('incident.opened', {
      provider,
      ownerTeam,
      sighting: { source: 'github', detectedAt: new Date(start).toISOString() },
      summary: 'leak reported by github',
    }),
    step('roles.resolved', { roles: { primary: 'alice', backup: 'bob', verifier: 'victor' } }),
    step(
      'sighting.recorded',
      { source: 'github', detectedAt: new Date(start).toISOString() },
      { actor: { type: 'source', id: 'github' }, delegatedBy: { type: 'source', id: 'github' } },
    ),
    ...Array.from({ length: options.extraSightings ?? 0 }, (_, index) =>
      step(
        'sighting.recorded',
        { source: 'trufflehog', sourceRef: `scan-${index}` },
        { actor: { type: 'source', id: 'trufflehog' }, delegatedBy: { type: 'source', id: 'trufflehog' } },
      ),
    ),
    step('decision.requested', { approvers: ['alice'], approvalsRequired: 1 }),
  ];
  if (outcome === 'false-positive') {
    steps.push(step('decision.made', { choice: 'false-positive', approvers: ['alice'] }, { delegatedBy: ALICE }));
  } else {
    steps.push(
      step('decision.approved', { choice: outcome === 'rotated' ? 'rotate' : 'revoke' }, { delegatedBy: ALICE }),
      step(
        'decision.made',
        { choice: outcome === 'rotated' ? 'rotate' : 'revoke', approvers: ['alice'] },
        { delegatedBy: ALICE },
      ),
      step('containment.started', { action: 'revoke' }, { delegatedBy: ALICE }),
      step(
        'dependent.disabled',
        { dependentId: 'billing-cron' },
        { delegatedBy: ALICE, providerAnswer: answer('disable', 'dep-1') },
      ),
      step(
        outcome === 'rotated' ? 'credential.rotated' : 'credential.revoked',
        {},
        { delegatedBy: ALICE, providerAnswer: answer('revoke', 'req-7f3a') },
      ),
      step('sessions.ended', {}, { delegatedBy: ALICE, providerAnswer: answer('end-sessions', 'req-7f3b') }),
      step('death.proven', { checks: ['GetCallerIdentity with old key: InvalidClientTokenId'] }),
      step(
        'dependent.enabled',
        { dependentId: 'billing-cron' },
        { delegatedBy: ALICE, providerAnswer: answer('enable', 'dep-2') },
      ),
      step(
        'dependent.acknowledged',
        { dependentId: 'billing-cron' },
        { actor: { type: 'person', id: 'bob' }, delegatedBy: { type: 'person', id: 'bob' } },
      ),
      step(
        'verification.confirmed',
        { note: 'old key fails, new key in use' },
        { actor: { type: 'person', id: 'victor' }, delegatedBy: VICTOR },
      ),
    );
  }
  steps.push(
    step(
      'incident.closed',
      { outcome, closureNote: 'closed after verification', roles: { primary: 'alice', verifier: 'victor' } },
      { delegatedBy: VICTOR },
    ),
  );
  return steps.map((entry, seq) => ({
    ...entry,
    incidentId: options.incidentId,
    seq,
    at: new Date(start + (seq + 1) * 5_000).toISOString(),
  }));
}

/** Appends a closed incident's drafts one by one, as the workflow's activities would. */
export async function recordClosedIncident(
  store: EvidenceStore,
  options: ClosedIncidentOptions,
): Promise<EvidenceRecord[]> {
  const records: EvidenceRecord[] = [];
  for (const draft of closedIncidentDrafts(options)) records.push(await store.append(draft));
  return records;
}
