import { createHash } from 'node:crypto';
import { canonicalJson } from '../../domain/canonical-json';
import type { EvidenceDraft } from '../../domain/evidence';

/** The chain link: sha256 over the previous hash and the record's canonical JSON. */
export function evidenceRecordHash(prevHash: string, draft: EvidenceDraft): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(draft)).digest('hex');
}
