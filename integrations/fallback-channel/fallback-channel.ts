import type { Logger } from 'pino';
import type { FallbackChannel, UndeliverableNotice } from '../ports';
import { fetchProvider, httpFailure } from '../shared/http';

/**
 * Operators' webhook for notifications Slack could not deliver: one JSON POST per undeliverable
 * notification, with an Idempotency-Key (the notification's key) so a retried activity can be
 * deduplicated by the receiver. Bridge it to email, PagerDuty or Opsgenie. Ids and texts only.
 */
export class WebhookFallbackChannel implements FallbackChannel {
  constructor(
    private readonly url: string,
    private readonly logger: Logger,
  ) {}

  async tell(notice: UndeliverableNotice): Promise<{ channel: string }> {
    const response = await fetchProvider('fallback webhook', 'POST', this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': notice.key },
      body: JSON.stringify({ type: 'tourniquet.notification.undeliverable', ...notice }),
    });
    if (!response.ok) throw httpFailure('fallback webhook', 'POST', response.status, response.headers);
    this.logger.warn(
      { incidentId: notice.incidentId, key: notice.key, to: notice.to },
      'undeliverable notification sent to the fallback webhook',
    );
    return { channel: 'webhook' };
  }
}
