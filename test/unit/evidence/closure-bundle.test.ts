import type { EvidenceDraft, EvidenceRecord } from '../../../domain/evidence';
import { buildClosureBundle } from '../../../integrations/evidence/closure-bundle';
import { closedIncidentDrafts } from '../../support/evidence-fixtures';

const asRecords = (list: EvidenceDraft[]): EvidenceRecord[] =>
  list.map((draft) => ({ ...draft, prevHash: '0'.repeat(64), hash: 'a'.repeat(64), recordedAt: draft.at }));
const seqOf = (records: EvidenceRecord[], kind: string) => records.find((record) => record.kind === kind)!.seq;

describe('the closure bundle tells an auditor what happened, from the records alone', () => {
  const records = asRecords(
    closedIncidentDrafts({
      incidentId: 'leak-0123456789abcdef01234567-aa11bb22',
      detectedAt: '2025-03-01T10:00:00.000Z',
    }),
  );
  const bundle = buildClosureBundle(records, '2025-03-02T00:00:00.000Z');

  it('states the incident, its outcome, closure note and roles', () => {
    expect(bundle.incident).toMatchObject({
      secretId: 'payments-ci-key',
      provider: 'aws-iam',
      ownerTeam: 'payments',
      tier: 'high',
      outcome: 'contained',
      closureNote: 'closed after verification',
    });
    expect(bundle.roles).toEqual({ primary: 'alice', verifier: 'victor' });
  });

  it('lists decisions with their approvers and actions with the policy version that allowed them', () => {
    expect(bundle.decisions.find((decision) => decision.kind === 'decision.made')).toMatchObject({
      choice: 'revoke',
      approvers: ['alice'],
    });
    expect(bundle.decisions.find((decision) => decision.kind === 'decision.requested')).toMatchObject({
      approvers: [],
      askedTo: ['alice'],
    });
    const revoke = bundle.actions.find((action) => action.kind === 'credential.revoked')!;
    expect(revoke).toMatchObject({
      policy: { id: 'prod-default', version: 3, inputs: { tier: 'high' } },
      providerAnswerId: 'req-7f3a',
      delegatedBy: { id: 'alice' },
    });
  });

  it('keeps provider answer ids, dependents disabled and restored, and the proof of death', () => {
    expect(bundle.providerAnswers.map((answer) => answer.answerId)).toEqual(['dep-1', 'req-7f3a', 'req-7f3b', 'dep-2']);
    expect(bundle.dependents.disabled.map((event) => event.dependentId)).toEqual(['billing-cron']);
    expect(bundle.dependents.restored.map((event) => event.dependentId)).toEqual(['billing-cron']);
    expect(bundle.verification.deathProof).toMatchObject({
      dead: true,
      checks: [expect.stringContaining('InvalidClientTokenId')],
    });
    expect(bundle.verification.confirmation).toMatchObject({
      by: { id: 'victor' },
      note: 'old key fails, new key in use',
    });
  });

  it('measures detection to decision to containment to verification', () => {
    // Fixture records are 5 s apart, starting 5 s after detection.
    const at = (kind: string) => (seqOf(records, kind) + 1) * 5_000;
    expect(bundle.durations).toMatchObject({
      detectionToDecisionMs: at('decision.made'),
      decisionToContainmentMs: at('credential.revoked') - at('decision.made'),
      containmentToVerificationMs: at('verification.confirmed') - at('credential.revoked'),
      detectionToClosureMs: at('incident.closed'),
    });
  });

  it('maps NIST CSF 2.0 and OWASP NHI controls to the records that prove them', () => {
    const control = (id: string) => bundle.controls.find((entry) => entry.id === id);
    expect(control('RS.MI-01')?.seqs).toContain(seqOf(records, 'credential.revoked'));
    expect(control('RS.MI-02')?.seqs).toContain(seqOf(records, 'death.proven'));
    expect(control('PR.AA-05')?.seqs).toContain(seqOf(records, 'decision.made'));
    expect(control('RS.MA-04')).toBeUndefined();
    expect(control('NHI2:2025')?.seqs).toEqual([
      seqOf(records, 'sighting.recorded'),
      seqOf(records, 'credential.revoked'),
    ]);
    expect(control('NHI1:2025')?.framework).toBe('OWASP NHI Top 10 2025');
  });

  it('claims no containment control for a false positive', () => {
    const falsePositive = buildClosureBundle(
      asRecords(closedIncidentDrafts({ incidentId: 'leak-fp', outcome: 'false-positive' })),
      '2025-03-02T00:00:00.000Z',
    );
    const ids = falsePositive.controls.map((entry) => entry.id);
    expect(ids).not.toContain('RS.MI-01');
    expect(ids).not.toContain('NHI1:2025');
    expect(falsePositive.durations.decisionToContainmentMs).toBeNull();
  });
});
