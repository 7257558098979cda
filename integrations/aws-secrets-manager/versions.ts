import { createHash } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type DescribeSecretCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { callAws } from '../shared/aws-errors';

export const PROVIDER = 'aws-secrets-manager';

/**
 * The version id Tourniquet writes for one purpose of one incident. Secrets Manager treats a
 * repeated ClientRequestToken as the same version, so a retried write cannot add a second one;
 * derived from ids only, never from the value.
 */
export function versionToken(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

export function describe(client: SecretsManagerClient, secretId: string): Promise<DescribeSecretCommandOutput> {
  return callAws(PROVIDER, 'DescribeSecret', () => client.send(new DescribeSecretCommand({ SecretId: secretId })));
}

export function currentVersion(described: DescribeSecretCommandOutput): string | undefined {
  return Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
}

/** Writes `value` as version `token` and makes it AWSCURRENT (PutSecretValue moves AWSCURRENT and AWSPREVIOUS). */
export async function putCurrent(
  client: SecretsManagerClient,
  secretId: string,
  token: string,
  value: string,
): Promise<string | undefined> {
  const out = await callAws(PROVIDER, 'PutSecretValue', () =>
    client.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token, SecretString: value })),
  );
  return out.$metadata.requestId;
}

export async function valueOf(client: SecretsManagerClient, secretId: string, versionId: string): Promise<string> {
  const out = await callAws(PROVIDER, 'GetSecretValue', () =>
    client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId })),
  );
  return out.SecretString ?? Buffer.from(out.SecretBinary ?? new Uint8Array()).toString('utf8');
}

export { sameSecret } from '../shared/compare';
