import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
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

  router.get('/incidents', async (_req, res) => {
    // One visibility call: each workflow keeps its listing in its memo. Only runs from before that
    // (no listing yet) are asked by query.
    const open = await deps.incidents.listOpen();
    const entries = await Promise.all(
      open.map(async (entry) => entry.listing ?? (await deps.incidents.status(entry.workflowId))),
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

  router.post('/incidents/:id/decision', async (req, res) => {
    const body = DecisionBodySchema.parse(req.body);
    const status = await deps.incidents.decide(
      req.params.id,
      { by: currentPerson(req).id, choice: body.choice, reason: body.reason, channel: 'api' },
      idempotencyKey(req),
    );
    res.json(status);
  });

  router.post('/incidents/:id/manual-containment', async (req, res) => {
    const body = NoteBodySchema.parse(req.body);
    res.json(
      await deps.incidents.confirmManualContainment(
        req.params.id,
        { by: currentPerson(req).id, note: body.note, reference: body.reference, channel: 'api' },
        idempotencyKey(req),
      ),
    );
  });

  router.post('/incidents/:id/dependents/:dependentId/acknowledgement', async (req, res) => {
    const body = AcknowledgementBodySchema.parse(req.body ?? {});
    res.json(
      await deps.incidents.acknowledgeDependent(
        req.params.id,
        { by: currentPerson(req).id, dependentId: req.params.dependentId, note: body.note, channel: 'api' },
        idempotencyKey(req),
      ),
    );
  });

  /** No eligible verifier: an escalation contact names one (the workflow checks who may and whom). */
  router.post('/incidents/:id/verifier', async (req, res) => {
    const body = VerifierAssignmentBodySchema.parse(req.body);
    const person = deps.directory.catalog.people.find((candidate) => candidate.id === body.verifier);
    if (!person)
      throw new HttpError(400, `unknown person "${body.verifier}": name a person of the catalog`, 'INVALID_INPUT');
    res.json(
      await deps.incidents.assignVerifier(
        req.params.id,
        {
          by: currentPerson(req).id,
          verifier: { id: person.id, name: person.name, slackUserId: person.slackUserId },
          reason: body.reason,
          channel: 'api',
        },
        idempotencyKey(req),
      ),
    );
  });

  router.post('/incidents/:id/candidates/confirmation', async (req, res) => {
    const body = CandidateConfirmationBodySchema.parse(req.body);
    res.json(
      await deps.incidents.confirmDependentCandidate(
        req.params.id,
        { by: currentPerson(req).id, candidate: body.candidate, dependent: body.dependent, channel: 'api' },
        idempotencyKey(req),
      ),
    );
  });

  router.post('/incidents/:id/verification', async (req, res) => {
    const body = NoteBodySchema.parse(req.body);
    res.json(
      await deps.incidents.verify(
        req.params.id,
        { by: currentPerson(req).id, note: body.note, channel: 'api' },
        idempotencyKey(req),
      ),
    );
  });

  return router;
}

async function statusOr404(deps: ApiDeps, id: string) {
  const status = await deps.incidents.status(id);
  if (!status) throw new HttpError(404, `no incident ${id}`, 'NOT_FOUND');
  return status;
}

function idempotencyKey(req: Request): string | undefined {
  return IdempotencyKeySchema.parse(req.header('idempotency-key'));
}
