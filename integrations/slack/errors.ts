import { ErrorCode as SlackErrorCode, type WebAPICallError } from '@slack/web-api';
import {
  configurationError,
  notFound,
  permissionDenied,
  providerUnavailable,
  rateLimited,
  TourniquetError,
  invalidInput,
} from '../../domain/errors';

/**
 * Maps @slack/web-api errors to the product's taxonomy so Temporal's retry policy, not the Slack
 * client, decides when to try again: 429 → RATE_LIMITED carrying Retry-After, 5xx and network
 * failures → PROVIDER_UNAVAILABLE (retryable), Slack's "your setup is wrong" answers → non-retryable.
 */

/** Slack `error` strings no retry can fix, and what an operator must do about them. */
const SETUP_ERRORS: Record<string, (m: string) => TourniquetError> = {
  invalid_auth: configurationError,
  not_authed: configurationError,
  token_revoked: configurationError,
  token_expired: configurationError,
  account_inactive: configurationError,
  missing_scope: configurationError,
  not_allowed_token_type: configurationError,
  not_in_channel: permissionDenied,
  is_archived: permissionDenied,
  restricted_action: permissionDenied,
  cannot_dm_bot: permissionDenied,
  channel_not_found: notFound,
  user_not_found: notFound,
  message_not_found: notFound,
  invalid_blocks: invalidInput,
  invalid_arguments: invalidInput,
  msg_too_long: invalidInput,
};

/** Slack platform errors that mean "try again later". */
const TRANSIENT_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

export function mapSlackError(method: string, error: unknown): TourniquetError {
  if (error instanceof TourniquetError) return error;
  const coded = error as Partial<WebAPICallError> | undefined;
  switch (coded?.code) {
    case SlackErrorCode.RateLimitedError: {
      const seconds = (coded as { retryAfter?: number }).retryAfter;
      return rateLimited(`Slack ${method}: rate limited`, seconds !== undefined ? seconds * 1000 : undefined);
    }
    case SlackErrorCode.HTTPError: {
      const status = (coded as { statusCode?: number }).statusCode ?? 0;
      if (status >= 500 || status === 408) return providerUnavailable(`Slack ${method}: HTTP ${status}`);
      return configurationError(`Slack ${method}: HTTP ${status}; check SLACK_API_URL`);
    }
    case SlackErrorCode.RequestError:
      return providerUnavailable(
        `Slack ${method}: request failed (${(coded as { original?: Error }).original?.message ?? 'network error'})`,
      );
    case SlackErrorCode.PlatformError: {
      const slackError = (coded as { data?: { error?: string } }).data?.error ?? 'unknown_error';
      if (TRANSIENT_ERRORS.has(slackError)) return providerUnavailable(`Slack ${method}: ${slackError}`);
      const build = SETUP_ERRORS[slackError] ?? invalidInput;
      return build(`Slack ${method}: ${slackError}${hint(slackError)}`);
    }
    default:
      return providerUnavailable(`Slack ${method}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Whether Slack may have carried out a call that failed: its answer was lost (timeout, connection
 * cut) or Slack failed after receiving it (5xx, 408). A platform error or a 429 is an answer: the
 * call did nothing. A post that may have happened is looked for before it is posted again.
 */
export function mayHaveTakenEffect(error: unknown): boolean {
  const coded = error as Partial<WebAPICallError> | undefined;
  if (coded?.code === SlackErrorCode.RequestError) return true;
  if (coded?.code !== SlackErrorCode.HTTPError) return false;
  const status = (coded as { statusCode?: number }).statusCode ?? 0;
  return status >= 500 || status === 408;
}

/** The Slack `error` string of a platform error, for the few answers the notifier handles itself. */
export function slackErrorString(error: unknown): string | undefined {
  const coded = error as { code?: string; data?: { error?: string } } | undefined;
  return coded?.code === SlackErrorCode.PlatformError ? coded.data?.error : undefined;
}

function hint(slackError: string): string {
  switch (slackError) {
    case 'invalid_auth':
    case 'not_authed':
    case 'token_revoked':
      return ' (check SLACK_BOT_TOKEN)';
    case 'missing_scope':
      return ' (reinstall the app from slack/manifest.yaml to grant the scopes)';
    case 'not_in_channel':
      return ' (invite the app to SLACK_INCIDENT_CHANNEL_ID)';
    default:
      return '';
  }
}
