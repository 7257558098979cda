import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import type { z } from 'zod';
import type { ModalView } from '@slack/types';
import {
  ACTION_IDS,
  decodeValue,
  DecideValueSchema,
  DependentValueSchema,
  IncidentValueSchema,
  type ModalMetadata,
} from '../../integrations/slack/blocks/ids';
import { renderFalsePositiveModal, renderManualModal, renderVerifyModal } from '../../integrations/slack/blocks/modals';
import type { SlackDeps } from './deps';
import { identify } from './identity';
import { describeUpdate } from './outcomes';

/**
 * Button clicks. Every handler acks first, then works: it identifies the clicker from the signed
 * payload, parses the button value with zod, and either opens a follow-up modal or runs a Workflow
 * Update whose id is derived from the interaction, so a double click or a redelivered payload is
 * one update. The answer goes back as an ephemeral reply through the click's response_url.
 */

type Click = BlockAction<ButtonAction>;

/** Our action ids carry a `:n` suffix because ids must be unique within a block. */
const actionPattern = (id: string) => new RegExp(`^${id}(?::\\d+)?$`);

/**
 * The update id of a click: one per person, message, button and choice. A double click on the same
 * button sends two payloads with different trigger ids but the same message, so both map here.
 */
export function clickRequestId(body: Click, choice: string): string {
  const anchor = body.container?.message_ts ?? body.message?.ts ?? body.trigger_id;
  return `slack:${body.team?.id ?? '-'}:${body.user.id}:${String(anchor)}:${choice}`;
}

const EPHEMERAL = { response_type: 'ephemeral', replace_original: false } as const;

export function registerActions(app: App, deps: SlackDeps): void {
  const log = deps.logger.child({ component: 'slack-actions' });

  /** Shared front half of every click: ack, identify, parse; answers undefined after refusing. */
  async function accept<T>(
    args: { ack: () => Promise<void>; body: Click; action: ButtonAction; respond: RespondFn },
    schema: z.ZodType<T>,
  ) {
    await args.ack();
    const identity = identify(deps.directory, args.body.user.id, 'incident-role');
    if (!identity.known) {
      await args.respond({ ...EPHEMERAL, text: identity.refusal });
      return undefined;
    }
    const value = decodeValue(schema, args.action.value);
    if (!value) {
      log.warn({ actionId: args.action.action_id }, 'slack button value did not parse');
      await args.respond({
        ...EPHEMERAL,
        text: ':grey_question: This button is out of date or not one of ours; nothing changed.',
      });
      return undefined;
    }
    return { person: identity.person, value };
  }

  app.action<Click>({ type: 'block_actions', action_id: actionPattern(ACTION_IDS.decide) }, async (args) => {
    const accepted = await accept(args, DecideValueSchema);
    if (!accepted) return;
    const { person, value } = accepted;
    if (value.c === 'false-positive') {
      // A false positive needs a reason: the modal's submission makes the decision.
      await args.client.views.open({
        trigger_id: args.body.trigger_id,
        view: renderFalsePositiveModal({ i: value.i, r: args.body.response_url }),
      });
      return;
    }
    const text = await describeUpdate(deps.service, log, value.i, 'decision', () =>
      deps.service.decide(
        value.i,
        { by: person.id, choice: value.c, channel: 'slack' },
        clickRequestId(args.body, value.c),
      ),
    );
    await args.respond({ ...EPHEMERAL, text });
  });

  app.action<Click>({ type: 'block_actions', action_id: actionPattern(ACTION_IDS.ackDependent) }, async (args) => {
    const accepted = await accept(args, DependentValueSchema);
    if (!accepted) return;
    const { person, value } = accepted;
    const text = await describeUpdate(deps.service, log, value.i, 'acknowledgement', () =>
      deps.service.acknowledgeDependent(
        value.i,
        { by: person.id, dependentId: value.d, channel: 'slack' },
        clickRequestId(args.body, `ack-${value.d}`),
      ),
    );
    await args.respond({ ...EPHEMERAL, text });
  });

  // The verify and manual-containment buttons open a modal asking for the note (the submission acts).
  const opensModal = (actionId: string, render: (metadata: ModalMetadata) => ModalView) =>
    app.action<Click>({ type: 'block_actions', action_id: actionPattern(actionId) }, async (args) => {
      const accepted = await accept(args, IncidentValueSchema);
      if (!accepted) return;
      await args.client.views.open({
        trigger_id: args.body.trigger_id,
        view: render({ i: accepted.value.i, r: args.body.response_url }),
      });
    });
  opensModal(ACTION_IDS.confirmClosed, renderVerifyModal);
  opensModal(ACTION_IDS.confirmManual, renderManualModal);
}
