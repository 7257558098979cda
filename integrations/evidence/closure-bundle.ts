import { createHash } from 'node:crypto';
import { canonicalJson } from '../../domain/canonical-json';
import { invalidInput } from '../../domain/errors';
import type { EvidenceDelegator, EvidencePolicyRef, EvidenceRecord, ProviderAnswer } from '../../domain/evidence';
import type { EvidenceSigner, SignerIdentity } from './bundle-signing';
import { mapControls, type ControlEvidence } from './control-mapping';
import { findIncompleteRecords, type IncompleteRecord } from './record-completeness';

/** The version tag of the signed envelope; verify refuses formats it does not know. */
export const BUNDLE_FORMAT = 'tourniquet.closure-bundle/1';

/**
 * What an auditor needs about one closed incident, derived from its evidence records only, plus
 * the records themselves so every derived line can be traced to a hash-chained record (`seq`).
 *
 * Detail fields read from records (all optional; missing ones show as null):
 * - incident.opened / roles.resolved: `provider`, `ownerTeam`, `sighting.detectedAt` (or `detectedAt`);
 *   `secretId` and `tier` there or in `policy.inputs`
 * - sighting.recorded: `sighting.detectedAt` (or `detectedAt`)
 * - decision.approved / decision.made: `choice`, `approvers` (ids or {id}), `reason`
 * - decision.requested / decision.escalated: `approvers` or `to` (the people asked)
 * - dependent.*: `dependentId`
 * - death.proven: `dead`, `checks`
 * - verification.confirmed: `note`
 * - incident.closed: `outcome`, `closureNote` (or `note`), `roles`
 * - any record: `summary`, shown on the timeline
 */
export interface ClosureBundle {
  incidentId: string;
  sealedAt: string;
  incident: {
    secretId: string | null;
    provider: string | null;
    ownerTeam: string | null;
    tier: string | null;
    outcome: string | null;
    openedAt: string | null;
    closedAt: string | null;
    closureNote: string | null;
  };
  roles: Record<string, unknown>;
  timeline: Array<{
    seq: number;
    at: string;
    kind: string;
    summary: string;
    actor: string;
    delegatedBy: string;
    policy: string;
  }>;
  /** `approvers` for approvals and decisions; `askedTo` for requests and escalations. */
  decisions: Array<{
    seq: number;
    at: string;
    kind: string;
    choice: string | null;
    approvers: string[];
    askedTo: string[];
    delegatedBy: EvidenceDelegator;
    reason: string | null;
  }>;
  /** Each action with the policy (and version and matched inputs) that allowed it. */
  actions: Array<{
    seq: number;
    at: string;
    kind: string;
    actor: string;
    delegatedBy: EvidenceDelegator;
    policy: EvidencePolicyRef;
    providerAnswerId: string | null;
  }>;
  providerAnswers: Array<{ seq: number } & ProviderAnswer>;
  dependents: Record<
    'disabled' | 'restored' | 'acknowledged',
    Array<{ seq: number; at: string; dependentId: string | null; by: string }>
  >;
  verification: {
    deathProof: { seq: number; at: string; dead: boolean | null; checks: string[] } | null;
    confirmation: { seq: number; at: string; by: EvidenceDelegator; note: string | null } | null;
  };
  durations: Durations;
  controls: ControlEvidence[];
  completeness: { complete: boolean; incompleteRecords: IncompleteRecord[] };
  chain: { recordCount: number; lastHash: string };
  records: EvidenceRecord[];
}

export interface Durations {
  detectedAt: string | null;
  decidedAt: string | null;
  containedAt: string | null;
  verifiedAt: string | null;
  closedAt: string | null;
  detectionToDecisionMs: number | null;
  decisionToContainmentMs: number | null;
  containmentToVerificationMs: number | null;
  detectionToClosureMs: number | null;
}

/** The signed form: the signature covers canonical JSON of {format, bundle, signer}. */
export interface SignedClosureBundle {
  format: typeof BUNDLE_FORMAT;
  bundle: ClosureBundle;
  signer: SignerIdentity;
  signature: string;
}

const ACTION_KINDS = new Set([
  'containment.started',
  'credential.revoked',
  'credential.rotated',
  'replacement.delivered',
  'sessions.ended',
  'dependent.disabled',
  'dependent.enabled',
  'manual-containment.confirmed',
  'compensation.ran',
  'death.proven',
]);
const CONTAINED_KINDS = new Set(['credential.revoked', 'credential.rotated', 'manual-containment.confirmed']);

/** Builds the bundle from an incident's records in seq order. Pure: same records, same bundle. */
export function buildClosureBundle(records: readonly EvidenceRecord[], sealedAt: string): ClosureBundle {
  const first = records[0];
  const last = records[records.length - 1];
  if (!first || !last) throw invalidInput('an incident with no evidence records cannot be sealed');
  const closed = findLast(records, 'incident.closed');
  return {
    incidentId: first.incidentId,
    sealedAt,
    incident: incidentFacts(records, closed),
    roles: objectOf(closed?.details.roles) ?? objectOf(findFirst(records, 'roles.resolved')?.details.roles) ?? {},
    timeline: records.map((record) => ({
      seq: record.seq,
      at: record.at,
      kind: record.kind,
      summary: stringOf(record.details.summary) ?? record.kind,
      actor: `${record.actor?.type}:${record.actor?.id}`,
      delegatedBy: `${record.delegatedBy?.type}:${record.delegatedBy?.id}`,
      policy: `${record.policy?.id}@${record.policy?.version}`,
    })),
    decisions: records.filter((record) => record.kind.startsWith('decision.')).map(decisionOf),
    actions: records
      .filter((record) => ACTION_KINDS.has(record.kind))
      .map((record) => ({
        seq: record.seq,
        at: record.at,
        kind: record.kind,
        actor: `${record.actor?.type}:${record.actor?.id}`,
        delegatedBy: record.delegatedBy,
        policy: record.policy,
        providerAnswerId: record.providerAnswer?.answerId ?? null,
      })),
    providerAnswers: records
      .filter((record) => record.providerAnswer)
      .map((record) => ({ seq: record.seq, ...(record.providerAnswer as ProviderAnswer) })),
    dependents: {
      disabled: dependentEvents(records, 'dependent.disabled'),
      restored: dependentEvents(records, 'dependent.enabled'),
      acknowledged: dependentEvents(records, 'dependent.acknowledged'),
    },
    verification: verificationOf(records),
    durations: durationsOf(records),
    controls: mapControls(records),
    completeness: completenessOf(records),
    chain: { recordCount: records.length, lastHash: last.hash },
    records: [...records],
  };
}

/** Signs a bundle. The payload is canonical JSON, so key order in storage never matters. */
export function signClosureBundle(bundle: ClosureBundle, signer: EvidenceSigner): SignedClosureBundle {
  const unsigned = { format: BUNDLE_FORMAT, bundle, signer: signer.identity } as const;
  return { ...unsigned, signature: signer.sign(signedPayload(unsigned)) };
}

/** The exact bytes a bundle's signature covers. */
export function signedPayload(envelope: { format: string; bundle: unknown; signer: unknown }): string {
  return canonicalJson({ format: envelope.format, bundle: envelope.bundle, signer: envelope.signer });
}

/** sha256 of the whole signed bundle: small enough for workflow history, names exactly one bundle. */
export function bundleDigest(signed: SignedClosureBundle): string {
  return createHash('sha256').update(canonicalJson(signed)).digest('hex');
}

function incidentFacts(
  records: readonly EvidenceRecord[],
  closed: EvidenceRecord | undefined,
): ClosureBundle['incident'] {
  const fact = (key: string) => firstString(records, key);
  return {
    secretId: fact('secretId'),
    provider: fact('provider'),
    ownerTeam: fact('ownerTeam'),
    tier: fact('tier'),
    outcome: stringOf(closed?.details.outcome),
    openedAt: findFirst(records, 'incident.opened')?.at ?? records[0]?.at ?? null,
    closedAt: closed?.at ?? null,
    closureNote: stringOf(closed?.details.closureNote) ?? stringOf(closed?.details.note),
  };
}

function decisionOf(record: EvidenceRecord): ClosureBundle['decisions'][number] {
  const asking = record.kind === 'decision.requested' || record.kind === 'decision.escalated';
  const listed = idsOf(record.details.approvers ?? record.details.to);
  const approvers = asking ? [] : listed;
  // An approval names its approver as the delegator; a recorded decision lists all of them.
  if (!asking && approvers.length === 0 && record.delegatedBy?.type === 'person') approvers.push(record.delegatedBy.id);
  return {
    seq: record.seq,
    at: record.at,
    kind: record.kind,
    choice: stringOf(record.details.choice),
    approvers,
    askedTo: asking ? listed : [],
    delegatedBy: record.delegatedBy,
    reason: stringOf(record.details.reason),
  };
}

function idsOf(value: unknown): string[] {
  const listed = Array.isArray(value) ? value : [];
  return listed
    .map((entry) => stringOf(entry) ?? stringOf(objectOf(entry)?.id))
    .filter((id): id is string => id !== null);
}

function dependentEvents(records: readonly EvidenceRecord[], kind: string): ClosureBundle['dependents']['disabled'] {
  return records
    .filter((record) => record.kind === kind)
    .map((record) => ({
      seq: record.seq,
      at: record.at,
      dependentId: stringOf(record.details.dependentId),
      by: `${record.delegatedBy?.type}:${record.delegatedBy?.id}`,
    }));
}

function verificationOf(records: readonly EvidenceRecord[]): ClosureBundle['verification'] {
  const proof = findLast(records, 'death.proven');
  const confirmed = findLast(records, 'verification.confirmed');
  const checks = Array.isArray(proof?.details.checks) ? proof.details.checks.map(String) : [];
  return {
    // The kind itself says the credential was proven dead, unless the record says otherwise.
    deathProof: proof
      ? {
          seq: proof.seq,
          at: proof.at,
          dead: typeof proof.details.dead === 'boolean' ? proof.details.dead : true,
          checks,
        }
      : null,
    confirmation: confirmed
      ? { seq: confirmed.seq, at: confirmed.at, by: confirmed.delegatedBy, note: stringOf(confirmed.details.note) }
      : null,
  };
}

function durationsOf(records: readonly EvidenceRecord[]): Durations {
  const reported = records.map(
    (record) => stringOf(record.details.detectedAt) ?? stringOf(objectOf(record.details.sighting)?.detectedAt),
  );
  const detectedAt = earliest(reported) ?? records[0]?.at ?? null;
  const decidedAt = findFirst(records, 'decision.made')?.at ?? null;
  const containedAt = records.find((record) => CONTAINED_KINDS.has(record.kind))?.at ?? null;
  const verifiedAt = findLast(records, 'verification.confirmed')?.at ?? findLast(records, 'death.proven')?.at ?? null;
  const closedAt = findLast(records, 'incident.closed')?.at ?? null;
  return {
    detectedAt,
    decidedAt,
    containedAt,
    verifiedAt,
    closedAt,
    detectionToDecisionMs: between(detectedAt, decidedAt),
    decisionToContainmentMs: between(decidedAt, containedAt),
    containmentToVerificationMs: between(containedAt, verifiedAt),
    detectionToClosureMs: between(detectedAt, closedAt),
  };
}

function completenessOf(records: readonly EvidenceRecord[]): ClosureBundle['completeness'] {
  const incompleteRecords = findIncompleteRecords(records);
  return { complete: incompleteRecords.length === 0, incompleteRecords };
}

function between(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? ms : null;
}

function earliest(values: Array<string | null>): string | null {
  const valid = values.filter((value): value is string => value !== null && Number.isFinite(Date.parse(value)));
  return valid.sort((a, b) => Date.parse(a) - Date.parse(b))[0] ?? null;
}

function firstString(records: readonly EvidenceRecord[], key: string): string | null {
  for (const record of records) {
    const value =
      stringOf(record.details[key]) ??
      stringOf(objectOf(record.details.secret)?.[key]) ??
      stringOf(record.policy?.inputs?.[key]);
    if (value !== null) return value;
  }
  return null;
}

function findFirst(records: readonly EvidenceRecord[], kind: string): EvidenceRecord | undefined {
  return records.find((record) => record.kind === kind);
}

function findLast(records: readonly EvidenceRecord[], kind: string): EvidenceRecord | undefined {
  return [...records].reverse().find((record) => record.kind === kind);
}

function stringOf(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function objectOf(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
