import type { StoredVerification } from '../../../integrations/evidence/bundle-archive';
import type { ClosureBundle } from '../../../integrations/evidence/closure-bundle';
import { html, type SafeHtml } from './html';

/** HTML sections of a closure bundle, shared by the portal's incident page and the report. */

export function verificationBanner(verification: StoredVerification): SafeHtml {
  if (verification.ok) {
    return html`<p class="status ok" data-testid="verification-status">Verified: every record's hash chain is intact, the signature is valid (key ${verification.bundle.keyId}), and the live evidence still matches the sealed bundle.</p>`;
  }
  const problems = [...verification.bundle.problems, ...verification.live.problems];
  return html`<div class="status bad" data-testid="verification-status">Verification FAILED
    <ul>${problems.map((problem) => html`<li>${problem}</li>`)}</ul></div>`;
}

export function summarySection(bundle: ClosureBundle): SafeHtml {
  const { incident, durations } = bundle;
  const rows: Array<[string, unknown]> = [
    ['Incident', bundle.incidentId],
    ['Secret', incident.secretId],
    ['Provider', incident.provider],
    ['Owner team', incident.ownerTeam],
    ['Tier', incident.tier],
    ['Outcome', incident.outcome],
    ['Opened', incident.openedAt],
    ['Closed', incident.closedAt],
    ['Closure note', incident.closureNote],
    [
      'Roles',
      Object.entries(bundle.roles)
        .map(([role, who]) => `${role}: ${typeof who === 'string' ? who : JSON.stringify(who)}`)
        .join(', '),
    ],
    ['Detection → decision', duration(durations.detectionToDecisionMs)],
    ['Decision → containment', duration(durations.decisionToContainmentMs)],
    ['Containment → verification', duration(durations.containmentToVerificationMs)],
    ['Detection → closure', duration(durations.detectionToClosureMs)],
    ['Records', `${bundle.chain.recordCount}, sealed ${bundle.sealedAt}`],
  ];
  return html`<table class="summary"><tbody>${rows.map(([label, value]) => html`<tr><th>${label}</th><td>${value ?? '—'}</td></tr>`)}</tbody></table>
  ${bundle.completeness.complete ? '' : html`<p class="status bad">Incomplete records (a bug in the writer): ${bundle.completeness.incompleteRecords.map((entry) => `seq ${entry.seq} ${entry.kind} lacks ${entry.missing.join(', ')}`).join('; ')}</p>`}`;
}

export function timelineSection(bundle: ClosureBundle): SafeHtml {
  return html`<h2>Timeline</h2><table data-testid="timeline"><thead><tr><th>Seq</th><th>At</th><th>Event</th><th>Summary</th><th>Actor</th><th>Delegated by</th><th>Policy</th></tr></thead>
  <tbody>${bundle.timeline.map((entry) => html`<tr><td>${entry.seq}</td><td>${entry.at}</td><td>${entry.kind}</td><td>${entry.summary}</td><td>${entry.actor}</td><td>${entry.delegatedBy}</td><td>${entry.policy}</td></tr>`)}</tbody></table>`;
}

export function decisionsSection(bundle: ClosureBundle): SafeHtml {
  return html`<h2>Decisions</h2><table><thead><tr><th>Seq</th><th>At</th><th>Event</th><th>Choice</th><th>Approvers</th><th>Delegated by</th><th>Reason</th></tr></thead>
  <tbody>${bundle.decisions.map((entry) => html`<tr><td>${entry.seq}</td><td>${entry.at}</td><td>${entry.kind}</td><td>${entry.choice ?? '—'}</td><td>${entry.approvers.join(', ') || (entry.askedTo.length > 0 ? `asked: ${entry.askedTo.join(', ')}` : '—')}</td><td>${entry.delegatedBy?.type}:${entry.delegatedBy?.id}${entry.delegatedBy?.slackUserId ? ` (${entry.delegatedBy.slackUserId})` : ''}</td><td>${entry.reason ?? ''}</td></tr>`)}</tbody></table>`;
}

export function actionsSection(bundle: ClosureBundle): SafeHtml {
  return html`<h2>Actions and the policy that allowed each</h2><table><thead><tr><th>Seq</th><th>Action</th><th>Actor</th><th>Delegated by</th><th>Policy</th><th>Matched inputs</th><th>Provider answer</th></tr></thead>
  <tbody>${bundle.actions.map((entry) => html`<tr><td>${entry.seq}</td><td>${entry.kind}</td><td>${entry.actor}</td><td>${entry.delegatedBy?.type}:${entry.delegatedBy?.id}</td><td>${entry.policy?.id} v${entry.policy?.version}</td><td><code>${JSON.stringify(entry.policy?.inputs ?? {})}</code></td><td>${entry.providerAnswerId ?? '—'}</td></tr>`)}</tbody></table>
  <h2>Dependents</h2><p>Disabled: ${list(bundle.dependents.disabled)}. Restored: ${list(bundle.dependents.restored)}. Acknowledged: ${list(bundle.dependents.acknowledged)}.</p>
  <h2>Proof the old credential is dead</h2>${proof(bundle)}`;
}

export function controlsSection(bundle: ClosureBundle): SafeHtml {
  return html`<h2>Controls evidenced</h2><table data-testid="controls"><thead><tr><th>Framework</th><th>Control</th><th>How</th><th>Records (seq)</th></tr></thead>
  <tbody>${bundle.controls.map((entry) => html`<tr><td>${entry.framework}</td><td>${entry.id} ${entry.title}</td><td>${entry.how}</td><td>${compactSeqs(entry.seqs)}</td></tr>`)}</tbody></table>`;
}

function proof(bundle: ClosureBundle): SafeHtml {
  const { deathProof, confirmation } = bundle.verification;
  return html`<p>${deathProof ? `seq ${deathProof.seq}: dead=${String(deathProof.dead)} — ${deathProof.checks.join('; ')}` : 'No proof of death recorded.'}</p>
  <p>${confirmation ? `seq ${confirmation.seq}: confirmed by ${confirmation.by?.id} at ${confirmation.at}: ${confirmation.note ?? ''}` : 'No verifier confirmation recorded.'}</p>`;
}

function list(events: ClosureBundle['dependents']['disabled']): string {
  return events.length === 0
    ? 'none'
    : events.map((event) => `${event.dependentId ?? '?'} (seq ${event.seq})`).join(', ');
}

/** "0-3, 7, 9-12": long chains stay readable. */
function compactSeqs(seqs: number[]): string {
  const ranges: string[] = [];
  for (let index = 0; index < seqs.length;) {
    let end = index;
    while (end + 1 < seqs.length && seqs[end + 1] === (seqs[end] ?? 0) + 1) end += 1;
    ranges.push(end > index ? `${seqs[index]}-${seqs[end]}` : `${seqs[index]}`);
    index = end + 1;
  }
  return ranges.join(', ');
}

function duration(ms: number | null): string {
  if (ms === null) return '—';
  const seconds = Math.round(ms / 1000);
  return seconds < 120
    ? `${seconds} s`
    : seconds < 7200
      ? `${Math.round(seconds / 60)} min`
      : `${(seconds / 3600).toFixed(1)} h`;
}
