import { z } from 'zod';
import { secretSetting } from './parse-helpers';

/**
 * Live ownership sources (on-call tools, service catalog) and honeytoken intake. Each source is on
 * when its token is set; a catalog team that names a source whose token is unset refuses to start.
 */
export const ownershipConfigShape = {
  PAGERDUTY_API_TOKEN: secretSetting().describe('PagerDuty REST API key, read-only (secret)'),
  PAGERDUTY_API_URL: z.string().url().default('https://api.pagerduty.com'),
  OPSGENIE_API_KEY: secretSetting().describe('Opsgenie API key with read access (secret)'),
  OPSGENIE_API_URL: z.string().url().default('https://api.opsgenie.com'),
  BACKSTAGE_URL: z.string().url().optional().describe('Backstage base URL; set it to take owners from Backstage'),
  BACKSTAGE_TOKEN: secretSetting().describe('Backstage static token (secret)'),
  CANARYTOKENS_PATH_SECRET: secretSetting().describe(
    'the secret last path segment of the Canarytokens webhook URL (secret, >= 24 characters)',
  ),
};
