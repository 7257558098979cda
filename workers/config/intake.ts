import { z } from 'zod';
import { secretSetting } from './parse-helpers';

/** Webhook intake settings (issue: alert intake). A source is enabled when its secret is set. */
export const intakeConfigShape = {
  GITHUB_WEBHOOK_SECRET: secretSetting(),
  GITHUB_API_URL: z.string().url().default('https://api.github.com'),
  GITHUB_TOKEN: secretSetting().describe('token used to read secret scanning alerts (secret)'),
  GITGUARDIAN_SIGNATURE_TOKEN: secretSetting(),
  TRUFFLEHOG_HMAC_SECRET: secretSetting(),
  AWS_HEALTH_SHARED_SECRET: secretSetting(),
  GENERIC_WEBHOOK_SECRET: secretSetting(),
  INTAKE_MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
  INTAKE_MAX_IN_FLIGHT: z.coerce.number().int().positive().default(256),
  INTAKE_TIMESTAMP_TOLERANCE_SECONDS: z.coerce.number().int().positive().default(300),
};
