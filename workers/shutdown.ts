import type { Logger } from 'pino';

/**
 * SIGTERM / SIGINT (what an orchestrator sends before it replaces a worker): stop accepting HTTP,
 * stop polling Temporal, let in-flight activities finish within SHUTDOWN_GRACE_MS (after which the
 * SDK cancels them and Temporal retries them elsewhere), close connections, then exit 0. A stop
 * that throws exits 1 after logging why. `afterStop` runs before the exit (e.g. the dev server).
 */
export function stopOnSignals(product: { stop(): Promise<void> }, logger: Logger, afterStop?: () => void): void {
  const stop = async (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping: HTTP closed, polling stopped, in-flight activities finishing');
    try {
      await product.stop();
      afterStop?.();
      logger.info({ signal }, 'stopped');
      process.exit(0);
    } catch (error) {
      logger.fatal({ err: error }, 'stop failed');
      process.exit(1);
    }
  };
  process.once('SIGINT', (signal) => void stop(signal));
  process.once('SIGTERM', (signal) => void stop(signal));
}
