import type { Client } from '@temporalio/client';
import express from 'express';
import type { Logger } from 'pino';
import type { Database } from '../../integrations/database/database';
import type { DrillLog } from '../../integrations/ports';
import type { EvidenceSigner } from '../../integrations/evidence/bundle-signing';
import type { Config } from '../../workers/config';
import { apiRouter, type ApiDeps } from './api-routes';
import { auditRouter } from './audit/router';
import { rejectAuditorWrites } from './audit/auditor-auth';
import { errorHandler, requestIds, sendError } from './http-errors';
import { campaignsRouter, intakeRouter } from './intake';
import { ownershipRouter } from './ownership-routes';
import { requestId } from './request-id';
import { httpTracing } from './tracing';
import type { Tracer } from '@opentelemetry/api';
import { intakeCounting, operationsRouter, requestTiming, type OperationsDeps } from './operations';
import { CANARYTOKENS, SOURCES } from './intake/sources';

export interface HttpDeps extends ApiDeps {
  drills: DrillLog;
  config: Config;
  client: Client;
  database: Database;
  signer: EvidenceSigner;
  logger: Logger;
  /** Set when tracing is on: every request is a server span. */
  tracer?: Tracer;
  /** Metrics and readiness checks behind /metrics and /readyz. */
  operations: OperationsDeps;
}

/**
 * The product's one HTTP server: the incident API, webhooks, the auditor portal (and Slack, which
 * mounts itself). Bodies are parsed per route: webhooks need the raw bytes for their signatures.
 */
export function buildHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestIds());
  // First: every request, including Slack's and the 404s, gets an id returned in X-Request-Id.
  app.use(requestId());
  if (deps.tracer) app.use(httpTracing(deps.tracer));
  app.use(requestTiming(deps.operations.metrics));
  app.use(operationsRouter(deps.operations));
  const auditors = () => deps.directory.catalog.auditors;
  // Auditors are read-only everywhere: any write with an auditor token is refused before routing.
  app.use(rejectAuditorWrites(auditors, ['/audit/login']));
  const intakeSources = ['github', CANARYTOKENS.source, ...Object.keys(SOURCES)];
  app.use(
    '/webhooks',
    intakeCounting(deps.operations.metrics, intakeSources),
    intakeRouter({
      config: deps.config,
      client: deps.client,
      database: deps.database,
      service: deps.incidents,
      logger: deps.logger,
    }),
  );
  app.use(
    '/api/campaigns',
    campaignsRouter({ database: deps.database, service: deps.incidents, directory: deps.directory }),
  );
  app.use('/api', ownershipRouter(deps), apiRouter(deps));
  app.use(
    '/audit',
    auditRouter({
      database: deps.database,
      evidence: deps.evidence,
      drills: deps.drills,
      auditors,
      signer: deps.signer,
      logger: deps.logger,
    }),
  );
  return app;
}

/** Installs the error handler last, after every area has mounted its routes. */
export function finishHttpApp(app: express.Express, logger: Logger): void {
  app.use((_req, res) => {
    sendError(res, 404, 'NOT_FOUND', 'no such route');
  });
  app.use(errorHandler(logger));
}
