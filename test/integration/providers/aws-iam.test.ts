import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ERROR_CODES, TourniquetError } from '../../../domain/errors';
import { AwsIamAccessKeyProvider } from '../../../integrations/aws-iam/access-key-provider';
import { parseKeyPair } from '../../../integrations/aws-iam/locator';
import { sessionDenyPolicyName } from '../../../integrations/aws-iam/session-policy';
import { capturedLogger } from '../../support/captured-logger';
import { credentialTarget } from '../../support/credential-target';
import { startMoto, type MotoServer } from '../../support/moto';

jest.setTimeout(60_000);

let moto: MotoServer;
let iam: IAMClient;
const clients: Array<{ destroy(): void }> = [];

function client<T extends { destroy(): void }>(made: T): T {
  clients.push(made);
  return made;
}

function sts(credentials: { accessKeyId: string; secretAccessKey: string }): STSClient {
  return new STSClient({ endpoint: moto.endpoint, region: moto.region, credentials, maxAttempts: 1 });
}

function provider(logger = capturedLogger().logger, credentials = moto.admin): AwsIamAccessKeyProvider {
  const adminIam = client(new IAMClient({ endpoint: moto.endpoint, region: moto.region, credentials, maxAttempts: 1 }));
  return new AwsIamAccessKeyProvider({
    iam: adminIam,
    sts: client(sts(credentials)),
    stsForKey: sts,
    poll: { timeoutMs: 3_000, intervalMs: 50 },
    logger,
  });
}

async function leakedKey(userName: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey;
  return { accessKeyId: key!.AccessKeyId!, secretAccessKey: key!.SecretAccessKey! };
}

async function listedKeys(userName: string): Promise<string[]> {
  const out = await iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return (out.AccessKeyMetadata ?? []).map((key) => key.AccessKeyId!);
}

beforeAll(async () => {
  moto = await startMoto();
  iam = client(new IAMClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.admin }));
});

afterAll(async () => {
  clients.forEach((made) => made.destroy());
  await moto?.stop();
});

describe('aws-iam-access-key provider against moto_server with IAM auth on', () => {
  it('finds the owner from a bare key id, revokes, denies older sessions, and proves the key dead', async () => {
    const leaked = await leakedKey('deployer-a');
    const target = credentialTarget('aws-iam-access-key', { accessKeyId: leaked.accessKeyId }, leaked.secretAccessKey);
    const aws = provider();

    const before = await aws.proveDead(target);
    expect(before).toMatchObject({ dead: false });
    expect(before.checks.join('\n')).toContain('still listed (Active)');

    const started = Date.now();
    const answer = await aws.revoke(target);
    const proof = await aws.proveDead(target);
    console.log(`aws-iam-access-key containment (revoke -> proveDead) against moto: ${Date.now() - started} ms`);

    expect(answer.summary).toBe(
      `key ${leaked.accessKeyId} of user deployer-a: deactivated, sessions issued before now denied, deleted`,
    );
    expect(proof.dead).toBe(true);
    expect(proof.checks).toEqual(
      expect.arrayContaining([
        'sts:GetCallerIdentity with the old key: InvalidClientTokenId',
        `iam:ListAccessKeys(deployer-a): ${leaked.accessKeyId} not listed`,
      ]),
    );
    expect(await listedKeys('deployer-a')).toEqual([]);
    const policy = await iam.send(
      new GetUserPolicyCommand({ UserName: 'deployer-a', PolicyName: sessionDenyPolicyName(leaked.accessKeyId) }),
    );
    const document = JSON.parse(decodeURIComponent(policy.PolicyDocument!));
    expect(document.Statement[0]).toMatchObject({ Effect: 'Deny', Action: '*', Condition: { DateLessThan: {} } });
    expect(Date.parse(document.Statement[0].Condition.DateLessThan['aws:TokenIssueTime'])).toBeGreaterThanOrEqual(
      started - 1_000,
    );
  });

  it('answers alreadyDone when revoke and endDerivedSessions run twice', async () => {
    const leaked = await leakedKey('deployer-b');
    const target = credentialTarget('aws-iam-access-key', { accessKeyId: leaked.accessKeyId, userName: 'deployer-b' });
    const aws = provider();
    expect((await aws.revoke(target)).alreadyDone).toBeUndefined();
    expect((await aws.revoke(target)).alreadyDone).toBe(true);
    expect((await aws.endDerivedSessions(target))?.alreadyDone).toBe(true);
    expect((await provider().endDerivedSessions(target))?.alreadyDone).toBe(true);
  });

  it('rotates: respects the two-key limit, issues a working key, deletes an orphan from an interrupted attempt', async () => {
    const leaked = await leakedKey('deployer-c');
    const target = credentialTarget(
      'aws-iam-access-key',
      { accessKeyId: leaked.accessKeyId, userName: 'deployer-c' },
      leaked.secretAccessKey,
    );
    const aws = provider();

    const lost = parseKeyPair((await aws.issueReplacement(target)).newValue);
    const retried = await aws.issueReplacement(target);
    const fresh = parseKeyPair(retried.newValue);
    expect(retried.answer.summary).toContain(`deleted ${lost.accessKeyId}, left by an interrupted attempt`);
    expect(await listedKeys('deployer-c')).toEqual(expect.arrayContaining([leaked.accessKeyId, fresh.accessKeyId]));
    expect(await listedKeys('deployer-c')).not.toContain(lost.accessKeyId);

    const identity = await client(sts(fresh)).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toContain('user/deployer-c');

    await expect(
      aws.issueReplacement(
        credentialTarget('aws-iam-access-key', { accessKeyId: fresh.accessKeyId, userName: 'deployer-c' }),
      ),
    ).rejects.toMatchObject({
      code: ERROR_CODES.conflict,
    });

    await aws.revoke(target);
    expect((await aws.proveDead(target)).dead).toBe(true);
    expect((await aws.revokeReplacement(target, retried.newValue)).alreadyDone).toBeUndefined();
    expect((await aws.revokeReplacement(target, retried.newValue)).alreadyDone).toBe(true);
    expect(await listedKeys('deployer-c')).toEqual([]);
  });

  it('refuses a key of another account and a principal without rights, without retrying', async () => {
    const leaked = await leakedKey('deployer-d');
    const elsewhere = credentialTarget('aws-iam-access-key', {
      accessKeyId: leaked.accessKeyId,
      accountId: '999999999999',
    });
    await expect(provider().revoke(elsewhere)).rejects.toMatchObject({ code: ERROR_CODES.conflict });

    const weak = await leakedKey('no-rights');
    const denied = await provider(undefined, weak)
      .revoke(credentialTarget('aws-iam-access-key', { accessKeyId: leaked.accessKeyId, userName: 'deployer-d' }))
      .catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(TourniquetError);
    expect(denied).toMatchObject({ code: ERROR_CODES.permissionDenied, retryable: false });
    expect(await listedKeys('deployer-d')).toEqual([leaked.accessKeyId]);
  });

  it('never writes the leaked secret access key or the replacement to its logs', async () => {
    const leaked = await leakedKey('deployer-e');
    const capture = capturedLogger();
    const aws = provider(capture.logger);
    const target = credentialTarget(
      'aws-iam-access-key',
      { accessKeyId: leaked.accessKeyId, userName: 'deployer-e' },
      leaked.secretAccessKey,
    );
    const replacement = parseKeyPair((await aws.issueReplacement(target)).newValue);
    await aws.revoke(target);
    await aws.proveDead(target);
    expect(capture.text()).toContain(leaked.accessKeyId);
    expect(capture.text()).not.toContain(leaked.secretAccessKey);
    expect(capture.text()).not.toContain(replacement.secretAccessKey);
  });
});
