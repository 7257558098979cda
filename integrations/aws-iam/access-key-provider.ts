import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  GetUserPolicyCommand,
  ListUserTagsCommand,
  PutUserPolicyCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';
import type { Logger } from 'pino';
import type { ProviderAnswer } from '../../domain/evidence';
import { conflict, invalidInput } from '../../domain/errors';
import type { CredentialTarget, DeathProof, FullCredentialProvider } from '../ports';
import { providerAnswer } from '../shared/answer';
import { callAws, isAwsNotFound, mapAwsError } from '../shared/aws-errors';
import { DEFAULT_POLL, type PollBound } from '../shared/poll';
import { proveKeyDead, type StsForKey } from './death-proof';
import { parseAwsIamLocator, parseKeyPair } from './locator';
import { KeyOwnerResolver } from './owner';
import { replacementTagKey, sessionDenyPolicyDocument, sessionDenyPolicyName } from './session-policy';

const PROVIDER = 'aws-iam-access-key';

export interface AwsIamDeps {
  /** Clients signed by the remediation principal, never by the leaked key. */
  iam: IAMClient;
  sts: STSClient;
  /** Builds an STS client signed with given credentials: proof of death signs with the old key. */
  stsForKey: StsForKey;
  poll?: PollBound;
  logger?: Logger;
}

/**
 * Contains IAM user access keys. Every method checks the key's state first, so a retried
 * activity finds the work done and answers `alreadyDone`. Throttling maps to RATE_LIMITED,
 * AccessDenied to PERMISSION_DENIED (non-retryable), 5xx and network errors to PROVIDER_UNAVAILABLE.
 *
 * revoke = UpdateAccessKey Inactive (the key stops working at once), the session-deny policy
 * (derived STS sessions; done here because a deleted key no longer tells whose it was), then
 * DeleteAccessKey (an Inactive key can be switched back on, a deleted one cannot).
 */
export class AwsIamAccessKeyProvider implements FullCredentialProvider {
  readonly kind = PROVIDER;
  readonly requiresHuman = false;
  /** A user may hold two keys: the replacement is a second key, undoing deletes only it. */
  readonly rotationEffects = { oldCredential: 'second-credential', undo: 'delete-replacement' } as const;
  private readonly owners: KeyOwnerResolver;

  constructor(private readonly deps: AwsIamDeps) {
    this.owners = new KeyOwnerResolver(deps.iam, deps.sts);
  }

  validateLocator(locator: Record<string, unknown>): void {
    parseAwsIamLocator(locator);
  }

  async revoke(target: CredentialTarget): Promise<ProviderAnswer> {
    const locator = parseAwsIamLocator(target.secret.locator);
    const userName = await this.owners.userOf(locator);
    await this.owners.assertActionable(locator, userName);
    const key = userName ? await this.owners.keyOf(userName, locator.accessKeyId) : undefined;
    if (!userName || !key)
      return providerAnswer(PROVIDER, 'revoke', `key ${locator.accessKeyId} is already deleted`, { alreadyDone: true });
    const steps: string[] = [];
    if (key.Status !== 'Inactive') {
      await this.call('UpdateAccessKey', () =>
        this.deps.iam.send(
          new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: locator.accessKeyId, Status: 'Inactive' }),
        ),
      );
      steps.push('deactivated');
    }
    if (await this.ensureSessionDeny(userName, locator.accessKeyId)) steps.push('sessions issued before now denied');
    const deleted = await this.deleteKey(userName, locator.accessKeyId);
    steps.push('deleted');
    this.deps.logger?.info(
      { provider: PROVIDER, userName, accessKeyId: locator.accessKeyId, steps },
      'access key revoked',
    );
    return providerAnswer(PROVIDER, 'revoke', `key ${locator.accessKeyId} of user ${userName}: ${steps.join(', ')}`, {
      answerId: deleted,
    });
  }

  async endDerivedSessions(target: CredentialTarget): Promise<ProviderAnswer | null> {
    const locator = parseAwsIamLocator(target.secret.locator);
    const userName = await this.owners.userOf(locator);
    if (!userName)
      return providerAnswer(
        PROVIDER,
        'endDerivedSessions',
        `key ${locator.accessKeyId} is deleted; revoke denied its sessions before deleting it`,
        {
          alreadyDone: true,
        },
      );
    const added = await this.ensureSessionDeny(userName, locator.accessKeyId);
    return providerAnswer(
      PROVIDER,
      'endDerivedSessions',
      `inline policy ${sessionDenyPolicyName(locator.accessKeyId)} on ${userName} denies sessions issued before the revocation`,
      { alreadyDone: !added },
    );
  }

  async issueReplacement(target: CredentialTarget): Promise<{ answer: ProviderAnswer; newValue: string }> {
    const locator = parseAwsIamLocator(target.secret.locator);
    const userName = await this.owners.userOf(locator);
    if (!userName)
      throw invalidInput(
        `${PROVIDER}: key ${locator.accessKeyId} is deleted; add locator.userName so a replacement can be issued`,
      );
    await this.owners.assertActionable(locator, userName);
    const orphan = await this.dropOrphanReplacement(userName, locator.accessKeyId);
    const keys = await this.owners.keysOf(userName);
    // IAM allows two keys per user: the leaked one may still be there (rotation revokes it last).
    if (keys.length >= 2)
      throw conflict(
        `${PROVIDER}: user ${userName} already has 2 access keys (${keys.map((k) => k.AccessKeyId).join(', ')}); delete the unused one or choose revoke`,
      );
    const created = await this.call('CreateAccessKey', () =>
      this.deps.iam.send(new CreateAccessKeyCommand({ UserName: userName })),
    );
    const newKey = created.AccessKey;
    if (!newKey?.AccessKeyId || !newKey.SecretAccessKey)
      throw mapAwsError(PROVIDER, 'CreateAccessKey', new Error('answer lacks AccessKey'));
    await this.call('TagUser', () =>
      this.deps.iam.send(
        new TagUserCommand({
          UserName: userName,
          Tags: [{ Key: replacementTagKey(locator.accessKeyId), Value: newKey.AccessKeyId }],
        }),
      ),
    );
    this.deps.logger?.info(
      { provider: PROVIDER, userName, newAccessKeyId: newKey.AccessKeyId },
      'replacement key issued',
    );
    const newValue = JSON.stringify({ accessKeyId: newKey.AccessKeyId, secretAccessKey: newKey.SecretAccessKey });
    const summary = `new key ${newKey.AccessKeyId} for ${userName}${orphan ? ` (deleted ${orphan}, left by an interrupted attempt)` : ''}`;
    return {
      answer: providerAnswer(PROVIDER, 'issueReplacement', summary, { answerId: created.$metadata.requestId }),
      newValue,
    };
  }

  async revokeReplacement(target: CredentialTarget, newValue: string): Promise<ProviderAnswer> {
    const locator = parseAwsIamLocator(target.secret.locator);
    const { accessKeyId } = parseKeyPair(newValue);
    const userName = await this.owners.userOf({ accessKeyId, userName: locator.userName });
    if (!userName)
      return providerAnswer(PROVIDER, 'revokeReplacement', `replacement ${accessKeyId} is already deleted`, {
        alreadyDone: true,
      });
    const existed = await this.owners.keyOf(userName, accessKeyId);
    if (existed) await this.deleteKey(userName, accessKeyId);
    await this.call('UntagUser', () =>
      this.deps.iam.send(
        new UntagUserCommand({ UserName: userName, TagKeys: [replacementTagKey(locator.accessKeyId)] }),
      ),
    );
    return providerAnswer(PROVIDER, 'revokeReplacement', `replacement ${accessKeyId} of ${userName} deleted`, {
      alreadyDone: !existed,
    });
  }

  async proveDead(target: CredentialTarget): Promise<DeathProof> {
    const locator = parseAwsIamLocator(target.secret.locator);
    const secretAccessKey = await target.readLeakedValue();
    return proveKeyDead({
      locator,
      secretAccessKey,
      owners: this.owners,
      stsForKey: this.deps.stsForKey,
      poll: this.deps.poll ?? DEFAULT_POLL,
    });
  }

  /** Puts the session-deny policy unless this key's policy is already there; true when it was added. */
  private async ensureSessionDeny(userName: string, accessKeyId: string): Promise<boolean> {
    const PolicyName = sessionDenyPolicyName(accessKeyId);
    try {
      await this.deps.iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName }));
      return false;
    } catch (error) {
      if (!isAwsNotFound(error)) throw mapAwsError(PROVIDER, 'GetUserPolicy', error);
    }
    const PolicyDocument = sessionDenyPolicyDocument(new Date());
    await this.call('PutUserPolicy', () =>
      this.deps.iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName, PolicyDocument })),
    );
    return true;
  }

  /** A replacement tagged on the user but never handed back (the activity died): its secret is lost, so it goes. */
  private async dropOrphanReplacement(userName: string, leakedKeyId: string): Promise<string | undefined> {
    const tags =
      (await this.call('ListUserTags', () => this.deps.iam.send(new ListUserTagsCommand({ UserName: userName }))))
        .Tags ?? [];
    const orphan = tags.find((tag) => tag.Key === replacementTagKey(leakedKeyId))?.Value;
    if (!orphan || !(await this.owners.keyOf(userName, orphan))) return undefined;
    await this.deleteKey(userName, orphan);
    return orphan;
  }

  /** Deletes a key; one that vanished meanwhile (a concurrent retry) counts as deleted. */
  private async deleteKey(userName: string, accessKeyId: string): Promise<string | undefined> {
    try {
      const out = await this.deps.iam.send(
        new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId }),
      );
      return out.$metadata.requestId;
    } catch (error) {
      if (isAwsNotFound(error)) return undefined;
      throw mapAwsError(PROVIDER, 'DeleteAccessKey', error);
    }
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return callAws(PROVIDER, operation, run);
  }
}
