import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { cardFallbackText, renderStatusCard } from '../../../integrations/slack/blocks/card';
import { renderDirectMessage } from '../../../integrations/slack/blocks/direct-message';
import {
  ACTION_IDS,
  decodeValue,
  DecideValueSchema,
  DependentValueSchema,
  IncidentValueSchema,
} from '../../../integrations/slack/blocks/ids';
import { renderOpenModal } from '../../../integrations/slack/blocks/modals';
import { escapeMrkdwn } from '../../../integrations/slack/blocks/text';
import { aNotification, aStatus } from './status-builders';

const textOf = (blocks: KnownBlock[]) => JSON.stringify(blocks);
const buttonsOf = (blocks: KnownBlock[]): Button[] =>
  blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements as Button[]);

describe('status card', () => {
  it('shows the roles as mentions, the step and who it waits on until when', () => {
    const text = textOf(renderStatusCard(aStatus()));
    expect(text).toContain('<@U0ALICE>');
    expect(text).toContain('<@U0BOB>');
    expect(text).toContain('Carol Verifier');
    expect(text).toContain('Awaiting a decision');
    expect(text).toMatch(/Waiting on\* <@U0ALICE> for a decision until <!date\^1893492600\^/);
  });

  it('marks a drill plainly, on the card and in its fallback text', () => {
    const status = aStatus({ drill: { drillId: 'd1', team: 'payments', requestedBy: 'alice', trigger: 'on-demand' } });
    expect(textOf(renderStatusCard(status))).toContain('*DRILL* for team payments');
    expect(cardFallbackText(status)).toMatch(/^\[DRILL\] /);
    expect(textOf(renderStatusCard(aStatus()))).not.toContain('DRILL');
  });

  it('says when the incident was escalated to the backup', () => {
    const text = textOf(
      renderStatusCard(aStatus({ phase: 'escalated-to-backup', waitingOn: { people: ['bob'], for: 'a decision' } })),
    );
    expect(text).toContain('*Escalated* to the backup approver <@U0BOB>');
  });

  it('lists the decision, actions taken, dependents and verification', () => {
    const text = textOf(
      renderStatusCard(
        aStatus({
          phase: 'closed',
          decision: { choice: 'revoke', by: ['alice'], delegatedBy: 'person', at: '2030-01-01T10:01:00.000Z' },
          actions: [{ at: '2030-01-01T10:02:00.000Z', kind: 'revoke', summary: 'revoked role payments_app' }],
          dependents: [{ id: 'billing-job', state: 'disabled', acknowledgedBy: 'dave' }],
          verification: {
            dead: true,
            proof: 'login: 28P01',
            verifiedBy: 'carol',
            note: 'checked',
            at: '2030-01-01T10:05:00.000Z',
          },
          outcome: 'contained',
          closedAt: '2030-01-01T10:06:00.000Z',
        }),
      ),
    );
    expect(text).toContain('*Decision* revoke by alice');
    expect(text).toContain('revoked role payments_app');
    expect(text).toContain('`billing-job` disabled · acknowledged by dave');
    expect(text).toContain('proof: login: 28P01');
    expect(text).toContain('verified by carol');
  });

  it('escapes text people typed so it cannot ping channels or forge links', () => {
    const text = textOf(
      renderStatusCard(
        aStatus({
          actions: [{ at: '2030-01-01T10:02:00.000Z', kind: 'note', summary: '<!channel> <http://evil|click>' }],
        }),
      ),
    );
    expect(text).not.toContain('<!channel>');
    expect(text).toContain(escapeMrkdwn('<!channel>'));
  });
});

describe('direct messages', () => {
  it('give the decision maker revoke, rotate and false-positive buttons carrying only the incident id and choice', () => {
    const buttons = buttonsOf(renderDirectMessage(aNotification()));
    expect(buttons.map((b) => decodeValue(DecideValueSchema, b.value)?.c)).toEqual([
      'revoke',
      'rotate',
      'false-positive',
    ]);
    for (const button of buttons) {
      expect(button.action_id).toMatch(new RegExp(`^${ACTION_IDS.decide}:\\d$`));
      expect(Object.keys(JSON.parse(button.value ?? '{}'))).toEqual(['i', 'c']);
    }
  });

  it('offer only the choices the provider can do: no Rotate button for a token provider', () => {
    const buttons = buttonsOf(
      renderDirectMessage(aNotification({ status: aStatus({ choices: ['revoke', 'false-positive'] }) })),
    );
    expect(buttons.map((b) => decodeValue(DecideValueSchema, b.value)?.c)).toEqual(['revoke', 'false-positive']);
  });

  it('give the backup the decision buttons on escalation, and the verifier a confirm-closed button', () => {
    const escalated = renderDirectMessage(
      aNotification({ kind: 'escalated', status: aStatus({ phase: 'escalated-to-backup' }) }),
    );
    expect(buttonsOf(escalated)).toHaveLength(3);
    const verify = buttonsOf(
      renderDirectMessage(
        aNotification({ kind: 'verification-requested', status: aStatus({ phase: 'awaiting-verification' }) }),
      ),
    );
    expect(verify.map((b) => b.action_id)).toEqual([`${ACTION_IDS.confirmClosed}:0`]);
    expect(decodeValue(IncidentValueSchema, verify[0]?.value)).toEqual({ i: aStatus().incidentId });
  });

  it('offer one acknowledgement button per dependent still waiting for its owner', () => {
    const status = aStatus({
      dependents: [
        { id: 'a', state: 'disabled' },
        { id: 'b', state: 'disabled', acknowledgedBy: 'dave' },
        { id: 'c', state: 'running' },
      ],
    });
    const buttons = buttonsOf(renderDirectMessage(aNotification({ kind: 'dependent-ack-requested', status })));
    expect(buttons.map((b) => decodeValue(DependentValueSchema, b.value)?.d)).toEqual(['a']);
  });

  it('carry no buttons for informational notifications', () => {
    expect(
      buttonsOf(renderDirectMessage(aNotification({ kind: 'closed', status: aStatus({ phase: 'closed' }) }))),
    ).toHaveLength(0);
  });
});

describe('button values', () => {
  it('refuse malformed, foreign or extended values', () => {
    expect(decodeValue(DecideValueSchema, 'revoke_leak-1')).toBeUndefined();
    expect(
      decodeValue(DecideValueSchema, JSON.stringify({ i: 'leak-0123456789abcdef01234567', c: 'delete' })),
    ).toBeUndefined();
    expect(decodeValue(DecideValueSchema, JSON.stringify({ i: '../etc', c: 'revoke' }))).toBeUndefined();
    expect(
      decodeValue(DecideValueSchema, JSON.stringify({ i: 'leak-0123456789abcdef01234567', c: 'revoke', by: 'alice' })),
    ).toBeUndefined();
    expect(decodeValue(DecideValueSchema, JSON.stringify({ i: 'leak-0123456789abcdef01234567', c: 'revoke' }))).toEqual(
      { i: 'leak-0123456789abcdef01234567', c: 'revoke' },
    );
  });
});

describe('open modal', () => {
  it('offers the catalog secrets and has no field for the secret value', () => {
    const catalog = { secrets: [{ id: 'payments-db', description: 'db' }, { id: 'vendor-api-key' }] } as never;
    const view = renderOpenModal(catalog);
    const text = JSON.stringify(view);
    expect(text).toContain('"value":"payments-db"');
    expect(text).toContain('"value":"vendor-api-key"');
    const blockIds = view.blocks.map((b) => b.block_id).filter(Boolean);
    expect(blockIds).toEqual(['secret', 'identifiers', 'description', 'location', 'severity', 'flags', 'notes']);
  });
});
