import type { Logger } from 'pino';
import type { IncidentNotification, Notifier } from '../ports';

/**
 * Notifications to the log, for installations without Slack. Carries ids and texts only: the
 * status card is not logged whole.
 */
export class LogNotifier implements Notifier {
  constructor(private readonly logger: Logger) {}

  async notify(notification: IncidentNotification): Promise<void> {
    this.logger.info(
      {
        incidentId: notification.incidentId,
        kind: notification.kind,
        to: notification.to.map((person) => person.id),
        phase: notification.status.phase,
      },
      notification.text,
    );
  }
}
