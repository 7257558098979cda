import { bookkeeping } from './activity-stubs';
import { assessBlastRadius } from './exposure-phase';
import { dedupe } from './handoff';
import { WORKER, type IncidentState } from './incident-state';

/** Who plays which role for this incident, and where the roles came from. */
export function recordRoles(state: IncidentState): void {
  const plan = state.plan!;
  state.record(
    'roles.resolved',
    `primary ${plan.primary.id}, backup ${plan.backupApprovers[0]?.id ?? '(none)'}, verifier candidates ${plan.verifierCandidates.map((p) => p.id).join(', ')}`,
    { actor: WORKER, delegatedBy: { type: 'policy', id: plan.policy.id } },
    {
      primary: plan.primary.id,
      backupApprovers: plan.backupApprovers.map((p) => p.id),
      verifierCandidates: plan.verifierCandidates.map((p) => p.id),
      executors: plan.executors.map((p) => p.id),
      findings: plan.findings,
      ...(plan.roleSources ? { sources: plan.roleSources } : { sources: [{ source: 'catalog' }] }),
    },
  );
}

/**
 * A report named the catalog secret of an incident opened without one (its first report had only
 * the value): the main flow re-plans before anyone decides. Once decided, the incident keeps its plan.
 */
export function noteIdentity(state: IncidentState, secretId: string | undefined): void {
  if (!secretId || !state.identifiesLater || state.input.secretId || state.input.drill) return;
  // Before planning too (both reports in the first workflow task): the plan made from the first report is redone.
  if (state.decision) return;
  state.pendingIdentity = secretId;
}

/**
 * Re-plans for the catalog secret a later report named: its owners, policy and provider replace
 * the defaults the unknown credential was routed to; the people first asked are told who has it now.
 */
export async function reidentify(state: IncidentState): Promise<void> {
  const secretId = state.pendingIdentity!;
  state.pendingIdentity = undefined;
  const before = state.plan!;
  state.input.secretId = secretId;
  state.phase = 'planning';
  state.approvals = [];
  state.allowedApprovers.clear();
  state.waitingOn = null;
  // A regular activity: code after a local activity's answer is where replay and the run can part (workflows/patches.ts).
  state.plan = await bookkeeping.planIncident(state.input);
  const plan = state.plan;
  state.record(
    'incident.identified',
    `a later report named the catalog secret ${secretId}: re-planned for team ${plan.secret.ownerTeam}`,
    { actor: WORKER, delegatedBy: { type: 'policy', id: plan.policy.id } },
    {
      secretId,
      provider: plan.secret.provider,
      ownerTeam: plan.secret.ownerTeam,
      tier: plan.secret.tier,
      previous: { ownerTeam: before.secret.ownerTeam, primary: before.primary.id, policy: before.policy.id },
    },
  );
  recordRoles(state);
  state.notify(
    'incident-opened',
    dedupe([plan.primary, before.primary]),
    `Leaked credential identified as ${plan.secret.id} (${plan.secret.tier}): team ${plan.secret.ownerTeam} has it now.`,
  );
  assessBlastRadius(state);
}
