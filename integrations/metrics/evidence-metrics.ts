import type { Catalog } from '../../domain/catalog';
import type { EvidenceRecord } from '../../domain/evidence';
import type { Database } from '../database/database';
import { secondsBetween, type Milestone, type ProductMetrics } from './product-metrics';

/** The evidence kind that marks each milestone; the first one recorded counts. */
const MILESTONE_OF: Record<string, Milestone> = {
  'decision.made': 'decide',
  'credential.revoked': 'contain',
  'credential.rotated': 'contain',
  'manual-containment.confirmed': 'contain',
  'death.proven': 'prove_death',
  'verification.confirmed': 'verify',
  'incident.closed': 'close',
};

/**
 * The phase an open incident is in, and the role it waits on, after the last of these kinds.
 * Kinds not listed (sightings, partial approvals, findings) do not move the phase.
 */
export const PHASE_AFTER: Record<string, { phase: string; waitingOn: string }> = {
  'incident.opened': { phase: 'planning', waitingOn: 'worker' },
  'decision.requested': { phase: 'awaiting-decision', waitingOn: 'decision-maker' },
  'decision.escalated': { phase: 'escalated-to-backup', waitingOn: 'backup-approver' },
  'decision.made': { phase: 'containing', waitingOn: 'worker' },
  'containment.started': { phase: 'containing', waitingOn: 'worker' },
  'manual-containment.requested': { phase: 'awaiting-manual-containment', waitingOn: 'executor' },
  'handoff.escalated': { phase: 'awaiting-manual-containment', waitingOn: 'escalation-contact' },
  'credential.revoked': { phase: 'proving-death', waitingOn: 'provider' },
  'credential.rotated': { phase: 'proving-death', waitingOn: 'provider' },
  'containment.failed': { phase: 'needs-attention', waitingOn: 'decision-maker' },
  'death.unproven': { phase: 'needs-attention', waitingOn: 'decision-maker' },
  'death.proven': { phase: 'awaiting-verification', waitingOn: 'verifier' },
  'manual-containment.confirmed': { phase: 'awaiting-verification', waitingOn: 'verifier' },
  'verification.confirmed': { phase: 'awaiting-acknowledgement', waitingOn: 'dependent-owner' },
};

interface Opening {
  at: string;
  tier: string;
  ownerTeam: string;
}

/**
 * Turns each newly appended evidence record into metrics, so the numbers and the evidence always
 * agree: the store calls {@link observe} once per record it inserted (never for a retried append).
 */
export class EvidenceMetrics {
  constructor(
    private readonly metrics: ProductMetrics,
    private readonly listIncident: (incidentId: string) => Promise<EvidenceRecord[]>,
  ) {}

  async observe(record: EvidenceRecord): Promise<void> {
    // Drills exercise people, not credentials: they stay out of production figures (docs/ownership.md).
    if (isDrill(record.incidentId)) return;
    if (record.kind === 'incident.opened') {
      const opening = openingOf(record);
      const sighting = record.details.sighting as { source?: unknown } | undefined;
      this.metrics.incidentsOpened.inc({
        source: typeof sighting?.source === 'string' ? sighting.source : 'unknown',
        tier: opening.tier,
        owner_team: opening.ownerTeam,
      });
      return;
    }
    const milestone = MILESTONE_OF[record.kind];
    if (!milestone) return;
    const earlier = await this.listIncident(record.incidentId);
    const opened = earlier.find((r) => r.kind === 'incident.opened');
    if (!opened) return;
    // Only the first record of a milestone counts (a rotation that is retried, a second proof).
    const first = earlier.find((r) => MILESTONE_OF[r.kind] === milestone);
    if (first && first.seq !== record.seq) return;
    const { at, tier, ownerTeam } = openingOf(opened);
    const labels = { tier, owner_team: ownerTeam };
    this.metrics.timeTo[milestone].observe(labels, secondsBetween(at, record.at));
    if (record.kind === 'incident.closed') {
      const outcome = typeof record.details.outcome === 'string' ? record.details.outcome : 'unknown';
      this.metrics.incidentsClosed.inc({ outcome, ...labels });
    }
  }
}

/** Drill incidents have workflow ids `drill-…` (domain/ids.ts). */
function isDrill(incidentId: string): boolean {
  return incidentId.startsWith('drill-');
}

function openingOf(record: EvidenceRecord): Opening {
  const tier = record.policy.inputs.tier;
  const team = record.details.ownerTeam;
  return {
    at: record.at,
    tier: typeof tier === 'string' ? tier : 'unknown',
    ownerTeam: typeof team === 'string' ? team : 'unknown',
  };
}

/** An open incident as its evidence shows it: the phase after its last phase-moving record. */
export interface OpenIncidentView {
  incidentId: string;
  phase: string;
  waitingOn: string;
  /** When the current wait began (the record that moved the phase). */
  since: string;
  policyId: string;
  tier: string;
}

/** Reads every incident without `incident.closed` from the evidence table (drills left out). */
export async function openIncidentsFromEvidence(database: Database): Promise<OpenIncidentView[]> {
  const result = await database.query<{ incident_id: string; kind: string; at: string; policy: string; tier: string }>(
    `SELECT DISTINCT ON (incident_id) incident_id, kind, record->>'at' AS at,
            record->'policy'->>'id' AS policy, coalesce(record->'policy'->'inputs'->>'tier', 'unknown') AS tier
       FROM evidence_records
      WHERE kind = ANY($1)
        AND incident_id NOT IN (SELECT incident_id FROM evidence_records WHERE kind = 'incident.closed')
        AND incident_id NOT LIKE 'drill-%'
      ORDER BY incident_id, seq DESC`,
    [Object.keys(PHASE_AFTER)],
  );
  return result.rows.flatMap((row) => {
    const where = PHASE_AFTER[row.kind];
    return where
      ? [{ incidentId: row.incident_id, ...where, since: row.at, policyId: row.policy, tier: row.tier }]
      : [];
  });
}

/** How long a policy lets a phase wait before it counts as overdue; undefined = no window. */
export type WaitWindow = (policyId: string, phase: string) => number | undefined;

/** Open incidents whose current wait is past its policy's window. */
export function overdue(open: OpenIncidentView[], windowMs: WaitWindow, now: Date): OpenIncidentView[] {
  return open.filter((incident) => {
    const window = windowMs(incident.policyId, incident.phase);
    return window !== undefined && now.getTime() - Date.parse(incident.since) > window;
  });
}

/**
 * Sets `tourniquet_open_incidents{phase,waiting_on}` and `tourniquet_open_incidents_overdue{phase,
 * waiting_on,tier}` from the evidence table. Runs at scrape time, so every worker reports the same
 * numbers and a restart loses nothing.
 */
export async function refreshOpenIncidents(
  metrics: ProductMetrics,
  database: Database,
  windowMs: WaitWindow,
  now = new Date(),
): Promise<void> {
  const open = await openIncidentsFromEvidence(database);
  metrics.openIncidents.reset();
  metrics.openIncidentsOverdue.reset();
  for (const incident of open) metrics.openIncidents.inc({ phase: incident.phase, waiting_on: incident.waitingOn });
  for (const incident of overdue(open, windowMs, now))
    metrics.openIncidentsOverdue.inc({ phase: incident.phase, waiting_on: incident.waitingOn, tier: incident.tier });
}

/** The catalog policies' windows: decision, backup and manual-handoff timeouts. */
export function policyWindows(catalog: Pick<Catalog, 'policies'>): WaitWindow {
  return (policyId, phase) => {
    const policy = catalog.policies.find((candidate) => candidate.id === policyId);
    if (!policy) return undefined;
    if (phase === 'awaiting-decision') return policy.decisionTimeout;
    if (phase === 'escalated-to-backup') return policy.backupTimeout;
    if (phase === 'awaiting-manual-containment') return policy.handoffTimeout;
    return undefined;
  };
}
