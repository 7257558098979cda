import { patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { IncidentActivities } from '../activities';
import { describeExposure, type BlastRadius, type ExposureReport } from '../domain/exposure';
import { dedupe } from './handoff';
import { WORKER, now, type IncidentState } from './incident-state';

/**
 * The exposure report (patch 'exposure-report'): after containment the provider's logs are read for
 * what the credential did before the leak, during exposure and after containment, and read again once
 * late logs have arrived (a durable timer; at most MAX_REPORTS reports, so history stays bounded).
 * Use after containment is escalated at once. Before the decision, the blast radius (what the
 * credential may do, its last use) is put on the status card. Incidents started before the patch
 * replay without any of it.
 */
const exposureLogs = proxyActivities<Pick<IncidentActivities, 'reportExposure' | 'assessBlastRadius'>>({
  startToCloseTimeout: '5 minutes',
  scheduleToCloseTimeout: '30 minutes',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['INVALID_INPUT', 'NOT_FOUND', 'PERMISSION_DENIED', 'CONFLICT', 'CONFIGURATION'],
  },
});

const MAX_REPORTS = 4;
const running = new WeakMap<IncidentState, Promise<void>>();
const enabled = new WeakMap<IncidentState, boolean>();

function exposureOn(state: IncidentState): boolean {
  let on = enabled.get(state);
  if (on === undefined) enabled.set(state, (on = patched('exposure-report')));
  return on;
}

/** Reads the blast radius in the background: containment and the decision never wait for it. */
export function assessBlastRadius(state: IncidentState): void {
  if (!exposureOn(state)) return;
  const plan = state.plan!;
  const attribution = { actor: WORKER, delegatedBy: { type: 'policy' as const, id: plan.policy.id } };
  const work = exposureLogs.assessBlastRadius({ secret: plan.secret }).then(
    (radius) => {
      if (!radius) return;
      const text = describeBlastRadius(radius);
      state.exposure = { ...state.exposure, blastRadius: text };
      state.record('blast-radius.assessed', text, attribution, { blastRadius: radius });
      state.progress(`Blast radius of ${plan.secret.id}: ${text}`);
    },
    (error: unknown) => state.record('blast-radius.unknown', `blast radius unknown: ${String(error)}`, attribution, {}),
  );
  running.set(state, work);
}

/** Starts the exposure report right after containment; closure waits for it (closeWithExposure). */
export function beginExposureReport(state: IncidentState): void {
  if (!exposureOn(state)) return;
  const before = running.get(state) ?? Promise.resolve();
  const containedAt = now();
  running.set(
    state,
    before.then(() => reportUntilComplete(state, containedAt)),
  );
}

/** Waits for the exposure report (and its re-runs after late logs) before the incident closes. */
export async function awaitExposureReport(state: IncidentState): Promise<void> {
  await running.get(state);
}

async function reportUntilComplete(state: IncidentState, containedAt: string): Promise<void> {
  const plan = state.plan!;
  const attribution = { actor: WORKER, delegatedBy: { type: 'policy' as const, id: plan.policy.id } };
  let escalated = false;
  for (let n = 1; n <= MAX_REPORTS; n++) {
    let answer: { report: ExposureReport; rerunAfterMs?: number };
    try {
      answer = await exposureLogs.reportExposure({
        incidentId: state.incidentId,
        secret: plan.secret,
        sealedValueHandle: state.input.sealedValueHandle,
        leakedAt: state.input.firstSighting.detectedAt,
        containedAt,
        ...(state.sessionsAtContainment ? { sessionsAtContainment: state.sessionsAtContainment } : {}),
      });
    } catch (error) {
      state.record('exposure.unavailable', `exposure report failed: ${String(error)}`, attribution, { attempt: n });
      return;
    }
    const { report } = answer;
    const final = answer.rerunAfterMs === undefined || n === MAX_REPORTS;
    const text = describeExposure(report);
    state.exposure = {
      ...state.exposure,
      summary: text,
      complete: report.complete,
      usedAfterContainment: report.usedAfterContainment,
      candidates: report.candidates.length,
      reports: n,
    };
    state.record('exposure.reported', text, attribution, { report, final, run: n });
    if (report.usedAfterContainment && !escalated) {
      escalated = true;
      escalate(state, report);
    } else state.progress(`Exposure of ${plan.secret.id}: ${text}`);
    if (final) return;
    await sleep(answer.rerunAfterMs!);
  }
}

/** Use after containment is a containment failure (or somebody still trying the value): people now. */
function escalate(state: IncidentState, report: ExposureReport): void {
  const plan = state.plan!;
  const to = dedupe([...plan.decisionMakers, ...plan.escalationContacts]);
  const after = report.events.filter((event) => event.period === 'after-containment');
  const calls = after.map((e) => `${e.action}${e.errorCode ? ` (${e.errorCode})` : ''} from ${e.sourceIp ?? '?'}`);
  const lastUse = report.lastUsed?.at && report.lastUsed.at > report.window.containedAt ? [report.lastUsed.at] : [];
  state.record(
    'exposure.used-after-containment',
    `${plan.secret.id} was used after containment: ${[...calls, ...lastUse.map((at) => `IAM last used ${at}`)].join('; ')}`,
    { actor: WORKER, delegatedBy: { type: 'policy', id: plan.policy.id } },
    { events: after, lastUsed: report.lastUsed, to: to.map((p) => p.id) },
  );
  state.notify(
    'needs-attention',
    to,
    `${plan.secret.id} was used after containment (${after.length} call(s)${after.some((e) => !e.errorCode) ? ', some succeeded' : ', all refused'}): check the containment and who still holds the value.`,
  );
}

function describeBlastRadius(radius: BlastRadius): string {
  const policies = radius.policies.length
    ? radius.policies.map((p) => `${p.name} (${p.kind}: ${p.summary})`).join('; ')
    : 'no policies found';
  const last = radius.lastUsed?.at
    ? `last used ${radius.lastUsed.at} (${radius.lastUsed.service ?? '?'}, ${radius.lastUsed.region ?? '?'})`
    : (radius.lastUsed?.note ?? 'last use unknown');
  return `${radius.principal ?? 'principal unknown'}: ${policies}; ${last}`;
}
