import { LookupEventsCommand, type CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import {
  GetAccessKeyLastUsedCommand,
  GetUserPolicyCommand,
  ListAttachedUserPoliciesCommand,
  ListUserPoliciesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import {
  type BlastRadius,
  classify,
  type DerivedCredential,
  type ExposureEvent,
  type ExposureReport,
  periodOf,
  reportOfEvents,
  windowOf,
} from '../../domain/exposure';
import type { SecretSnapshot } from '../../domain/incident';
import { parseAwsIamLocator } from '../aws-iam/locator';
import type { ExposureQuery, ExposureSource } from '../ports';
import { isAwsNotFound, mapAwsError } from '../shared/aws-errors';

const PROVIDER = 'aws-iam-access-key';
const DAY_MS = 86_400_000;
/** LookupEvents answers 90 days of management events; older events are only in a trail's S3 bucket. */
const RETENTION_MS = 90 * DAY_MS;
/** Calls that issue a new credential from the calling one: the exposure follows them. */
const ISSUING = /^(GetSessionToken|GetFederationToken|AssumeRole.*|CreateAccessKey)$/;
const MAX_CREDENTIALS = 25;

/** The parts of a CloudTrail record (the `CloudTrailEvent` JSON string) the report reads. */
const CloudTrailRecordSchema = z.object({
  eventTime: z.string(),
  eventSource: z.string(),
  eventName: z.string(),
  awsRegion: z.string().optional(),
  sourceIPAddress: z.string().optional(),
  userAgent: z.string().optional(),
  errorCode: z.string().optional(),
  eventID: z.string().optional(),
  responseElements: z
    .object({
      credentials: z.object({ accessKeyId: z.string() }).partial().optional(),
      accessKey: z.object({ accessKeyId: z.string() }).partial().optional(),
    })
    .passthrough()
    .nullish(),
});
type CloudTrailRecord = z.infer<typeof CloudTrailRecordSchema>;

export interface AwsExposureDeps {
  /** A CloudTrail client per region (one region per LookupEvents call). */
  cloudTrailFor(region: string): CloudTrailClient;
  iam: IAMClient;
  /** The enabled regions to search. */
  regions: string[];
  /** How far before the leak the baseline reaches (default 14 days). */
  baselineMs?: number;
  /** How long after containment logs may still arrive (CloudTrail: about 15 minutes; default 30). */
  lateLogsMs?: number;
  /** Pause between two LookupEvents calls of one region: AWS allows 2 per second per account and region. */
  pacingMs?: number;
}

/**
 * What an IAM access key did, from CloudTrail LookupEvents (by `AccessKeyId`, per region, paged
 * with NextToken) and IAM GetAccessKeyLastUsed; credentials the key issued are followed until no
 * new one appears. Read-only and safe to retry.
 */
export class AwsCloudTrailExposureSource implements ExposureSource {
  readonly kind = PROVIDER;

  constructor(private readonly deps: AwsExposureDeps) {}

  async report(query: ExposureQuery): Promise<ExposureReport> {
    const { accessKeyId } = parseAwsIamLocator(query.secret.locator);
    const calls: Record<string, number> = {};
    const now = Date.now();
    const late = this.deps.lateLogsMs ?? 30 * 60_000;
    const from = new Date(
      Math.max(Date.parse(query.leakedAt) - (this.deps.baselineMs ?? 14 * DAY_MS), now - RETENTION_MS),
    );
    const to = new Date(Date.parse(query.containedAt) + late);
    const window = windowOf(query, from, to);

    const events: ExposureEvent[] = [];
    const derived: DerivedCredential[] = [];
    const queue = [accessKeyId];
    const seen = new Set(queue);
    while (queue.length > 0) {
      const credential = queue.shift()!;
      for (const record of await this.lookup(credential, from, to, calls)) {
        const period = periodOf(record.eventTime, query);
        events.push({
          at: new Date(record.eventTime).toISOString(),
          credential,
          service: record.eventSource,
          action: record.eventName,
          region: record.awsRegion,
          sourceIp: record.sourceIPAddress,
          userAgent: record.userAgent,
          ...(record.errorCode ? { errorCode: record.errorCode } : {}),
          ...(record.eventID ? { eventId: record.eventID } : {}),
          period,
          classification: classify(period, record.errorCode),
        });
        const issued = issuedKeyOf(record);
        if (issued && !seen.has(issued) && seen.size < MAX_CREDENTIALS) {
          seen.add(issued);
          queue.push(issued);
          derived.push({ id: issued, issuedBy: record.eventName, issuedAt: record.eventTime, parent: credential });
        }
      }
    }
    const lastUsed = await this.lastUsed(accessKeyId, calls);
    const read = reportOfEvents(
      { source: 'aws-cloudtrail', provider: PROVIDER, secret: query.secret, window, now },
      events,
    );
    const usedAfter = lastUsed.at !== undefined && Date.parse(lastUsed.at) > Date.parse(query.containedAt);
    return {
      ...read,
      usedAfterContainment: read.usedAfterContainment || usedAfter,
      derivedCredentials: derived,
      lastUsed,
      limits: [
        `CloudTrail LookupEvents: management events only (no S3 object or Lambda data events), the last 90 days, regions searched: ${this.deps.regions.join(', ')}`,
        'CloudTrail delivers events about 5 to 15 minutes after the call: the report is re-run once the window has closed',
        'calls refused before authentication with a key id AWS does not know may not be logged',
      ],
      cannotKnow: [
        'data events (S3 GetObject, Lambda Invoke, DynamoDB items) unless a trail logs them; they are not searched here',
      ],
      apiCalls: calls,
    };
  }

  async blastRadius(secret: SecretSnapshot): Promise<BlastRadius> {
    const locator = parseAwsIamLocator(secret.locator);
    const calls: Record<string, number> = {};
    const lastUsed = await this.lastUsed(locator.accessKeyId, calls);
    const userName = locator.userName ?? lastUsed.userName;
    if (!userName)
      return {
        policies: [],
        lastUsed,
        cannotKnow: ['the key is unknown to IAM: no policies to read'],
        apiCalls: calls,
      };
    const policies: BlastRadius['policies'] = [];
    const attached = await this.call('ListAttachedUserPolicies', calls, () =>
      this.deps.iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName })),
    );
    for (const policy of attached.AttachedPolicies ?? [])
      policies.push({ name: policy.PolicyName ?? '?', kind: 'attached', summary: policy.PolicyArn ?? '' });
    const inline = await this.call('ListUserPolicies', calls, () =>
      this.deps.iam.send(new ListUserPoliciesCommand({ UserName: userName })),
    );
    for (const name of inline.PolicyNames ?? []) {
      const document = await this.call('GetUserPolicy', calls, () =>
        this.deps.iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: name })),
      );
      policies.push({ name, kind: 'inline', summary: summarisePolicy(document.PolicyDocument) });
    }
    return {
      principal: `user/${userName}`,
      policies,
      lastUsed: { at: lastUsed.at, service: lastUsed.service, region: lastUsed.region, note: lastUsed.note },
      cannotKnow: ['group policies and permission boundaries are not read; SCPs of the organization are not visible'],
      apiCalls: calls,
    };
  }

  /** Every LookupEvents page of one credential in every region, paced to AWS's 2 calls per second. */
  private async lookup(
    credential: string,
    from: Date,
    to: Date,
    calls: Record<string, number>,
  ): Promise<CloudTrailRecord[]> {
    const records: CloudTrailRecord[] = [];
    for (const region of this.deps.regions) {
      let nextToken: string | undefined;
      do {
        if ((calls['cloudtrail:LookupEvents'] ?? 0) > 0) await pause(this.deps.pacingMs ?? 500);
        const page = await this.call('cloudtrail:LookupEvents', calls, () =>
          this.deps.cloudTrailFor(region).send(
            new LookupEventsCommand({
              LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: credential }],
              StartTime: from,
              EndTime: to,
              MaxResults: 50,
              NextToken: nextToken,
            }),
          ),
        );
        for (const event of page.Events ?? []) {
          const parsed = parseRecord(event.CloudTrailEvent);
          if (parsed) records.push(parsed);
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return records;
  }

  private async lastUsed(
    accessKeyId: string,
    calls: Record<string, number>,
  ): Promise<{ at?: string; service?: string; region?: string; note: string; userName?: string }> {
    try {
      const out = await this.call('iam:GetAccessKeyLastUsed', calls, () =>
        this.deps.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId })),
      );
      const used = out.AccessKeyLastUsed;
      if (!used?.LastUsedDate) return { note: 'IAM has no record of the key being used', userName: out.UserName };
      return {
        at: used.LastUsedDate.toISOString(),
        service: used.ServiceName,
        region: used.Region,
        note: 'IAM GetAccessKeyLastUsed',
        userName: out.UserName,
      };
    } catch (error) {
      if (isAwsNotFound(error))
        return { note: 'the key is deleted: IAM no longer says when it was last used; CloudTrail is the record' };
      throw error;
    }
  }

  private async call<T>(operation: string, calls: Record<string, number>, send: () => Promise<T>): Promise<T> {
    calls[operation] = (calls[operation] ?? 0) + 1;
    try {
      return await send();
    } catch (error) {
      if (isAwsNotFound(error)) throw error;
      throw mapAwsError(PROVIDER, operation, error);
    }
  }
}

function parseRecord(json: string | undefined): CloudTrailRecord | undefined {
  if (!json) return undefined;
  try {
    const parsed = CloudTrailRecordSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function issuedKeyOf(record: CloudTrailRecord): string | undefined {
  if (record.errorCode || !ISSUING.test(record.eventName)) return undefined;
  return record.responseElements?.credentials?.accessKeyId ?? record.responseElements?.accessKey?.accessKeyId;
}

/** "Allow s3:GetObject, s3:PutObject on arn:...; Deny * on *" from an IAM policy document. */
export function summarisePolicy(encoded: string | undefined): string {
  if (!encoded) return '(empty)';
  try {
    const document = JSON.parse(decodeURIComponent(encoded)) as { Statement?: unknown };
    const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    return statements
      .map((raw) => {
        const statement = (raw ?? {}) as { Effect?: string; Action?: unknown; Resource?: unknown };
        const list = (value: unknown) =>
          Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : '?';
        return `${statement.Effect ?? '?'} ${list(statement.Action)} on ${list(statement.Resource)}`;
      })
      .join('; ')
      .slice(0, 300);
  } catch {
    return '(unreadable policy document)';
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
