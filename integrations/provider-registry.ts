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
    return adapterOf(this.providers, kind, 'provider adapter');
  }

  delivery(kind: string): ReplacementDelivery {
    return adapterOf(this.deliveries, kind, 'delivery adapter');
  }

  controller(kind: string): DependentController {
    return adapterOf(this.controllers, kind, 'dependent controller');
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

/** The adapter registered for `kind`; a configuration error naming the kinds there are otherwise. */
function adapterOf<Adapter>(adapters: Map<string, Adapter>, kind: string, what: string): Adapter {
  const adapter = adapters.get(kind);
  if (!adapter) throw configurationError(`no ${what} "${kind}"; known: ${[...adapters.keys()].join(', ') || 'none'}`);
  return adapter;
}
