/**
 * The product in a child process, so a test can SIGKILL it mid-incident. Configuration comes from
 * the environment exactly as in production; prints "READY <baseUrl>" once it serves.
 */
import { assembleProduct } from '../../workers/assemble';
import { parseConfig } from '../../workers/config';
import { createLogger } from '../../workers/logger';
import { stopOnSignals } from '../../workers/shutdown';
import { bridgeTemporalLogs } from '../../workers/temporal-runtime';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  // Quiet unless the test asks for LOG_LEVEL: the kill-point tests read only READY.
  const logger = createLogger(process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn');
  bridgeTemporalLogs(logger, config.TEMPORAL_LOG_LEVEL, config.TEMPORAL_METRICS_ADDRESS);
  const product = await assembleProduct({
    config,
    env: process.env,
    logger,
    temporalAddress: config.TEMPORAL_ADDRESS!,
    workflows: { workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! } },
  });
  // SIGTERM stops it as it stops `npm start` (the kill-point tests SIGKILL it).
  stopOnSignals(product, logger);
  process.stdout.write(`READY ${product.baseUrl}\n`);
  await product.workerRun;
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
