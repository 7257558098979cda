import { configurationError } from '../domain/errors';
import type { CredentialProvider, DependentController, ProviderLookup, ReplacementDelivery } from './ports';

/** Looks up the adapter for a provider, delivery or dependent-controller kind named in the catalog. */
export class ProviderRegistry implements ProviderLookup {
  private readonly providers: Map<string, CredentialProvider>;
  private readonly deliveries: Map<string, ReplacementDelivery>;
  private readonly controllers: Map<string, DependentController>;

  constructor(
    providers: CredentialProvider[],
    deliveries: ReplacementDelivery[] = [],
    controllers: DependentController[] = [],
  ) {
    this.providers = new Map(providers.map((adapter) => [adapter.kind, adapter]));
    this.deliveries = new Map(deliveries.map((adapter) => [adapter.kind, adapter]));
    this.controllers = new Map(controllers.map((adapter) => [adapter.kind, adapter]));
  }

  has(kind: string): boolean {
    return this.providers.has(kind);
  }

  provider(kind: string): CredentialProvider {
    const adapter = this.providers.get(kind);
    if (!adapter)
      throw configurationError(`no provider adapter "${kind}"; known: ${[...this.providers.keys()].join(', ')}`);
    return adapter;
  }

  delivery(kind: string): ReplacementDelivery {
    const adapter = this.deliveries.get(kind);
    if (!adapter)
      throw configurationError(
        `no delivery adapter "${kind}"; known: ${[...this.deliveries.keys()].join(', ') || 'none'}`,
      );
    return adapter;
  }

  controller(kind: string): DependentController {
    const adapter = this.controllers.get(kind);
    if (!adapter)
      throw configurationError(
        `no dependent controller "${kind}"; known: ${[...this.controllers.keys()].join(', ') || 'none'}`,
      );
    return adapter;
  }

  /** A message naming the problem when a catalog locator does not fit its provider; undefined when fine. */
  locatorProblem(kind: string, locator: Record<string, unknown>): string | undefined {
    const adapter = this.providers.get(kind);
    if (!adapter) return `unknown provider "${kind}"; known: ${[...this.providers.keys()].join(', ')}`;
    try {
      adapter.validateLocator(locator);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }
}
