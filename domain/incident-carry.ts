import type { EvidenceActor, EvidenceDelegator, EvidenceDraft } from './evidence';
import type { ExposureStatus } from './exposure';
import type {
  Approval,
  DecisionChoice,
  DependentState,
  IncidentPlan,
  IncidentStatus,
  Phase,
  PersonRef,
  SourceAlertRef,
  TimelineEntry,
} from './incident';

/**
 * What an incident carries into its next run when its history grows long (continue-as-new): every
 * piece of state the status, the validators and the remaining steps read, and where the run was
 * waiting with the deadlines of its timers, so a wait resumes with its remaining time. Plain JSON.
 */
export interface IncidentCarry {
  incidentId: string;
  openedAt: string;
  plan: IncidentPlan;
  phase: Phase;
  approvals: Approval[];
  decision: IncidentStatus['decision'];
  dependents: DependentState[];
  verifier?: PersonRef;
  verification: IncidentStatus['verification'];
  manualConfirmation?: { by: string; note: string; reference?: string };
  waitingOn: IncidentStatus['waitingOn'];
  allowed: { approvers: string[]; executors: string[]; verifiers: string[]; ackers: Record<string, string[]> };
  teamsOf: Record<string, string[]>;
  delegates: Array<PersonRef & { delegatedBy: string }>;
  conflicted: string[];
  sourceAlerts: SourceAlertRef[];
  sightingKeys: string[];
  /** The next evidence seq: the chain continues where the previous run left it. */
  evidenceSeq: number;
  /** The next notification number: delivery keys stay unique across runs. */
  notificationSeq: number;
  /** Failed containment attempts so far (the decide → contain loop is bounded). */
  containmentAttempts: number;
  /** The status card's action list and the timeline's milestones (sightings are in the evidence store). */
  actions: TimelineEntry[];
  timeline: TimelineEntry[];
  /** The end state a failed containment left, told to the people asked to decide again. */
  lastFailure?: string;
  /** The exposure report's short form (blast radius, exposure) on the status. */
  exposure?: ExposureStatus;
  /** Evidence records the previous run queued but did not append (fewer than a batch): appended first. */
  unsentEvidence?: EvidenceDraft[];
  /** Sealed copies of later reports the previous run had still to destroy. */
  sealedCopiesToDestroy?: string[];
  /** How many runs this incident has used so far, this one included. */
  runs: number;
  resume: ResumePoint;
}

/** Who a decision came from and on whose authority its containment runs. */
export interface CarriedDecision {
  choice: DecisionChoice;
  attribution: {
    actor: EvidenceActor;
    delegatedBy: EvidenceDelegator;
    policyInputs?: Record<string, unknown>;
  };
}

/** A durable wait on people: who is asked, how long it has waited, and its next timer's deadline (ISO). */
export interface HandoffProgress {
  people: PersonRef[];
  /** The sum of the reminder intervals that ran out: the wait's age, as its timers count it. */
  waitedMs: number;
  /** The interval of the timer now running (ends at nextReminderAt). */
  intervalMs: number;
  escalated: boolean;
  remindersSent: number;
  nextReminderAt: string;
  /** Reminders stopped after the policy's number; the wait goes on silently. */
  stopped: boolean;
}

export type DecisionStage = 'people' | 'backup' | 'overdue';

/** Where the previous run was waiting when it continued as new. */
export type ResumePoint =
  | { step: 'decision'; stage: DecisionStage; deadline?: string; backups: PersonRef[] }
  | { step: 'manual-containment'; decision: CarriedDecision; handoff: HandoffProgress }
  | { step: 'verification'; handoff?: HandoffProgress }
  | { step: 'acknowledgement'; dependentId: string; handoff: HandoffProgress };
