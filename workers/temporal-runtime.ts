import { DefaultLogger, Runtime, makeTelemetryFilterString, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

let installed = false;

const RANK: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };
const PINO_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
const FROM_PINO: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN' };

/**
 * Bridges the Temporal SDK's logs into the app's pino logger and, when `metricsAddress`
 * (TEMPORAL_METRICS_ADDRESS) is set, serves the SDK's worker metrics (task slots, poll latencies,
 * sticky cache...) in Prometheus format at `http://<metricsAddress>/metrics`.
 *
 * Two kinds of lines cross the bridge. Temporal's own (core's native logs, forwarded, and the TS
 * worker's) are written at `level` (TEMPORAL_LOG_LEVEL) whatever LOG_LEVEL says, under
 * `component: "temporal"`: turning them up to debug a stuck worker must not need the whole app at
 * debug. The product's lines written through `workflow.log` follow LOG_LEVEL like every other line.
 * The SDK allows one Runtime per process, so the first caller wins.
 */
export function bridgeTemporalLogs(logger: Logger, level: LogLevel = 'INFO', metricsAddress?: string): void {
  if (installed) return;
  installed = true;
  const sdkLogger = logger.child({ component: 'temporal' }, { level: PINO_METHOD[level].toLowerCase() });
  const appLevel = FROM_PINO[logger.level] ?? 'ERROR';
  const lowest = RANK[appLevel] < RANK[level] ? appLevel : level;
  Runtime.install({
    logger: new DefaultLogger(lowest, (entry) => {
      const component = entry.meta?.sdkComponent;
      const product = component === 'workflow' || component === 'activity';
      (product ? logger : sdkLogger)[PINO_METHOD[entry.level]](entry.meta ?? {}, entry.message);
    }),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: level, other: 'ERROR' }), forward: {} },
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
  });
}
