import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { Database } from '../../../integrations/database/database';
import { IntakeRejection, type IntakeAlert } from '../../../integrations/intake/common';
import { SqlDeliveryLog } from '../../../integrations/intake/delivery-log';
import { decideGithubDelivery, verifyGithubSignature } from '../../../integrations/intake/github';
import type { IntakeConfig, IntakeSecretSetting } from './intake-config';
import type { IncidentService } from '../../../application/incident-service';
import type { OpenIncidentResult } from '../../../domain/open-incident';
import { inFlightLimiter } from './limiter';
import { codeForStatus, sendError } from '../http-errors';
import { CANARYTOKENS, SOURCES, type SourceSpec } from './sources';
import { verifyCanarytokensPath } from '../../../integrations/intake/canarytokens';

export type { IntakeConfig, IntakeSecretSetting };

export interface IntakeDeps {
  config: IntakeConfig;
  service: Pick<IncidentService, 'open'>;
  /** Starts the GitHub intake workflow (the alert is fetched by an activity). */
  client: Client;
  database: Database;
  logger: Logger;
  now?: () => Date;
}

/** Alerts of one request opened at once: enough to overlap Temporal round trips, few enough to stay fair. */
const OPEN_CONCURRENCY = 16;

/**
 * POST /webhooks/{github,gitguardian,trufflehog,aws-health,generic}. Each route reads the raw body
 * (the signature covers its exact bytes), verifies the source's authentication in constant time,
 * parses with zod and answers 2xx only once Temporal holds the alert: 200 accepted, 200 duplicate
 * delivery, 202 acknowledged-but-ignored (or, for GitHub, fetch started); 400 bad shape,
 * 401 bad signature, 404 unknown or disabled source, 413 too large, 429 overloaded (Retry-After),
 * 503 when Temporal cannot take it right now (the sender retries).
 */
export function intakeRouter(deps: IntakeDeps): Router {
  const router = express.Router();
  const limiter = inFlightLimiter(deps.config.INTAKE_MAX_IN_FLIGHT);
  const raw = express.raw({ type: () => true, limit: deps.config.INTAKE_MAX_BODY_BYTES });
  const deliveries = new SqlDeliveryLog(deps.database);
  const now = deps.now ?? (() => new Date());

  router.post('/github', limiter, raw, (req, res) =>
    answer(res, deps, 'github', () => github(req, res, deps, deliveries, now())),
  );
  for (const [path, spec] of Object.entries(SOURCES)) {
    router.post(`/${path}`, limiter, raw, (req, res) =>
      answer(res, deps, spec.source, () => synchronous(req, res, spec, deps, deliveries, now())),
    );
  }
  // Canarytokens signs nothing: the secret last path segment is its authentication.
  router.post('/canarytokens/:pathSecret', limiter, raw, (req, res) =>
    answer(res, deps, 'canarytokens', async () => {
      verifyCanarytokensPath(
        String(req.params.pathSecret),
        secretOf(deps.config, CANARYTOKENS.secretSetting, 'canarytokens'),
      );
      await synchronous(req, res, CANARYTOKENS, deps, deliveries, now());
    }),
  );
  router.all('/{*rest}', (req, res) => {
    sendError(
      res,
      404,
      'NOT_FOUND',
      `unknown intake ${req.method} ${req.originalUrl}: POST to /webhooks/{github,${Object.keys(SOURCES).join(',')}}`,
    );
  });
  router.use(bodyErrors(deps.logger));
  return router;
}

async function synchronous(
  req: Request,
  res: Response,
  spec: SourceSpec,
  deps: IntakeDeps,
  log: SqlDeliveryLog,
  now: Date,
): Promise<void> {
  const secret = secretOf(deps.config, spec.secretSetting, spec.source);
  const body = bodyOf(req);
  spec.verify(body, req.headers, secret, deps.config, now);
  const decision = spec.decide(body, secret, now);
  if (decision.kind === 'ignore') {
    res.status(202).json({ status: 'ignored', reason: decision.reason });
    return;
  }
  const known = await log.known(
    spec.source,
    decision.alerts.map((alert) => alert.deliveryKey),
  );
  const fresh = decision.alerts.filter((alert) => !known.has(alert.deliveryKey));
  if (fresh.length === 0) {
    res.status(200).json({ status: 'duplicate delivery' });
    return;
  }
  const opened = await openAll(fresh, spec, deps, log);
  deps.logger.info(
    { source: spec.source, alerts: fresh.length, duplicates: known.size, incidents: opened.map((o) => o.incidentId) },
    'alerts accepted',
  );
  res.status(200).json({ status: 'accepted', duplicates: known.size, incidents: opened });
}

/** Opens each alert, then records its delivery, so a crash in between means a harmless redelivery. */
async function openAll(
  alerts: IntakeAlert[],
  spec: SourceSpec,
  deps: IntakeDeps,
  log: SqlDeliveryLog,
): Promise<OpenIncidentResult[]> {
  const results: OpenIncidentResult[] = [];
  for (let start = 0; start < alerts.length; start += OPEN_CONCURRENCY) {
    const batch = alerts.slice(start, start + OPEN_CONCURRENCY);
    results.push(
      ...(await Promise.all(
        batch.map(async (alert) => {
          const opened = await deps.service.open(alert.command);
          await log.record({
            source: spec.source,
            deliveryId: alert.deliveryKey,
            ...opened,
            campaign: alert.command.sighting.campaign,
          });
          return opened;
        }),
      )),
    );
  }
  return results;
}

async function github(req: Request, res: Response, deps: IntakeDeps, log: SqlDeliveryLog, now: Date): Promise<void> {
  const secret = secretOf(deps.config, 'GITHUB_WEBHOOK_SECRET', 'github');
  const body = bodyOf(req);
  verifyGithubSignature(body, req.headers, secret);
  const decision = decideGithubDelivery(body, req.headers, now);
  if (decision.kind === 'ignore') {
    res.status(202).json({ status: 'ignored', reason: decision.reason });
    return;
  }
  const { ref } = decision;
  const workflowId = `github-delivery-${ref.deliveryId}`;
  if ((await log.known('github', [ref.deliveryId])).size > 0) {
    res.status(200).json({ status: 'duplicate delivery' });
    return;
  }
  try {
    await deps.client.workflow.start('githubAlertIntake', {
      workflowId,
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      args: [ref],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    res.status(200).json({ status: 'duplicate delivery', workflowId });
    return;
  }
  deps.logger.info(
    { source: 'github', workflowId, alert: `${ref.owner}/${ref.repo}#${ref.alertNumber}` },
    'github alert fetch started',
  );
  res.status(202).json({ status: 'accepted', workflowId });
}

/** Runs a handler and turns its failure into the right status; never echoes the body. */
async function answer(res: Response, deps: IntakeDeps, source: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof IntakeRejection) {
      deps.logger.warn({ source, status: error.status, reason: error.message }, 'webhook refused');
      sendError(res, error.status, codeForStatus(error.status), error.message);
      return;
    }
    deps.logger.error(
      { source, err: { name: (error as Error).name, message: (error as Error).message } },
      'webhook could not be accepted',
    );
    res.set('Retry-After', '5');
    sendError(res, 503, 'UNAVAILABLE', 'the alert could not be accepted right now; retry');
  }
}

function secretOf(config: IntakeConfig, setting: IntakeSecretSetting, source: string): string {
  const secret = config[setting];
  if (!secret) {
    throw new IntakeRejection(404, `the ${source} intake is off: set ${setting} to enable it`);
  }
  return secret;
}

function bodyOf(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** body-parser's errors (too large, aborted, bad encoding) answered as 4xx, never as a crash. */
function bodyErrors(logger: Logger): ErrorRequestHandler {
  return (error: { type?: string; status?: number; message?: string }, _req, res, next) => {
    if (res.headersSent) return next(error);
    if (error.type === 'entity.too.large') {
      sendError(res, 413, 'TOO_LARGE', 'body too large: see INTAKE_MAX_BODY_BYTES');
      return;
    }
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 400;
    logger.warn({ status, reason: error.type ?? error.message }, 'webhook body unreadable');
    sendError(res, status, codeForStatus(status), `body could not be read (${error.type ?? 'unreadable'})`);
  };
}
