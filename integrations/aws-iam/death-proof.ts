import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { DeathProof } from '../ports';
import { awsErrorName, mapAwsError } from '../shared/aws-errors';
import { pollUntil, type PollBound } from '../shared/poll';
import type { AwsIamLocator } from './locator';
import type { KeyOwnerResolver } from './owner';

export type StsForKey = (credentials: { accessKeyId: string; secretAccessKey: string }) => STSClient;

/** STS answers for a key that is gone (deleted or inactive): the key is dead. */
const DEAD_KEY_ERRORS = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken']);

interface ProofInput {
  locator: AwsIamLocator;
  /** The leaked secret access key, when one was reported. Sent only to STS, inside a SigV4 signature. */
  secretAccessKey: string | undefined;
  owners: KeyOwnerResolver;
  stsForKey: StsForKey;
  poll: PollBound;
}

/**
 * Dead = IAM no longer lists the key AND STS refuses a request signed with it. IAM is eventually
 * consistent, so both checks are polled within the bound; a key still alive at the end gives
 * `dead: false` for the workflow to ask again, never an exception.
 */
export async function proveKeyDead(input: ProofInput): Promise<DeathProof> {
  const result = await pollUntil(async () => {
    const listed = await isListed(input);
    const sts = await stsCheck(input);
    // Without the leaked value only IAM can be asked; a key IAM no longer has cannot sign anything.
    return { done: !listed.alive && sts.alive !== true, listed, sts };
  }, input.poll);
  const checks = [result.listed.check, result.sts.check, `checked ${result.attempts} time(s)`];
  return { dead: result.done, checks };
}

async function isListed(input: ProofInput): Promise<{ alive: boolean; check: string }> {
  const { accessKeyId } = input.locator;
  const userName = await input.owners.userOf(input.locator);
  if (!userName) return { alive: false, check: `iam:GetAccessKeyLastUsed: ${accessKeyId} unknown to IAM (deleted)` };
  const key = await input.owners.keyOf(userName, accessKeyId);
  return key
    ? { alive: true, check: `iam:ListAccessKeys(${userName}): ${accessKeyId} still listed (${key.Status})` }
    : { alive: false, check: `iam:ListAccessKeys(${userName}): ${accessKeyId} not listed` };
}

/** alive is undefined when no leaked value was reported: STS cannot be asked. */
async function stsCheck(input: ProofInput): Promise<{ alive: boolean | undefined; check: string }> {
  const { accessKeyId } = input.locator;
  if (!input.secretAccessKey)
    return { alive: undefined, check: 'sts:GetCallerIdentity with the old key: skipped, no leaked value was reported' };
  const client = input.stsForKey({ accessKeyId, secretAccessKey: input.secretAccessKey });
  try {
    const out = await client.send(new GetCallerIdentityCommand({}));
    return { alive: true, check: `sts:GetCallerIdentity with the old key: accepted as ${out.Arn}` };
  } catch (error) {
    const name = awsErrorName(error) ?? 'Error';
    if (DEAD_KEY_ERRORS.has(name)) return { alive: false, check: `sts:GetCallerIdentity with the old key: ${name}` };
    throw mapAwsError('aws-iam-access-key', 'GetCallerIdentity(old key)', error);
  } finally {
    client.destroy();
  }
}
