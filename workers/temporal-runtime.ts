import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

let installed = false;

/**
 * Bridges the Temporal SDK's own logs (worker state, workflow.log) into the app's pino logger.
 * The SDK allows one Runtime per process, so the first caller wins.
 */
export function bridgeTemporalLogs(logger: Logger, level: LogLevel = 'INFO'): void {
  if (installed) return;
  installed = true;
  const sdkLogger = logger.child({ component: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const method =
        entry.level === 'ERROR' ? 'error' : entry.level === 'WARN' ? 'warn' : entry.level === 'INFO' ? 'info' : 'debug';
      sdkLogger[method](entry.meta ?? {}, entry.message);
    }),
  });
}
