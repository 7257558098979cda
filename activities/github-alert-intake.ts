import { ApplicationFailure } from '@temporalio/activity';
import { ERROR_CODES, TourniquetError } from '../domain/errors';
import type { GithubAlertRef, OpenIncidentResult } from '../domain/open-incident';
import type { DeliveryRecorder, GithubAlertReader, IncidentOpener } from '../integrations/ports';

export interface GithubIntakeDeps {
  alerts: GithubAlertReader;
  incidents: IncidentOpener;
  deliveries: DeliveryRecorder;
}

/** What the intake workflow records in its history: ids only, never the secret. */
export type GithubIntakeResult = OpenIncidentResult;

/**
 * The activity behind a GitHub secret scanning webhook.
 *
 * `ingestGithubAlert` fetches the alert (and, for alert events, its first locations) from GitHub's
 * REST API, hands the value to IncidentService.open (which fingerprints and seals it) and returns
 * ids only, so the value never reaches Temporal. Idempotent: the incident workflow ignores a sighting
 * whose source + sourceRef it already has, and the delivery row is written with ON CONFLICT DO
 * NOTHING. Every failure is retryable except invalid input: a revoked token or a missing permission
 * keeps the delivery waiting (visible as a running workflow) until an operator fixes it.
 */
export function createGithubIntakeActivities(deps: GithubIntakeDeps) {
  return {
    async ingestGithubAlert(ref: GithubAlertRef): Promise<GithubIntakeResult> {
      try {
        const command = await deps.alerts.commandFor(ref);
        const opened = await deps.incidents.open(command);
        await deps.deliveries.record({
          source: 'github',
          deliveryId: ref.deliveryId,
          workflowId: opened.workflowId,
          incidentId: opened.incidentId,
          campaign: command.sighting.campaign,
        });
        return opened;
      } catch (error) {
        throw failureOf(error);
      }
    },
  };
}

export type GithubIntakeActivities = ReturnType<typeof createGithubIntakeActivities>;

function failureOf(error: unknown): ApplicationFailure {
  if (error instanceof TourniquetError) {
    return ApplicationFailure.create({
      type: error.code,
      message: error.message,
      nonRetryable: error.code === ERROR_CODES.invalidInput,
      nextRetryDelay: error.retryAfterMs,
    });
  }
  // Temporal or database trouble: retry. The message is ours or the driver's, never alert content.
  return ApplicationFailure.create({
    type: ERROR_CODES.providerUnavailable,
    message: error instanceof Error ? error.message : String(error),
    nonRetryable: false,
  });
}
