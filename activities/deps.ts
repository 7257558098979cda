import type { Logger } from 'pino';
import type {
  EvidenceStore,
  ExposureSource,
  LiveRoles,
  FallbackChannel,
  Notifier,
  OwnershipDirectory,
  ProviderLookup,
  SecretVault,
  SourceAlertResolver,
} from '../integrations/ports';

/** What the activities are built from; assembled once per worker process in workers/assemble.ts. */
export interface ActivityDeps {
  directory: OwnershipDirectory;
  /** On-call tools and service catalogs refining the catalog's roles; unset = the YAML catalog alone. */
  liveRoles?: LiveRoles;
  evidence: EvidenceStore;
  vault: SecretVault;
  providers: ProviderLookup;
  notifier: Notifier;
  /** Where people are told when the notifier cannot reach them; unset = the log at error level. */
  fallback?: FallbackChannel;
  logger: Logger;
  /** Written into every evidence record a worker makes: "what acted". */
  workerIdentity: string;
  /** Caps every policy timer (demos and tests). */
  timerCapMs?: number;
  /** Seals the signed closure bundle once the incident is closed. */
  sealClosureBundle?: (incidentId: string) => Promise<{ bundleHash: string } | undefined>;
  /** Closes GitHub secret scanning alerts of contained incidents; unset = such closures fail as CONFIGURATION. */
  sourceAlerts?: SourceAlertResolver;
  /** The exposure source (provider logs) of a provider kind; unset or undefined = the report says it cannot know. */
  exposure?: (providerKind: string) => ExposureSource | undefined;
  /** Where people reach the audit pages (PUBLIC_BASE_URL, else the HTTP server's own URL). */
  publicBaseUrl?: () => string | undefined;
}
