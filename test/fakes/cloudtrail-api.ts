import { randomUUID } from 'node:crypto';
import { LoopbackFake, type FakeReply, type FakeRequest } from './loopback-server';

/**
 * A loopback fake of CloudTrail's JSON 1.1 API, which moto does not implement for LookupEvents:
 * `POST /` with `X-Amz-Target: CloudTrail_20131101.LookupEvents`. It serves records the test
 * adds (each carrying its `CloudTrailEvent` JSON string, as AWS does), filtered by the one
 * `AccessKeyId` lookup attribute and the time range, newest first, `MaxResults` per page with an
 * opaque `NextToken`, and answers `ThrottlingException` past `perSecond` calls (AWS: 2 per
 * second per account and region). Every request's region comes from its SigV4 credential scope.
 */
export interface TrailRecordInput {
  accessKeyId: string;
  eventTime: Date;
  eventSource: string;
  eventName: string;
  region?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  errorCode?: string;
  errorMessage?: string;
  responseElements?: Record<string, unknown> | null;
  userName?: string;
}

interface StoredEvent {
  region: string;
  accessKeyId: string;
  time: number;
  event: Record<string, unknown>;
}

export class FakeCloudTrail {
  readonly fake: LoopbackFake;
  private readonly events: StoredEvent[] = [];
  private readonly recentCalls: number[] = [];
  throttled = 0;

  constructor(private readonly perSecond = 2) {
    this.fake = new LoopbackFake((request) => this.handle(request));
  }

  start(): Promise<string> {
    return this.fake.start();
  }

  stop(): Promise<void> {
    return this.fake.stop();
  }

  /** The LookupEvents calls answered or refused, with the access key id each asked about. */
  lookups(): Array<{ accessKeyId: string; region: string; nextToken?: string }> {
    return this.fake.requests
      .filter((r) => r.headers['x-amz-target'] === 'CloudTrail_20131101.LookupEvents')
      .map((r) => {
        const body = JSON.parse(r.body) as { LookupAttributes?: Array<{ AttributeValue: string }>; NextToken?: string };
        return {
          accessKeyId: body.LookupAttributes?.[0]?.AttributeValue ?? '',
          region: regionOf(r),
          nextToken: body.NextToken,
        };
      });
  }

  add(input: TrailRecordInput): string {
    const region = input.region ?? 'us-east-1';
    const eventId = randomUUID();
    const failed = input.errorCode !== undefined;
    this.events.push({
      region,
      accessKeyId: input.accessKeyId,
      time: input.eventTime.getTime(),
      event: {
        eventVersion: '1.09',
        userIdentity: {
          type: input.accessKeyId.startsWith('ASIA') ? 'AssumedRole' : 'IAMUser',
          principalId: 'AIDAEXAMPLEPRINCIPAL1',
          arn: `arn:aws:iam::123456789012:user/${input.userName ?? 'deployer'}`,
          accountId: '123456789012',
          accessKeyId: input.accessKeyId,
          userName: input.userName ?? 'deployer',
        },
        eventTime: input.eventTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        eventSource: input.eventSource,
        eventName: input.eventName,
        awsRegion: region,
        sourceIPAddress: input.sourceIPAddress ?? '203.0.113.10',
        userAgent: input.userAgent ?? 'aws-cli/2.15.0',
        ...(failed ? { errorCode: input.errorCode, errorMessage: input.errorMessage ?? 'denied' } : {}),
        requestParameters: null,
        responseElements: input.responseElements ?? null,
        requestID: randomUUID(),
        eventID: eventId,
        readOnly: /^(Get|List|Describe)/.test(input.eventName),
        eventType: 'AwsApiCall',
        managementEvent: true,
        recipientAccountId: '123456789012',
        eventCategory: 'Management',
      },
    });
    return eventId;
  }

  private handle(request: FakeRequest): FakeReply {
    if (request.method !== 'POST' || request.headers['x-amz-target'] !== 'CloudTrail_20131101.LookupEvents')
      return error(400, 'UnknownOperationException', `unsupported: ${String(request.headers['x-amz-target'])}`);
    const now = Date.now();
    while (this.recentCalls.length > 0 && this.recentCalls[0]! < now - 1_000) this.recentCalls.shift();
    if (this.recentCalls.length >= this.perSecond) {
      this.throttled += 1;
      return error(400, 'ThrottlingException', 'Rate exceeded');
    }
    this.recentCalls.push(now);
    const body = JSON.parse(request.body || '{}') as {
      LookupAttributes?: Array<{ AttributeKey: string; AttributeValue: string }>;
      StartTime?: number;
      EndTime?: number;
      MaxResults?: number;
      NextToken?: string;
    };
    const attributes = body.LookupAttributes ?? [];
    if (attributes.length > 1)
      return error(400, 'InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
    const maxResults = body.MaxResults ?? 50;
    if (maxResults < 1 || maxResults > 50)
      return error(400, 'InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
    const attribute = attributes[0];
    // The SDK sends timestamps as epoch seconds in JSON 1.1.
    const start = body.StartTime !== undefined ? body.StartTime * 1_000 : 0;
    const end = body.EndTime !== undefined ? body.EndTime * 1_000 : Number.MAX_SAFE_INTEGER;
    const region = regionOf(request);
    const matching = this.events
      .filter((e) => e.region === region && e.time >= start && e.time <= end)
      .filter(
        (e) => !attribute || (attribute.AttributeKey === 'AccessKeyId' && e.accessKeyId === attribute.AttributeValue),
      )
      .sort((a, b) => b.time - a.time);
    const offset = body.NextToken ? Number(Buffer.from(body.NextToken, 'base64').toString().split(':')[1]) : 0;
    const page = matching.slice(offset, offset + maxResults);
    const next =
      offset + maxResults < matching.length ? Buffer.from(`page:${offset + maxResults}`).toString('base64') : undefined;
    return {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() },
      body: {
        Events: page.map((e) => ({
          EventId: e.event.eventID,
          EventName: e.event.eventName,
          ReadOnly: String(e.event.readOnly),
          AccessKeyId: e.accessKeyId,
          EventTime: e.time / 1_000,
          EventSource: e.event.eventSource,
          Username: (e.event.userIdentity as { userName: string }).userName,
          Resources: [],
          CloudTrailEvent: JSON.stringify(e.event),
        })),
        ...(next ? { NextToken: next } : {}),
      },
    };
  }
}

function regionOf(request: FakeRequest): string {
  const scope = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\/cloudtrail\//.exec(String(request.headers.authorization ?? ''));
  return scope?.[1] ?? 'us-east-1';
}

function error(status: number, type: string, message: string): FakeReply {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
    body: { __type: type, message },
  };
}
