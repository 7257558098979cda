import type { Config } from '../workers/config';
import type { CredentialProvider, DependentController, ReplacementDelivery } from './ports';

// Filled in by the providers work (AWS, GitHub, Slack tokens, Vault, webhooks).
export function createExternalProviders(_config: Config): CredentialProvider[] {
  return [];
}
export function createDeliveries(_config: Config): ReplacementDelivery[] {
  return [];
}
export function createDependentControllers(_config: Config): DependentController[] {
  return [];
}
