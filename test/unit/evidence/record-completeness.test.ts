import type { EvidenceDraft, EvidenceRecord } from '../../../domain/evidence';
import { buildClosureBundle } from '../../../integrations/evidence/closure-bundle';
import { findIncompleteRecords, missingFields } from '../../../integrations/evidence/record-completeness';
import { closedIncidentDrafts } from '../../support/evidence-fixtures';

const drafts = closedIncidentDrafts({ incidentId: 'leak-0123456789abcdef01234567-aa11bb22', extraSightings: 2 });
const asRecords = (list: EvidenceDraft[]): EvidenceRecord[] =>
  list.map((draft) => ({ ...draft, prevHash: '0'.repeat(64), hash: 'f'.repeat(64), recordedAt: draft.at }));

/** Removes one dotted path from a copy of a draft, as a buggy writer would leave it out. */
function without(draft: EvidenceDraft, path: string): EvidenceDraft {
  const copy = JSON.parse(JSON.stringify(draft)) as Record<string, Record<string, unknown>>;
  const [head, tail] = path.split('.') as [string, string | undefined];
  if (tail) delete copy[head]![tail];
  else delete copy[head];
  return copy as unknown as EvidenceDraft;
}

describe('every evidence record names what acted, who delegated it and which policy justified it', () => {
  it('finds nothing missing in the records an incident writes', () => {
    expect(findIncompleteRecords(drafts)).toEqual([]);
  });

  it.each([
    'actor',
    'actor.id',
    'delegatedBy',
    'delegatedBy.id',
    'delegatedBy.type',
    'policy',
    'policy.id',
    'policy.version',
    'policy.inputs',
  ])('flags a record written without %s', (path) => {
    const broken = without(drafts[3]!, path);
    expect(findIncompleteRecords([drafts[0]!, broken])).toEqual([
      { seq: broken.seq, kind: broken.kind, missing: [path] },
    ]);
  });

  it('flags blank identities, not only absent ones', () => {
    const blank = {
      ...drafts[1]!,
      actor: { type: 'worker' as const, id: '  ' },
      policy: { id: 'p', version: 0, inputs: {} },
    };
    expect(missingFields(blank)).toEqual(['actor.id', 'policy.version']);
  });

  it('marks the closure bundle incomplete and lists the faulty record for the auditor', () => {
    const list = [...drafts];
    list[4] = without(list[4]!, 'delegatedBy');
    const bundle = buildClosureBundle(asRecords(list), '2025-03-02T00:00:00.000Z');
    expect(bundle.completeness).toEqual({
      complete: false,
      incompleteRecords: [{ seq: 4, kind: list[4].kind, missing: ['delegatedBy'] }],
    });
  });
});
