import { createHash, randomBytes } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { drillReport, measureDrill } from '../../domain/drill-report';
import { parseDurationMs } from '../../domain/duration';
import { teamIdsOf } from '../../domain/plan';
import type { DrillLog, EvidenceStore, OwnershipDirectory } from '../../integrations/ports';
import type { IncidentService } from '../../application/incident-service';
import { IdempotencyKeySchema } from './api-schemas';
import { authenticatePerson, currentPerson } from './authenticate';
import { HttpError } from './http-errors';
import { jsonBody } from './json-body';

export interface OwnershipRouteDeps {
  directory: OwnershipDirectory;
  incidents: IncidentService;
  evidence: EvidenceStore;
  drills: DrillLog;
}

const DelegationBodySchema = z.strictObject({
  to: z.string().min(1, 'name the catalog person id to delegate to'),
  reason: z.string().trim().min(1, 'a delegation needs a reason').max(2_000),
});

const DrillBodySchema = z.strictObject({
  team: z.string().min(1, 'name the team to drill'),
  secretId: z.string().min(1, 'name a catalog secret the drill borrows (nothing real is touched)'),
});

const DrillScheduleBodySchema = DrillBodySchema.extend({
  every: z.string().min(1, 'say how often, e.g. "30d" or "12h"'),
});

const ReportQuerySchema = z.object({
  team: z.string().min(1, 'name the team: ?team=<catalog team id>'),
  last: z.coerce.number().int().min(1).max(100).default(10),
});

/**
 * Who is accountable right now, and how fast they are: delegation of a pending decision, drills
 * that run the whole runbook against the drill provider, and the drill report per team.
 */
export function ownershipRouter(deps: OwnershipRouteDeps): Router {
  const router = Router();
  router.use(jsonBody('16kb'));
  router.use(authenticatePerson(deps.directory));
  const catalog = () => deps.directory.catalog;

  router.post('/incidents/:id/delegation', async (req, res) => {
    const body = DelegationBodySchema.parse(req.body);
    const to = catalog().people.find((person) => person.id === body.to);
    if (!to)
      throw new HttpError(400, `unknown person "${body.to}": delegate to a person of the catalog`, 'INVALID_INPUT');
    const status = await deps.incidents.delegate(
      req.params.id,
      {
        by: currentPerson(req).id,
        to: { id: to.id, name: to.name, slackUserId: to.slackUserId },
        toTeams: teamIdsOf(catalog(), to.id),
        reason: body.reason,
        channel: 'api',
      },
      IdempotencyKeySchema.parse(req.header('idempotency-key')),
    );
    res.json(status);
  });

  /** The team a person may drill: their own, or any team for the default owner team (security). */
  function drillableTeam(body: { team: string; secretId: string }, personId: string) {
    const team = catalog().teams.find((candidate) => candidate.id === body.team);
    if (!team) throw new HttpError(400, `unknown team "${body.team}"`, 'INVALID_INPUT');
    if (!catalog().secrets.some((secret) => secret.id === body.secretId)) {
      throw new HttpError(400, `unknown secret "${body.secretId}": drills borrow a catalog secret`, 'INVALID_INPUT');
    }
    const mayStart = [team.id, catalog().defaultOwnerTeam];
    if (!teamIdsOf(catalog(), personId).some((id) => mayStart.includes(id))) {
      throw new HttpError(
        403,
        `${personId} may not drill team ${team.id}: members of ${mayStart.join(' or ')} may`,
        'PERMISSION_DENIED',
      );
    }
    return team;
  }

  router.post('/drills', async (req, res) => {
    const body = DrillBodySchema.parse(req.body);
    const person = currentPerson(req);
    const team = drillableTeam(body, person.id);
    const key = IdempotencyKeySchema.parse(req.header('idempotency-key'));
    const drillId = key
      ? createHash('sha256').update(`drill:${key}`).digest('hex').slice(0, 24)
      : randomBytes(12).toString('hex');
    const started = await deps.incidents.startDrill(
      { drillId, team: team.id, requestedBy: person.id, trigger: 'on-demand' },
      body.secretId,
    );
    res.status(202).json({ ...started, drill: true, drillId });
  });

  router.post('/drills/schedules', async (req, res) => {
    const body = DrillScheduleBodySchema.parse(req.body);
    const person = currentPerson(req);
    const team = drillableTeam(body, person.id);
    const everyMs = parseDurationMs(body.every);
    if (everyMs === undefined || everyMs < 60_000) {
      throw new HttpError(
        400,
        `every: "${body.every}" is not a duration of at least 1m: write e.g. 30d, 12h or 90m`,
        'INVALID_INPUT',
      );
    }
    const scheduled = await deps.incidents.scheduleDrills({
      team: team.id,
      secretId: body.secretId,
      requestedBy: person.id,
      everyMs,
    });
    res.status(scheduled.created ? 201 : 200).json(scheduled);
  });

  router.get('/drills/report', async (req, res) => {
    const query = ReportQuerySchema.parse(req.query);
    res.json(await teamDrillReport(deps, query.team, query.last));
  });

  return router;
}

/** The last drills (and honeytoken exercises) of a team, measured from their evidence. */
export async function teamDrillReport(
  { evidence, drills }: { evidence: EvidenceStore; drills: DrillLog },
  team: string,
  last: number,
) {
  const ids = await drills.drillIncidents(team, last);
  const runs = [];
  for (const id of ids) {
    const run = measureDrill(await evidence.list(id));
    if (run) runs.push(run);
  }
  return drillReport(team, runs);
}
