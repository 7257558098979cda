import { ApplicationFailure, condition, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { IncidentActivities } from '../activities';
import {
  describeExposure,
  type BlastRadius,
  type DependentCandidate,
  type ExposureReport,
  type SeenAs,
} from '../domain/exposure';
import type { CandidateConfirmation } from '../domain/incident';
import { backoff, counted, provider } from './activity-stubs';
import { describe } from './containment-phase';
import { dedupe } from './handoff';
import { person, unlessLocalCall } from './handlers';
import { WORKER, now, type ConfirmedCandidate, type IncidentState } from './incident-state';
import { confirmDependentCandidateUpdate } from './messages';
import { hasPatch } from './patches';

/**
 * The exposure report (patch 'exposure-report'): after containment the provider's logs are read for
 * what the credential did before the leak, during exposure and after containment, and read again once
 * late logs have arrived (a durable timer; at most MAX_REPORTS reports, so history stays bounded).
 * Use after containment is escalated at once. Before the decision, the blast radius (what the
 * credential may do, its last use) is put on the status card. Incidents started before the patch
 * replay without any of it.
 */
const exposureLogs = counted(
  proxyActivities<Pick<IncidentActivities, 'reportExposure' | 'assessBlastRadius'>>({
    startToCloseTimeout: '5 minutes',
    // The activities heartbeat every 5 s: a worker that dies mid-report is noticed here, not after 5 minutes.
    heartbeatTimeout: '30 seconds',
    scheduleToCloseTimeout: '30 minutes',
    retry: backoff('2 seconds', '1 minute', 5),
  }),
);

const MAX_REPORTS = 4;
const running = new WeakMap<IncidentState, Promise<void>>();
/** Incidents whose exposure report has begun and is not complete (re-runs after late logs included). */
const reportRunning = new WeakSet<IncidentState>();
const enabled = new WeakMap<IncidentState, boolean>();

function exposureOn(state: IncidentState): boolean {
  let on = enabled.get(state);
  if (on === undefined) enabled.set(state, (on = hasPatch('exposure-report')));
  return on;
}

/** Reads the blast radius in the background: containment and the decision never wait for it. */
export function assessBlastRadius(state: IncidentState): void {
  if (!exposureOn(state)) return;
  const plan = state.plan!;
  const attribution = { actor: WORKER, delegatedBy: { type: 'policy' as const, id: plan.policy.id } };
  const read = () => exposureLogs.assessBlastRadius({ secret: plan.secret });
  // Scheduled at once unless held: a later command order would not replay older runs.
  const work = (state.holdingBackground ? state.backgroundAllowed().then(read) : read()).then(
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
  reportRunning.add(state);
  running.set(
    state,
    before.then(() => reportUntilComplete(state, containedAt)).finally(() => reportRunning.delete(state)),
  );
}

/**
 * Closure waits for the exposure report; while the report is still being read (late logs are read
 * again) the incident says so (phase 'awaiting-exposure-report', patch 'exposure-wait-phase'):
 * before, it still read awaiting-verification after the verifier had answered.
 */
export async function awaitExposureReportBeforeClosure(state: IncidentState): Promise<void> {
  if (reportRunning.has(state) && hasPatch('exposure-wait-phase')) {
    state.phase = 'awaiting-exposure-report';
    state.waitFor([], 'the exposure report: provider logs that arrive late are read again before closure');
    state.publishListing();
  }
  await awaitExposureReport(state);
}

/** Waits for the exposure report (and its re-runs after late logs) and for confirmed candidates being stopped. */
export async function awaitExposureReport(state: IncidentState): Promise<void> {
  await running.get(state);
  await condition(() => state.confirmedCandidates.every((c) => c.state !== 'confirmed'));
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
    state.exposureCandidates = report.candidates;
    state.exposure = {
      ...state.exposure,
      summary: text,
      complete: report.complete,
      usedAfterContainment: report.usedAfterContainment,
      candidates: report.candidates.length,
      reports: n,
      unconfirmed: unconfirmed(state),
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

/** Keys of the report's candidates that nobody confirmed. */
function unconfirmed(state: IncidentState): string[] {
  return state.exposureCandidates
    .map((candidate) => candidate.key)
    .filter((key) => !state.confirmedCandidates.some((c) => c.candidate === key));
}

const refuse = (message: string, type: 'PERMISSION_DENIED' | 'CONFLICT' | 'INVALID_INPUT') =>
  ApplicationFailure.create({ message, type, nonRetryable: true });

/**
 * A person confirms a dependent candidate: nothing is disabled before. The workload is stopped through
 * the controller they name, like a catalog dependent; after a rotation it is started again (it reads the
 * delivered replacement); after a revocation it stays stopped until its owner re-keys it. Only invoked
 * by a person, so runs that never saw the update replay unchanged.
 */
export function registerCandidateConfirmation(state: IncidentState): void {
  setHandler(
    confirmDependentCandidateUpdate,
    async (request: CandidateConfirmation) => {
      const seen = state.exposureCandidates.find((candidate) => candidate.key === request.candidate)!;
      const entry: ConfirmedCandidate = { ...request, seen, state: 'confirmed' };
      state.confirmedCandidates.push(entry);
      if (state.exposure) state.exposure = { ...state.exposure, unconfirmed: unconfirmed(state) };
      const by = person(state, request.by);
      state.record(
        'dependent.confirmed',
        `${request.by} confirmed ${request.candidate} as dependent ${request.dependent.id} (${request.dependent.controller})`,
        by,
        { candidate: seen, dependent: request.dependent, channel: request.channel },
      );
      const dependent = { ...request.dependent, disable: 'after-revoke' as const };
      try {
        const disabled = await provider.disableDependent({ incidentId: state.incidentId, dependent });
        entry.state = 'disabled';
        state.recordAction(
          'dependent.disabled',
          `${dependent.id} disabled (${dependent.controller}; discovered by the exposure report)`,
          by,
          { dependentId: dependent.id, discovered: true },
          disabled,
        );
        if (state.decision?.choice === 'rotate') {
          const enabled = await provider.enableDependent({ incidentId: state.incidentId, dependent });
          entry.state = 'enabled-again';
          state.recordAction(
            'dependent.enabled',
            `${dependent.id} enabled again`,
            by,
            { dependentId: dependent.id, discovered: true },
            enabled,
          );
        }
      } catch (error) {
        entry.state = 'failed';
        state.record('dependent.failed', `${dependent.id}: ${describe(error)}; its owner must stop it by hand`, by, {
          dependentId: dependent.id,
          discovered: true,
        });
      }
      state.progress(`${request.by} confirmed ${dependent.id}: ${entry.state}.`);
      return state.summary();
    },
    { validator: unlessLocalCall(state, (request: CandidateConfirmation) => validateConfirmation(state, request)) },
  );
}

function validateConfirmation(state: IncidentState, request: CandidateConfirmation): void {
  const plan = state.plan;
  if (!plan || state.phase === 'closed' || state.closedAt)
    throw refuse(`the incident is ${state.phase}: candidates can be confirmed until it closes`, 'CONFLICT');
  const allowed = new Set([...plan.decisionMakers.map((p) => p.id), ...state.allowedExecutors]);
  if (!allowed.has(request.by))
    throw refuse(
      `${request.by} may not confirm dependents of this incident; decision makers and executors: ${[...allowed].join(', ')}`,
      'PERMISSION_DENIED',
    );
  if (!state.exposureCandidates.some((candidate) => candidate.key === request.candidate))
    throw refuse(
      `${request.candidate} is not a dependent candidate of this incident; candidates: ${state.exposureCandidates.map((c) => c.key).join('; ') || 'none (yet)'}`,
      'INVALID_INPUT',
    );
  const again = state.confirmedCandidates.find(
    (c) => c.candidate === request.candidate || c.dependent.id === request.dependent.id,
  );
  if (again)
    throw refuse(`${again.candidate} was already confirmed by ${again.by} as ${again.dependent.id}`, 'CONFLICT');
  if (plan.secret.dependents.some((d) => d.id === request.dependent.id))
    throw refuse(`${request.dependent.id} is already a catalog dependent of ${plan.secret.id}`, 'CONFLICT');
}

/**
 * The closure note's proposal: confirmed candidates as catalog `dependents` entries (YAML, to paste
 * under the secret), unconfirmed ones as comments. Empty when the report found no candidate.
 */
export function catalogProposal(state: IncidentState): string {
  const plan = state.plan;
  if (!plan || (state.exposureCandidates.length === 0 && state.confirmedCandidates.length === 0)) return '';
  const q = (value: string) => JSON.stringify(value);
  const safe = (value: string) =>
    [...value].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c)).join('');
  const lines = [
    `# Proposed catalog additions for secret ${q(plan.secret.id)} (exposure report of ${state.incidentId})`,
  ];
  if (state.confirmedCandidates.length) {
    lines.push('dependents:');
    for (const c of state.confirmedCandidates) {
      lines.push(
        `  - id: ${q(c.dependent.id)}`,
        ...(c.dependent.description ? [`    description: ${q(c.dependent.description)}`] : []),
        `    ownerTeam: ${q(c.dependent.ownerTeam)}`,
        `    controller: ${q(c.dependent.controller)}`,
        `    target: ${JSON.stringify(c.dependent.target)}`,
        '    disable: after-revoke',
        `    seenAs: ${JSON.stringify(seenAsOf(c.seen))}`,
        `    # seen as ${safe(c.candidate)}: ${c.seen.calls} use(s) ${c.seen.firstSeen} to ${c.seen.lastSeen}; confirmed by ${c.by}; ${c.state}`,
      );
    }
  }
  const open = state.exposureCandidates.filter((c) => !state.confirmedCandidates.some((d) => d.candidate === c.key));
  if (open.length) {
    lines.push('# Not confirmed by anyone (used the credential before the leak; check who runs them):');
    for (const c of open) lines.push(`#   ${safe(c.key)}: ${c.calls} use(s) ${c.firstSeen} to ${c.lastSeen}`);
  }
  return lines.join('\n');
}

/** The catalog `seenAs` that recognises a confirmed candidate in the next report. */
function seenAsOf(seen: DependentCandidate): SeenAs {
  return {
    ...(seen.sourceIp ? { sourceIps: [seen.sourceIp] } : {}),
    ...(seen.userAgent ? { userAgents: [seen.userAgent] } : {}),
    ...(seen.applicationName ? { applicationNames: [seen.applicationName] } : {}),
  };
}
