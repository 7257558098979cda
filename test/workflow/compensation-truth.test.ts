import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startTestApp, type TestApp } from '../support/app';
import { testCatalogWith } from '../support/catalog';
import { decide, openIncident, waitForEvidence, waitForPhase } from '../support/incidents';
import { startMoto, type MotoServer } from '../support/moto';

jest.setTimeout(120_000);

/**
 * An IAM rotation issues a SECOND key beside the leaked one and delivers it to Secrets Manager;
 * retiring the old key is refused (the remediation principal may not deactivate keys). The undo
 * withdraws the delivery and deletes only the replacement: moto's key list and the secret's
 * versions are checked, and the incident says the leaked key still works.
 */
describe('compensation says the state it really reached (moto IAM + Secrets Manager)', () => {
  let moto: MotoServer;
  let app: TestApp;
  let iam: IAMClient;
  let secrets: SecretsManagerClient;
  let leakedKeyId: string;
  let originalVersion: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    const options = { endpoint: moto.endpoint, region: moto.region, credentials: moto.admin };
    iam = new IAMClient(options);
    secrets = new SecretsManagerClient(options);
    await iam.send(new CreateUserCommand({ UserName: 'ci-deployer' }));
    const leaked = (await iam.send(new CreateAccessKeyCommand({ UserName: 'ci-deployer' }))).AccessKey!;
    leakedKeyId = leaked.AccessKeyId!;
    const created = await secrets.send(
      new CreateSecretCommand({
        Name: 'ci/deployer-key',
        SecretString: JSON.stringify({ accessKeyId: leakedKeyId, secretAccessKey: leaked.SecretAccessKey }),
      }),
    );
    originalVersion = created.VersionId!;
    // The remediation principal may create and delete keys but not deactivate them: retiring the old key fails.
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'tourniquet-remediator',
        PolicyName: 'no-deactivation',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: 'iam:UpdateAccessKey', Resource: '*' }],
        }),
      }),
    );
    const catalogPath = testCatalogWith({
      secrets: [
        {
          id: 'ci-deployer-key',
          description: 'CI deploy key, delivered to Secrets Manager',
          provider: 'aws-iam-access-key',
          locator: { accessKeyId: leakedKeyId, userName: 'ci-deployer' },
          delivery: { kind: 'aws-secrets-manager', secretId: 'ci/deployer-key' },
          ownerTeam: 'payments',
          issuingTeam: 'platform',
          tier: 'medium',
        },
      ],
    });
    // The AWS SDK's credential chain of the worker: the remediation principal.
    process.env.AWS_ACCESS_KEY_ID = moto.admin.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = moto.admin.secretAccessKey;
    app = await startTestApp({ CATALOG_PATH: catalogPath, AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: moto.region });
  });

  afterAll(async () => {
    await app?.stop();
    iam?.destroy();
    secrets?.destroy();
    await moto?.stop();
    process.env = saved;
  });

  it('deletes only the second key, puts the secret back, and says the leaked key still works', async () => {
    const id = await openIncident(app, { secretId: 'ci-deployer-key', description: 'key in a CI log' });
    await waitForPhase(app, id, 'awaiting-decision');
    expect((await decide(app, id, 'alice', 'rotate')).status).toBe(200);
    const attention = await waitForPhase(app, id, 'needs-attention');
    const evidence = await waitForEvidence(app, id, 'containment.compensated');
    const kinds = evidence.map((record) => record.kind);
    expect(kinds).toContain('replacement.delivered');
    expect(evidence.find((record) => record.kind === 'containment.failed')!.details.errorType).toBe(
      'PERMISSION_DENIED',
    );

    // Provider state: one key left, the leaked one, still Active — the replacement is gone.
    const keys = (await iam.send(new ListAccessKeysCommand({ UserName: 'ci-deployer' }))).AccessKeyMetadata ?? [];
    expect(keys.map((key) => [key.AccessKeyId, key.Status])).toEqual([[leakedKeyId, 'Active']]);
    // Secrets Manager: AWSCURRENT is back on the version workloads read before the delivery.
    const stages = (await secrets.send(new DescribeSecretCommand({ SecretId: 'ci/deployer-key' }))).VersionIdsToStages!;
    expect(stages[originalVersion]).toContain('AWSCURRENT');
    // Asked by stage: AWS answers AWSCURRENT by default, moto 5 keeps answering its last written version.
    const current = await secrets.send(
      new GetSecretValueCommand({ SecretId: 'ci/deployer-key', VersionStage: 'AWSCURRENT' }),
    );
    expect(JSON.parse(current.SecretString!).accessKeyId).toBe(leakedKeyId);

    const reached = evidence.find((record) => record.kind === 'containment.compensated')!.details;
    expect(reached.endState).toMatchObject({
      leakedCredential: 'still-works',
      replacement: 'deleted',
      delivery: 'withdrawn',
    });
    expect(reached.summary).toContain('the leaked credential was not touched and still works');
    expect(attention.waitingOn.for).toContain('still works');
  });
});
