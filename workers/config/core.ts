import { z } from 'zod';
import { booleanFlag, port, postgresUrlSetting, secretSetting } from './parse-helpers';

/** Temporal, HTTP, storage and the keys that protect leaked values. */
export const coreConfigShape = {
  TEMPORAL_ADDRESS: z
    .string()
    .optional()
    .describe('host:port of a Temporal cluster; unset = start the local dev server'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z
    .string()
    .regex(
      /^[A-Za-z0-9._:/-]{1,200}$/,
      'a task queue name: letters, digits and . _ : / - (it goes into visibility queries)',
    )
    .default('tourniquet'),
  TEMPORAL_API_KEY: secretSetting().describe('Temporal Cloud API key (secret)'),
  TEMPORAL_TLS: booleanFlag(false),
  TEMPORAL_TLS_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().optional(),
  TEMPORAL_CLI_PATH: z.string().optional().describe('path to the temporal CLI binary'),
  TEMPORAL_DEV_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  DATA_DIR: z.string().default('.data'),
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: port(8080),
  PUBLIC_BASE_URL: z.string().url().optional().describe('URL people use to reach the HTTP server'),
  CATALOG_PATH: z.string().default('catalog.example.yaml'),
  DATABASE_URL: postgresUrlSetting().describe('PostgreSQL URL for evidence and sealed values; unset = embedded PGlite'),
  FINGERPRINT_KEY: secretSetting().describe('HMAC key for credential fingerprints (secret, >= 32 chars)'),
  VAULT_KEY: secretSetting().describe('AES-256 key (64 hex chars) sealing leaked values at rest (secret)'),
  WORKER_IDENTITY: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Demo and test hook: caps every policy timer (decision, backup, handoff) at this many ms. */
  TIMER_CAP_MS: z.coerce.number().int().positive().optional(),
};
