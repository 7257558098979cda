import type { Client } from '@temporalio/client';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { createActivities } from '../activities';
import { createGithubIntakeActivities } from '../activities/github-alert-intake';
import { githubAlertReader } from '../integrations/github-alerts/alert-reader';
import { GithubAlertsClient } from '../integrations/github-alerts/client';
import { SqlDeliveryLog } from '../integrations/intake/delivery-log';
import { CatalogDirectory } from '../integrations/catalog/catalog-directory';
import { loadCatalog } from '../integrations/catalog/load-catalog';
import { openDatabase, type Database } from '../integrations/database/database';
import { ClosureBundleArchive, closureSealer } from '../integrations/evidence/bundle-archive';
import { loadEvidenceSigner } from '../integrations/evidence/bundle-signing';
import { SqlEvidenceStore } from '../integrations/evidence/sql-evidence-store';
import { LogNotifier } from '../integrations/log-notifier/log-notifier';
import { WebhookFallbackChannel } from '../integrations/fallback-channel/fallback-channel';
import { createSlackNotifier } from '../integrations/slack/slack-notifier';
import type { Notifier, ProviderLookup } from '../integrations/ports';
import { Fingerprinter } from '../integrations/sealed-values/fingerprint';
import { SqlSecretVault } from '../integrations/sealed-values/sql-secret-vault';
import { SqlCredentialIdentities } from '../integrations/sealed-values/sql-credential-identities';
import type { Config } from './config';
import { resolveKeys } from './embedded-keys';
import { buildHttpApp, finishHttpApp } from '../entrypoints/http/app';
import { IncidentService } from '../application/incident-service';
import { createLiveRoles } from './live-roles-setup';
import { createProviderRegistry } from './provider-setup';
import { createExposureSources } from '../integrations/exposure-index';
import { mountSlack } from '../entrypoints/slack';
import { connectClient, connectWorker } from './temporal-connection';
import { buildIdentity } from './build-identity';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { activityLogContext } from './log-context';
import { WORKFLOW_INTERCEPTOR_MODULES, createTracing } from './telemetry';
import { ProductMetrics } from '../integrations/metrics/product-metrics';
import { EvidenceMetrics, policyWindows, refreshOpenIncidents } from '../integrations/metrics/evidence-metrics';
import { meteredEvidence, meteredNotifier, meteredProviders } from '../integrations/metrics/metered-ports';
import { ownDataDir } from './data-dir';

export interface AssembleOptions {
  config: Config;
  env: Record<string, string | undefined>;
  logger: Logger;
  temporalAddress: string;
  /** Where the workflow code comes from: a prebuilt bundle (tests) or the source path. */
  workflows: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;
  /** Overrides the notifier (tests, Slack). */
  notifier?: Notifier;
  /** Where spans go besides OTLP (tests: an in-memory exporter); tracing is off without either. */
  spanProcessor?: SpanProcessor;
  /**
   * Benchmarks only: `false` assembles the product without metric decorators, the evidence
   * observer and tracing interceptors (with `workflowsPath`), to measure what they cost.
   */
  instrumented?: boolean;
  /** The metrics registry to fill; a new one by default (tests read it through GET /metrics). */
  metrics?: ProductMetrics;
}

export interface RunningProduct {
  worker: Worker;
  metrics: ProductMetrics;
  service: IncidentService;
  /** The Temporal client the service calls through (tests count its calls). */
  client: Client;
  database: Database;
  baseUrl: string;
  workerRun: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the whole product in one process: stores, catalog, providers, the Temporal worker and
 * the HTTP server. Fails fast, naming the problem, when configuration or catalog is wrong.
 */
export async function assembleProduct(options: AssembleOptions): Promise<RunningProduct> {
  const { config, logger } = options;
  const providers = createProviderRegistry(config, options.env, logger);
  const catalog = loadCatalog(config.CATALOG_PATH, (kind, locator) => providers.locatorProblem(kind, locator));
  const directory = new CatalogDirectory(catalog);
  const liveRoles = createLiveRoles(config, catalog);
  ownDataDir(config.DATA_DIR, logger);
  const keys = resolveKeys(config);
  const database = await openDatabase({ url: config.DATABASE_URL, embeddedDir: join(config.DATA_DIR, 'pglite') });
  const metrics = options.metrics ?? new ProductMetrics();
  const tracing = createTracing({
    serviceName: config.OTEL_SERVICE_NAME,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    processor: options.spanProcessor,
  });
  const build = buildIdentity({ ...config, gitCommit: config.TOURNIQUET_GIT_COMMIT });
  metrics.buildInfo.set({ version: build.version, deployment: build.deploymentName, build_id: build.buildId }, 1);
  // Metrics come from the records the evidence store inserts, so numbers and evidence agree.
  const evidenceMetrics = new EvidenceMetrics(metrics, (incidentId) => evidence.list(incidentId));
  const instrumented = options.instrumented !== false;
  const evidence = new SqlEvidenceStore(database, (record) => {
    if (!instrumented) return;
    evidenceMetrics.observe(record).catch((error: unknown) => logger.warn({ err: error }, 'evidence metrics failed'));
  });
  const metered = <T>(plain: T, wrap: (port: T) => T): T => (instrumented ? wrap(plain) : plain);
  const vault = new SqlSecretVault(database, keys.vaultKey);
  const signer = await loadEvidenceSigner({
    signingKey: config.EVIDENCE_SIGNING_KEY,
    keyId: config.EVIDENCE_KEY_ID,
    dataDir: config.DATA_DIR,
  });
  const sealClosureBundle = closureSealer(new ClosureBundleArchive(database, evidence, signer));
  const notifier = metered(
    options.notifier ??
      (config.SLACK_BOT_TOKEN
        ? createSlackNotifier({ config, database, logger })
        : new LogNotifier(logger.child({ component: 'notifier' }))),
    (port) => meteredNotifier(port, metrics),
  );
  const workerIdentity = config.WORKER_IDENTITY ?? `tourniquet-worker@${hostname()}:${process.pid}`;

  const githubAlerts = new GithubAlertsClient({ baseUrl: config.GITHUB_API_URL, token: config.GITHUB_TOKEN });
  const activities = {
    ...createActivities({
      directory,
      liveRoles,
      evidence: metered(evidence, (port) => meteredEvidence(port, metrics)),
      vault,
      providers: metered<ProviderLookup>(providers, (port) =>
        meteredProviders(port, metrics, tracing.enabled ? tracing.tracer : undefined),
      ),
      notifier,
      fallback: config.NOTIFICATION_FALLBACK_URL
        ? new WebhookFallbackChannel(config.NOTIFICATION_FALLBACK_URL, logger.child({ component: 'fallback-channel' }))
        : undefined,
      logger,
      workerIdentity,
      timerCapMs: config.TIMER_CAP_MS,
      sealClosureBundle,
      sourceAlerts: config.GITHUB_TOKEN ? githubAlerts : undefined,
      exposure: createExposureSources(config, (name) => options.env[name]),
      // Links in closed alerts point at the audit portal; `baseUrl` is known before any activity runs.
      publicBaseUrl: () => config.PUBLIC_BASE_URL ?? baseUrl,
    }),
    // GitHub webhooks fetch their alert in an activity; `service` exists before any activity runs.
    ...createGithubIntakeActivities({
      alerts: githubAlertReader(githubAlerts),
      incidents: { open: (command) => service.open(command) },
      deliveries: new SqlDeliveryLog(database),
    }),
  };
  const workerConnection = await connectWorker(config, options.temporalAddress);
  const worker = await Worker.create({
    connection: workerConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    identity: workerIdentity,
    activities,
    // On SIGTERM in-flight activities get this long to finish before they are cancelled.
    shutdownGraceTime: config.SHUTDOWN_GRACE_MS,
    // Memory scales with the runs kept in the cache, not with the incidents open (BENCHMARKS.md).
    maxCachedWorkflows: config.TEMPORAL_MAX_CACHED_WORKFLOWS,
    workerDeploymentOptions: config.TEMPORAL_WORKER_VERSIONING
      ? {
          version: { deploymentName: build.deploymentName, buildId: build.buildId },
          useWorkerVersioning: true,
          // An incident finishes on the build that started it; a new build takes new incidents only.
          defaultVersioningBehavior: 'PINNED',
        }
      : undefined,
    ...options.workflows,
    // A prebuilt bundle already holds the tracing workflow interceptors (see WORKFLOW_INTERCEPTOR_MODULES).
    interceptors: {
      activity: [activityLogContext(logger), ...(instrumented ? tracing.activityInterceptors : [])],
      workflowModules: options.workflows.workflowBundle || !instrumented ? [] : WORKFLOW_INTERCEPTOR_MODULES,
    },
    sinks: instrumented ? tracing.sinks : {},
  });
  const workerRun = worker.run();

  const { client, connection } = await connectClient(
    config,
    options.temporalAddress,
    instrumented ? [tracing.clientInterceptor] : [],
  );
  const service = new IncidentService(
    client,
    config.TEMPORAL_TASK_QUEUE,
    directory,
    new Fingerprinter(keys.fingerprintKey),
    vault,
    new SqlCredentialIdentities(database),
  );
  const app = buildHttpApp({
    config,
    client,
    database,
    signer,
    directory,
    incidents: service,
    evidence,
    drills: evidence,
    logger,
    tracer: tracing.enabled && instrumented ? tracing.tracer : undefined,
    operations: {
      metrics,
      beforeScrape: () => refreshOpenIncidents(metrics, database, policyWindows(directory.catalog)),
      readiness: {
        temporal: async () => {
          // A deadline, not only the router's timeout: without one, the client's gRPC retries of an
          // unreachable server outlive the probe and pile up while Temporal is down.
          await connection.withDeadline(Date.now() + 2_000, () => client.workflowService.getSystemInfo({}));
        },
        database: async () => {
          await database.query('SELECT 1');
        },
        catalog: async () => {
          if (directory.catalog.secrets.length === 0) throw new Error(`no secrets in ${config.CATALOG_PATH}`);
        },
        worker: async () => {
          if (worker.getState() !== 'RUNNING') throw new Error(`worker is ${worker.getState()}`);
        },
      },
    },
  });
  // Slack's routes go before the 404 handler; Slack is off unless a bot token is configured.
  const slack = config.SLACK_BOT_TOKEN ? mountSlack(app, { config, service, directory, database, logger }) : undefined;
  await slack?.start();
  finishHttpApp(app, logger);
  // A stop, around the HTTP server's: the worker stops polling, then, once its activities ended, what it used closes.
  const stopWorker = async () => {
    await slack?.stop();
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  const release = async () => {
    await workerRun.catch(() => undefined);
    await workerConnection.close();
    closeLater(connection);
    await database.close();
    await tracing.shutdown();
  };
  const server = await listen(app, config.HTTP_HOST, config.HTTP_PORT).catch(async (error: unknown) => {
    // The worker polls already: it stops as on SIGTERM before the start fails.
    await stopWorker();
    await release();
    throw error;
  });
  const address = server.address() as AddressInfo;
  const baseUrl = `http://${config.HTTP_HOST}:${address.port}`;

  return {
    worker,
    metrics,
    service,
    client,
    database,
    baseUrl,
    workerRun,
    async stop() {
      // New connections are refused at once. Requests in flight (a `?waitFor` long poll waits up to
      // two minutes) drain beside the worker's in-flight activities, for SHUTDOWN_GRACE_MS at most;
      // whatever is still open then is cut, and the client asks again elsewhere.
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await stopWorker();
      await withinGrace(drained, config.SHUTDOWN_GRACE_MS);
      server.closeAllConnections();
      await release();
    },
  };
}

/** Resolves when `work` settles or after `ms`, whichever comes first; the timer never holds the process. */
function withinGrace(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return Promise.race([work.then(() => undefined), grace]).finally(() => clearTimeout(timer));
}

function listen(app: Express, host: string, port: number): Promise<Server> {
  const problems: Record<string, string> = {
    EADDRINUSE: 'another process listens there. Stop it or set HTTP_PORT to a free port',
    EACCES: 'this user may not listen there. Set HTTP_PORT to a port above 1023',
    EADDRNOTAVAIL: 'this machine has no such address. Set HTTP_HOST to one of its addresses',
  };
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: NodeJS.ErrnoException) => {
      if (!error) return resolve(server);
      const problem = error.code ? problems[error.code] : undefined;
      reject(problem ? new Error(`cannot serve HTTP on ${host}:${port} (HTTP_HOST, HTTP_PORT): ${problem}.`) : error);
    });
  });
}

/**
 * Closes a client connection after a grace period. grpc-js retries a call that failed because its
 * channel was closing from a timer, and that retry throws "Channel has been shut down" into the
 * process when it finds the channel closed; the grace lets calls still in flight finish first.
 * The timer does not keep the process alive.
 */
export function closeLater(connection: { close(): Promise<void> }, graceMs = 5_000): void {
  setTimeout(() => void connection.close().catch(() => undefined), graceMs).unref();
}
