import type { App, RespondFn } from '@slack/bolt';
import type { IncidentSummary } from '../../domain/incident';
import { cardFallbackText, phaseLabel, renderStatusCard } from '../../integrations/slack/blocks/card';
import { renderOpenModal } from '../../integrations/slack/blocks/modals';
import { age, escapeMrkdwn, orNotKnown, slackDate } from '../../integrations/slack/blocks/text';
import { SlackStore } from '../../integrations/slack/slack-store';
import type { SlackDeps } from './deps';
import { identify } from './identity';
import { looksLikeIncidentId } from '../../domain/ids';
import { teamIdsOf } from '../../domain/plan';
import { describeUpdate } from './outcomes';

/**
 * The slash command (`/tourniquet` unless SLACK_COMMAND says otherwise): open, status [id], list,
 * delegate, help. Answers that need no I/O go back in the ack itself; everything else acks first and answers
 * through the command's response_url, so Slack's 3-second limit never bites.
 */

const LIST_LIMIT = 20;
/** A query to an incident whose worker is busy or gone must not hold the whole list back. */
const STATUS_TIMEOUT_MS = 3_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([work.catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

export function helpText(command: string): string {
  return [
    `*${command}* — leaked-secret incidents`,
    `• \`${command} open\` — report a leaked secret (opens a form; never paste the secret)`,
    `• \`${command} status [incident-id]\` — the status card (inside an incident channel the id is optional)`,
    `• \`${command} list\` — open incidents, who each waits on, and their age`,
    `• \`${command} delegate <incident-id> @colleague <reason>\` — hand your pending decision to a colleague`,
    `• \`${command} help\` — this message`,
  ].join('\n');
}

export function registerCommands(app: App, deps: SlackDeps): void {
  const name = deps.config.SLACK_COMMAND;
  const store = new SlackStore(deps.database);
  const log = deps.logger.child({ component: 'slack-commands' });

  app.command(name, async ({ command, ack, respond, client }) => {
    const [sub = 'help', ...args] = command.text.trim().split(/\s+/).filter(Boolean);
    if (sub === 'help') return void (await ack({ response_type: 'ephemeral', text: helpText(name) }));
    if (!['open', 'status', 'list', 'delegate'].includes(sub)) {
      return void (await ack({
        response_type: 'ephemeral',
        // Never echo what was typed: somebody may paste a secret after the command by mistake.
        text: `I do not know that command.\n${helpText(name)}`,
      }));
    }
    const identity = identify(deps.directory, command.user_id);
    if (!identity.known) return void (await ack({ response_type: 'ephemeral', text: identity.refusal }));
    await ack();
    try {
      if (sub === 'open')
        await client.views.open({ trigger_id: command.trigger_id, view: renderOpenModal(deps.directory.catalog) });
      if (sub === 'status')
        await showStatus(deps, respond, args[0] ?? (await store.incidentOfChannel(command.channel_id)), name);
      if (sub === 'list') await listOpen(deps, respond);
      if (sub === 'delegate') await delegate(deps, respond, identity.person.id, args, name);
    } catch (error) {
      log.error({ sub, err: error instanceof Error ? error.message : String(error) }, 'slash command failed after ack');
      await respond({
        response_type: 'ephemeral',
        text: ':warning: Something went wrong on our side; please try again.',
      }).catch(() => undefined);
    }
  });
}

async function showStatus(
  deps: SlackDeps,
  respond: RespondFn,
  incidentId: string | undefined,
  name: string,
): Promise<void> {
  if (!incidentId) {
    await respond({
      response_type: 'ephemeral',
      text: `Which incident? Type \`${name} status <incident-id>\` (see \`${name} list\`).`,
    });
    return;
  }
  // Text that is not shaped like an incident id is never sent on, not even as a look-up key.
  const status = looksLikeIncidentId(incidentId) ? await deps.service.status(incidentId) : undefined;
  if (!status) {
    await respond({
      response_type: 'ephemeral',
      // The typed text is not echoed: it may be a secret pasted by mistake.
      text: `:grey_question: No incident has the id you typed. See \`${name} list\` for the open ones.`,
    });
    return;
  }
  await respond({ response_type: 'ephemeral', text: cardFallbackText(status), blocks: renderStatusCard(status) });
}

/** A Slack mention as slash commands send it with escaping on (`<@U123|name>`), or a catalog person id. */
const MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

/**
 * `delegate <incident-id> @colleague <reason>`: the same update as POST /api/incidents/:id/delegation;
 * the workflow decides whether this person may hand this decision on now. The reason is recorded in
 * evidence and never echoed back.
 */
async function delegate(deps: SlackDeps, respond: RespondFn, by: string, args: string[], name: string): Promise<void> {
  const [incidentId, colleague, ...reasonWords] = args;
  const usage = `Type \`${name} delegate <incident-id> @colleague <reason>\`: the colleague must be in the catalog.`;
  if (!incidentId || !colleague || reasonWords.length === 0 || !looksLikeIncidentId(incidentId)) {
    await respond({ response_type: 'ephemeral', text: `:grey_question: ${usage}` });
    return;
  }
  const catalog = deps.directory.catalog;
  const mention = MENTION.exec(colleague);
  const to = mention
    ? deps.directory.personBySlackUser(mention[1]!)
    : catalog.people.find((person) => person.id === colleague);
  if (!to) {
    await respond({ response_type: 'ephemeral', text: `:no_entry: That colleague is not in the catalog. ${usage}` });
    return;
  }
  const text = await describeUpdate(deps.service, deps.logger, incidentId, 'delegation', () =>
    deps.service.delegate(incidentId, {
      by,
      to: { id: to.id, name: to.name, slackUserId: to.slackUserId },
      toTeams: teamIdsOf(catalog, to.id),
      reason: reasonWords.join(' '),
      channel: 'slack',
    }),
  );
  await respond({ response_type: 'ephemeral', text });
}

async function listOpen(deps: SlackDeps, respond: RespondFn): Promise<void> {
  const open = await deps.service.listOpen(LIST_LIMIT);
  if (open.length === 0) {
    await respond({ response_type: 'ephemeral', text: ':sparkles: No open incidents.' });
    return;
  }
  // The listing each workflow keeps in its memo; a query only for runs older than that.
  const statuses = await Promise.all(
    open.map((o) =>
      o.listing ? Promise.resolve(o.listing) : withTimeout(deps.service.status(o.workflowId), STATUS_TIMEOUT_MS),
    ),
  );
  const now = new Date();
  const lines = statuses.map((s, n) =>
    s ? listLine(s, now) : `• \`${open[n]?.workflowId}\` — status unavailable right now`,
  );
  const more = open.length === LIST_LIMIT ? `\n_Showing the newest ${LIST_LIMIT}._` : '';
  await respond({ response_type: 'ephemeral', text: `*Open incidents*\n${lines.join('\n')}${more}` });
}

function listLine(
  status: Pick<IncidentSummary, 'incidentId' | 'secretId' | 'tier' | 'phase' | 'waitingOn' | 'openedAt'>,
  now: Date,
): string {
  const waiting = status.waitingOn
    ? `waits on ${escapeMrkdwn(status.waitingOn.people.join(', ') || 'nobody')}${status.waitingOn.until ? ` until ${slackDate(status.waitingOn.until)}` : ''}`
    : 'waits on nobody';
  return `• \`${status.incidentId}\` ${escapeMrkdwn(orNotKnown(status.secretId))} (${orNotKnown(status.tier)}) — ${phaseLabel(status.phase)} — ${waiting} — age ${age(status.openedAt, now)}`;
}
