import { z } from 'zod';
import type { EvidenceRecord } from '../../domain/evidence';
import controls from './controls.json';

/**
 * Which controls an incident's evidence demonstrates, and by which records (controls.json: a table for
 * auditors and compliance staff to read and extend). A control is listed only when at least one record
 * proves it, so a false positive does not claim containment. Kinds are the evidence kinds the incident
 * workflow writes; `*` means the whole chain.
 */
const ControlDefinitionSchema = z.object({
  framework: z.enum(['NIST CSF 2.0', 'OWASP NHI Top 10 2025']),
  id: z.string().min(1),
  title: z.string().min(1),
  /** How the records demonstrate the control, in an auditor's words. */
  how: z.string().min(1),
  kinds: z.array(z.string().min(1)).min(1),
});

export type ControlDefinition = z.infer<typeof ControlDefinitionSchema>;

export interface ControlEvidence {
  framework: ControlDefinition['framework'];
  id: string;
  title: string;
  how: string;
  /** Seqs of the records that prove the control. */
  seqs: number[];
}

export const CONTROLS: readonly ControlDefinition[] = z.array(ControlDefinitionSchema).parse(controls);

/** The controls these records evidence, each with the seqs that prove it. */
export function mapControls(records: readonly EvidenceRecord[]): ControlEvidence[] {
  const evidence: ControlEvidence[] = [];
  for (const control of CONTROLS) {
    const seqs = records
      .filter((record) => control.kinds.includes('*') || control.kinds.includes(record.kind))
      .map((record) => record.seq);
    if (seqs.length === 0) continue;
    const { framework, id, title, how } = control;
    evidence.push({ framework, id, title, how, seqs });
  }
  return evidence;
}
