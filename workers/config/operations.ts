import { z } from 'zod';
import { booleanFlag } from './parse-helpers';

const LEVEL = z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']);

/** Metrics, traces, Temporal's own logs and worker versioning. */
export const operationsConfigShape = {
  TEMPORAL_LOG_LEVEL: LEVEL.default('WARN').describe(
    "level of the Temporal SDK's logs bridged into ours (core and TS)",
  ),
  TEMPORAL_METRICS_ADDRESS: z
    .string()
    .regex(/^[^:\s]+:\d{1,5}$/, 'write host:port, e.g. 127.0.0.1:9464')
    .optional()
    .describe('host:port where the Temporal SDK serves its own worker metrics at /metrics; unset = off'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .url()
    .optional()
    .describe('OTLP/HTTP endpoint (e.g. http://collector:4318) for traces; unset = tracing off'),
  OTEL_SERVICE_NAME: z.string().default('tourniquet'),
  TEMPORAL_DEPLOYMENT_NAME: z.string().default('tourniquet').describe('Worker Deployment name of this worker'),
  TEMPORAL_BUILD_ID: z
    .string()
    .regex(/^[A-Za-z0-9._+-]{1,100}$/, 'letters, digits, . _ + - only')
    .optional()
    .describe('build id of this worker; default: package version + git commit'),
  TOURNIQUET_GIT_COMMIT: z.string().optional().describe('git commit of an image built without .git (build id)'),
  TEMPORAL_WORKER_VERSIONING: booleanFlag(false).describe(
    'route workflows by Worker Deployment version (pinned); needs set-current-version on deploy',
  ),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(30_000),
  TEMPORAL_MAX_CACHED_WORKFLOWS: z.coerce
    .number()
    .int()
    .min(50, 'at least 50: the worker runs up to 40 workflow tasks at once, each needs its run cached')
    .max(100_000)
    .default(100)
    .describe(
      'incidents the worker keeps in memory; the others are replayed from their history when they wake or are read',
    ),
};
