import { z } from 'zod';
import { secretSetting } from './parse-helpers';

/**
 * Webhook intake settings (issue: alert intake, docs/intake.md). A source is enabled when its secret
 * is set; until then its endpoint answers 404 naming the setting.
 */
export const intakeConfigShape = {
  GITHUB_WEBHOOK_SECRET: secretSetting().describe('secret of the GitHub secret scanning webhook (secret)'),
  GITHUB_API_URL: z.string().url().default('https://api.github.com'),
  GITHUB_TOKEN: secretSetting().describe('token used to read secret scanning alerts (secret)'),
  GITGUARDIAN_SIGNATURE_TOKEN: secretSetting().describe('signature token of the GitGuardian custom webhook (secret)'),
  TRUFFLEHOG_HMAC_SECRET: secretSetting().describe('HMAC key the TruffleHog CI step signs with (secret)'),
  AWS_HEALTH_SHARED_SECRET: secretSetting().describe(
    'X-Tourniquet-Secret value of the EventBridge API destination (secret)',
  ),
  GENERIC_WEBHOOK_SECRET: secretSetting().describe('HMAC key of the generic signed alert format (secret)'),
  INTAKE_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1_048_576)
    .describe('larger webhook bodies get 413'),
  INTAKE_MAX_IN_FLIGHT: z.coerce
    .number()
    .int()
    .positive()
    .default(256)
    .describe('concurrent webhook requests; beyond it 429'),
  INTAKE_TIMESTAMP_TOLERANCE_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(300)
    .describe('signed timestamps older or newer are replays'),
};
