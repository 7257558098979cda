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
    const [record] = await this.appendAll([draft]);
    return record!;
  }

  /**
   * Appends records in the order given, one incident's in one transaction: a batch costs the round
   * trips one record did (the lock, two reads, one insert). Each record is taken as `append` would
   * take it alone: a stored seq answers the stored record, or is refused when its content differs,
   * and a seq past the next one waits for the earlier record (a retryable error). The records before
   * a refused one are committed, then the refusal is thrown.
   */
  async appendAll(drafts: EvidenceDraft[]): Promise<EvidenceRecord[]> {
    const records: EvidenceRecord[] = [];
    for (let from = 0; from < drafts.length;) {
      let to = from + 1;
      while (to < drafts.length && drafts[to]!.incidentId === drafts[from]!.incidentId) to += 1;
      records.push(...(await this.appendToChain(drafts.slice(from, to))));
      from = to;
    }
    return records;
  }

  /** `appendAll` for drafts of one incident. */
  private async appendToChain(drafts: EvidenceDraft[]): Promise<EvidenceRecord[]> {
    const incidentId = drafts[0]!.incidentId;
    const seqs = drafts.map((draft) => draft.seq);
    const outcome = await this.database.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [incidentId]);
      const existing = await tx.query<EvidenceRow & { seq: number }>(
        `SELECT seq, record, prev_hash, hash, recorded_at FROM evidence_records
          WHERE incident_id = $1 AND seq BETWEEN $2 AND $3`,
        [incidentId, Math.min(...seqs), Math.max(...seqs)],
      );
      const stored = new Map(existing.rows.map((row) => [row.seq, row]));
      const last = await tx.query<{ seq: number; hash: string }>(
        'SELECT seq, hash FROM evidence_records WHERE incident_id = $1 ORDER BY seq DESC LIMIT 1',
        [incidentId],
      );
      let previous = last.rows[0];
      // Each draft's answer: the stored record, or the seq of a new one (its time comes from the insert).
      const answers: Array<EvidenceRecord | number> = [];
      const fresh = new Map<number, NewRecord>();
      let refusal: unknown;
      try {
        for (const draft of drafts) {
          const row = stored.get(draft.seq);
          const pending = fresh.get(draft.seq);
          if (row) answers.push(this.sameOrConflict(row, draft));
          else if (pending) answers.push(this.sameAsPending(pending, draft));
          else {
            const expectedSeq = previous ? previous.seq + 1 : 0;
            if (draft.seq !== expectedSeq) {
              // An earlier record has not arrived yet; retrying later keeps the chain in order.
              throw providerUnavailable(
                `evidence seq ${draft.seq} for ${incidentId} arrived before seq ${expectedSeq}`,
              );
            }
            const prevHash = previous?.hash ?? GENESIS_HASH;
            const hash = evidenceRecordHash(prevHash, draft);
            fresh.set(draft.seq, { draft, prevHash, hash });
            answers.push(draft.seq);
            previous = { seq: draft.seq, hash };
          }
        }
      } catch (error) {
        refusal = error;
      }
      const inserted = await insertRecords(tx, [...fresh.values()]);
      const bySeq = new Map(inserted.map((record) => [record.seq, record]));
      return {
        records: answers.map((answer) => (typeof answer === 'number' ? bySeq.get(answer)! : answer)),
        inserted,
        refusal,
      };
    });
    for (const record of outcome.inserted) this.onInserted?.(record);
    if (outcome.refusal) throw outcome.refusal;
    return outcome.records;
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

  /** The same seq twice in one batch: the same record, or a conflict as with a stored one. */
  private sameAsPending(pending: NewRecord, draft: EvidenceDraft): number {
    if (evidenceRecordHash(pending.prevHash, draft) !== pending.hash) {
      throw conflict(`evidence seq ${draft.seq} of ${draft.incidentId} appears twice with different content`);
    }
    return draft.seq;
  }
}

interface NewRecord {
  draft: EvidenceDraft;
  prevHash: string;
  hash: string;
}

/** One INSERT for a batch's new records, answered in their order with the time each was recorded. */
async function insertRecords(tx: Database, fresh: NewRecord[]): Promise<EvidenceRecord[]> {
  if (fresh.length === 0) return [];
  const params: unknown[] = [];
  const values = fresh.map(({ draft, prevHash, hash }) => {
    const at = params.push(draft.incidentId, draft.seq, draft.kind, JSON.stringify(draft), prevHash, hash) - 6;
    return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}, $${at + 6})`;
  });
  const result = await tx.query<{ seq: number; recorded_at: Date | string }>(
    `INSERT INTO evidence_records (incident_id, seq, kind, record, prev_hash, hash)
     VALUES ${values.join(', ')} RETURNING seq, recorded_at`,
    params,
  );
  const recordedAt = new Map(result.rows.map((row) => [row.seq, row.recorded_at]));
  return fresh.map(({ draft, prevHash, hash }) => ({
    ...draft,
    prevHash,
    hash,
    recordedAt: toIso(recordedAt.get(draft.seq)),
  }));
}

function toRecord(row: EvidenceRow): EvidenceRecord {
  return { ...row.record, prevHash: row.prev_hash, hash: row.hash, recordedAt: toIso(row.recorded_at) };
}

function toIso(value: Date | string | undefined): string {
  return value instanceof Date ? value.toISOString() : new Date(value ?? Date.now()).toISOString();
}
