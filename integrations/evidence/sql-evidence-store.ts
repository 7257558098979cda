import { conflict, providerUnavailable } from '../../domain/errors';
import { GENESIS_HASH, type EvidenceDraft, type EvidenceRecord } from '../../domain/evidence';
import type { Database } from '../database/database';
import type { DrillLog, EvidenceStore } from '../ports';
import { evidenceRecordHash } from './record-hash';

interface EvidenceRow {
  record: EvidenceDraft;
  prev_hash: string;
  hash: string;
  recorded_at: Date | string;
}

/**
 * Evidence in PostgreSQL (or PGlite): one hash chain per incident, ordered by the workflow's seq.
 * Appending a seq that is already stored returns the stored record (a retried activity), and a
 * different record under the same seq is refused: history cannot be rewritten through here.
 */
export class SqlEvidenceStore implements EvidenceStore, DrillLog {
  /**
   * @param onInserted called once for each record this store inserted (after commit; never for a
   *   retried append of a stored record): metrics are computed from here, so they agree with the evidence.
   */
  constructor(
    private readonly database: Database,
    private readonly onInserted?: (record: EvidenceRecord) => void,
  ) {}

  async append(draft: EvidenceDraft): Promise<EvidenceRecord> {
    let inserted: EvidenceRecord | undefined;
    const record = await this.database.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [draft.incidentId]);
      const existing = await tx.query<EvidenceRow>(
        'SELECT record, prev_hash, hash, recorded_at FROM evidence_records WHERE incident_id = $1 AND seq = $2',
        [draft.incidentId, draft.seq],
      );
      const stored = existing.rows[0];
      if (stored) return this.sameOrConflict(stored, draft);

      const last = await tx.query<{ seq: number; hash: string }>(
        'SELECT seq, hash FROM evidence_records WHERE incident_id = $1 ORDER BY seq DESC LIMIT 1',
        [draft.incidentId],
      );
      const previous = last.rows[0];
      const expectedSeq = previous ? previous.seq + 1 : 0;
      if (draft.seq !== expectedSeq) {
        // An earlier record has not arrived yet; retrying later keeps the chain in order.
        throw providerUnavailable(
          `evidence seq ${draft.seq} for ${draft.incidentId} arrived before seq ${expectedSeq}`,
        );
      }
      const prevHash = previous?.hash ?? GENESIS_HASH;
      const hash = evidenceRecordHash(prevHash, draft);
      const row = await tx.query<{ recorded_at: Date | string }>(
        `INSERT INTO evidence_records (incident_id, seq, kind, record, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING recorded_at`,
        [draft.incidentId, draft.seq, draft.kind, JSON.stringify(draft), prevHash, hash],
      );
      inserted = { ...draft, prevHash, hash, recordedAt: toIso(row.rows[0]?.recorded_at) };
      return inserted;
    });
    if (inserted) this.onInserted?.(inserted);
    return record;
  }

  async drillIncidents(team: string, limit: number): Promise<string[]> {
    const result = await this.database.query<{ incident_id: string }>(
      `SELECT incident_id FROM evidence_records
        WHERE kind = 'incident.opened'
          AND (record->'details'->'drill'->>'team' = $1 OR record->'details'->'exercise'->>'team' = $1)
        ORDER BY recorded_at DESC LIMIT $2`,
      [team, limit],
    );
    return result.rows.map((row) => row.incident_id);
  }

  async list(incidentId: string): Promise<EvidenceRecord[]> {
    const result = await this.database.query<EvidenceRow>(
      'SELECT record, prev_hash, hash, recorded_at FROM evidence_records WHERE incident_id = $1 ORDER BY seq',
      [incidentId],
    );
    return result.rows.map(toRecord);
  }

  async close(): Promise<void> {
    await this.database.close();
  }

  private sameOrConflict(stored: EvidenceRow, draft: EvidenceDraft): EvidenceRecord {
    const record = toRecord(stored);
    // A worker that stored the record and died before reporting it leaves the retry to another
    // worker, which names itself as "what acted": the same record, acted on by the first worker.
    const retried =
      draft.actor.type === 'worker' && record.actor.type === 'worker' ? { ...draft, actor: record.actor } : draft;
    if (evidenceRecordHash(record.prevHash, retried) !== record.hash) {
      throw conflict(`evidence seq ${draft.seq} of ${draft.incidentId} is already stored with different content`);
    }
    return record;
  }
}

function toRecord(row: EvidenceRow): EvidenceRecord {
  return { ...row.record, prevHash: row.prev_hash, hash: row.hash, recordedAt: toIso(row.recorded_at) };
}

function toIso(value: Date | string | undefined): string {
  return value instanceof Date ? value.toISOString() : new Date(value ?? Date.now()).toISOString();
}
