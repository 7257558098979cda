import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  TimeoutFailure,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { IncidentActivities } from '../activities';

/**
 * Every activity the incident workflow calls, grouped by how hard it must try. Timeouts and retry
 * policies are stated here, once. Non-retryable error types come from domain/errors.ts codes,
 * which activities set as the ApplicationFailure type.
 */
const NON_RETRYABLE = ['INVALID_INPUT', 'NOT_FOUND', 'PERMISSION_DENIED', 'CONFLICT', 'CONFIGURATION'];

/** Activities this run scheduled that have not answered yet (each run has its own module state). */
let activitiesInFlight = 0;

/** Whether no activity of this run is in flight: no answer can reach the run beside a local activity's. */
export function noActivityInFlight(): boolean {
  return activitiesInFlight === 0;
}

/**
 * The stubs, counted while in flight (see noActivityInFlight). The count is kept on a branch of the
 * activity's own promise: the caller gets that same promise, so no continuation moves by a microtask.
 */
export function counted<Stubs extends object>(stubs: Stubs): Stubs {
  return new Proxy(stubs, {
    get(target, name, receiver) {
      const stub = Reflect.get(target, name, receiver) as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => {
        const answer = stub(...args);
        activitiesInFlight += 1;
        const settled = () => {
          activitiesInFlight -= 1;
        };
        answer.then(settled, settled);
        return answer;
      };
    },
  });
}

/**
 * The retry policy every stub uses: waits doubling from `initialInterval` up to `maximumInterval`,
 * `maximumAttempts` at most (unset: until the schedule-to-close timeout), never for an error type
 * no retry can fix.
 */
export function backoff(initialInterval: Duration, maximumInterval: Duration, maximumAttempts?: number): RetryPolicy {
  return {
    initialInterval,
    backoffCoefficient: 2,
    maximumInterval,
    ...(maximumAttempts === undefined ? {} : { maximumAttempts }),
    nonRetryableErrorTypes: NON_RETRYABLE,
  };
}

/**
 * Catalog look-up and evidence: local and cheap; retried for a day (a database outage is waited
 * out), never forever. Dispatched eagerly, like every activity here: the workflow task that schedules
 * it hands it straight back to its worker (at most three per task), with no task through matching and
 * no separate start on the server: a third less server CPU per run of an incident's shape, and a storm
 * drained in 155 s where it took 198 s (BENCHMARKS.md, session 11).
 * The provider call does not lose its slot to them: background work is held while a provider call
 * runs (IncidentState.holdBackgroundWork), and a provider call scheduled beside it is scheduled first,
 * the background work on a later microtask. Eagerness is not recorded in history: replay is unaffected.
 */
export const bookkeeping = counted(
  proxyActivities<
    Pick<
      IncidentActivities,
      | 'planIncident'
      | 'backupApproversNow'
      | 'appendEvidence'
      | 'appendEvidenceBatch'
      | 'destroySealedValue'
      | 'sealClosureBundle'
    >
  >({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: '1 day',
    retry: backoff('500 milliseconds', '30 seconds'),
  }),
);

/**
 * Planning from the catalog as a local activity: short and idempotent, it runs inside the workflow
 * task that starts the incident — no activity task through matching, no second workflow task —
 * so the provider call is scheduled one round trip sooner. Same retry policy as bookkeeping.
 */
export const localPlanning = proxyLocalActivities<Pick<IncidentActivities, 'planIncident'>>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 day',
  localRetryThreshold: '10 seconds',
  retry: backoff('500 milliseconds', '30 seconds'),
});

/**
 * Provider calls: a handful of attempts with backoff, then the workflow compensates and asks humans.
 * A provider's Retry-After reaches Temporal as the failure's nextRetryDelay.
 */
export const provider = counted(
  proxyActivities<
    Pick<
      IncidentActivities,
      | 'revokeCredential'
      | 'issueReplacement'
      | 'deliverReplacement'
      | 'withdrawReplacement'
      | 'revokeReplacement'
      | 'endDerivedSessions'
      | 'disableDependent'
      | 'enableDependent'
    >
  >({
    startToCloseTimeout: '20 seconds',
    scheduleToCloseTimeout: '10 minutes',
    retry: backoff('1 second', '30 seconds', 6),
  }),
);

/**
 * The revocation's first attempt as a local activity: it runs inside the workflow task that decided
 * to revoke, with no activity task through the server and no second workflow task before the
 * provider is called. It is recorded in history like any activity (a marker with its answer), and a
 * worker lost while it runs makes the workflow task time out and run it again, which a revocation
 * (idempotent, like every activity) allows. One attempt only: if it fails in a way a retry could
 * fix, the revocation continues as the activity above, with its retries and Retry-After.
 */
const localRevocation = proxyLocalActivities<Pick<IncidentActivities, 'revokeCredential'>>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 1 },
});

type RevocationRequest = Parameters<IncidentActivities['revokeCredential']>[0];

/** What a local call needs of the run (IncidentState): may it run alone now, and when it answered. */
export interface LocalCallGate {
  beginLocalCall(): boolean;
  endLocalCall(): void;
}

/**
 * Revokes the credential: first locally when `firstAttemptLocal` (patch 'revocation-local-first')
 * and the run lets a local call run alone now (patch 'local-call-alone'), else as an activity.
 */
export async function revokeCredential(
  request: RevocationRequest,
  firstAttemptLocal: boolean,
  gate: LocalCallGate,
): ReturnType<IncidentActivities['revokeCredential']> {
  if (!firstAttemptLocal || !gate.beginLocalCall()) return provider.revokeCredential(request);
  let answer: Awaited<ReturnType<IncidentActivities['revokeCredential']>>;
  try {
    answer = await localRevocation.revokeCredential(request);
  } catch (error) {
    gate.endLocalCall();
    // A local activity's failure may reach the workflow as its cause alone, not wrapped in an ActivityFailure.
    const cause = error instanceof ActivityFailure ? error.cause : error;
    const fixable =
      cause instanceof TimeoutFailure ||
      (cause instanceof ApplicationFailure && !cause.nonRetryable && !NON_RETRYABLE.includes(cause.type ?? ''));
    if (!fixable) throw error;
    // A provider that asked to wait (Retry-After) is not called again before it said.
    const wait = cause instanceof ApplicationFailure ? cause.nextRetryDelay : null;
    if (wait) await sleep(wait);
    return provider.revokeCredential(request);
  }
  gate.endLocalCall();
  return answer;
}

/**
 * Proof of death: one activity polls the provider (eventual consistency) until the policy's
 * deadline, heartbeating after each check; a lost worker is noticed within the heartbeat timeout
 * and the retry resumes. Schedule-to-close bounds the whole, retries included.
 */
export function deathProver(timeoutMs: number) {
  return counted(
    proxyActivities<Pick<IncidentActivities, 'proveCredentialDead'>>({
      scheduleToCloseTimeout: timeoutMs + 60_000,
      heartbeatTimeout: '30 seconds',
      retry: backoff('1 second', '30 seconds'),
    }),
  );
}

/**
 * Notifications never block containment, and never block closure either: a bounded number of
 * attempts (about ten minutes), then the workflow records `notification.failed` with the reason and
 * tells the escalation contacts instead. Eager, like bookkeeping.
 */
export const messaging = counted(
  proxyActivities<Pick<IncidentActivities, 'notify' | 'tellFallbackChannel'>>({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: '15 minutes',
    retry: backoff('2 seconds', '2 minutes', 8),
  }),
);

/**
 * Notifications that go out together (patch 'notifications-together'), in order, as one activity:
 * one activity and one workflow task fewer for an incident that tells its owner it opened and asks
 * for a decision at once. A notification refused for good is answered, not retried (the workflow
 * records it as undelivered). Two short attempts otherwise: when both fail, the workflow sends the
 * notifications one by one through `messaging`, with its retries and its fallbacks. A Slack outage
 * reaches the fallback channel those two attempts later (seconds; two minutes at most if Slack hangs).
 */
export const messagingTogether = counted(
  proxyActivities<Pick<IncidentActivities, 'notifyInOrder'>>({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: '2 minutes',
    retry: backoff('1 second', '2 seconds', 2),
  }),
);

/**
 * Closing the source's alert (GitHub secret scanning) after closure: a few attempts, then the
 * workflow records the failure and the incident stays closed. The activity checks before it acts.
 */
export const sourceAlerts = counted(
  proxyActivities<Pick<IncidentActivities, 'closeSourceAlerts'>>({
    startToCloseTimeout: '20 seconds',
    scheduleToCloseTimeout: '10 minutes',
    retry: backoff('1 second', '30 seconds', 5),
  }),
);
