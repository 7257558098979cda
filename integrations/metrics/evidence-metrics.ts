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

/**
 * Sets `tourniquet_open_incidents` from the evidence table: for every incident without
 * `incident.closed`, the phase after its last phase-moving record. Runs at scrape time, so every
 * worker reports the same numbers and a restart loses nothing.
 */
export async function refreshOpenIncidents(metrics: ProductMetrics, database: Database): Promise<void> {
  const result = await database.query<{ kind: string; count: string | number }>(
    `SELECT kind, count(*) AS count FROM (
       SELECT DISTINCT ON (incident_id) incident_id, kind FROM evidence_records
        WHERE kind = ANY($1)
          AND incident_id NOT IN (SELECT incident_id FROM evidence_records WHERE kind = 'incident.closed')
          AND incident_id NOT LIKE 'drill-%'
        ORDER BY incident_id, seq DESC
     ) latest GROUP BY kind`,
    [Object.keys(PHASE_AFTER)],
  );
  metrics.openIncidents.reset();
  for (const row of result.rows) {
    const where = PHASE_AFTER[row.kind];
    if (where) metrics.openIncidents.inc({ phase: where.phase, waiting_on: where.waitingOn }, Number(row.count));
  }
}
