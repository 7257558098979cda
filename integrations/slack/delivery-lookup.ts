import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { providerUnavailable } from '../../domain/errors';
import { slackErrorString } from './errors';

/**
 * Slack's chat.postMessage has no idempotency key. Each post carries its delivery's key in the
 * message metadata, so a delivery that takes over a claim a crashed worker left open can ask the
 * conversation whether Slack already accepted that post (the answer died with the worker) and
 * record it instead of posting it twice.
 */

export const DELIVERY_EVENT_TYPE = 'tourniquet_delivery';

/** The metadata a post carries: which delivery (notification key and recipient, or the card) it is. */
export function deliveryMetadata(deliveryKey: string): { event_type: string; event_payload: { key: string } } {
  return { event_type: DELIVERY_EVENT_TYPE, event_payload: { key: deliveryKey } };
}

/** Slack does not index metadata; the conversation is read from a minute before the stale claim on. */
const LOOK_BACK_SECONDS = 60;
const PAGE_SIZE = 200;
const MAX_PAGES = 5;

/**
 * The ts of the message carrying `deliveryKey` in `channel` posted since `since`, if Slack has one.
 * `channel` is a conversation id; a user id is first opened as the bot's direct message with them.
 * An app installed without the history scopes cannot look: it posts again (a possible duplicate,
 * logged) rather than fail the notification.
 */
export async function findDelivered(
  client: WebClient,
  channel: string,
  deliveryKey: string,
  since: Date,
  log: Logger,
): Promise<{ channel: string; ts: string } | undefined> {
  try {
    return await search(client, channel, deliveryKey, since);
  } catch (error) {
    const slackError = slackErrorString(error);
    if (slackError !== 'missing_scope' && slackError !== 'not_in_channel') throw error;
    log.warn({ slackError }, 'cannot read the conversation to find a post a crashed delivery made; posting again');
    return undefined;
  }
}

async function search(
  client: WebClient,
  channel: string,
  deliveryKey: string,
  since: Date,
): Promise<{ channel: string; ts: string } | undefined> {
  const conversation = /^[UW]/.test(channel) ? await openDirectMessage(client, channel) : channel;
  const oldest = (since.getTime() / 1000 - LOOK_BACK_SECONDS).toFixed(6);
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const history = await client.conversations.history({
      channel: conversation,
      oldest,
      include_all_metadata: true,
      limit: PAGE_SIZE,
      cursor,
    });
    const match = history.messages?.find((message) => deliveryKeyOf(message.metadata) === deliveryKey);
    if (match?.ts) return { channel: conversation, ts: match.ts };
    cursor = history.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}

/** The delivery key a message's metadata carries, when it is one of ours. */
function deliveryKeyOf(metadata: unknown): unknown {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const { event_type: type, event_payload: payload } = metadata as Record<string, unknown>;
  if (type !== DELIVERY_EVENT_TYPE || typeof payload !== 'object' || payload === null) return undefined;
  return (payload as Record<string, unknown>)['key'];
}

async function openDirectMessage(client: WebClient, userId: string): Promise<string> {
  const opened = await client.conversations.open({ users: userId });
  if (!opened.channel?.id) throw providerUnavailable('Slack conversations.open answered without a channel id');
  return opened.channel.id;
}
