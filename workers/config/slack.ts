import { z } from 'zod';
import { booleanFlag, secretSetting } from './parse-helpers';

/** Slack app settings (issue: Slack surface). Slack is off unless a bot token is set. */
export const slackConfigShape = {
  SLACK_BOT_TOKEN: secretSetting().describe('xoxb- bot token (secret)'),
  SLACK_SIGNING_SECRET: secretSetting().describe('signing secret of the Slack app (secret)'),
  SLACK_APP_TOKEN: secretSetting().describe('xapp- token, Socket Mode only (secret)'),
  SLACK_SOCKET_MODE: booleanFlag(false),
  SLACK_API_URL: z.string().url().optional().describe('Web API base URL, e.g. https://slack.com/api/'),
  SLACK_BOT_USER_ID: z.string().optional(),
  SLACK_BOT_ID: z.string().optional(),
  SLACK_COMMAND: z.string().default('/tourniquet'),
  SLACK_INCIDENT_CHANNEL_ID: z
    .string()
    .optional()
    .describe('channel for status cards; unset = one channel per incident'),
  NOTIFICATION_FALLBACK_URL: z
    .string()
    .url()
    .optional()
    .describe('operators webhook told of notifications Slack could not deliver; unset = error log'),
};
