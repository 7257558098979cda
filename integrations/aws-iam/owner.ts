import {
  GetAccessKeyLastUsedCommand,
  ListAccessKeysCommand,
  type AccessKeyMetadata,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { GetAccessKeyInfoCommand, GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { configurationError, conflict } from '../../domain/errors';
import { isAwsNotFound, mapAwsError } from '../shared/aws-errors';
import type { AwsIamLocator } from './locator';

const PROVIDER = 'aws-iam-access-key';

/**
 * Finds who owns a key and checks that Tourniquet may act on it. Owners are remembered per key id
 * so steps after deletion (end sessions, rotation) still know the user on this worker; the catalog
 * `userName` makes that true on every worker.
 */
export class KeyOwnerResolver {
  private readonly owners = new Map<string, string>();
  private caller?: Promise<{ account: string; arn: string }>;

  constructor(
    private readonly iam: IAMClient,
    private readonly sts: STSClient,
  ) {}

  /** The key's user name, or null when IAM no longer knows the key (deleted) and the catalog does not say. */
  async userOf(locator: AwsIamLocator): Promise<string | null> {
    const known = locator.userName ?? this.owners.get(locator.accessKeyId);
    if (known) return known;
    try {
      const out = await this.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: locator.accessKeyId }));
      if (!out.UserName) return null;
      this.owners.set(locator.accessKeyId, out.UserName);
      return out.UserName;
    } catch (error) {
      if (isAwsNotFound(error)) return null;
      throw mapAwsError(PROVIDER, 'GetAccessKeyLastUsed', error);
    }
  }

  /** The key's IAM entry, or undefined once it is deleted. */
  async keyOf(userName: string, accessKeyId: string): Promise<AccessKeyMetadata | undefined> {
    try {
      const out = await this.iam.send(new ListAccessKeysCommand({ UserName: userName }));
      return (out.AccessKeyMetadata ?? []).find((key) => key.AccessKeyId === accessKeyId);
    } catch (error) {
      if (isAwsNotFound(error)) return undefined;
      throw mapAwsError(PROVIDER, 'ListAccessKeys', error);
    }
  }

  async keysOf(userName: string): Promise<AccessKeyMetadata[]> {
    try {
      return (await this.iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? [];
    } catch (error) {
      throw mapAwsError(PROVIDER, 'ListAccessKeys', error);
    }
  }

  /**
   * Refuses to act when the key lives in another account than the remediation principal (we would
   * touch nothing and report success), or when the remediation principal is the leaked user itself.
   */
  async assertActionable(locator: AwsIamLocator, userName: string | null): Promise<void> {
    const caller = await this.callerIdentity();
    let keyAccount: string | undefined;
    try {
      keyAccount = (await this.sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: locator.accessKeyId }))).Account;
    } catch (error) {
      throw mapAwsError(PROVIDER, 'GetAccessKeyInfo', error);
    }
    const expected = locator.accountId ?? caller.account;
    if (keyAccount !== expected || caller.account !== expected)
      throw conflict(
        `${PROVIDER}: key ${locator.accessKeyId} belongs to account ${keyAccount}, Tourniquet acts in ${caller.account}` +
          `${locator.accountId ? ` and the catalog says ${locator.accountId}` : ''}; run a worker with credentials in the key's account`,
      );
    if (userName && caller.arn.endsWith(`:user/${userName}`))
      throw configurationError(
        `${PROVIDER}: the remediation principal is the leaked user ${userName}; configure a separate principal (docs/providers.md)`,
      );
  }

  private callerIdentity(): Promise<{ account: string; arn: string }> {
    this.caller ??= this.sts.send(new GetCallerIdentityCommand({})).then(
      (out) => ({ account: out.Account ?? '', arn: out.Arn ?? '' }),
      (error: unknown) => {
        this.caller = undefined;
        throw mapAwsError(PROVIDER, 'GetCallerIdentity', error);
      },
    );
    return this.caller;
  }
}
