import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { TourniquetError } from '../../domain/errors';
import type { IncidentNotification } from '../ports';
import { renderRetiredDirectMessage } from './blocks/direct-message';
import { stepOutcome } from './blocks/step-outcome';
import { mapSlackError, slackErrorString } from './errors';
import { versionOf } from './incident-cards';
import type { LiveDirectMessage, SlackStore } from './slack-store';

/**
 * Retires the buttons of direct messages whose step is over: when a notification's status shows
 * the decision made, the verification done, manual containment confirmed, a dependent acknowledged
 * or the incident closed, each earlier direct message with buttons for that step is `chat.update`d
 * to its text plus one line saying how the step ended. Only messages sent at the notification's
 * status version or before are touched, so a late retry of an older notification never retires
 * the buttons of a newer round (a decision asked again after a rollback).
 *
 * Idempotent: a retired message is remembered and skipped. Each message is tried on its own and
 * failures are returned, not thrown, so the caller reports them after the card and new messages.
 */
export class DirectMessageRetirement {
  constructor(
    private readonly client: WebClient,
    private readonly store: SlackStore,
  ) {}

  async retireFinishedSteps(notification: IncidentNotification, log: Logger): Promise<TourniquetError[]> {
    const { status } = notification;
    const live = await this.store.liveDirectMessages(notification.incidentId, versionOf(notification));
    const failures: TourniquetError[] = [];
    for (const message of live) {
      const outcome = stepOutcome(message.step, message.dependents, status);
      if (!outcome) continue;
      try {
        await this.retire(notification, message, outcome, log);
      } catch (error) {
        failures.push(mapSlackError('chat.update (retire buttons)', error));
      }
    }
    return failures;
  }

  private async retire(
    notification: IncidentNotification,
    message: LiveDirectMessage,
    outcome: string,
    log: Logger,
  ): Promise<void> {
    const { incidentId, status } = notification;
    try {
      await this.client.chat.update({
        channel: message.channelId,
        ts: message.ts,
        text: message.text || `Tourniquet: ${status.secretId ?? status.incidentId}`,
        blocks: renderRetiredDirectMessage(message.text, status, outcome),
      });
    } catch (error) {
      // A message that no longer exists has no buttons left to retire.
      if (slackErrorString(error) !== 'message_not_found') throw error;
      log.info({ personId: message.personId, ts: message.ts }, 'slack direct message to retire is gone');
    }
    await this.store.markRetired(incidentId, message.notificationKey, message.personId);
    log.info(
      { personId: message.personId, ts: message.ts, step: message.step },
      'slack direct message buttons retired',
    );
  }
}
