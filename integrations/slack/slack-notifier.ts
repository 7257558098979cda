import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { providerUnavailable, type TourniquetError } from '../../domain/errors';
import type { PersonRef } from '../../domain/incident';
import type { Database } from '../database/database';
import type { IncidentNotification, Notifier } from '../ports';
import { buttonsOf, renderDirectMessage } from './blocks/direct-message';
import { DirectMessageRetirement } from './direct-message-retirement';
import { deliveryMetadata, findDelivered } from './delivery-lookup';
import { mapSlackError, mayHaveTakenEffect } from './errors';
import { IncidentCards, versionOf } from './incident-cards';
import { SlackStore } from './slack-store';
import { createSlackWebClient } from './web-client';

export interface SlackNotifierDeps {
  config: {
    SLACK_BOT_TOKEN?: string;
    SLACK_API_URL?: string;
    SLACK_INCIDENT_CHANNEL_ID?: string;
  };
  database: Database;
  logger: Logger;
  /** Tests may hand in their own client; by default one is built from the config. */
  client?: WebClient;
}

/**
 * Notifier on Slack. Each notification updates the incident's status card and sends a direct
 * message, with the buttons for what they can do, to each person in `to`. Idempotent per
 * notification.key: a retried activity updates the card in place and skips the direct messages
 * already sent. Failures surface as TourniquetErrors (RATE_LIMITED with Retry-After,
 * PROVIDER_UNAVAILABLE, or a non-retryable setup error) so Temporal's retry policy owns retries.
 */
export function createSlackNotifier(deps: SlackNotifierDeps): Notifier {
  const token = deps.config.SLACK_BOT_TOKEN;
  if (!token && !deps.client) throw new Error('createSlackNotifier needs SLACK_BOT_TOKEN');
  const client = deps.client ?? createSlackWebClient({ token: token as string, apiUrl: deps.config.SLACK_API_URL });
  return new SlackNotifier(
    client,
    new SlackStore(deps.database),
    deps.logger.child({ component: 'slack-notifier' }),
    deps.config.SLACK_INCIDENT_CHANNEL_ID,
  );
}

class SlackNotifier implements Notifier {
  private readonly cards: IncidentCards;
  private readonly retirement: DirectMessageRetirement;
  /** Deliveries of one incident run one at a time in this process, so they never race for the card. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: WebClient,
    private readonly store: SlackStore,
    private readonly logger: Logger,
    fixedChannelId: string | undefined,
  ) {
    this.cards = new IncidentCards(client, store, logger, fixedChannelId);
    this.retirement = new DirectMessageRetirement(client, store);
  }

  notify(notification: IncidentNotification): Promise<void> {
    return this.serially(notification.incidentId, () => this.deliver(notification));
  }

  /**
   * The card and each direct message are tried independently: a card that cannot be posted must
   * not keep the decision maker's buttons from arriving, and the other way round. Retiring the
   * buttons of finished steps comes last and never holds either back; its failures are retried
   * with the rest (the card update and sent messages are idempotent).
   */
  private async deliver(notification: IncidentNotification): Promise<void> {
    const log = this.logger.child({
      incidentId: notification.incidentId,
      notificationKey: notification.key,
      kind: notification.kind,
    });
    const failures: TourniquetError[] = [];
    let channelId: string | undefined;
    try {
      channelId = await this.cards.publish(notification);
    } catch (error) {
      failures.push(mapSlackError('card', error));
    }
    for (const person of notification.to) {
      try {
        await this.sendDirectMessage(notification, person, channelId, log);
      } catch (error) {
        failures.push(mapSlackError('direct message', error));
      }
    }
    try {
      failures.push(...(await this.retirement.retireFinishedSteps(notification, log)));
    } catch (error) {
      failures.push(mapSlackError('retire buttons', error));
    }
    if (failures.length > 0) {
      const failure = worstFailure(failures);
      log.warn(
        { code: failure.code, retryAfterMs: failure.retryAfterMs, err: failure.message },
        'slack delivery failed',
      );
      throw failure;
    }
  }

  private async sendDirectMessage(
    notification: IncidentNotification,
    person: PersonRef,
    channelId: string | undefined,
    log: Logger,
  ): Promise<void> {
    if (!person.slackUserId) {
      log.info({ personId: person.id }, 'no Slack user id in the catalog; direct message skipped');
      return;
    }
    const { incidentId, key, kind } = notification;
    const claim = await this.store.claimDirectMessage(incidentId, key, person.id, kind);
    if (claim.state === 'done') return;
    if (claim.state === 'busy')
      throw providerUnavailable('this direct message is being sent by another delivery; retrying');
    const deliveryKey = `${key}:${person.id}`;
    try {
      const buttons = buttonsOf(notification);
      const live = buttons ? { buttons, version: versionOf(notification), text: notification.text } : undefined;
      // A crashed delivery left this claim open: Slack may have accepted its post already.
      const earlier = claim.row.staleSince
        ? await findDelivered(this.client, person.slackUserId, deliveryKey, claim.row.staleSince, log)
        : undefined;
      if (earlier) {
        await this.store.saveDirectMessage(incidentId, key, person.id, earlier.channel, earlier.ts, live);
        log.info({ personId: person.id, ts: earlier.ts }, 'slack direct message already posted by a crashed delivery');
        return;
      }
      // Posting to a user id lands in the app's direct message with that person.
      const posted = await this.client.chat.postMessage({
        channel: person.slackUserId,
        text: notification.text,
        blocks: renderDirectMessage(notification, channelId),
        metadata: deliveryMetadata(deliveryKey),
        unfurl_links: false,
      });
      if (!posted.ts || !posted.channel) throw providerUnavailable('Slack chat.postMessage answered without a ts');
      await this.store.saveDirectMessage(incidentId, key, person.id, posted.channel, posted.ts, live);
      log.info({ personId: person.id, ts: posted.ts }, 'slack direct message sent');
    } catch (error) {
      await this.store.releaseDirectMessage(incidentId, key, person.id, mayHaveTakenEffect(error));
      throw mapSlackError('chat.postMessage', error);
    }
  }

  private serially<T>(incidentId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(incidentId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.queues.set(incidentId, settled);
    void settled.then(() => {
      if (this.queues.get(incidentId) === settled) this.queues.delete(incidentId);
    });
    return next;
  }
}

/**
 * The error the activity reports when several parts failed: a retryable one wins, so the parts
 * that can still succeed are retried (the longest Retry-After among them is honoured).
 */
function worstFailure(failures: TourniquetError[]): TourniquetError {
  const retryable = failures.filter((f) => f.retryable);
  if (retryable.length === 0) return failures[0] as TourniquetError;
  const waits = retryable.map((f) => f.retryAfterMs ?? 0);
  const longest = retryable[waits.indexOf(Math.max(...waits))] as TourniquetError;
  return longest;
}
