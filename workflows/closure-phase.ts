import type { HandoffProgress } from '../domain/incident-carry';
import type { Outcome, PersonRef } from '../domain/incident';
import { bookkeeping, deathProver, sourceAlerts } from './activity-stubs';
import { describe } from './containment-phase';
import { catalogProposal } from './exposure-phase';
import { rollOver } from './continue-as-new';
import type { Decision } from './decision-phase';
import { awaitHandoff, dedupe } from './handoff';
import { freshPeople, waitReadingCatalog } from './catalog-recheck';
import { WORKER, now, type IncidentState } from './incident-state';
import { verifierDelegator } from './attribution';
import { hasPatch } from './patches';

/**
 * Proves the old credential dead at its provider, within the policy's deathProofTimeout. False when
 * it cannot be proven in that time: the approvers are asked again (needs-attention) and told what
 * the provider still answers — never a silent loop.
 */
export async function proveDeath(state: IncidentState, decision: Decision): Promise<boolean> {
  const plan = state.plan!;
  state.phase = 'proving-death';
  const timeoutMs = plan.policy.deathProofTimeoutMs ?? DEFAULT_DEATH_PROOF_MS;
  const within = `within ${Math.round(timeoutMs / 1000)}s`;
  let unproven: { why: string; checks: string[]; attempts?: number };
  try {
    const purpose = decision.choice === 'rotate' ? 'retire-after-rotation' : 'contain';
    const proof = await deathProver(timeoutMs).proveCredentialDead({
      incidentId: state.incidentId,
      secret: plan.secret,
      sealedValueHandle: state.input.sealedValueHandle,
      purpose,
      deadline: new Date(Date.now() + timeoutMs).toISOString(),
    });
    if (proof.dead) {
      state.verification = { dead: true, proof: proof.checks.join('; ') };
      state.record('death.proven', `old credential is dead: ${proof.checks.join('; ')}`, decision.attribution, {
        checks: proof.checks,
        attempts: proof.attempts,
      });
      return true;
    }
    const checks = proof.checks.join('; ');
    unproven = { why: `still alive ${within} (${proof.attempts} checks): ${checks}`, ...proof };
  } catch (error) {
    unproven = { why: `the proof failed ${within}: ${describe(error)}`, checks: [] };
  }
  state.lastFailure = `revoked, but death could not be proven: ${unproven.why} — decide again`;
  state.record('death.unproven', `could not prove the old credential dead: ${unproven.why}`, decision.attribution, {
    checks: unproven.checks,
    attempts: unproven.attempts,
    timeoutMs,
  });
  return false;
}

const DEFAULT_DEATH_PROOF_MS = 600_000;

/**
 * A second person confirms the incident is closed. The verifier must be neither a decider nor an
 * executor; when the catalog offers no such person the incident escalates to the default owner
 * team instead of proceeding silently. `carried`: a continued run resumes the verifier's wait.
 */
export async function awaitVerification(state: IncidentState, carried?: HandoffProgress): Promise<void> {
  const plan = state.plan!;
  const eligible = (people: PersonRef[]) => people.filter((person) => !state.conflicted.has(person.id));
  if (carried) {
    await awaitVerifier(state, carried);
    return;
  }
  const preferred = plan.verifierCandidates[0];
  const verifier = eligible(dedupe([...plan.verifierCandidates, ...plan.escalationContacts]))[0];
  if (verifier?.id !== preferred?.id) {
    state.record(
      'separation-of-duties.escalated',
      `preferred verifier ${preferred?.id ?? '(none)'} decided or executed this incident; verifier: ${verifier?.id ?? 'nobody eligible'}`,
      { actor: WORKER, delegatedBy: { type: 'policy', id: plan.policy.id } },
      { conflicted: [...state.conflicted], verifier: verifier?.id },
    );
  }
  state.phase = 'awaiting-verification';
  if (!verifier) {
    // Not a dead end: the escalation contacts are asked to name a person who did neither.
    const assigners = state.verifierAssigners();
    state.phase = 'needs-attention';
    state.verifierWanted = true;
    state.waitFor(
      assigners,
      'a verifier: every candidate decided or executed; name one who did neither (POST /api/incidents/:id/verifier)',
    );
    state.notify(
      'needs-attention',
      assigners,
      `No eligible verifier for ${plan.secret.id}: everyone the catalog names decided or executed it (${[...state.conflicted].join(', ')}). ` +
        `Name a verifier who did neither: POST /api/incidents/${state.incidentId}/verifier {"verifier": "<person id>", "reason": "..."}.`,
    );
    await awaitNamedVerifier(state, eligible);
    if (!state.verifier) return rollOver(state, { step: 'verification' });
    state.verifierWanted = false;
    state.phase = 'awaiting-verification';
    await awaitVerifier(state);
    return;
  }
  state.verifier = verifier;
  state.allowedVerifiers.add(verifier.id);
  await awaitVerifier(state);
}

/**
 * Waits for an escalation contact to name a verifier, or for the history to need a new run. Behind
 * a patch: meanwhile it reads the catalog again (after the handoff timeout, then doubling up to a
 * day), so a verifier added to the catalog — the fix the message asks for — is picked up by this
 * waiting incident without anyone naming them (`roles.re-resolved`).
 */
async function awaitNamedVerifier(state: IncidentState, eligible: (people: PersonRef[]) => PersonRef[]): Promise<void> {
  const named = () => state.verifier !== undefined || state.rollOverDue();
  await waitReadingCatalog(state, 'verifier-catalog-recheck', named, (fresh) => {
    const found = eligible(dedupe([...fresh.verifierCandidates, ...fresh.escalationContacts]))[0];
    if (!found || state.verifier) return;
    state.verifier = found;
    state.allowedVerifiers.add(found.id);
    state.record(
      'roles.re-resolved',
      `the catalog now names an eligible verifier: ${found.id}`,
      { actor: WORKER, delegatedBy: { type: 'policy', id: state.plan!.policy.id } },
      { role: 'verifier', verifier: found.id, sources: [{ source: 'catalog' }] },
    );
  });
}

/** The verifier's durable wait, escalating to further eligible candidates; then the confirmation is evidence. */
async function awaitVerifier(state: IncidentState, carried?: HandoffProgress): Promise<void> {
  const plan = state.plan!;
  const eligible = (people: PersonRef[]) => people.filter((person) => !state.conflicted.has(person.id));
  await awaitHandoff(
    state,
    {
      what: 'verification',
      kind: 'verification-requested',
      done: () => state.verification?.verifiedBy !== undefined,
      people: [state.verifier!],
      escalate: () => {
        const more = eligible(dedupe([...plan.verifierCandidates, ...plan.escalationContacts])).filter(
          (p) => !state.allowedVerifiers.has(p.id),
        );
        more.forEach((p) => state.allowedVerifiers.add(p.id));
        return more;
      },
      newcomers: (fresh) => {
        const known = (id: string) => state.allowedVerifiers.has(id) || state.conflicted.has(id);
        const found = freshPeople(state, fresh, ['verifierCandidates', 'escalationContacts'], known);
        found.forEach((p) => state.allowedVerifiers.add(p.id));
        return found;
      },
      resumeAs: (handoff) => ({ step: 'verification', handoff }),
    },
    carried,
  );
  const verification = state.verification!;
  state.record(
    'verification.confirmed',
    `${verification.verifiedBy} confirmed closure: ${verification.note}`,
    {
      actor: { type: 'person', id: verification.verifiedBy! },
      delegatedBy: verifierDelegator(state, verification.verifiedBy!),
    },
    { note: verification.note, dead: verification.dead },
  );
}

/**
 * Each disabled dependent's owner acknowledges its shutdown (a durable handoff per dependent).
 * `carried`: a continued run resumes the wait of that dependent, then goes on with the others.
 */
export async function awaitDependentAcknowledgements(
  state: IncidentState,
  carried?: { dependentId: string; handoff: HandoffProgress },
): Promise<void> {
  const plan = state.plan!;
  for (const dependent of state.dependents.filter((d) => d.state !== 'running' && !d.acknowledgedBy)) {
    const resumed = carried?.dependentId === dependent.id ? carried.handoff : undefined;
    state.phase = 'awaiting-acknowledgement';
    const owners = plan.dependentOwners[dependent.id] ?? plan.escalationContacts;
    if (!resumed) state.allowedAckers[dependent.id] = new Set(owners.map((p) => p.id));
    await awaitHandoff(
      state,
      {
        what: `acknowledgement of ${dependent.id} shutdown`,
        kind: 'dependent-ack-requested',
        done: () => dependent.acknowledgedBy !== undefined,
        people: owners,
        escalate: () => {
          plan.escalationContacts.forEach((p) => state.allowedAckers[dependent.id]!.add(p.id));
          return plan.escalationContacts;
        },
        newcomers: (fresh) => {
          const ackers = state.allowedAckers[dependent.id]!;
          const owners = fresh.dependentOwners[dependent.id] ?? [];
          const found = freshPeople(state, fresh, ['escalationContacts'], (id) => ackers.has(id), owners);
          found.forEach((p) => ackers.add(p.id));
          return found;
        },
        resumeAs: (handoff) => ({ step: 'acknowledgement', dependentId: dependent.id, handoff }),
      },
      resumed,
    );
  }
}

/** Closes: destroys the sealed value, records closure, seals the signed bundle, tells everyone. */
export async function closeIncident(state: IncidentState, outcome: Outcome, note: string): Promise<void> {
  const plan = state.plan!;
  state.waitingOn = null;
  if (state.input.sealedValueHandle) {
    await bookkeeping.destroySealedValue(state.input.sealedValueHandle);
    state.record(
      'sealed-value.destroyed',
      'the sealed leaked value was destroyed',
      { actor: WORKER, delegatedBy: { type: 'policy', id: plan.policy.id } },
      { handle: state.input.sealedValueHandle },
    );
  }
  // The outcome shows together with the closed phase: a status never reads "canary" while still planning.
  state.outcome = outcome;
  state.closedAt = now();
  state.phase = 'closed';
  state.record(
    'incident.closed',
    `closed: ${outcome}`,
    {
      actor: WORKER,
      delegatedBy: state.verification?.verifiedBy
        ? verifierDelegator(state, state.verification.verifiedBy)
        : { type: 'policy', id: plan.policy.id },
    },
    {
      outcome,
      // Workloads the exposure report found are proposed for the catalog (YAML) in the closure note.
      closureNote: [note, catalogProposal(state)].filter(Boolean).join('\n\n'),
      roles: {
        primary: plan.primary.id,
        backup: plan.backupApprovers[0]?.id,
        verifier: state.verifier?.id,
        approvers: state.decision?.by ?? [],
      },
      durationsMs: durations(state),
    },
  );
  state.notify(
    'closed',
    dedupe([plan.primary, ...(state.verifier ? [state.verifier] : [])]),
    `Incident for ${plan.secret.id} closed: ${outcome}.`,
  );
  // Older runs never called the activity: the patch keeps their histories replayable.
  if (
    (outcome === 'contained' || outcome === 'rotated') &&
    state.sourceAlerts.length > 0 &&
    hasPatch('close-source-alerts')
  ) {
    await closeSourceAlerts(state);
  }
  await state.flush();
  await bookkeeping.sealClosureBundle(state.incidentId);
}

/**
 * Tells each scanning source (GitHub secret scanning) that its alert's credential was revoked.
 * The incident is already closed: a failure is recorded as evidence and never reopens it.
 */
async function closeSourceAlerts(state: IncidentState): Promise<void> {
  const plan = state.plan!;
  const delegatedBy = state.verification?.verifiedBy
    ? verifierDelegator(state, state.verification.verifiedBy)
    : { type: 'policy' as const, id: plan.policy.id };
  for (const alert of state.sourceAlerts) {
    const where = `${alert.provider} alert ${alert.repository}#${alert.number}`;
    try {
      const [closed] = await sourceAlerts.closeSourceAlerts({ incidentId: state.incidentId, alerts: [alert] });
      const summary = closed?.answer.alreadyDone ? `${where} was already resolved` : `${where} resolved as revoked`;
      state.record('source-alert.closed', summary, { actor: WORKER, delegatedBy }, { alert }, closed?.answer);
    } catch (error) {
      state.record(
        'source-alert.close-failed',
        `could not close ${where}: ${describe(error)}`,
        { actor: WORKER, delegatedBy },
        { alert },
      );
    }
  }
}

function durations(state: IncidentState): Record<string, number | undefined> {
  const at = (kind: string) => state.timeline.find((entry) => entry.kind === kind)?.at;
  const between = (from?: string, to?: string) => (from && to ? Date.parse(to) - Date.parse(from) : undefined);
  const detected = state.input.firstSighting.detectedAt;
  const decided = at('decision.made');
  const contained = at('credential.revoked') ?? at('manual-containment.confirmed');
  const verified = at('verification.confirmed');
  return {
    detectionToDecision: between(detected, decided),
    decisionToContainment: between(decided, contained),
    containmentToVerification: between(contained, verified),
    detectionToClosure: between(detected, now()),
  };
}
