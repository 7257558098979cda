import { z } from 'zod';
import type { EvidenceDraft } from '../../domain/evidence';

/**
 * Every evidence record must answer three questions: what acted, who delegated it, and which
 * policy justified it. A record that cannot is a bug in whatever wrote it; the closure bundle
 * lists such records instead of hiding them, so an auditor sees the gap.
 */
const nonEmpty = z.string().trim().min(1);

const CompleteRecordSchema = z.object({
  actor: z.object({ type: z.enum(['worker', 'person', 'source']), id: nonEmpty }),
  delegatedBy: z.object({ type: z.enum(['person', 'policy', 'source']), id: nonEmpty }),
  policy: z.object({
    id: nonEmpty,
    version: z.number().int().positive(),
    inputs: z.record(z.string(), z.unknown()),
  }),
});

export interface IncompleteRecord {
  seq: number;
  kind: string;
  /** Dotted paths of what is missing or malformed, e.g. `delegatedBy.id`, `policy.version`. */
  missing: string[];
}

/** The records that fail to name their actor, delegator or policy; empty when all are complete. */
export function findIncompleteRecords(records: readonly EvidenceDraft[]): IncompleteRecord[] {
  const incomplete: IncompleteRecord[] = [];
  for (const record of records) {
    const missing = missingFields(record);
    if (missing.length > 0) incomplete.push({ seq: record.seq, kind: record.kind, missing });
  }
  return incomplete;
}

/** What one record fails to say, as dotted paths (empty when complete). */
export function missingFields(record: unknown): string[] {
  const result = CompleteRecordSchema.safeParse(record);
  if (result.success) return [];
  const paths = result.error.issues.map((issue) => issue.path.map(String).join('.'));
  return [...new Set(paths)].sort();
}
