import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { EvidenceStore, OwnershipDirectory } from '../../integrations/ports';
import type { IncidentService } from '../../application/incident-service';
import {
  AcknowledgementBodySchema,
  CandidateConfirmationBodySchema,
  DecisionBodySchema,
  IdempotencyKeySchema,
  NoteBodySchema,
  VerifierAssignmentBodySchema,
  OpenIncidentBodySchema,
} from './api-schemas';
import { authenticatePerson, currentPerson } from './authenticate';
import { HttpError } from './http-errors';
import { jsonBody } from './json-body';
import { WaitQuerySchema, waitForPhase } from './wait-for-phase';

/** `GET /api/incidents`: a page of at most `limit` (default 50) open incidents, newest first. */
const ListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  pageToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,4096}\.[0-9a-f]{64}$/, 'the nextPageToken of an earlier page')
    .optional(),
});

export interface ApiDeps {
  directory: OwnershipDirectory;
  incidents: IncidentService;
  evidence: EvidenceStore;
}

/**
 * The incident API: open, read, decide, confirm, verify. Every caller is a catalog person
 * authenticated by bearer token; the workflow's update validators decide what that person may do.
 */
export function apiRouter(deps: ApiDeps): Router {
  const router = Router();
  router.use(jsonBody('64kb'));
  router.use(authenticatePerson(deps.directory));

  router.post('/incidents', async (req, res) => {
    const body = OpenIncidentBodySchema.parse(req.body);
    const person = currentPerson(req);
    const receivedAt = new Date().toISOString();
    const result = await deps.incidents.open({
      secretId: body.secretId,
      identifiers: body.identifiers,
      leakedValue: body.leakedValue,
      description: body.description,
      providerHint: body.providerHint,
      sighting: {
        source: 'api',
        sourceRef: idempotencyKey(req) ?? randomUUID(),
        detectedAt: body.detectedAt ?? receivedAt,
        receivedAt,
        location: body.location,
        verifiedActive: body.verifiedActive,
        publiclyExposed: body.publiclyExposed,
        notes: body.notes,
        reportedBy: person.id,
        reporter: { id: person.id, slackUserId: person.slackUserId },
      },
    });
    res.status(202).json(result);
  });

  router.get('/incidents', async (req, res) => {
    const { limit, pageToken } = ListQuerySchema.parse(req.query);
    // One visibility call: each workflow keeps its listing in its memo. Only runs from before that
    // (no listing yet) are asked by query.
    const page = await deps.incidents.listOpenPage(limit, pageToken);
    const entries = await Promise.all(
      page.entries.map(async (entry) => entry.listing ?? (await deps.incidents.status(entry.workflowId))),
    );
    res.json({
      incidents: entries.filter(Boolean).map((entry) => ({
        incidentId: entry!.incidentId,
        secretId: entry!.secretId,
        phase: entry!.phase,
        waitingOn: entry!.waitingOn,
        openedAt: entry!.openedAt,
        ...('ownerTeam' in entry!
          ? { ownerTeam: entry.ownerTeam, tier: entry.tier, containedAt: entry.containedAt }
          : {}),
      })),
      nextPageToken: page.nextPageToken ?? null,
    });
  });

  router.get('/incidents/:id', async (req, res) => {
    const { waitFor, timeoutMs } = WaitQuerySchema.parse(req.query);
    if (waitFor) return void res.json(await waitForPhase(deps.incidents, req.params.id, waitFor, timeoutMs));
    res.json(await statusOr404(deps, req.params.id));
  });

  router.get('/incidents/:id/timeline', async (req, res) => {
    const status = await statusOr404(deps, req.params.id);
    const evidence = await deps.evidence.list(status.incidentId);
    res.json({ incidentId: status.incidentId, phase: status.phase, timeline: status.timeline, evidence });
  });

  const answer = personAnswer(router);
  answer('/incidents/:id/decision', DecisionBodySchema, (id, by, body, key) =>
    deps.incidents.decide(id, { by, choice: body.choice, reason: body.reason, channel: 'api' }, key),
  );
  answer('/incidents/:id/manual-containment', NoteBodySchema, (id, by, body, key) =>
    deps.incidents.confirmManualContainment(
      id,
      { by, note: body.note, reference: body.reference, channel: 'api' },
      key,
    ),
  );
  answer(
    '/incidents/:id/dependents/:dependentId/acknowledgement',
    AcknowledgementBodySchema,
    (id, by, body, key, req) =>
      deps.incidents.acknowledgeDependent(
        id,
        { by, dependentId: String(req.params.dependentId), note: body.note, channel: 'api' },
        key,
      ),
  );
  /** No eligible verifier: an escalation contact names one (the workflow checks who may and whom). */
  answer('/incidents/:id/verifier', VerifierAssignmentBodySchema, (id, by, body, key) => {
    const person = deps.directory.catalog.people.find((candidate) => candidate.id === body.verifier);
    if (!person)
      throw new HttpError(400, `unknown person "${body.verifier}": name a person of the catalog`, 'INVALID_INPUT');
    const verifier = { id: person.id, name: person.name, slackUserId: person.slackUserId };
    return deps.incidents.assignVerifier(id, { by, verifier, reason: body.reason, channel: 'api' }, key);
  });
  answer('/incidents/:id/candidates/confirmation', CandidateConfirmationBodySchema, (id, by, body, key) =>
    deps.incidents.confirmDependentCandidate(
      id,
      { by, candidate: body.candidate, dependent: body.dependent, channel: 'api' },
      key,
    ),
  );
  answer('/incidents/:id/verification', NoteBodySchema, (id, by, body, key) =>
    deps.incidents.verify(id, { by, note: body.note, channel: 'api' }, key),
  );

  return router;
}

async function statusOr404(deps: ApiDeps, id: string) {
  const status = await deps.incidents.status(id);
  if (!status) throw new HttpError(404, `no incident ${id}`, 'NOT_FOUND');
  return status;
}

/**
 * Registers the routes of a person's answers: the body validated by its schema (an empty body reads
 * as `{}`, so a missing field is named), then `act` with the incident id, who answered (from their
 * token) and the request's idempotency key; its fresh status is the answer.
 */
function personAnswer(router: Router) {
  return <Body>(
    path: string,
    schema: z.ZodType<Body>,
    act: (incidentId: string, by: string, body: Body, key: string | undefined, req: Request) => Promise<unknown>,
  ): void => {
    router.post(path, async (req, res) => {
      const body = schema.parse(req.body ?? {});
      res.json(await act(String(req.params.id), currentPerson(req).id, body, idempotencyKey(req), req));
    });
  };
}

function idempotencyKey(req: Request): string | undefined {
  return IdempotencyKeySchema.parse(req.header('idempotency-key'));
}
