import type { EvidenceRecord } from '../../domain/evidence';

/**
 * Which controls an incident's evidence demonstrates, and by which records. A control is listed
 * only when at least one record proves it, so a false positive does not claim containment.
 * Kinds are the evidence kinds the incident workflow writes; `*` means the whole chain.
 */
export interface ControlDefinition {
  framework: 'NIST CSF 2.0' | 'OWASP NHI Top 10 2025';
  id: string;
  title: string;
  /** How the records demonstrate the control, in an auditor's words. */
  how: string;
  kinds: readonly string[];
}

export interface ControlEvidence {
  framework: ControlDefinition['framework'];
  id: string;
  title: string;
  how: string;
  /** Seqs of the records that prove the control. */
  seqs: number[];
}

const CONTAINMENT = [
  'containment.started',
  'credential.revoked',
  'credential.rotated',
  'manual-containment.confirmed',
  'sessions.ended',
  'dependent.disabled',
];

export const CONTROLS: readonly ControlDefinition[] = [
  {
    framework: 'NIST CSF 2.0',
    id: 'RS.MA-01',
    title: 'The incident response plan is executed once an incident is declared',
    how: 'incident opened and owners resolved from the catalog',
    kinds: ['incident.opened', 'roles.resolved'],
  },
  {
    framework: 'NIST CSF 2.0',
    id: 'RS.MA-02',
    title: 'Incident reports are triaged and validated',
    how: 'each sighting recorded and a decision taken on it',
    kinds: ['sighting.recorded', 'decision.made'],
  },
  {
    framework: 'NIST CSF 2.0',
    id: 'RS.MA-03',
    title: 'Incidents are categorized and prioritized',
    how: 'tier and policy applied when the incident opened and a decision was requested',
    kinds: ['incident.opened', 'decision.requested'],
  },
  {
    framework: 'NIST CSF 2.0',
    id: 'RS.MA-04',
    title: 'Incidents are escalated or elevated as needed',
    how: 'escalation to the backup approver, separation-of-duties and ownership-gap escalations',
    kinds: ['decision.escalated', 'separation-of-duties.escalated', 'ownership-gap.found'],
  },
  {
    framework: 'NIST CSF 2.0',
    id: 'RS.MA-05',
    title: 'The criteria for initiating incident recovery are applied',
    how: 'dependents re-enabled and closure verified by a separate person',
    kinds: ['dependent.enabled', 'verification.confirmed'],
  },
  {
    framework: 'NIST CSF 2.0',
    id: 'RS.AN-06',
    title:
      "Actions performed during an investigation are recorded, and the records' integrity and provenance are preserved",
    how: 'hash-chained records, each naming actor, delegator and policy, sealed with a signature',
    kinds: ['*'],
  },
  {
    framework: 'NIST CSF 2.0',
    id: 'RS.CO-02',
    title: 'Internal and external stakeholders are notified of incidents',
    how: 'owners named and asked to decide',
    kinds: ['roles.resolved', 'decision.requested'],
  },
  {
    framework: 'NIST CSF 2.0',
    id: 'RS.CO-03',
    title: 'Information is shared with designated internal and external stakeholders',
    how: 'dependent owners acknowledged shutdowns; closure shared with its note',
    kinds: ['dependent.acknowledged', 'incident.closed'],
  },
  {
    framework: 'NIST CSF 2.0',
    id: 'RS.MI-01',
    title: 'Incidents are contained',
    how: 'credential revoked or rotated, sessions ended, dependents stopped',
    kinds: CONTAINMENT,
  },
  {
    framework: 'NIST CSF 2.0',
    id: 'RS.MI-02',
    title: 'Incidents are eradicated',
    how: 'old credential proven dead, replacement delivered, verified by a person',
    kinds: ['credential.rotated', 'replacement.delivered', 'death.proven', 'verification.confirmed'],
  },
  {
    framework: 'NIST CSF 2.0',
    id: 'PR.AA-05',
    title:
      'Access permissions, entitlements, and authorizations are defined in a policy, managed, enforced, and reviewed',
    how: 'policy-scaled approvals, separation of duties, access of the leaked credential removed',
    kinds: ['decision.approved', 'decision.made', 'separation-of-duties.escalated', 'credential.revoked'],
  },
  {
    framework: 'OWASP NHI Top 10 2025',
    id: 'NHI1:2025',
    title: 'Improper Offboarding',
    how: 'the leaked identity was deprovisioned and proven dead',
    kinds: ['credential.revoked', 'sessions.ended', 'death.proven'],
  },
  {
    framework: 'OWASP NHI Top 10 2025',
    id: 'NHI2:2025',
    title: 'Secret Leakage',
    how: 'the leak was recorded and the leaked secret contained',
    kinds: ['sighting.recorded', 'credential.revoked', 'credential.rotated', 'manual-containment.confirmed'],
  },
  {
    framework: 'OWASP NHI Top 10 2025',
    id: 'NHI7:2025',
    title: 'Long-Lived Secrets',
    how: 'the secret was replaced by a new one delivered to its workloads',
    kinds: ['credential.rotated', 'replacement.delivered'],
  },
  {
    framework: 'OWASP NHI Top 10 2025',
    id: 'NHI9:2025',
    title: 'NHI Reuse',
    how: 'every workload sharing the credential was found, stopped and acknowledged by its owner',
    kinds: ['dependent.disabled', 'dependent.acknowledged', 'dependent.enabled'],
  },
];

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
