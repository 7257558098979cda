import { assembleProduct } from './assemble';
import { parseConfig } from './config';
import { startDevTemporal, stopDevTemporal } from './dev-temporal';
import { createLogger } from './logger';
import { stopOnSignals } from './shutdown';
import { bridgeTemporalLogs } from './temporal-runtime';
import { workflowSource } from './workflow-bundle';

/**
 * `npm start`: the whole product in one process. Without TEMPORAL_ADDRESS it starts the local
 * Temporal dev server first; without DATABASE_URL it uses embedded PGlite in DATA_DIR.
 */
async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const logger = createLogger(config.LOG_LEVEL);
  bridgeTemporalLogs(logger, config.TEMPORAL_LOG_LEVEL, config.TEMPORAL_METRICS_ADDRESS);
  const dev = config.TEMPORAL_ADDRESS ? undefined : await startDevTemporal(config, logger);
  const temporalAddress = config.TEMPORAL_ADDRESS ?? dev!.address;
  const product = await assembleProduct({
    config,
    env: process.env,
    logger,
    temporalAddress,
    workflows: workflowSource(),
  }).catch(async (error: unknown) => {
    // A start that failed (a port in use, a catalog refused) does not leave the dev server it started
    // behind: the next start would find its port taken.
    if (dev) await stopDevTemporal(dev.child);
    throw error;
  });
  logger.info(
    {
      temporal: temporalAddress,
      temporalUi: dev?.uiUrl,
      http: product.baseUrl,
      catalog: config.CATALOG_PATH,
      database: config.DATABASE_URL ? 'postgresql' : `embedded PGlite in ${config.DATA_DIR}/pglite`,
    },
    'Tourniquet is running',
  );
  process.stdout.write(
    [
      '',
      `  Tourniquet HTTP API   ${product.baseUrl}   (try: curl ${product.baseUrl}/healthz)`,
      `  Temporal              ${temporalAddress}${dev ? ` (local dev server, Web UI ${dev.uiUrl})` : ''}`,
      `  Catalog               ${config.CATALOG_PATH}`,
      '',
    ].join('\n') + '\n',
  );
  stopOnSignals(product, logger, () => dev?.child.kill('SIGTERM'));
  await product.workerRun;
}

main().catch((error: unknown) => {
  createLogger('fatal').fatal({ err: error }, error instanceof Error ? error.message : String(error));
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
