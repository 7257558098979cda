import {
  GetRandomPasswordCommand,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { Logger } from 'pino';
import type { ProviderAnswer } from '../../domain/evidence';
import type { CredentialProvider, CredentialTarget, DeathProof, Revocation, Rotation, DeathCheck } from '../ports';
import { providerAnswer } from '../shared/answer';
import { callAws } from '../shared/aws-errors';
import { SecretsManagerLocatorSchema, type SecretsManagerLocator } from './locator';
import { parseCatalogField } from '../shared/parse';
import { currentVersion, describe, putCurrent, PROVIDER, sameSecret, valueOf, versionToken } from './versions';

export interface SecretsManagerDeps {
  /** A client for the given region (undefined = the worker's default region). */
  clientFor(region: string | undefined): SecretsManagerClient;
  logger?: Logger;
}

/**
 * Rotates a secret held in AWS Secrets Manager: RotateSecret when a rotation function is set up
 * (the function changes the credential at its source), otherwise a generated value written with
 * PutSecretValue, which moves AWSCURRENT to it. The new version id is derived from the incident,
 * so a retried rotation finds its own version and answers `alreadyDone`. Containment also strips
 * AWSPREVIOUS from the leaked version so nothing can read it by stage.
 */
export class SecretsManagerProvider implements CredentialProvider, Revocation, Rotation, DeathCheck {
  readonly kind = PROVIDER;
  /** Rotation makes a new AWSCURRENT version; putting the leaked one back would re-arm it. */
  readonly rotationEffects = { oldCredential: 'replaced-in-place', undo: 'keep-rotation' } as const;
  readonly requiresHuman = false;

  constructor(private readonly deps: SecretsManagerDeps) {}

  validateLocator(locator: Record<string, unknown>): void {
    parseCatalogField(PROVIDER, SecretsManagerLocatorSchema, 'locator', locator);
  }

  async revoke(target: CredentialTarget): Promise<ProviderAnswer> {
    const locator = parseCatalogField(PROVIDER, SecretsManagerLocatorSchema, 'locator', target.secret.locator);
    const client = this.deps.clientFor(locator.region);
    const rotation = await this.rotate(client, locator, target.incidentId);
    const stripped = rotation.previous ? await this.stripPrevious(client, locator.secretId, rotation.previous) : false;
    const summary = `${rotation.summary}${stripped ? `; AWSPREVIOUS removed from the leaked version ${rotation.previous}` : ''}`;
    return providerAnswer(PROVIDER, 'revoke', summary, { alreadyDone: rotation.alreadyDone && !stripped });
  }

  async issueReplacement(target: CredentialTarget): Promise<{ answer: ProviderAnswer; newValue: string }> {
    const locator = parseCatalogField(PROVIDER, SecretsManagerLocatorSchema, 'locator', target.secret.locator);
    const client = this.deps.clientFor(locator.region);
    const rotation = await this.rotate(client, locator, target.incidentId);
    const newValue = await valueOf(client, locator.secretId, rotation.version);
    return {
      answer: providerAnswer(PROVIDER, 'issueReplacement', rotation.summary, { alreadyDone: rotation.alreadyDone }),
      newValue,
    };
  }

  /** Putting AWSCURRENT back on the leaked version would re-arm it; the rotation is left in place on purpose. */
  async revokeReplacement(target: CredentialTarget): Promise<ProviderAnswer> {
    const locator = parseCatalogField(PROVIDER, SecretsManagerLocatorSchema, 'locator', target.secret.locator);
    return providerAnswer(
      PROVIDER,
      'revokeReplacement',
      `${locator.secretId}: rotation kept, restoring the leaked version would re-expose it`,
      {
        alreadyDone: true,
      },
    );
  }

  async endDerivedSessions(): Promise<ProviderAnswer | null> {
    return null;
  }

  /** Dead when no staged version (AWSCURRENT, AWSPREVIOUS, AWSPENDING) holds the leaked value. */
  async proveDead(target: CredentialTarget): Promise<DeathProof> {
    const locator = parseCatalogField(PROVIDER, SecretsManagerLocatorSchema, 'locator', target.secret.locator);
    const client = this.deps.clientFor(locator.region);
    const described = await describe(client, locator.secretId);
    const current = currentVersion(described);
    const leaked = await target.readLeakedValue();
    if (!leaked) {
      const ours = current === versionToken(target.incidentId, locator.secretId);
      return {
        dead: ours,
        checks: [
          `AWSCURRENT is ${current}${ours ? ', written by this incident' : ', not written by this incident'}; no leaked value to compare`,
        ],
      };
    }
    const checks: string[] = [];
    for (const [version, stages] of Object.entries(described.VersionIdsToStages ?? {})) {
      if (stages.length === 0) continue;
      const holds = sameSecret(await valueOf(client, locator.secretId, version), leaked);
      checks.push(
        `version ${version} (${stages.join(',')}): ${holds ? 'holds the leaked value' : 'differs from the leaked value'}`,
      );
    }
    return { dead: !checks.some((check) => check.endsWith('holds the leaked value')), checks };
  }

  private async rotate(client: SecretsManagerClient, locator: SecretsManagerLocator, incidentId: string) {
    const token = versionToken(incidentId, locator.secretId);
    const described = await describe(client, locator.secretId);
    const current = currentVersion(described);
    const stages = described.VersionIdsToStages ?? {};
    const previous = Object.entries(stages).find(([id, names]) => id !== token && names.includes('AWSPREVIOUS'))?.[0];
    if (current === token)
      return {
        version: token,
        previous,
        alreadyDone: true,
        summary: `${locator.secretId}: version ${token} is already AWSCURRENT`,
      };
    if (described.RotationEnabled && described.RotationLambdaARN) {
      if (!stages[token])
        await callAws(PROVIDER, 'RotateSecret', () =>
          client.send(
            new RotateSecretCommand({ SecretId: locator.secretId, ClientRequestToken: token, RotateImmediately: true }),
          ),
        );
      // The rotation function moves AWSCURRENT when it finishes; proveDead tells when it has.
      return {
        version: token,
        previous: current,
        alreadyDone: false,
        summary: `${locator.secretId}: rotation function started version ${token}`,
      };
    }
    const generated = await callAws(PROVIDER, 'GetRandomPassword', () =>
      client.send(
        new GetRandomPasswordCommand({
          PasswordLength: locator.valueLength,
          ExcludePunctuation: locator.excludePunctuation,
        }),
      ),
    );
    await putCurrent(client, locator.secretId, token, generated.RandomPassword ?? '');
    this.deps.logger?.info({ provider: PROVIDER, secretId: locator.secretId, version: token }, 'secret rotated');
    return {
      version: token,
      previous: current,
      alreadyDone: false,
      summary: `${locator.secretId}: version ${token} is now AWSCURRENT (was ${current})`,
    };
  }

  private async stripPrevious(client: SecretsManagerClient, secretId: string, version: string): Promise<boolean> {
    const stages = (await describe(client, secretId)).VersionIdsToStages ?? {};
    if (!stages[version]?.includes('AWSPREVIOUS')) return false;
    await callAws(PROVIDER, 'UpdateSecretVersionStage', () =>
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSPREVIOUS',
          RemoveFromVersionId: version,
        }),
      ),
    );
    return true;
  }
}
