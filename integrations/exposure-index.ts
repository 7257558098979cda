import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { AwsCloudTrailExposureSource } from './aws-cloudtrail/exposure-source';
import { GitHubAuditLogExposureSource } from './github-audit-log/exposure-source';
import { PostgresExposureSource } from './postgres-role/exposure-source';
import type { ExposureSource } from './ports';

export interface ExposureConfig {
  AWS_REGION: string;
  AWS_ENDPOINT_URL?: string;
  AWS_CLOUDTRAIL_ENDPOINT_URL?: string;
  EXPOSURE_AWS_REGIONS?: string;
  EXPOSURE_LATE_LOGS_MS: number;
  EXPOSURE_POSTGRES_WATCH_MS: number;
  GITHUB_API_URL: string;
  GITHUB_AUDIT_LOG_ORG?: string;
  GITHUB_AUDIT_LOG_TOKEN?: string;
}

/**
 * The exposure sources by provider kind. AWS clients use the SDK's own credential chain (the
 * remediation principal); PostgreSQL reads the admin URL the role's locator names through
 * `resolveSetting`. Providers without a source get a report that says what cannot be known.
 */
export function createExposureSources(
  config: ExposureConfig,
  resolveSetting: (name: string) => string | undefined,
): (providerKind: string) => ExposureSource | undefined {
  const endpoint = config.AWS_CLOUDTRAIL_ENDPOINT_URL ?? config.AWS_ENDPOINT_URL;
  const trails = new Map<string, CloudTrailClient>();
  const sources: ExposureSource[] = [
    new AwsCloudTrailExposureSource({
      cloudTrailFor: (region) => {
        let client = trails.get(region);
        if (!client)
          trails.set(
            region,
            (client = new CloudTrailClient({ region, maxAttempts: 5, ...(endpoint ? { endpoint } : {}) })),
          );
        return client;
      },
      iam: new IAMClient({
        region: config.AWS_REGION,
        ...(config.AWS_ENDPOINT_URL ? { endpoint: config.AWS_ENDPOINT_URL } : {}),
      }),
      regions: (config.EXPOSURE_AWS_REGIONS ?? config.AWS_REGION).split(','),
      lateLogsMs: config.EXPOSURE_LATE_LOGS_MS,
    }),
    new GitHubAuditLogExposureSource({
      apiUrl: config.GITHUB_API_URL,
      organization: config.GITHUB_AUDIT_LOG_ORG,
      token: config.GITHUB_AUDIT_LOG_TOKEN,
      lateLogsMs: config.EXPOSURE_LATE_LOGS_MS,
    }),
    new PostgresExposureSource({ resolveSetting, watchAfterContainmentMs: config.EXPOSURE_POSTGRES_WATCH_MS }),
  ];
  return (kind) => sources.find((source) => source.kind === kind);
}
