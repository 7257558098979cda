import { createDeliveries, createDependentControllers, createExternalProviders } from '../integrations/providers-index';
import { DrillProvider } from '../integrations/drill/drill-provider';
import { ManualProvider } from '../integrations/manual/manual-provider';
import { PostgresRoleProvider } from '../integrations/postgres-role/postgres-role-provider';
import { ProviderRegistry } from '../integrations/provider-registry';
import type { Logger } from 'pino';
import type { Config } from './config';

/**
 * Builds the provider registry. Provider adapters read secret settings (admin URLs, tokens) through
 * `resolveSetting`, which is the process environment: only workers/ touches process.env.
 */
export function createProviderRegistry(
  config: Config,
  env: Record<string, string | undefined>,
  logger?: Logger,
): ProviderRegistry {
  const resolveSetting = (name: string) => env[name];
  return new ProviderRegistry(
    [
      new PostgresRoleProvider(resolveSetting),
      new ManualProvider(),
      // Drills run the whole runbook against it; it touches nothing.
      new DrillProvider(),
      ...createExternalProviders(config, logger),
    ],
    createDeliveries(config, logger),
    createDependentControllers(config),
  );
}
