import express from 'express';
import type { Logger } from 'pino';
import { apiRouter, type ApiDeps } from './api-routes';
import { errorHandler } from './http-errors';

export interface HttpDeps extends ApiDeps {
  logger: Logger;
}

/**
 * The product's one HTTP server: the incident API, webhooks, Slack and the auditor portal.
 * Each area contributes a router; bodies are parsed per route (webhooks need the raw bytes).
 */
export function buildHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use('/api', apiRouter(deps));
  return app;
}

/** Installs the error handler last, after every area has mounted its routes. */
export function finishHttpApp(app: express.Express, logger: Logger): void {
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such route' } });
  });
  app.use(errorHandler(logger));
}
