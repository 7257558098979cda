import { DefaultLogger, Runtime, makeTelemetryFilterString, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

let installed = false;

/**
 * Bridges the Temporal SDK's own logs (worker state, workflow.log, and core's native logs, which
 * are forwarded) into the app's pino logger at `level` (TEMPORAL_LOG_LEVEL), and serves the SDK's
 * worker metrics (task slots, poll latencies, sticky cache...) in Prometheus format at
 * `http://<metricsAddress>/metrics` when TEMPORAL_METRICS_ADDRESS is set. The SDK allows one
 * Runtime per process, so the first caller wins.
 */
export function bridgeTemporalLogs(logger: Logger, level: LogLevel = 'INFO', metricsAddress?: string): void {
  if (installed) return;
  installed = true;
  const sdkLogger = logger.child({ component: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const method =
        entry.level === 'ERROR' ? 'error' : entry.level === 'WARN' ? 'warn' : entry.level === 'INFO' ? 'info' : 'debug';
      sdkLogger[method](entry.meta ?? {}, entry.message);
    }),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: level, other: 'ERROR' }), forward: {} },
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
  });
}
