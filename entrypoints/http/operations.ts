import { Router, type NextFunction, type Request, type Response } from 'express';
import type { ProductMetrics } from '../../integrations/metrics/product-metrics';

/** One readiness check: resolves when the dependency answers, throws (or times out) when it does not. */
export type ReadinessCheck = () => Promise<void>;

export interface OperationsDeps {
  metrics: ProductMetrics;
  /** Named checks for /readyz, e.g. temporal, database, catalog, worker. */
  readiness: Record<string, ReadinessCheck>;
  /** Refreshes metrics read at scrape time (open incidents from the evidence). */
  beforeScrape?: () => Promise<void>;
  checkTimeoutMs?: number;
}

/**
 * What operators and orchestrators call: `/healthz` (the process answers), `/readyz` (every
 * dependency answers; 503 names the failing checks) and `/metrics` (Prometheus text). No bearer
 * token: expose them on a network only Prometheus and the orchestrator reach.
 */
export function operationsRouter(deps: OperationsDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await runChecks(deps.readiness, deps.checkTimeoutMs ?? 2_000);
    const failed = Object.entries(results).filter(([, result]) => result !== 'ok');
    res.status(failed.length ? 503 : 200).json({
      ready: failed.length === 0,
      checks: results,
      ...(failed.length ? { failed: failed.map(([name]) => name) } : {}),
    });
  });
  router.get('/metrics', async (_req, res) => {
    // A refresh that fails (database down) must not hide every other metric.
    await deps.beforeScrape?.().catch(() => undefined);
    res.type(deps.metrics.contentType).send(await deps.metrics.text());
  });
  return router;
}

async function runChecks(checks: Record<string, ReadinessCheck>, timeoutMs: number): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), timeoutMs, `no answer within ${timeoutMs} ms`);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, `failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300)] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Times every request into `tourniquet_http_request_duration_seconds`, labelled by the matched
 * route pattern (never the raw path, which carries ids) or `unmatched`.
 */
export function requestTiming(metrics: ProductMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = req.route ? `${req.baseUrl}${String((req.route as { path: unknown }).path)}` : 'unmatched';
      metrics.httpRequestSeconds.observe(
        { method: req.method, route, status: String(res.statusCode) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    next();
  };
}

const INTAKE_RESULTS: Record<string, string> = {
  accepted: 'accepted',
  'duplicate delivery': 'duplicate',
  ignored: 'ignored',
};

/**
 * Counts webhook deliveries into `tourniquet_intake_deliveries_total{source,result}`: accepted,
 * duplicate, ignored, or `rejected_<status>` (401 bad signature, 400 bad shape, 429, 503...).
 * Mounted in front of the intake router; `sources` bounds the label to the known intakes.
 */
export function intakeCounting(metrics: ProductMetrics, sources: readonly string[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const segment = req.path.split('/')[1] ?? '';
    const source = sources.includes(segment) ? segment : 'unknown';
    let said: string | undefined;
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const status = (body as { status?: unknown } | null)?.status;
      if (typeof status === 'string') said = INTAKE_RESULTS[status];
      return json(body);
    };
    res.once('finish', () => {
      const result = res.statusCode < 300 && said ? said : `rejected_${res.statusCode}`;
      metrics.intakeDeliveries.inc({ source, result });
    });
    next();
  };
}
