/** The settings that hold each source's secret; a source is off while its setting is unset. */
export type IntakeSecretSetting =
  | 'GITHUB_WEBHOOK_SECRET'
  | 'GITGUARDIAN_SIGNATURE_TOKEN'
  | 'TRUFFLEHOG_HMAC_SECRET'
  | 'AWS_HEALTH_SHARED_SECRET'
  | 'GENERIC_WEBHOOK_SECRET'
  | 'CANARYTOKENS_PATH_SECRET';

/** What the webhook intake reads of the parsed configuration (workers/config passes its own). */
export type IntakeConfig = { [setting in IntakeSecretSetting]?: string } & {
  INTAKE_MAX_BODY_BYTES: number;
  INTAKE_MAX_IN_FLIGHT: number;
  INTAKE_TIMESTAMP_TOLERANCE_SECONDS: number;
  TEMPORAL_TASK_QUEUE: string;
};
