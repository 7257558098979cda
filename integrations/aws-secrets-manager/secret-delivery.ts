import { UpdateSecretVersionStageCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from 'pino';
import type { ProviderAnswer } from '../../domain/evidence';
import type { ReplacementDelivery } from '../ports';
import { providerAnswer } from '../shared/answer';
import { SecretsManagerDeliverySchema } from './locator';
import { parseCatalogField } from '../shared/parse';
import { callAws } from '../shared/aws-errors';
import { currentVersion, describe, putCurrent, PROVIDER, sameSecret, valueOf, versionToken } from './versions';

/**
 * Delivers a rotated credential as the new AWSCURRENT version of an existing secret. A retry finds
 * the value already current and answers `alreadyDone`; the version id derives from the incident,
 * the secret and a digest of the value, so a half-finished write is completed, never duplicated.
 * A missing secret is NOT_FOUND: the owning team creates it, we never do.
 */
export class SecretsManagerDelivery implements ReplacementDelivery {
  readonly kind = PROVIDER;

  constructor(
    private readonly deps: { clientFor(region: string | undefined): SecretsManagerClient; logger?: Logger },
  ) {}

  async deliver(incidentId: string, delivery: Record<string, unknown>, newValue: string): Promise<ProviderAnswer> {
    const target = parseCatalogField(PROVIDER, SecretsManagerDeliverySchema, 'delivery', delivery);
    const client = this.deps.clientFor(target.region);
    // A re-issued replacement (an interrupted rotation) must still land: the token follows the value.
    const token = versionToken('delivery', incidentId, target.secretId, versionToken(newValue));
    const current = currentVersion(await describe(client, target.secretId));
    if (current && sameSecret(await valueOf(client, target.secretId, current), newValue))
      return providerAnswer(
        PROVIDER,
        'deliver',
        `${target.secretId}: version ${current} already holds it as AWSCURRENT`,
        { alreadyDone: true },
      );
    const requestId = await putCurrent(client, target.secretId, token, newValue);
    this.deps.logger?.info({ provider: PROVIDER, secretId: target.secretId, version: token }, 'replacement delivered');
    return providerAnswer(PROVIDER, 'deliver', `${target.secretId}: version ${token} is AWSCURRENT`, {
      answerId: requestId,
    });
  }

  /**
   * Moves AWSCURRENT back to the version that held it before this delivery (PutSecretValue left it
   * as AWSPREVIOUS), so workloads read what they read before. Nothing to do when the delivered
   * version is not AWSCURRENT (never written, or already withdrawn).
   */
  async withdraw(incidentId: string, delivery: Record<string, unknown>, newValue: string): Promise<ProviderAnswer> {
    const target = parseCatalogField(PROVIDER, SecretsManagerDeliverySchema, 'delivery', delivery);
    const client = this.deps.clientFor(target.region);
    const token = versionToken('delivery', incidentId, target.secretId, versionToken(newValue));
    const stages = (await describe(client, target.secretId)).VersionIdsToStages ?? {};
    if (!stages[token]?.includes('AWSCURRENT'))
      return providerAnswer(PROVIDER, 'withdraw', `${target.secretId}: the replacement is not AWSCURRENT`, {
        alreadyDone: true,
      });
    const previous = Object.entries(stages).find(([id, names]) => id !== token && names.includes('AWSPREVIOUS'))?.[0];
    if (!previous)
      return providerAnswer(
        PROVIDER,
        'withdraw',
        `${target.secretId}: no earlier version to return to; the replacement stays AWSCURRENT`,
      );
    await callAws(PROVIDER, 'UpdateSecretVersionStage', () =>
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: target.secretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: previous,
          RemoveFromVersionId: token,
        }),
      ),
    );
    this.deps.logger?.info({ provider: PROVIDER, secretId: target.secretId, version: previous }, 'delivery withdrawn');
    return providerAnswer(PROVIDER, 'withdraw', `${target.secretId}: AWSCURRENT is back on version ${previous}`);
  }
}
