import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from 'pino';
import type { ProviderAnswer } from '../../domain/evidence';
import type { ReplacementDelivery } from '../ports';
import { providerAnswer } from '../shared/answer';
import { parseOrExplain, SecretsManagerDeliverySchema } from './locator';
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
    const target = parseOrExplain(SecretsManagerDeliverySchema, 'delivery', delivery);
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
}
