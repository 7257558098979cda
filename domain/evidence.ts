import type { SessionSeen } from './exposure';

/**
 * Evidence answers three questions for every step: what acted, who delegated it, and which policy
 * allowed it. Records are append-only and hash-chained per incident by the evidence store.
 */
export interface EvidenceActor {
  /** `worker`: a Tourniquet worker process; `person`: a catalog person; `source`: a detector. */
  type: 'worker' | 'person' | 'source';
  /** Worker identity, person id or source name. Workers fill their identity in the activity. */
  id: string;
}

export interface EvidenceDelegator {
  /** `person` for human decisions, `policy` for automatic actions, `source` for detector reports. */
  type: 'person' | 'policy' | 'source';
  id: string;
  slackUserId?: string;
}

export interface EvidencePolicyRef {
  id: string;
  version: number;
  /** The inputs that matched (tier, verifiedActive, rule...), so an auditor can re-check the call. */
  inputs: Record<string, unknown>;
}

export interface ProviderAnswer {
  provider: string;
  operation: string;
  /** The provider's own id for the call (request id, audit id), when it gives one. */
  answerId?: string;
  summary: string;
  /** True when the provider was already in the wanted state (a retried step). */
  alreadyDone?: boolean;
  at: string;
  /** Sessions the step saw and ended (PostgreSQL backends at containment), for the exposure report. */
  sessions?: SessionSeen[];
}

export interface EvidenceDraft {
  incidentId: string;
  /** Position in the incident's chain, assigned by the workflow: the idempotency key of the append. */
  seq: number;
  kind: string;
  at: string;
  actor: EvidenceActor;
  delegatedBy: EvidenceDelegator;
  policy: EvidencePolicyRef;
  details: Record<string, unknown>;
  providerAnswer?: ProviderAnswer;
}

export interface EvidenceRecord extends EvidenceDraft {
  prevHash: string;
  hash: string;
  recordedAt: string;
}

/** The hash that starts every incident's chain. */
export const GENESIS_HASH = '0'.repeat(64);
