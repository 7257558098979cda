import { z } from 'zod';
import { secretSetting } from './parse-helpers';

/** Provider settings (issue: providers). Credentials come from the SDKs' own chains where they have one. */
export const providersConfigShape = {
  AWS_REGION: z.string().default('us-east-1'),
  AWS_ENDPOINT_URL: z.string().url().optional().describe('override for AWS endpoints (moto in tests)'),
  GITHUB_CREDENTIAL_REVOCATION_URL: z.string().url().default('https://api.github.com/credentials/revoke'),
  SLACK_TOKEN_API_URL: z.string().url().default('https://slack.com/api/'),
  VAULT_ADDR: z.string().url().optional(),
  VAULT_TOKEN: secretSetting(),
  PROVIDER_WEBHOOK_SIGNING_KEY: secretSetting(),
};
