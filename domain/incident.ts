import type { ExposureStatus } from './exposure';
import type { ContainmentAction, Dependent, Tier } from './catalog';

/**
 * Types that cross the workflow boundary. Everything here is plain JSON: ISO strings for time,
 * arrays and records instead of Maps. No type here may carry a leaked secret's value.
 */

export const ALERT_SOURCES = [
  'api',
  'slack',
  'github',
  'gitguardian',
  'trufflehog',
  'aws-health',
  'generic',
  'canarytokens',
  'drill',
] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

/** One report of a leaked credential, as every intake (API, Slack, webhooks) normalises it. */
export interface Sighting {
  source: AlertSource;
  /** The source's own id for the report (delivery id, alert number...), used to ignore redeliveries. */
  sourceRef: string;
  detectedAt: string;
  receivedAt: string;
  /** Where it leaked: a URL, a repository path, a chat message link. Never the value. */
  location?: string;
  verifiedActive?: boolean;
  publiclyExposed?: boolean;
  /** A canary (honeytoken) finding: recorded, never contained. */
  canary?: boolean;
  /**
   * Somebody USED a honeytoken (Canarytokens, GitGuardian honeytoken): confirmed-malicious use of a
   * credential nobody legitimate holds. Contained as the policy says, never closed as a mere finding.
   */
  honeytokenTripped?: boolean;
  /** The source says the credential was resolved/revoked on its side. */
  resolvedAtSource?: boolean;
  notes?: string;
  /** Catalog person id, or the source name for detectors. */
  reportedBy: string;
  /** The catalog person who reported it, when an edge authenticated one (API token, Slack user). */
  reporter?: { id: string; slackUserId?: string };
  /** Optional campaign/burst grouping key given by the intake (e.g. the scanning repository). */
  campaign?: string;
  /** The alert the source raised, when the source can be told the credential was revoked. */
  sourceAlert?: SourceAlertRef;
}

/** A scanning alert Tourniquet closes once the credential is contained (GitHub secret scanning). */
export interface SourceAlertRef {
  provider: 'github';
  /** `owner/name`. */
  repository: string;
  number: number;
}

export interface IncidentInput {
  /**
   * The incident's id, minted at random when the report that opens it is sent (the client's, or the
   * previous incident's run for a credential leaked again). Absent in runs opened before 2026-12-05,
   * whose id derives from the run id: the first 8 hex digits of a time-ordered (UUIDv7) run id, the same
   * for every run started within about 65 s.
   */
  incidentId?: string;
  /** Keyed fingerprint of the credential's identity; the workflow id derives from it. */
  credentialFingerprint: string;
  /** Keyed fingerprint of the value itself, when a value was reported. */
  valueFingerprint?: string;
  /** Catalog secret id, or null when the credential is not in the catalog. */
  secretId: string | null;
  /** What the reporter said the credential is, for credentials the catalog does not know. */
  description?: string;
  /** Provider hint for unknown credentials (e.g. detector name). */
  providerHint?: string;
  /** Opaque handle of the sealed value (encrypted outside Temporal), when proof of death needs it. */
  sealedValueHandle?: string;
  firstSighting: Sighting;
  /** Reports that reached the previous incident of this credential after it had closed. */
  lateSightings?: Sighting[];
  /**
   * A drill: the whole runbook with real people and real messages (marked DRILL) against the drill
   * provider, which touches nothing. Excluded from production figures, flagged in evidence.
   */
  drill?: DrillRef;
}

/** Who asked for a drill, for which team; the drill id keys its workflow. */
export interface DrillRef {
  drillId: string;
  team: string;
  requestedBy: string;
  /** `scheduled` when a Temporal Schedule started it; `honeytoken` when a tripped honeytoken did. */
  trigger: 'on-demand' | 'scheduled' | 'honeytoken';
}

/** What a report adds beside the sighting: the sealed value it carried, if any. */
export interface ReportedValue {
  valueFingerprint?: string;
  sealedValueHandle?: string;
  /**
   * The catalog secret the report named, or the one its value is known as: an incident opened from
   * a report that had only the value learns what the credential is.
   */
  secretId?: string;
}

export interface PersonRef {
  id: string;
  name: string;
  slackUserId?: string;
}

export interface PolicySnapshot {
  id: string;
  version: number;
  decisionTimeoutMs: number;
  backupTimeoutMs: number;
  fallback: ContainmentAction | 'wait';
  approvalsRequired: number;
  handoffReminderMs: number;
  handoffTimeoutMs: number;
  /** Absent in plans made before bounded history: see workflows/bounds.ts for the defaults. */
  handoffReminders?: number;
  containmentAttempts?: number;
  continueAsNewAfterEvents?: number;
  /** Absent in plans made before it: 10 minutes. */
  deathProofTimeoutMs?: number;
  requireIssuerApproval: boolean;
  /** The auto-contain rule that matched the first sighting, if any. */
  autoContain: { action: ContainmentAction; matchedRule: Record<string, unknown> } | null;
  /** The required approvals must come from that many different teams. */
  approvalsFromDistinctTeams?: boolean;
}

export interface SecretSnapshot {
  id: string;
  description?: string;
  provider: string;
  locator: Record<string, unknown>;
  ownerTeam: string;
  issuingTeam: string;
  tier: Tier;
  delivery?: Record<string, unknown>;
  dependents: Dependent[];
}

/** Everything the workflow needs from the catalog, resolved once by an activity. */
/**
 * What a provider's rotation does, declared by its adapter. `oldCredential`: issuing the replacement
 * already replaced the leaked value (a PostgreSQL password change) or added a second credential
 * beside it (a second IAM access key). `undo`: what compensation does: lock the whole credential so
 * nobody can use it, delete only the replacement (the leaked one keeps working as before), or keep
 * the rotation (restoring the old value would re-arm the leak).
 */
export interface RotationEffects {
  oldCredential: 'replaced-in-place' | 'second-credential';
  undo: 'lock-credential' | 'delete-replacement' | 'keep-rotation';
}

export interface IncidentPlan {
  secret: SecretSnapshot;
  /** The provider's declared rotation effects; unset when it cannot rotate (or for plans made before). */
  rotationEffects?: RotationEffects;
  /** `manual` when a person must act in a console: the provider needs it, or the policy says so. */
  containment: 'automated' | 'manual';
  /**
   * What the provider can do (rotate needs a provider that issues replacements): a decision or
   * policy action outside this list is refused. Unset in plans made before it existed: no limit.
   */
  choices?: ContainmentAction[];
  ownershipGap: boolean;
  primary: PersonRef;
  /** People allowed to decide before escalation (the primary first). */
  decisionMakers: PersonRef[];
  backupApprovers: PersonRef[];
  /** Verifier candidates in order of preference; the workflow excludes deciders and executors. */
  verifierCandidates: PersonRef[];
  /** People of the issuing team who execute by hand. */
  executors: PersonRef[];
  /** Default owner team's decision makers: where separation-of-duties problems escalate. */
  escalationContacts: PersonRef[];
  dependentOwners: Record<string, PersonRef[]>;
  policy: PolicySnapshot;
  findings: string[];
  /** Which live sources (PagerDuty, Opsgenie, Backstage) named the roles, what was asked and answered. */
  roleSources?: RoleSourceRecord[];
  /** A live source was down or named someone unknown: the YAML catalog filled in (ownership-gap finding). */
  roleSourceGap?: boolean;
  /** The owner team's on-call is live: who backs up is asked again at escalation. */
  liveOnCall?: boolean;
  /** A tripped honeytoken scored as an exercise of the owning team (policy exerciseOnHoneytokenTrip). */
  exercise?: { team: string; trigger: 'honeytoken' };
  /** Each role person's teams, first the team that names them first: for approvals across teams. */
  teamsOf?: Record<string, string[]>;
}

/** One look-up of a live role source, as evidence records it. Emails only of people not in the catalog. */
export interface RoleSourceRecord {
  source: 'pagerduty' | 'opsgenie' | 'backstage';
  team: string;
  /** What was asked, e.g. `GET /oncalls?escalation_policy_ids[]=PABC123&include[]=users`. */
  request: string;
  at: string;
  outcome: 'answered' | 'unreachable';
  /** On-call levels (1 decides, 2 backs up) as catalog person ids. */
  levels?: Array<{ level: number; people: string[] }>;
  /** Backstage: the owner group of the entity and the catalog team it maps to. */
  ownerGroup?: string;
  ownerTeam?: string;
  /** What could not be matched to a catalog person or Slack user. */
  unknown?: string[];
  error?: string;
  /** What was used instead when the source did not answer. */
  fallback?: string;
}

export const DECISION_CHOICES = ['revoke', 'rotate', 'false-positive'] as const;
export type DecisionChoice = (typeof DECISION_CHOICES)[number];

export interface DecisionRequest {
  /** Catalog person id of the caller, established by the HTTP or Slack layer. */
  by: string;
  choice: DecisionChoice;
  reason?: string;
  /** Where the decision came from, for evidence (api, slack). */
  channel: 'api' | 'slack' | 'cli';
}

/** An approver hands a pending decision to a named colleague, with a reason. */
export interface DelegationRequest {
  by: string;
  /** The colleague, resolved from the catalog by the HTTP or Slack layer. */
  to: PersonRef;
  /** The colleague's teams, for policies that need approvals from different teams. */
  toTeams: string[];
  reason: string;
  channel: 'api' | 'slack' | 'cli';
}

/**
 * When no catalog person may verify (every candidate decided or executed), an escalation contact
 * names one who did neither.
 */
export interface VerifierAssignment {
  by: string;
  /** The person to verify, resolved from the catalog by the HTTP layer. */
  verifier: PersonRef;
  reason: string;
  channel: 'api' | 'slack' | 'cli';
}

export interface VerificationRequest {
  by: string;
  note: string;
  channel: 'api' | 'slack' | 'cli';
}

export interface ManualConfirmation {
  by: string;
  note: string;
  channel: 'api' | 'slack' | 'cli';
  /** Id of the action in the vendor console (ticket, audit log id), when there is one. */
  reference?: string;
}

/**
 * A person confirms a workload the exposure report found (a dependent candidate) as a real dependent
 * of the credential, naming how to stop it: only then is it disabled, like a catalog dependent.
 */
export interface CandidateConfirmation {
  by: string;
  /** The candidate's key in the report (source address and user agent or application name). */
  candidate: string;
  dependent: {
    id: string;
    ownerTeam: string;
    controller: string;
    target: Record<string, unknown>;
    description?: string;
  };
  channel: 'api' | 'slack' | 'cli';
}

export interface DependentAcknowledgement {
  by: string;
  dependentId: string;
  note?: string;
  channel: 'api' | 'slack' | 'cli';
}

export const PHASES = [
  'planning',
  'awaiting-decision',
  'escalated-to-backup',
  /** Nobody decided, and there is no backup approver (or the backups did not answer either). */
  'escalated-to-escalation-contacts',
  'containing',
  'awaiting-manual-containment',
  'proving-death',
  'awaiting-verification',
  'awaiting-acknowledgement',
  /** Verified (and acknowledged); closure waits for the exposure report (provider logs arrive late). */
  'awaiting-exposure-report',
  'needs-attention',
  'closed',
] as const;
export type Phase = (typeof PHASES)[number];

export type Outcome = 'contained' | 'rotated' | 'false-positive' | 'canary' | 'resolved-at-source';

export interface Approval {
  by: string;
  choice: DecisionChoice;
  reason?: string;
  at: string;
  channel: string;
}

export interface TimelineEntry {
  at: string;
  kind: string;
  summary: string;
}

export interface DependentState {
  id: string;
  state: 'running' | 'disabled' | 'enabled-again' | 'failed';
  acknowledgedBy?: string;
}

export interface IncidentStatus {
  incidentId: string;
  workflowId: string;
  phase: Phase;
  /** Catalog secret id; null until known (an unknown credential before planning). */
  secretId: string | null;
  /** Null while the incident is still planning: unknown reads as unknown, not as a default. */
  provider: string | null;
  /** Null while the incident is still planning. */
  tier: Tier | null;
  ownershipGap: boolean;
  roles: { primary?: PersonRef; backup?: PersonRef; verifier?: PersonRef };
  /** Who the incident is waiting on right now, and until when. */
  waitingOn: { people: string[]; for: string; until?: string } | null;
  approvals: Approval[];
  decision: { choice: DecisionChoice; by: string[]; delegatedBy: string; at: string } | null;
  /** The choices a decision may take (the provider's capabilities, and false-positive); unset before planning. */
  choices?: DecisionChoice[];
  actions: TimelineEntry[];
  dependents: DependentState[];
  sightings: number;
  verification: { dead: boolean; proof?: string; verifiedBy?: string; note?: string; at?: string } | null;
  outcome: Outcome | null;
  openedAt: string;
  closedAt?: string;
  /** Evidence records written so far; only grows, so a card never goes back to an older view. */
  evidenceCount: number;
  /** Actions taken so far; a summary's `actions` holds only the most recent ones. */
  actionCount: number;
  /** Set on drills: real people and messages, the drill provider touches nothing. */
  drill?: DrillRef;
  /** The exposure report's short form and the blast radius (patch 'exposure-report'); absent before. */
  exposure?: ExposureStatus;
  timeline: TimelineEntry[];
}

/**
 * The incident without its timeline: what notifications (the status card) and update results
 * carry. Its size does not grow with sightings or reminders; the timeline is read with the status
 * query (GET /api/incidents/:id/timeline).
 */
export type IncidentSummary = Omit<IncidentStatus, 'timeline'>;
