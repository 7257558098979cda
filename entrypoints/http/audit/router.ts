import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { Auditor } from '../../../domain/catalog';
import type { Database } from '../../../integrations/database/database';
import { ClosureBundleArchive } from '../../../integrations/evidence/bundle-archive';
import type { EvidenceSigner } from '../../../integrations/evidence/bundle-signing';
import type { DrillLog, EvidenceStore } from '../../../integrations/ports';
import { teamDrillReport } from '../ownership-routes';
import { IncidentIdSchema, parseListQuery } from './audit-queries';
import {
  auditorByToken,
  clearSessionCookie,
  presentedToken,
  rejectAuditorWrites,
  sendError,
  setSessionCookie,
  type AuditorSource,
} from './auditor-auth';
import { HTML_HEADERS } from './html';
import { drillsPage, incidentPage, listPage, loginPage, problemPage, reportPage } from './portal-pages';

export interface AuditRouterDeps {
  database: Database;
  evidence: EvidenceStore;
  /** Finds drill incidents of a team, for the drill report; unset = no drill report. */
  drills?: DrillLog;
  /** Catalog `auditors`; a function lets a reloaded catalog take effect at once. */
  auditors: AuditorSource;
  /** Only the public half is used here: the router never signs. */
  signer: Pick<EvidenceSigner, 'identity' | 'publicKeyPem'>;
  logger?: Logger;
}

type Surface = 'api' | 'portal';
interface AuditedRequest extends Request {
  auditor?: Auditor;
}

/**
 * Read-only auditor access, mounted under /audit. JSON API under /audit/api (bearer token or the
 * portal cookie), server-rendered portal at /audit/ (sign in at /audit/login, which sets an
 * HttpOnly cookie holding the token). Any non-GET request carrying an auditor token is refused
 * with 403; the only non-GET route is the login form, which reads the token from its body.
 */
export function auditRouter(deps: AuditRouterDeps): Router {
  const router = express.Router();
  const archive = new ClosureBundleArchive(deps.database, deps.evidence);
  router.use(rejectAuditorWrites(deps.auditors, ['/login']));

  router.get('/login', (_req, res) => sendHtml(res, 200, loginPage()));
  router.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    const token = typeof req.body?.token === 'string' ? req.body.token.trim() : undefined;
    if (!auditorByToken(deps.auditors, token))
      return sendHtml(
        res,
        401,
        loginPage('That token is not an auditor token in the catalog. Check it and try again.'),
      );
    setSessionCookie(req, res, token as string);
    res.redirect(303, '/audit/');
  });
  router.get('/logout', (_req, res) => {
    clearSessionCookie(res);
    res.redirect(303, '/audit/login');
  });

  const api = requireAuditor(deps.auditors, 'api');
  const portal = requireAuditor(deps.auditors, 'portal');
  router.get(
    '/api/incidents',
    api,
    handle(async (req, res) => {
      const parsed = parseListQuery(req.query);
      if (!parsed.ok) return sendError(res, 400, 'INVALID_INPUT', `invalid query: ${parsed.problems.join('; ')}`);
      res.json(await archive.list(parsed.filters));
    }),
  );
  router.get(
    '/api/drills',
    api,
    handle(async (req, res) => {
      const team = typeof req.query.team === 'string' ? req.query.team : '';
      if (!team || !deps.drills)
        return sendError(res, 400, 'INVALID_INPUT', 'invalid query: team: name the team (?team=<id>)');
      const last = Math.min(100, Math.max(1, Number(req.query.last ?? 10) || 10));
      res.json(await teamDrillReport({ evidence: deps.evidence, drills: deps.drills }, team, last));
    }),
  );
  router.get(
    '/api/incidents/:id',
    api,
    withBundle(archive, deps, async (res, found) => {
      // Records stay in the downloadable bundle; this view carries everything derived from them.
      const bundle: Partial<typeof found.signed.bundle> = { ...found.signed.bundle };
      delete bundle.records;
      res.json({ incident: found.summary, verification: found.verification, bundle });
    }),
  );
  router.get(
    '/api/incidents/:id/bundle',
    api,
    withBundle(archive, deps, async (res, found) => {
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="${found.signed.bundle.incidentId}.closure-bundle.json"`,
      );
      res.type('application/json').send(JSON.stringify(found.signed));
    }),
  );
  router.get(
    '/api/incidents/:id/report',
    api,
    withBundle(archive, deps, async (res, found) => {
      sendHtml(res, 200, reportPage(found.signed.bundle, found.verification));
    }),
  );
  router.get('/api/public-key', api, (_req, res) => {
    res.setHeader('Content-Disposition', 'attachment; filename="evidence-public-key.pem"');
    res.setHeader('X-Key-Id', deps.signer.identity.keyId);
    res.setHeader('X-Public-Key-Sha256', deps.signer.identity.publicKeySha256);
    res.type('application/x-pem-file').send(deps.signer.publicKeyPem);
  });

  router.get(
    '/',
    portal,
    handle(async (req, res) => {
      const auditor = (req as AuditedRequest).auditor as Auditor;
      const parsed = parseListQuery(req.query);
      if (!parsed.ok) return sendHtml(res, 400, problemPage('Invalid filter', parsed.problems, auditor.name));
      sendHtml(res, 200, listPage(await archive.list(parsed.filters), stringQuery(req.query), auditor.name));
    }),
  );
  router.get(
    '/drills',
    portal,
    handle(async (req, res) => {
      const auditor = (req as AuditedRequest).auditor as Auditor;
      const team = typeof req.query.team === 'string' ? req.query.team.trim() : '';
      const report =
        team && deps.drills
          ? await teamDrillReport({ evidence: deps.evidence, drills: deps.drills }, team, 20)
          : undefined;
      sendHtml(res, 200, drillsPage(team, report, auditor.name));
    }),
  );
  router.get(
    '/incidents/:id',
    portal,
    withBundle(archive, deps, async (res, found, req) => {
      sendHtml(
        res,
        200,
        incidentPage(found.signed.bundle, found.verification, (req as AuditedRequest).auditor?.name ?? ''),
      );
    }),
  );

  router.all('/{*rest}', (req, res) => {
    if (req.method === 'GET')
      return sendError(res, 404, 'NOT_FOUND', `no ${req.originalUrl}: see /audit/ or GET /audit/api/incidents`);
    sendError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} ${req.originalUrl}: the audit API is read-only, use GET`);
  });
  router.use(errors(deps.logger));
  return router;
}

function requireAuditor(auditors: AuditorSource, surface: Surface): RequestHandler {
  return (req, res, next) => {
    const auditor = auditorByToken(auditors, presentedToken(req));
    if (auditor) {
      (req as AuditedRequest).auditor = auditor;
      return next();
    }
    if (surface === 'portal') return res.redirect(303, '/audit/login');
    res.setHeader('WWW-Authenticate', 'Bearer realm="tourniquet-audit"');
    sendError(
      res,
      401,
      'UNAUTHENTICATED',
      'an auditor token is required: send Authorization: Bearer <token> (catalog auditors[].apiTokenSha256 is its sha256)',
    );
  };
}

interface FoundBundle {
  signed: NonNullable<Awaited<ReturnType<ClosureBundleArchive['get']>>>;
  summary: NonNullable<Awaited<ReturnType<ClosureBundleArchive['summary']>>>;
  verification: NonNullable<Awaited<ReturnType<ClosureBundleArchive['verifyStored']>>>;
}

/** Loads and verifies the sealed bundle named by :id, answering 400/404 itself when it cannot. */
function withBundle(
  archive: ClosureBundleArchive,
  deps: AuditRouterDeps,
  respond: (res: Response, found: FoundBundle, req: Request) => Promise<void>,
): RequestHandler {
  return handle(async (req, res) => {
    const id = IncidentIdSchema.safeParse(req.params.id);
    if (!id.success) return sendError(res, 400, 'INVALID_INPUT', id.error.issues[0]?.message ?? 'invalid incident id');
    const [signed, summary, verification] = await Promise.all([
      archive.get(id.data),
      archive.summary(id.data),
      archive.verifyStored(id.data, deps.signer.publicKeyPem),
    ]);
    if (!signed || !summary || !verification) {
      return sendError(
        res,
        404,
        'NOT_FOUND',
        `no sealed closure bundle for incident ${id.data}: it is still open, or the id is wrong (see GET /audit/api/incidents)`,
      );
    }
    await respond(res, { signed, summary, verification }, req);
  });
}

function handle(work: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res, next) => {
    work(req, res).catch(next);
  };
}

function errors(logger?: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    logger?.error({ err: error, path: req.path }, 'audit request failed');
    sendError(res, 500, 'INTERNAL', 'the audit request failed; the server log has the details');
  };
}

function sendHtml(res: Response, status: number, body: string): void {
  res.status(status).set(HTML_HEADERS).send(body);
}

function stringQuery(query: Request['query']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(query).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '' && entry[0] !== 'offset',
    ),
  );
}
