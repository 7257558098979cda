/**
 * The exposure report: what a leaked credential did between the leak and containment, whether
 * anything used it after containment, and which workloads used it before the leak. Pure types and
 * classification; the provider look-ups live in integrations/ (ExposureSource adapters).
 */

/**
 * - `baseline`: a successful call before the leak (the credential's normal workloads).
 * - `during-exposure`: a successful call between the leak and containment (anyone may have made it).
 * - `after-containment`: a successful call after containment: containment failed somewhere.
 * - `denied`: a refused call (AccessDenied, InvalidClientTokenId...); after containment it shows that
 *   somebody still holds the value and tries it.
 */
export type ExposureClass = 'baseline' | 'during-exposure' | 'after-containment' | 'denied';
export type ExposurePeriod = 'before-leak' | 'during-exposure' | 'after-containment';

export interface ExposureEvent {
  at: string;
  /** The credential that made the call: the leaked one or a credential derived from it (key ids only). */
  credential: string;
  service: string;
  action: string;
  region?: string;
  sourceIp?: string;
  userAgent?: string;
  /** The client's own name for itself (PostgreSQL `application_name`). */
  applicationName?: string;
  errorCode?: string;
  period: ExposurePeriod;
  classification: ExposureClass;
  /** The provider's own id of the record (CloudTrail EventId, audit log _document_id). */
  eventId?: string;
}

/**
 * A database session of the credential's role as `pg_stat_activity` showed it: at containment (the
 * sessions Tourniquet ended) or when the report ran. No query text, no value.
 */
export interface SessionSeen {
  pid: number;
  backendStart: string;
  clientAddr?: string;
  applicationName?: string;
  database?: string;
}

/** A credential issued by the leaked one (STS session token, federation token, new access key). */
export interface DerivedCredential {
  id: string;
  issuedBy: string;
  issuedAt: string;
  /** The leaked credential or the derived credential that issued it. */
  parent: string;
}

/** A workload that used the credential before the leak and the catalog does not list: a person confirms it. */
export interface DependentCandidate {
  key: string;
  sourceIp?: string;
  userAgent?: string;
  service?: string;
  applicationName?: string;
  firstSeen: string;
  lastSeen: string;
  calls: number;
}

/** A catalog dependent the report recognised among the workloads seen before the leak. */
export interface KnownWorkload {
  dependentId: string;
  key: string;
  calls: number;
  lastSeen: string;
}

export interface ExposureWindow {
  from: string;
  to: string;
  leakedAt: string;
  containedAt: string;
}

export interface ExposureReport {
  /** Which log was read (`aws-cloudtrail`, `github-audit-log`, `postgres`) or `none`. */
  source: string;
  provider: string;
  secretId: string;
  window: ExposureWindow;
  /** When the look-up ran; `complete` is true once the window had closed (late logs included). */
  queriedAt: string;
  complete: boolean;
  counts: Record<ExposureClass, number>;
  /** At most EVENT_LIMIT events, the most telling first (after containment, denied, exposure, baseline). */
  events: ExposureEvent[];
  eventsOmitted: number;
  derivedCredentials: DerivedCredential[];
  /** The provider's own "last used" answer (IAM GetAccessKeyLastUsed), when it has one. */
  lastUsed?: { at?: string; service?: string; region?: string; note: string };
  usedAfterContainment: boolean;
  candidates: DependentCandidate[];
  /** Catalog dependents recognised in the logs by their `seenAs` (not candidates). */
  knownWorkloads?: KnownWorkload[];
  /** What this source can and cannot see (retention, event types, editions). */
  limits: string[];
  /** Plain statements of what could not be known. */
  cannotKnow: string[];
  /** The provider API calls this report cost, by operation. */
  apiCalls: Record<string, number>;
}

/** What the approvers see before deciding: what the credential may do and when it was last used. */
export interface BlastRadius {
  principal?: string;
  policies: Array<{ name: string; kind: 'attached' | 'inline' | 'group'; summary: string }>;
  lastUsed?: { at?: string; service?: string; region?: string; note: string };
  cannotKnow: string[];
  apiCalls: Record<string, number>;
}

/** What the status, the API and the Slack card show of the exposure report. */
export interface ExposureStatus {
  /** One line per class of use, from the latest report. */
  summary?: string;
  complete?: boolean;
  usedAfterContainment?: boolean;
  /** Workloads seen before the leak that the catalog does not list (to be confirmed by a person). */
  candidates?: number;
  reports?: number;
  /** What the credential may do and its last use, read before the decision. */
  blastRadius?: string;
  /** Keys of the candidates nobody confirmed yet (POST /api/incidents/:id/candidates/confirmation). */
  unconfirmed?: string[];
}

export const EVENT_LIMIT = 50;

/** Seen before the leak, between leak and containment, or after containment. */
export function periodOf(at: string, window: Pick<ExposureWindow, 'leakedAt' | 'containedAt'>): ExposurePeriod {
  const t = Date.parse(at);
  if (t < Date.parse(window.leakedAt)) return 'before-leak';
  if (t <= Date.parse(window.containedAt)) return 'during-exposure';
  return 'after-containment';
}

export function classify(period: ExposurePeriod, errorCode: string | undefined): ExposureClass {
  if (errorCode) return 'denied';
  if (period === 'before-leak') return 'baseline';
  return period;
}

const ORDER: Record<ExposureClass, number> = { 'after-containment': 0, denied: 1, 'during-exposure': 2, baseline: 3 };

/** Counts, the bounded event list and the candidates of a set of classified events. */
export function summarise(events: ExposureEvent[]): {
  counts: Record<ExposureClass, number>;
  events: ExposureEvent[];
  eventsOmitted: number;
  usedAfterContainment: boolean;
} {
  const counts: Record<ExposureClass, number> = {
    baseline: 0,
    'during-exposure': 0,
    'after-containment': 0,
    denied: 0,
  };
  events.forEach((event) => (counts[event.classification] += 1));
  const sorted = [...events].sort(
    (a, b) => ORDER[a.classification] - ORDER[b.classification] || a.at.localeCompare(b.at),
  );
  return {
    counts,
    events: sorted.slice(0, EVENT_LIMIT),
    eventsOmitted: Math.max(0, sorted.length - EVENT_LIMIT),
    usedAfterContainment: events.some((event) => event.period === 'after-containment'),
  };
}

/** How a catalog dependent shows in provider logs (catalog `seenAs`): every list given must match. */
export interface SeenAs {
  sourceIps?: string[];
  /** Matched as substrings of the user agent. */
  userAgents?: string[];
  applicationNames?: string[];
}

/** True when the workload matches the dependent's `seenAs` (at least one list given, each given list matching). */
export function matchesSeenAs(workload: DependentCandidate, seenAs: SeenAs | undefined): boolean {
  if (!seenAs) return false;
  const checks: boolean[] = [];
  if (seenAs.sourceIps?.length) checks.push(!!workload.sourceIp && seenAs.sourceIps.includes(workload.sourceIp));
  if (seenAs.userAgents?.length)
    checks.push(!!workload.userAgent && seenAs.userAgents.some((agent) => workload.userAgent!.includes(agent)));
  if (seenAs.applicationNames?.length)
    checks.push(!!workload.applicationName && seenAs.applicationNames.includes(workload.applicationName));
  return checks.length > 0 && checks.every(Boolean);
}

/** Workloads that used the credential before the leak, keyed by source IP and user agent (or application name). */
function workloads(events: ExposureEvent[]): DependentCandidate[] {
  const byKey = new Map<string, DependentCandidate>();
  for (const event of events.filter((e) => e.classification === 'baseline')) {
    const key = `${event.sourceIp ?? '?'} ${event.userAgent ?? event.applicationName ?? '?'}`;
    const known = byKey.get(key);
    if (known) {
      known.calls += 1;
      if (event.at < known.firstSeen) known.firstSeen = event.at;
      if (event.at > known.lastSeen) known.lastSeen = event.at;
      continue;
    }
    byKey.set(key, {
      key,
      sourceIp: event.sourceIp,
      userAgent: event.userAgent,
      ...(event.applicationName ? { applicationName: event.applicationName } : {}),
      service: event.service,
      firstSeen: event.at,
      lastSeen: event.at,
      calls: 1,
    });
  }
  return [...byKey.values()];
}

type KnownDependent = { id: string; seenAs?: SeenAs };

/** Workloads seen before the leak that no catalog dependent's `seenAs` matches: a person confirms them. */
export function dependentCandidates(events: ExposureEvent[], dependents: KnownDependent[] = []): DependentCandidate[] {
  return workloads(events)
    .filter((workload) => !dependents.some((dependent) => matchesSeenAs(workload, dependent.seenAs)))
    .slice(0, 20);
}

/** Catalog dependents seen in the logs before the leak (by their `seenAs`). */
export function knownWorkloads(events: ExposureEvent[], dependents: KnownDependent[] = []): KnownWorkload[] {
  const seen: KnownWorkload[] = [];
  for (const workload of workloads(events)) {
    const dependent = dependents.find((d) => matchesSeenAs(workload, d.seenAs));
    if (dependent)
      seen.push({ dependentId: dependent.id, key: workload.key, calls: workload.calls, lastSeen: workload.lastSeen });
  }
  return seen.slice(0, 20);
}

/** One line per class, for cards, notifications and the evidence summary. */
export function describeExposure(report: ExposureReport): string {
  const c = report.counts;
  const parts = [
    `${c.baseline} before the leak`,
    `${c['during-exposure']} during exposure`,
    `${c['after-containment']} after containment`,
    `${c.denied} denied`,
  ];
  const derived = report.derivedCredentials.length
    ? `; derived credentials followed: ${report.derivedCredentials.map((d) => d.id).join(', ')}`
    : '';
  const state = report.complete ? 'final' : 'preliminary (logs may still arrive)';
  return `${report.source}: ${parts.join(', ')}${derived} (${state})`;
}

/** The window a source reads: from `from` (baseline before the leak) to `to` (late logs after containment). */
export function windowOf(query: { leakedAt: string; containedAt: string }, from: Date, to: Date): ExposureWindow {
  return { from: from.toISOString(), to: to.toISOString(), leakedAt: query.leakedAt, containedAt: query.containedAt };
}

/**
 * What every log source's report says alike: which log it read, over which window and when, whether
 * the window had closed, and what the classified events show (counts, the events, the workloads).
 */
export function reportOfEvents(
  read: {
    source: string;
    provider: string;
    secret: { id: string; dependents?: KnownDependent[] };
    window: ExposureWindow;
    now: number;
  },
  events: ExposureEvent[],
): Pick<
  ExposureReport,
  | 'source'
  | 'provider'
  | 'secretId'
  | 'window'
  | 'queriedAt'
  | 'complete'
  | 'counts'
  | 'events'
  | 'eventsOmitted'
  | 'usedAfterContainment'
  | 'candidates'
  | 'knownWorkloads'
> {
  return {
    source: read.source,
    provider: read.provider,
    secretId: read.secret.id,
    window: read.window,
    queriedAt: new Date(read.now).toISOString(),
    complete: read.now >= Date.parse(read.window.to),
    ...summarise(events),
    candidates: dependentCandidates(events, read.secret.dependents),
    knownWorkloads: knownWorkloads(events, read.secret.dependents),
  };
}
