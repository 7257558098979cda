import type { KeyObject } from 'node:crypto';
import { invalidInput } from '../../domain/errors';
import type { Database } from '../database/database';
import type { EvidenceStore } from '../ports';
import type { EvidenceSigner } from './bundle-signing';
import {
  BUNDLE_FORMAT,
  buildClosureBundle,
  bundleDigest,
  signClosureBundle,
  type ClosureBundle,
  type SignedClosureBundle,
} from './closure-bundle';
import { describeBreak, verifyClosureBundle, verifyRecordChain, type BundleVerification } from './verify-bundle';

export interface ClosureListFilters {
  /** Inclusive lower bound of closed_at (ISO instant). */
  closedFrom?: string;
  /** Exclusive upper bound of closed_at (ISO instant). */
  closedTo?: string;
  ownerTeam?: string;
  provider?: string;
  outcome?: string;
  limit: number;
  offset: number;
}

export interface ClosureSummary {
  incidentId: string;
  closedAt: string;
  ownerTeam: string;
  provider: string;
  outcome: string;
  recordCount: number;
  sealedAt: string;
  keyId: string;
}

export interface ClosurePage {
  items: ClosureSummary[];
  total: number;
  limit: number;
  offset: number;
  /** Offset of the next page, or null on the last page. */
  nextOffset: number | null;
}

/** The sealed bundle checked, plus the live evidence rows compared with what was sealed. */
export interface StoredVerification {
  bundle: BundleVerification;
  live: { ok: boolean; problems: string[] };
  ok: boolean;
}

interface BundleRow {
  incident_id: string;
  closed_at: Date | string;
  owner_team: string;
  provider: string;
  outcome: string;
  record_count: number;
  sealed_at: Date | string;
  key_id: string;
}

const SUMMARY_COLUMNS = 'incident_id, closed_at, owner_team, provider, outcome, record_count, sealed_at, key_id';
const EXPORT_BATCH = 500;

/**
 * Closure bundles sealed at the end of each incident, kept in `closure_bundles` long after the
 * Temporal workflow is gone. Rows are only ever inserted; a trigger refuses UPDATE and DELETE.
 */
export class ClosureBundleArchive {
  constructor(
    private readonly database: Database,
    private readonly evidence: EvidenceStore,
    /** Needed only to seal; read-only users (the auditor API) may leave it out. */
    private readonly signer?: EvidenceSigner,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Builds, signs and stores the incident's bundle. Idempotent: once sealed, every later call
   * (a retried activity, a concurrent worker) returns the bundle stored first, unchanged.
   * Throws INVALID_INPUT when the incident has no `incident.closed` record yet.
   */
  async sealClosureBundle(incidentId: string): Promise<SignedClosureBundle> {
    const stored = await this.get(incidentId);
    if (stored) return stored;
    if (!this.signer) throw new Error('this archive was opened read-only: pass a signer to seal bundles');
    const records = await this.evidence.list(incidentId);
    if (!records.some((record) => record.kind === 'incident.closed')) {
      throw invalidInput(`incident ${incidentId} has no incident.closed evidence record: seal it after closing`);
    }
    const signed = signClosureBundle(buildClosureBundle(records, this.clock().toISOString()), this.signer);
    const facts = signed.bundle.incident;
    await this.database.query(
      `INSERT INTO closure_bundles (incident_id, closed_at, owner_team, provider, outcome, record_count, bundle, signature, key_id, sealed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (incident_id) DO NOTHING`,
      [
        incidentId,
        facts.closedAt,
        facts.ownerTeam ?? 'unknown',
        facts.provider ?? 'unknown',
        facts.outcome ?? 'unknown',
        records.length,
        JSON.stringify({ format: signed.format, bundle: signed.bundle, signer: signed.signer }),
        signed.signature,
        signed.signer.keyId,
        signed.bundle.sealedAt,
      ],
    );
    // Return what is stored, which is ours unless a concurrent seal won the insert.
    const winner = await this.get(incidentId);
    if (!winner) throw new Error(`closure bundle of ${incidentId} vanished after insert`);
    return winner;
  }

  async get(incidentId: string): Promise<SignedClosureBundle | null> {
    const result = await this.database.query<{ bundle: Omit<SignedClosureBundle, 'signature'>; signature: string }>(
      'SELECT bundle, signature FROM closure_bundles WHERE incident_id = $1',
      [incidentId],
    );
    const row = result.rows[0];
    return row ? { ...row.bundle, signature: row.signature } : null;
  }

  async summary(incidentId: string): Promise<ClosureSummary | null> {
    const result = await this.database.query<BundleRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM closure_bundles WHERE incident_id = $1`,
      [incidentId],
    );
    return result.rows[0] ? toSummary(result.rows[0]) : null;
  }

  /** Newest closures first; ties broken by incident id so pages never overlap. */
  async list(filters: ClosureListFilters): Promise<ClosurePage> {
    const { where, params } = whereClause(filters);
    const total = await this.database.query<{ count: string | number }>(
      `SELECT count(*) AS count FROM closure_bundles ${where}`,
      params,
    );
    const rows = await this.database.query<BundleRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM closure_bundles ${where}
       ORDER BY closed_at DESC, incident_id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filters.limit, filters.offset],
    );
    const count = Number(total.rows[0]?.count ?? 0);
    const next = filters.offset + rows.rows.length;
    return {
      items: rows.rows.map(toSummary),
      total: count,
      limit: filters.limit,
      offset: filters.offset,
      nextOffset: next < count ? next : null,
    };
  }

  /**
   * Checks the sealed bundle (chain and signature) and that the live evidence rows still match
   * it: a row edited in the database after sealing shows up here even though the bundle is intact.
   */
  async verifyStored(incidentId: string, publicKey: KeyObject | string): Promise<StoredVerification | null> {
    const signed = await this.get(incidentId);
    if (!signed) return null;
    const bundle = verifyClosureBundle(signed, publicKey);
    const live = compareLive(await this.evidence.list(incidentId), signed.bundle);
    return { bundle, live, ok: bundle.ok && live.ok };
  }

  /**
   * Everything, as JSON lines: a header, every evidence record of every incident (open ones too),
   * then every sealed bundle. Reads in batches so the archive never has to fit in memory.
   */
  async *exportJsonLines(): AsyncGenerator<string> {
    yield JSON.stringify({
      type: 'export',
      format: 'tourniquet.export/1',
      bundleFormat: BUNDLE_FORMAT,
      exportedAt: this.clock().toISOString(),
    });
    let after: [string, number] = ['', -1];
    for (;;) {
      const batch = await this.database.query<{
        incident_id: string;
        seq: number;
        record: object;
        prev_hash: string;
        hash: string;
        recorded_at: Date | string;
      }>(
        `SELECT incident_id, seq, record, prev_hash, hash, recorded_at FROM evidence_records
         WHERE (incident_id, seq) > ($1, $2) ORDER BY incident_id, seq LIMIT ${EXPORT_BATCH}`,
        after,
      );
      for (const row of batch.rows) {
        yield JSON.stringify({
          type: 'evidence-record',
          record: { ...row.record, prevHash: row.prev_hash, hash: row.hash, recordedAt: toIso(row.recorded_at) },
        });
      }
      const last = batch.rows[batch.rows.length - 1];
      if (!last || batch.rows.length < EXPORT_BATCH) break;
      after = [last.incident_id, last.seq];
    }
    yield* this.exportBundles();
  }

  private async *exportBundles(): AsyncGenerator<string> {
    let after = '';
    for (;;) {
      const batch = await this.database.query<{ incident_id: string; bundle: object; signature: string }>(
        `SELECT incident_id, bundle, signature FROM closure_bundles WHERE incident_id > $1 ORDER BY incident_id LIMIT ${EXPORT_BATCH}`,
        [after],
      );
      for (const row of batch.rows) {
        yield JSON.stringify({
          type: 'closure-bundle',
          incidentId: row.incident_id,
          signedBundle: { ...row.bundle, signature: row.signature },
        });
      }
      const last = batch.rows[batch.rows.length - 1];
      if (!last || batch.rows.length < EXPORT_BATCH) break;
      after = last.incident_id;
    }
  }
}

/** The closing activity's port: seals, and answers the bundle's digest (small enough for history). */
export function closureSealer(archive: ClosureBundleArchive): (incidentId: string) => Promise<{ bundleHash: string }> {
  return async (incidentId) => ({ bundleHash: bundleDigest(await archive.sealClosureBundle(incidentId)) });
}

function compareLive(
  live: ReadonlyArray<{ seq: number; hash: string }>,
  sealed: ClosureBundle,
): StoredVerification['live'] {
  const problems: string[] = [];
  const broken = verifyRecordChain(live, sealed.incidentId);
  if (broken) problems.push(`live evidence: ${describeBreak(broken)}`);
  for (const record of sealed.records) {
    const current = live[record.seq];
    if (!current) problems.push(`live evidence: record seq ${record.seq} (${record.kind}) was deleted after sealing`);
    else if (current.hash !== record.hash)
      problems.push(`live evidence: record seq ${record.seq} (${record.kind}) differs from the sealed bundle`);
  }
  return { ok: problems.length === 0, problems };
}

function whereClause(filters: ClosureListFilters): { where: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    conditions.push(sql.replace('?', `$${params.length}`));
  };
  if (filters.closedFrom) add('closed_at >= ?', filters.closedFrom);
  if (filters.closedTo) add('closed_at < ?', filters.closedTo);
  if (filters.ownerTeam) add('owner_team = ?', filters.ownerTeam);
  if (filters.provider) add('provider = ?', filters.provider);
  if (filters.outcome) add('outcome = ?', filters.outcome);
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

function toSummary(row: BundleRow): ClosureSummary {
  return {
    incidentId: row.incident_id,
    closedAt: toIso(row.closed_at),
    ownerTeam: row.owner_team,
    provider: row.provider,
    outcome: row.outcome,
    recordCount: row.record_count,
    sealedAt: toIso(row.sealed_at),
    keyId: row.key_id,
  };
}

function toIso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}
