import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { ExposureReport } from '../../../domain/exposure';
import { verifyClosureBundle } from '../../../integrations/evidence/verify-bundle';
import { FakeCloudTrail } from '../../fakes/cloudtrail-api';
import { startTestApp, TEST_CATALOG, tokenOf, type TestApp } from '../../support/app';
import { api, eventually } from '../../support/http';
import { decide, openIncident, verify, waitForEvidence, waitForPhase } from '../../support/incidents';
import { startMoto, type MotoServer } from '../../support/moto';
import { historyText, recordHistoryIfAsked } from '../../support/secrets';

jest.setTimeout(180_000);

const HOUR = 3_600_000;
const PIPELINE = { sourceIPAddress: '10.0.12.7', userAgent: 'Boto3/1.34.11 deploy-pipeline' };
const ATTACKER = { sourceIPAddress: '198.51.100.23', userAgent: 'python-requests/2.31.0' };
const DERIVED = 'ASIAEXAMPLEDERIVED001';

let moto: MotoServer;
let trail: FakeCloudTrail;
let app: TestApp;
let iam: IAMClient;
let leaked: { accessKeyId: string; secretAccessKey: string };
const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

function catalogWith(accessKeyId: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'catalog.yaml');
  const secret = `
  - id: deploy-key
    description: deploy pipeline's IAM access key
    provider: aws-iam-access-key
    locator: { accessKeyId: ${accessKeyId}, userName: deployer }
    ownerTeam: payments
    issuingTeam: platform
    tier: medium
`;
  writeFileSync(path, readFileSync(TEST_CATALOG, 'utf8').replace('\nauditors:', `${secret}auditors:`));
  return path;
}

function oldKeySts(): STSClient {
  return new STSClient({ endpoint: moto.endpoint, region: moto.region, credentials: leaked, maxAttempts: 1 });
}

beforeAll(async () => {
  moto = await startMoto();
  trail = new FakeCloudTrail();
  const trailUrl = await trail.start();
  iam = new IAMClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.admin });
  await iam.send(new CreateUserCommand({ UserName: 'deployer' }));
  const document = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:ListBucket'], Resource: 'arn:aws:s3:::deploy-*' }],
  });
  const managed = await iam.send(new CreatePolicyCommand({ PolicyName: 'deploy-artifacts', PolicyDocument: document }));
  await iam.send(new AttachUserPolicyCommand({ UserName: 'deployer', PolicyArn: managed.Policy!.Arn! }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'deployer',
      PolicyName: 'invalidate-cdn',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: { Effect: 'Allow', Action: 'cloudfront:CreateInvalidation', Resource: '*' },
      }),
    }),
  );
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'deployer' }))).AccessKey!;
  leaked = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
  // A real use of the key before the leak: moto records it as the key's last use.
  await oldKeySts().send(new GetCallerIdentityCommand({}));
  // The product's AWS clients sign as the remediation principal, from the SDK's own credential chain.
  process.env.AWS_ACCESS_KEY_ID = moto.admin.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = moto.admin.secretAccessKey;
  app = await startTestApp({
    CATALOG_PATH: catalogWith(leaked.accessKeyId),
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_CLOUDTRAIL_ENDPOINT_URL: trailUrl,
    EXPOSURE_LATE_LOGS_MS: '45000',
  });
});

afterAll(async () => {
  await app?.stop();
  iam?.destroy();
  await trail?.stop();
  await moto?.stop();
  process.env.AWS_ACCESS_KEY_ID = savedEnv.id;
  process.env.AWS_SECRET_ACCESS_KEY = savedEnv.secret;
  if (savedEnv.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  if (savedEnv.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
});

/** CloudTrail as AWS would show it: the pipeline's normal use, then the attacker's, with a session token. */
function seedTrail(leakedAt: number): void {
  const key = leaked.accessKeyId;
  // 55 baseline calls, a minute apart: more than one LookupEvents page (50 per page).
  const baseline = Array.from({ length: 55 }, (_, minute) => new Date(leakedAt - 72 * HOUR + minute * 60_000));
  for (const eventTime of baseline)
    trail.add({ accessKeyId: key, eventTime, eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', ...PIPELINE });
  trail.add({
    accessKeyId: key,
    eventTime: new Date(leakedAt + 0.5 * HOUR),
    eventSource: 'sts.amazonaws.com',
    eventName: 'GetCallerIdentity',
    ...ATTACKER,
  });
  trail.add({
    accessKeyId: key,
    eventTime: new Date(leakedAt + 0.6 * HOUR),
    eventSource: 'sts.amazonaws.com',
    eventName: 'GetSessionToken',
    responseElements: { credentials: { accessKeyId: DERIVED, expiration: 'Dec 3, 2026, 12:00:00 PM' } },
    ...ATTACKER,
  });
  trail.add({
    accessKeyId: DERIVED,
    eventTime: new Date(leakedAt + 0.7 * HOUR),
    eventSource: 'iam.amazonaws.com',
    eventName: 'ListUsers',
    ...ATTACKER,
  });
  trail.add({
    accessKeyId: key,
    eventTime: new Date(leakedAt + 0.8 * HOUR),
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateUser',
    errorCode: 'AccessDenied',
    ...ATTACKER,
  });
}

async function timeline(id: string): Promise<Array<{ kind: string; details: Record<string, any> }>> {
  return (await api(app.baseUrl, 'GET', `/api/incidents/${id}/timeline`, { as: 'erin' })).body.evidence;
}

describe('exposure report of a leaked IAM access key (moto IAM + CloudTrail fake)', () => {
  it('classifies use before, during and after exposure, follows the session token, escalates use after containment, and seals the report in the bundle', async () => {
    const leakedAt = Date.now() - 2 * HOUR;
    seedTrail(leakedAt);
    // AWS throttles LookupEvents at 2 calls per second: the first call is refused once and retried.
    trail.fake.failNext({
      status: 400,
      headers: { 'x-amzn-errortype': 'ThrottlingException' },
      body: { __type: 'ThrottlingException', message: 'Rate exceeded' },
    });
    const id = await openIncident(app, {
      secretId: 'deploy-key',
      leakedValue: JSON.stringify(leaked),
      description: 'deploy key pasted in a public gist',
      detectedAt: new Date(leakedAt).toISOString(),
    });

    // Blast radius before the decision: the attached and inline policies, and the key's last use (moto).
    const waiting = await eventually(
      () => api(app.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'erin' }),
      (r) => r.body?.phase === 'awaiting-decision' && r.body?.exposure?.blastRadius !== undefined,
      60_000,
      'blast radius on the status',
    );
    expect(waiting.body.exposure.blastRadius).toContain('user/deployer');
    expect(waiting.body.exposure.blastRadius).toContain('deploy-artifacts (attached');
    expect(waiting.body.exposure.blastRadius).toContain(
      'invalidate-cdn (inline: Allow cloudfront:CreateInvalidation on *)',
    );
    expect(waiting.body.exposure.blastRadius).toMatch(/last used \d{4}-.*\(sts, us-east-1\)/);

    expect((await decide(app, id, 'alice', 'revoke', 'public gist')).status).toBe(200);
    const first = (await waitForEvidence(app, id, 'exposure.reported', 90_000)).find(
      (e) => e.kind === 'exposure.reported',
    )!;
    // The report is re-read until the window (containment + EXPOSURE_LATE_LOGS_MS) has closed.
    const windowEnd = Date.parse(first.details.report.window.to);
    expect(first.details.final).toBe(false);
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'deployer' }));
    expect(keys.AccessKeyMetadata ?? []).toEqual([]);

    // Verified while the report is still re-read: the incident says it waits for the report, not for a verifier.
    await waitForPhase(app, id, 'awaiting-verification');
    expect((await verify(app, id, 'carol')).status).toBe(200);
    const closing = await waitForPhase(app, id, 'awaiting-exposure-report');
    expect(Date.now()).toBeLessThan(windowEnd);
    expect(closing.verification).toMatchObject({ verifiedBy: 'carol' });
    expect(closing.waitingOn).toMatchObject({ people: [], for: expect.stringContaining('exposure report') });

    // After containment somebody tries the old key: AWS (moto) refuses it, and CloudTrail logs it late.
    await expect(oldKeySts().send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
    });
    trail.add({
      accessKeyId: leaked.accessKeyId,
      eventTime: new Date(),
      eventSource: 'sts.amazonaws.com',
      eventName: 'GetCallerIdentity',
      errorCode: 'InvalidClientTokenId',
      ...ATTACKER,
    });
    // The late log line is only read if it lands inside the window: fail here, plainly, on a machine too slow for it.
    expect(Date.now()).toBeLessThan(windowEnd - 2_000);

    const evidence = await waitForEvidence(app, id, 'exposure.used-after-containment', 90_000);
    const escalation = evidence.find((e) => e.kind === 'exposure.used-after-containment')!;
    expect(escalation.details.to).toEqual(expect.arrayContaining(['alice', 'grace']));
    expect(escalation.details.events).toEqual([
      expect.objectContaining({
        action: 'GetCallerIdentity',
        errorCode: 'InvalidClientTokenId',
        classification: 'denied',
      }),
    ]);

    await waitForPhase(app, id, 'closed', 90_000);
    // The phase reads "closed" before the last evidence batch (incident.closed) reaches the store.
    await waitForEvidence(app, id, 'incident.closed', 60_000);

    const reports = (await timeline(id)).filter((e) => e.kind === 'exposure.reported');
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(reports[0]!.details.report.usedAfterContainment).toBe(false);
    const final = reports.at(-1)!.details.report as ExposureReport;
    expect(reports.at(-1)!.details.final).toBe(true);
    expect(final.complete).toBe(true);
    expect(final.counts).toEqual({ baseline: 55, 'during-exposure': 3, 'after-containment': 0, denied: 2 });
    const byAction = (action: string) => final.events.find((e) => e.action === action)!;
    expect(byAction('GetSessionToken')).toMatchObject({ classification: 'during-exposure', sourceIp: '198.51.100.23' });
    expect(byAction('ListUsers')).toMatchObject({ classification: 'during-exposure', credential: DERIVED });
    expect(byAction('CreateUser')).toMatchObject({ classification: 'denied', period: 'during-exposure' });
    expect(byAction('GetCallerIdentity')).toBeDefined();
    expect(final.events.filter((e) => e.period === 'after-containment')).toEqual([
      expect.objectContaining({ classification: 'denied', errorCode: 'InvalidClientTokenId' }),
    ]);
    expect(final.events.filter((e) => e.classification === 'baseline')).toHaveLength(50 - 5);
    expect(final.eventsOmitted).toBe(10);
    expect(final.derivedCredentials).toEqual([expect.objectContaining({ id: DERIVED, issuedBy: 'GetSessionToken' })]);
    expect(final.usedAfterContainment).toBe(true);
    expect(final.candidates).toEqual([
      expect.objectContaining({ sourceIp: PIPELINE.sourceIPAddress, userAgent: PIPELINE.userAgent, calls: 55 }),
    ]);
    expect(final.lastUsed?.note).toContain('deleted');
    // The derived session's key was looked up too, and the baseline needed a second page.
    const lookups = trail.lookups();
    expect(lookups.some((l) => l.accessKeyId === DERIVED)).toBe(true);
    expect(lookups.some((l) => l.accessKeyId === leaked.accessKeyId && l.nextToken)).toBe(true);
    expect(final.apiCalls['cloudtrail:LookupEvents']).toBeGreaterThanOrEqual(3);

    // The report is inside the signed closure bundle, which verifies offline. Phase 'closed' is set before
    // the bundle is sealed; the run ends only after sealing, so the bundle is there once the run is over.
    const run = app.client.workflow.getHandle(waiting.body.workflowId);
    await run.result();
    expect((await run.describe()).status.name).toBe('COMPLETED');
    const auditor = { authorization: `Bearer ${tokenOf('auditor')}` };
    const bundleResponse = await fetch(`${app.baseUrl}/audit/api/incidents/${id}/bundle`, { headers: auditor });
    expect(bundleResponse.status).toBe(200);
    const bytes = Buffer.from(await bundleResponse.arrayBuffer());
    const publicKey = await (await fetch(`${app.baseUrl}/audit/api/public-key`, { headers: auditor })).text();
    expect(verifyClosureBundle(bytes, publicKey)).toMatchObject({ ok: true, incidentId: id });
    const bundleText = bytes.toString();
    expect(bundleText).toContain('exposure.used-after-containment');
    expect(bundleText).toContain(DERIVED);

    // Canary: the leaked secret key appears in no evidence, bundle or log line.
    expect(bundleText).not.toContain(leaked.secretAccessKey);
    expect(JSON.stringify(await timeline(id))).not.toContain(leaked.secretAccessKey);
    expect(app.logLines()).not.toContain(leaked.secretAccessKey);

    // Bounded: one blast-radius read, a report plus a re-run after late logs, behind the patch marker.
    const history = await app.client.workflow.getHandle(waiting.body.workflowId).fetchHistory();
    expect(historyText(history)).not.toContain(leaked.secretAccessKey);
    const scheduled = (history.events ?? [])
      .map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter((name) => name === 'reportExposure' || name === 'assessBlastRadius');
    expect(scheduled).toEqual(['assessBlastRadius', ...reports.map(() => 'reportExposure')]);
    expect(reports.length).toBeLessThanOrEqual(4);
    expect(historyText(history)).toContain('exposure-report');
    recordHistoryIfAsked('exposure-report', history);
    recordHistoryIfAsked('exposure-wait-phase', history);
    console.log(`exposure report as an auditor sees it:\n${JSON.stringify(final, null, 2)}`);
  });
});
