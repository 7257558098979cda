import type { KnownBlock } from '@slack/types';
import type { IncidentSummary, Phase, PersonRef } from '../../../domain/incident';
import { clip, escapeMrkdwn, orNotKnown, personLabel, slackDate } from './text';

/**
 * The status card: one message per incident, rendered from the workflow's IncidentSummary and
 * updated in place as the incident moves. It shows what a responder needs at a glance: who holds
 * which role, what step we are on, who it waits on and until when, what was done, which
 * dependents are down, and how death was verified.
 */

const PHASE_LABELS: Record<Phase, string> = {
  planning: ':hourglass_flowing_sand: Planning',
  'awaiting-decision': ':raising_hand: Awaiting a decision',
  'escalated-to-backup': ':rotating_light: Escalated to the backup approver',
  'escalated-to-escalation-contacts': ':rotating_light: Escalated to the escalation contacts',
  containing: ':gear: Containing',
  'awaiting-manual-containment': ':wrench: Awaiting manual containment',
  'proving-death': ':mag: Proving the credential is dead',
  'awaiting-verification': ':white_check_mark: Awaiting verification',
  'awaiting-acknowledgement': ':handshake: Awaiting dependent owners',
  'awaiting-exposure-report': ':scroll: Verified; awaiting the exposure report',
  'needs-attention': ':warning: Needs attention',
  closed: ':lock: Closed',
};

export function phaseLabel(phase: Phase): string {
  return PHASE_LABELS[phase];
}

const MAX_ACTIONS = 8;

export function renderStatusCard(status: IncidentSummary): KnownBlock[] {
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: clip(`Leaked credential: ${orNotKnown(status.secretId)}`, 150) },
    },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Step*\n${phaseLabel(status.phase)}` },
        { type: 'mrkdwn', text: `*Tier*\n${orNotKnown(status.tier)}` },
        { type: 'mrkdwn', text: `*Provider*\n${escapeMrkdwn(orNotKnown(status.provider))}` },
        { type: 'mrkdwn', text: `*Opened*\n${slackDate(status.openedAt)}` },
        { type: 'mrkdwn', text: `*Sightings*\n${status.sightings}` },
        { type: 'mrkdwn', text: `*Outcome*\n${status.outcome ?? '_open_'}` },
      ],
    },
    section(rolesText(status)),
  ];
  if (status.drill)
    blocks.splice(
      1,
      0,
      section(
        `:performing_arts: *DRILL* for team ${escapeMrkdwn(status.drill.team)}: answer as you would for real; nothing real is revoked.`,
      ),
    );
  if (status.ownershipGap)
    blocks.push(
      section(
        ':warning: *Ownership gap*: the catalog names no owner team for this credential; the default owners decide.',
      ),
    );
  if (status.phase === 'escalated-to-backup') {
    blocks.push(
      section(
        `:rotating_light: *Escalated* to the backup approver ${personLabel(status.roles.backup)}: the primary did not answer in time.`,
      ),
    );
  }
  if (status.phase === 'escalated-to-escalation-contacts') {
    blocks.push(
      section(
        `:rotating_light: *Escalated* to the escalation contacts (${escapeMrkdwn(status.waitingOn?.people.join(', ') || 'nobody')}): no backup approver decided in time.`,
      ),
    );
  }
  const waiting = waitingText(status);
  if (waiting) blocks.push(section(waiting));
  blocks.push(section(decisionText(status)));
  if (status.actions.length > 0) blocks.push(section(actionsText(status)));
  if (status.dependents.length > 0) blocks.push(section(dependentsText(status)));
  if (status.verification) blocks.push(section(verificationText(status)));
  const exposure = exposureText(status);
  if (exposure) blocks.push(section(exposure));
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `Incident \`${status.incidentId}\`${status.closedAt ? ` · closed ${slackDate(status.closedAt)}` : ''}`,
      },
    ],
  });
  return blocks;
}

/** Plain-text summary for notifications and clients that do not show blocks. */
export function cardFallbackText(status: IncidentSummary): string {
  const drill = status.drill ? '[DRILL] ' : '';
  return `${drill}Leaked credential ${orNotKnown(status.secretId)} (${orNotKnown(status.tier)}): ${phaseLabel(status.phase).replace(/^:[a-z_]+: /, '')}`;
}

/** The blast radius before the decision, the exposure report after containment (docs/exposure.md). */
function exposureText(status: IncidentSummary): string {
  const e = status.exposure;
  if (!e) return '';
  const lines: string[] = [];
  if (e.blastRadius) lines.push(`*Blast radius* ${escapeMrkdwn(e.blastRadius)}`);
  if (e.summary) {
    const alarm = e.usedAfterContainment ? ':rotating_light: *Used after containment* · ' : '';
    lines.push(`${alarm}*Exposure* ${escapeMrkdwn(e.summary)}`);
  }
  if (e.candidates)
    lines.push(`*Unlisted workloads* ${e.candidates} used the credential before the leak: confirm them`);
  return lines.join('\n');
}

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text) } };
}

function rolesText(status: IncidentSummary): string {
  const { primary, backup, verifier } = status.roles;
  return `*Decision maker* ${personLabel(primary)} · *Backup* ${personLabel(backup)} · *Verifier* ${personLabel(verifier)}`;
}

/** Waiting-on entries are catalog person ids; show them as mentions when a role names them. */
function waitingText(status: IncidentSummary): string | undefined {
  if (!status.waitingOn) return undefined;
  const known: PersonRef[] = [status.roles.primary, status.roles.backup, status.roles.verifier].filter(
    (p): p is PersonRef => p !== undefined,
  );
  const people = status.waitingOn.people.map((id) => {
    const person = known.find((candidate) => candidate.id === id);
    return person ? personLabel(person) : escapeMrkdwn(id);
  });
  const until = status.waitingOn.until ? ` until ${slackDate(status.waitingOn.until)}` : '';
  return `:hourglass: *Waiting on* ${people.join(', ') || '_nobody_'} for ${escapeMrkdwn(status.waitingOn.for)}${until}`;
}

function decisionText(status: IncidentSummary): string {
  if (status.decision) {
    const { choice, by, at, delegatedBy } = status.decision;
    return `*Decision* ${choice} by ${escapeMrkdwn(by.join(', '))} at ${slackDate(at)} (${escapeMrkdwn(delegatedBy)})`;
  }
  if (status.approvals.length === 0) return '*Decision* _none yet_';
  const approvals = status.approvals.map((a) => `${escapeMrkdwn(a.by)} → ${a.choice}`).join(', ');
  return `*Decision* _pending_ · approvals so far: ${approvals}`;
}

function actionsText(status: IncidentSummary): string {
  const recent = status.actions.slice(-MAX_ACTIONS);
  const skipped = status.actions.length - recent.length;
  const lines = recent.map((entry) => `• ${slackDate(entry.at)} ${escapeMrkdwn(entry.summary)}`);
  return `*Actions taken*${skipped > 0 ? ` (last ${MAX_ACTIONS} of ${status.actions.length})` : ''}\n${lines.join('\n')}`;
}

const DEPENDENT_ICONS = {
  running: ':large_green_circle:',
  disabled: ':red_circle:',
  'enabled-again': ':large_green_circle:',
  failed: ':x:',
} as const;

function dependentsText(status: IncidentSummary): string {
  const lines = status.dependents.map((d) => {
    const ack = d.acknowledgedBy ? ` · acknowledged by ${escapeMrkdwn(d.acknowledgedBy)}` : '';
    return `• ${DEPENDENT_ICONS[d.state]} \`${escapeMrkdwn(d.id)}\` ${d.state}${ack}`;
  });
  return `*Dependents*\n${lines.join('\n')}`;
}

function verificationText(status: IncidentSummary): string {
  const v = status.verification;
  if (!v) return '';
  const parts = [v.dead ? ':skull: credential is dead' : ':warning: credential still answers'];
  if (v.proof) parts.push(`proof: ${escapeMrkdwn(v.proof)}`);
  if (v.verifiedBy) parts.push(`verified by ${escapeMrkdwn(v.verifiedBy)}${v.at ? ` at ${slackDate(v.at)}` : ''}`);
  if (v.note) parts.push(`note: ${escapeMrkdwn(v.note)}`);
  return `*Verification*\n${parts.join('\n')}`;
}
