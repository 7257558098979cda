import type { Dependent } from '../../domain/catalog';
import type { ProviderAnswer } from '../../domain/evidence';
import type { DependentController } from '../ports';
import { providerAnswer } from '../shared/answer';

/**
 * For workloads no controller can reach: records that the owner was asked. The workflow waits for
 * the owner's acknowledgement (acknowledgeDependentUpdate), so this acts on nothing and is
 * trivially idempotent.
 */
export class ManualDependentController implements DependentController {
  readonly kind = 'manual';

  async disable(_incidentId: string, dependent: Dependent): Promise<ProviderAnswer> {
    return providerAnswer(
      'dependent-manual',
      'disable',
      `${dependent.id}: owner team ${dependent.ownerTeam} asked to stop it by hand`,
    );
  }

  async enable(_incidentId: string, dependent: Dependent): Promise<ProviderAnswer> {
    return providerAnswer(
      'dependent-manual',
      'enable',
      `${dependent.id}: owner team ${dependent.ownerTeam} asked to start it again with the new credential`,
    );
  }
}
