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
  AWS_CLOUDTRAIL_ENDPOINT_URL: z
    .string()
    .url()
    .optional()
    .describe('override for CloudTrail only (the loopback CloudTrail fake in tests; moto lacks LookupEvents)'),
  EXPOSURE_AWS_REGIONS: z
    .string()
    .regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, 'comma-separated AWS regions, e.g. us-east-1,eu-west-1')
    .optional()
    .describe('regions whose CloudTrail the exposure report searches (default: AWS_REGION)'),
  GITHUB_AUDIT_LOG_ORG: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,39}$/, 'a GitHub organization login')
    .optional()
    .describe('GitHub Enterprise Cloud organization whose audit log the exposure report searches'),
  GITHUB_AUDIT_LOG_TOKEN: secretSetting().describe('token with read:audit_log on GITHUB_AUDIT_LOG_ORG (secret)'),
  EXPOSURE_LATE_LOGS_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(1_800_000)
    .describe('how long after containment provider logs may still arrive; the report is re-run once it has passed'),
  EXPOSURE_POSTGRES_WATCH_MS: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(0)
    .describe(
      'how long after containment PostgreSQL logins are watched (report re-run, closure waits); 0: the first report is final',
    ),
};
