import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { providerUnavailable } from '../../domain/errors';
import type { PersonRef } from '../../domain/incident';
import type { IncidentNotification } from '../ports';
import { cardFallbackText, renderStatusCard } from './blocks/card';
import { deliveryMetadata, findDelivered } from './delivery-lookup';
import { mapSlackError, mayHaveTakenEffect, slackErrorString } from './errors';
import type { CardRow, SlackStore } from './slack-store';

/**
 * One status card per incident, in the incident's channel: posted once, then `chat.update`d in
 * place. The channel is SLACK_INCIDENT_CHANNEL_ID when configured, else a private channel created
 * for the incident with its people invited. Every step is safe to repeat: the channel id and
 * card ts are stored before the next step runs.
 */
export class IncidentCards {
  constructor(
    private readonly client: WebClient,
    private readonly store: SlackStore,
    private readonly logger: Logger,
    private readonly fixedChannelId: string | undefined,
  ) {}

  /** Posts or updates the card; answers the incident's channel id. */
  async publish(notification: IncidentNotification): Promise<string> {
    const claim = await this.store.claimCard(notification.incidentId);
    if (claim.state === 'busy')
      throw providerUnavailable('the status card is being posted by another delivery; retrying');
    if (claim.state === 'claimed') return this.postCard(claim.row, notification);
    const row = claim.row;
    const channelId = row.channelId as string;
    await this.invite(row, channelId, notification);
    if (!(await this.store.advanceVersion(row.incidentId, versionOf(notification)))) {
      this.logger.debug({ incidentId: row.incidentId }, 'slack card already shows a newer status');
      return channelId;
    }
    try {
      await this.client.chat.update({
        channel: channelId,
        ts: row.cardTs as string,
        text: cardFallbackText(notification.status),
        blocks: renderStatusCard(notification.status),
      });
    } catch (error) {
      if (slackErrorString(error) !== 'message_not_found') throw mapSlackError('chat.update', error);
      // Someone deleted the card: post a fresh one rather than fail forever.
      await this.store.forgetCard(row.incidentId);
      return this.publish(notification);
    }
    return channelId;
  }

  private async postCard(row: CardRow, notification: IncidentNotification): Promise<string> {
    const deliveryKey = `card:${row.incidentId}`;
    try {
      // A crashed delivery left this claim open after opening the channel: its card may be there.
      const earlier =
        row.staleSince && row.channelId
          ? await findDelivered(this.client, row.channelId, deliveryKey, row.staleSince, this.logger)
          : undefined;
      if (earlier) {
        // Recorded at version -1: the publish below brings the found card up to this notification.
        await this.store.saveCard(row.incidentId, earlier.ts, -1);
        this.logger.info({ incidentId: row.incidentId, ts: earlier.ts }, 'slack status card already posted');
        return this.publish(notification);
      }
      const channelId = row.channelId ?? (await this.openChannel(row.incidentId));
      await this.invite(row, channelId, notification);
      const posted = await this.client.chat.postMessage({
        channel: channelId,
        text: cardFallbackText(notification.status),
        blocks: renderStatusCard(notification.status),
        metadata: deliveryMetadata(deliveryKey),
        unfurl_links: false,
      });
      if (!posted.ts) throw providerUnavailable('Slack chat.postMessage answered without a ts');
      await this.store.saveCard(row.incidentId, posted.ts, versionOf(notification));
      this.logger.info({ incidentId: row.incidentId, channelId, ts: posted.ts }, 'slack status card posted');
      return channelId;
    } catch (error) {
      await this.store.releaseCard(row.incidentId, mayHaveTakenEffect(error));
      throw mapSlackError('chat.postMessage', error);
    }
  }

  private async openChannel(incidentId: string): Promise<string> {
    const channelId = this.fixedChannelId ?? (await this.createChannel(channelNameOf(incidentId)));
    await this.store.saveChannel(incidentId, channelId);
    return channelId;
  }

  private async createChannel(name: string): Promise<string> {
    try {
      const created = await this.client.conversations.create({ name, is_private: true });
      if (created.channel?.id) return created.channel.id;
      throw providerUnavailable('Slack conversations.create answered without a channel id');
    } catch (error) {
      // A retry after a create whose answer we lost: the channel exists, find it.
      if (slackErrorString(error) !== 'name_taken') throw mapSlackError('conversations.create', error);
      const found = await this.findChannel(name);
      if (!found) throw mapSlackError('conversations.create', error);
      return found;
    }
  }

  private async findChannel(name: string): Promise<string | undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.client.conversations.list({
        types: 'private_channel,public_channel',
        exclude_archived: true,
        limit: 200,
        cursor,
      });
      const match = page.channels?.find((channel) => channel.name === name);
      if (match?.id) return match.id;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return undefined;
  }

  /** Invites the incident's people to its own channel; a configured shared channel is left alone. */
  private async invite(row: CardRow, channelId: string, notification: IncidentNotification): Promise<void> {
    if (this.fixedChannelId) return;
    const { primary, backup, verifier } = notification.status.roles;
    const people = [primary, backup, verifier, ...notification.to].filter((p): p is PersonRef => p !== undefined);
    const users = [...new Set(people.map((p) => p.slackUserId).filter((id): id is string => !!id))].filter(
      (id) => !row.invited.includes(id),
    );
    if (users.length === 0) return;
    try {
      await this.client.conversations.invite({ channel: channelId, users: users.join(',') });
    } catch (error) {
      // Already-present people are fine; other refusals must not hold the card back.
      const slackError = slackErrorString(error);
      if (slackError === undefined) throw mapSlackError('conversations.invite', error);
      if (slackError !== 'already_in_channel')
        this.logger.warn({ incidentId: row.incidentId, slackError }, 'slack invite refused');
    }
    await this.store.markInvited(row.incidentId, users);
    row.invited.push(...users);
  }
}

/** Channel names: lowercase, at most 80 characters; incident ids already fit. */
export function channelNameOf(incidentId: string): string {
  return `tq-${incidentId}`
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '-')
    .slice(0, 80);
}

/** How far the incident has moved: the card never goes back to an older status. */
export function versionOf(notification: IncidentNotification): number {
  return notification.status.evidenceCount;
}
