import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { z } from 'zod';
import type { Person } from '../../domain/catalog';
import type { IncidentSummary } from '../../domain/incident';
import { decodeValue, ModalMetadataSchema, VIEW_IDS, type ModalMetadata } from '../../integrations/slack/blocks/ids';
import { escapeMrkdwn } from '../../integrations/slack/blocks/text';
import type { SlackDeps } from './deps';
import { identify } from './identity';
import { describeUpdate } from './outcomes';
import {
  fieldErrors,
  flattenState,
  NoteSubmissionSchema,
  openCommandOf,
  OpenSubmissionSchema,
  ReasonSubmissionSchema,
} from './view-input';

/**
 * Modal submissions. Input errors and identity refusals are answered inside the modal
 * (`response_action: errors`, within the ack); a valid submission closes the modal at once and the
 * slow work (starting the workflow, running the update) happens after, with the outcome sent back
 * next to the button that opened the modal (its response_url) or as a direct message.
 */

type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

export function registerViews(app: App, deps: SlackDeps): void {
  const log = deps.logger.child({ component: 'slack-views' });

  /** Identity, metadata and fields; refuses inside the modal and answers undefined when invalid. */
  async function accept<T>(args: SubmitArgs, schema: z.ZodType<T>, firstBlock: string, needsMetadata: boolean) {
    const identity = identify(deps.directory, args.body.user.id, needsMetadata ? 'incident-role' : 'catalog');
    if (!identity.known)
      return void (await args.ack({ response_action: 'errors', errors: { [firstBlock]: identity.refusal } }));
    const metadata = decodeValue(ModalMetadataSchema, args.view.private_metadata);
    if (needsMetadata && !metadata)
      return void (await args.ack({
        response_action: 'errors',
        errors: { [firstBlock]: 'This form is out of date; open it again.' },
      }));
    const parsed = schema.safeParse(flattenState(args.view.state.values));
    if (!parsed.success) return void (await args.ack({ response_action: 'errors', errors: fieldErrors(parsed.error) }));
    await args.ack();
    return { person: identity.person, metadata, fields: parsed.data };
  }

  /** Sends the outcome next to the original button when we can, else as a direct message. */
  async function reply(args: SubmitArgs, metadata: ModalMetadata | undefined, text: string): Promise<void> {
    if (metadata?.r && /^https?:\/\//.test(metadata.r)) {
      const answer = await fetch(metadata.r, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
      }).catch(() => undefined);
      if (answer?.ok) return;
    }
    await args.client.chat.postMessage({ channel: args.body.user.id, text }).catch((error: unknown) => {
      log.warn({ err: error instanceof Error ? error.message : String(error) }, 'slack outcome could not be delivered');
    });
  }

  app.view<ViewSubmitAction>(VIEW_IDS.open, async (args) => {
    const accepted = await accept(args, OpenSubmissionSchema, 'location', false);
    if (!accepted) return;
    const { person, fields } = accepted;
    if (fields.secret && !deps.directory.catalog.secrets.some((s) => s.id === fields.secret)) {
      return reply(
        args,
        undefined,
        `:grey_question: \`${escapeMrkdwn(fields.secret)}\` is not in the catalog; nothing was opened.`,
      );
    }
    try {
      const opened = await deps.service.open(
        openCommandOf(fields, args.view.id, person.id, new Date(), person.slackUserId),
      );
      log.info({ incidentId: opened.incidentId, personId: person.id }, 'incident opened from Slack');
      await reply(
        args,
        undefined,
        `:rotating_light: Incident \`${opened.incidentId}\` is open${opened.secretId ? ` for \`${opened.secretId}\`` : ''}. Its status card follows in the incident channel.`,
      );
    } catch (error) {
      log.error(
        { err: error instanceof Error ? error.message : String(error) },
        'incident could not be opened from Slack',
      );
      await reply(args, undefined, ':warning: I could not open the incident; please try again, or use the API.');
    }
  });

  const update =
    (
      what: Parameters<typeof describeUpdate>[3],
      run: (incidentId: string, person: Person, requestId: string) => Promise<IncidentSummary>,
    ) =>
    async (args: SubmitArgs, metadata: ModalMetadata | undefined, person: Person) => {
      const incidentId = (metadata as ModalMetadata).i;
      // The view id is the interaction's id: Slack redelivering this submission is the same update.
      const text = await describeUpdate(deps.service, log, incidentId, what, () =>
        run(incidentId, person, `slack:view:${args.view.id}`),
      );
      await reply(args, metadata, text);
    };

  app.view<ViewSubmitAction>(VIEW_IDS.falsePositiveReason, async (args) => {
    const accepted = await accept(args, ReasonSubmissionSchema, 'reason', true);
    if (!accepted) return;
    const { reason } = accepted.fields;
    await update('decision', (i, person, id) =>
      deps.service.decide(i, { by: person.id, choice: 'false-positive', reason, channel: 'slack' }, id),
    )(args, accepted.metadata, accepted.person);
  });

  app.view<ViewSubmitAction>(VIEW_IDS.verifyNote, async (args) => {
    const accepted = await accept(args, NoteSubmissionSchema, 'note', true);
    if (!accepted) return;
    const { note } = accepted.fields;
    await update('verification', (i, person, id) =>
      deps.service.verify(i, { by: person.id, note, channel: 'slack' }, id),
    )(args, accepted.metadata, accepted.person);
  });

  app.view<ViewSubmitAction>(VIEW_IDS.manualNote, async (args) => {
    const accepted = await accept(args, NoteSubmissionSchema, 'note', true);
    if (!accepted) return;
    const { note, reference } = accepted.fields;
    await update('manual confirmation', (i, person, id) =>
      deps.service.confirmManualContainment(i, { by: person.id, note, reference, channel: 'slack' }, id),
    )(args, accepted.metadata, accepted.person);
  });
}
