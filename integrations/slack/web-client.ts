import { LogLevel, WebClient } from '@slack/web-api';

export interface SlackClientSettings {
  token: string;
  /** Web API base URL; a loopback fake in tests. Defaults to Slack's. */
  apiUrl?: string;
}

/**
 * A WebClient that never retries or sleeps on its own: 429s are rejected at once (carrying
 * Retry-After) and 5xx answers throw, so the activity fails fast and Temporal's retry policy, with
 * its backoff and Retry-After delay, owns every retry. Hidden client-side retries would hold an
 * activity slot for minutes and hide outages from the workflow history.
 */
export function createSlackWebClient(settings: SlackClientSettings): WebClient {
  return new WebClient(settings.token, {
    slackApiUrl: withTrailingSlash(settings.apiUrl ?? 'https://slack.com/api/'),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    logLevel: LogLevel.ERROR,
  });
}

/** The client joins method names onto the base URL, so the base must end with a slash. */
function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
