import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import type { DecisionChoice, IncidentSummary } from '../../../domain/incident';
import type { IncidentNotification, NotificationKind } from '../../ports';
import { phaseLabel } from './card';
import { ACTION_IDS, encodeValue } from './ids';
import { clip, escapeMrkdwn, orNotKnown, slackDate } from './text';

/**
 * The direct message a person gets when the incident needs them: the notification text, a short
 * summary, a link to the incident channel, and the buttons for what they can do right now. The
 * buttons only express intent: the workflow's update validator decides whether the clicker may act.
 */

type ButtonSet = ButtonStep | 'none';

/** The step a direct message's buttons act on; once the step is over the buttons are retired. */
export type ButtonStep = 'decide' | 'verify' | 'manual' | 'dependents';

/** What a direct message's buttons are for: their step and, for acknowledgements, which dependents. */
export interface DirectMessageButtons {
  step: ButtonStep;
  /** Dependents with an Acknowledge button (step `dependents` only). */
  dependents: string[];
}

const BUTTONS_BY_KIND: Record<NotificationKind, ButtonSet> = {
  'incident-opened': 'none',
  progress: 'none',
  'decision-requested': 'decide',
  // Escalations and reminders concern whatever step the incident is stuck on: see buttonSetFor.
  escalated: 'none',
  reminder: 'none',
  'manual-containment-requested': 'manual',
  'dependent-ack-requested': 'dependents',
  contained: 'none',
  'verification-requested': 'verify',
  'needs-attention': 'none',
  closed: 'none',
};

/** Reminders and escalations carry the buttons of whatever the incident is still waiting for. */
function buttonSetFor(kind: NotificationKind, status: IncidentSummary): ButtonSet {
  if (kind !== 'reminder' && kind !== 'escalated') return BUTTONS_BY_KIND[kind];
  switch (status.phase) {
    case 'awaiting-decision':
    case 'escalated-to-backup':
    case 'escalated-to-escalation-contacts':
      return 'decide';
    case 'awaiting-verification':
      return 'verify';
    case 'awaiting-manual-containment':
      return 'manual';
    case 'awaiting-acknowledgement':
      return 'dependents';
    default:
      return status.dependents.some(needsAck) ? 'dependents' : 'none';
  }
}

export function renderDirectMessage(notification: IncidentNotification, channelId?: string): KnownBlock[] {
  const { status } = notification;
  const where = channelId ? ` · <#${channelId}>` : '';
  const until = status.waitingOn?.until ? ` · answer by ${slackDate(status.waitingOn.until)}` : '';
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(notification.text)) } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `\`${escapeMrkdwn(orNotKnown(status.secretId))}\` (${orNotKnown(status.tier)}) · ${phaseLabel(status.phase)}${until}${where}`,
        },
      ],
    },
  ];
  const actions = actionsFor(buttonSetFor(notification.kind, status), status);
  if (actions) blocks.push(actions);
  return blocks;
}

/** What the buttons of this notification's direct message are for; undefined when it has none. */
export function buttonsOf(notification: IncidentNotification): DirectMessageButtons | undefined {
  const set = buttonSetFor(notification.kind, notification.status);
  if (set === 'none') return undefined;
  if (set !== 'dependents') return { step: set, dependents: [] };
  const pending = notification.status.dependents.filter(needsAck).slice(0, 25);
  return pending.length > 0 ? { step: set, dependents: pending.map((d) => d.id) } : undefined;
}

/**
 * A direct message whose step is over: the text it was sent with and one context line saying how
 * the step ended ("Decided: revoke by alice at …"), without buttons, so nobody clicks a stale one.
 */
export function renderRetiredDirectMessage(text: string, status: IncidentSummary, outcome: string): KnownBlock[] {
  const line: KnownBlock = {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: clip(`\`${escapeMrkdwn(orNotKnown(status.secretId))}\` · ${outcome}`) }],
  };
  // Rows stored before texts were kept have none; Slack refuses an empty section.
  return text ? [{ type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(text)) } }, line] : [line];
}

const DECIDE_BUTTONS: Array<{ choice: DecisionChoice; label: string; style?: 'primary' | 'danger' }> = [
  { choice: 'revoke', label: 'Revoke', style: 'danger' },
  { choice: 'rotate', label: 'Rotate', style: 'primary' },
  { choice: 'false-positive', label: 'False positive…' },
];

function actionsFor(set: ButtonSet, status: IncidentSummary): ActionsBlock | undefined {
  const i = status.incidentId;
  switch (set) {
    case 'decide':
      // Only what the provider can do: no Rotate button for a token nobody can issue on our behalf.
      return actionsBlock(
        'decide',
        DECIDE_BUTTONS.filter(({ choice }) => !status.choices || status.choices.includes(choice)).map(
          ({ choice, label, style }) => button(label, ACTION_IDS.decide, encodeValue({ i, c: choice }), style),
        ),
      );
    case 'verify':
      return actionsBlock('verify', [
        button('Confirm closed…', ACTION_IDS.confirmClosed, encodeValue({ i }), 'primary'),
      ]);
    case 'manual':
      return actionsBlock('manual', [
        button('I have contained it…', ACTION_IDS.confirmManual, encodeValue({ i }), 'primary'),
      ]);
    case 'dependents': {
      // One button per dependent still waiting for its owner; Slack allows 25 elements per block.
      const pending = status.dependents.filter(needsAck).slice(0, 25);
      if (pending.length === 0) return undefined;
      return actionsBlock(
        'dependents',
        pending.map((d) =>
          button(clip(`Acknowledge ${d.id} is down`, 75), ACTION_IDS.ackDependent, encodeValue({ i, d: d.id })),
        ),
      );
    }
    case 'none':
      return undefined;
  }
}

function needsAck(dependent: IncidentSummary['dependents'][number]): boolean {
  return dependent.state === 'disabled' && !dependent.acknowledgedBy;
}

/** Button action ids repeat across buttons, so each block id is distinct to keep Slack happy. */
function actionsBlock(name: string, elements: Button[]): ActionsBlock {
  return {
    type: 'actions',
    block_id: `tq_${name}`,
    elements: elements.map((e, n) => ({ ...e, action_id: `${e.action_id}:${n}` })),
  };
}

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text },
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
  };
}
