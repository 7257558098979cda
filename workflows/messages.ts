import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  CandidateConfirmation,
  DecisionRequest,
  DelegationRequest,
  ReportedValue,
  DependentAcknowledgement,
  IncidentStatus,
  IncidentSummary,
  ManualConfirmation,
  Sighting,
  VerificationRequest,
  VerifierAssignment,
} from '../domain/incident';

/**
 * The messages of the leakedSecretIncident workflow, shared by the workflow, the HTTP API, the
 * Slack handlers and tests. Updates carry a validator in the workflow: a caller who is not
 * allowed is rejected before anything enters history. Use the caller's request id (Slack
 * interaction id, API Idempotency-Key) as the update id so a retried click counts once.
 */

/** A decision by an approver: revoke, rotate or false positive. Answers the incident's summary after (no timeline: read that with the status query). */
export const decideUpdate = defineUpdate<IncidentSummary, [DecisionRequest]>('decide');

/**
 * A current approver hands the pending decision to a named colleague with a reason: the colleague
 * may decide in their place (recorded: who delegated to whom, under which policy).
 */
export const delegateDecisionUpdate = defineUpdate<IncidentSummary, [DelegationRequest]>('delegateDecision');

/** An executor of the issuing team confirms a containment done by hand in a vendor console. */
export const confirmManualContainmentUpdate = defineUpdate<IncidentSummary, [ManualConfirmation]>(
  'confirmManualContainment',
);

/** A dependent's owner acknowledges its shutdown. */
export const acknowledgeDependentUpdate = defineUpdate<IncidentSummary, [DependentAcknowledgement]>(
  'acknowledgeDependent',
);

/**
 * No eligible verifier: an escalation contact names a person who neither decided nor executed.
 * Answers once the incident waits on that person.
 */
export const assignVerifierUpdate = defineUpdate<IncidentSummary, [VerifierAssignment]>('assignVerifier');

/**
 * A decision maker or executor confirms a dependent candidate of the exposure report: it is disabled
 * (and, after a rotation, enabled again) through the named controller and proposed for the catalog.
 */
export const confirmDependentCandidateUpdate = defineUpdate<IncidentSummary, [CandidateConfirmation]>(
  'confirmDependentCandidate',
);

/** The verifier confirms the incident is closed, with a note. */
export const verifyClosureUpdate = defineUpdate<IncidentSummary, [VerificationRequest]>('verifyClosure');

/**
 * Another report of the same credential; duplicates (same source + sourceRef) are ignored. A report
 * that arrives while the incident is closing starts the credential's next incident.
 */
export const reportSightingSignal = defineSignal<[Sighting, ReportedValue?]>('reportSighting');

/** Live status and timeline. */
export const getStatusQuery = defineQuery<IncidentStatus>('getStatus');

/**
 * The type of an update's refusal while the incident's local activity runs alone (handlers.ts,
 * unlessLocalCall): the caller asks again in a moment (IncidentService does).
 */
export const LOCAL_CALL_REFUSAL = 'RATE_LIMITED';
