import type { ContainmentAction } from '../domain/catalog';
import type { EvidenceDraft } from '../domain/evidence';
import type { IncidentInput, IncidentPlan, PersonRef, RoleSourceRecord } from '../domain/incident';
import { containmentChoices, type IncidentNotification, type UndeliverableNotice } from '../integrations/ports';
import { TourniquetError } from '../domain/errors';
import type { ActivityDeps } from './deps';
import { mappingErrors } from './map-errors';

/** Activities that keep the incident's books: plan, evidence, notifications, sealed values. */
export function createBookkeepingActivities(deps: ActivityDeps) {
  // "What acted" is this worker's identity for worker actions.
  const withWorker = (draft: EvidenceDraft): EvidenceDraft =>
    draft.actor.type === 'worker' && !draft.actor.id
      ? { ...draft, actor: { ...draft.actor, id: deps.workerIdentity } }
      : draft;
  return {
    /** Resolves roles and policy from the catalog. Pure look-up: safe to retry. */
    async planIncident(input: IncidentInput): Promise<IncidentPlan> {
      return mappingErrors(async () => {
        const fromCatalog = deps.directory.planIncident(input);
        // Live sources (on-call tools, Backstage) refine the catalog's roles; a source down never fails this.
        const plan = deps.liveRoles ? await deps.liveRoles.refine(fromCatalog, input) : fromCatalog;
        if (!deps.providers.has(plan.secret.provider)) {
          plan.findings.push(`no adapter for provider "${plan.secret.provider}": contained by hand`);
          plan.containment = 'manual';
        } else {
          const provider = deps.providers.provider(plan.secret.provider);
          if (provider.requiresHuman) plan.containment = 'manual';
          else limitToProvider(plan, containmentChoices(provider));
          if (provider.rotationEffects) plan.rotationEffects = { ...provider.rotationEffects };
        }
        return deps.timerCapMs ? capTimers(plan, deps.timerCapMs) : plan;
      });
    },

    /**
     * Who backs up right now, asked of the owner team's on-call tool at escalation (the schedule may
     * have rotated since planning). Read-only; falls back to the plan's backups when the tool is down.
     */
    async backupApproversNow(plan: IncidentPlan): Promise<{ backups: PersonRef[]; record: RoleSourceRecord }> {
      return mappingErrors(async () =>
        deps.liveRoles ? deps.liveRoles.backupsNow(plan) : { backups: plan.backupApprovers, record: noSource(plan) },
      );
    },

    /**
     * Appends one evidence record. Idempotent by (incidentId, seq): a retry returns the stored record.
     * Fills "what acted" with this worker's identity for worker actions.
     */
    async appendEvidence(draft: EvidenceDraft): Promise<{ hash: string }> {
      return mappingErrors(async () => {
        const record = await deps.evidence.append(withWorker(draft));
        return { hash: record.hash };
      });
    },

    /**
     * Appends several evidence records in seq order, in one transaction (a burst of sightings is one
     * activity, not one each). Idempotent like appendEvidence: a retry skips the records already stored.
     */
    async appendEvidenceBatch(drafts: EvidenceDraft[]): Promise<{ appended: number }> {
      return mappingErrors(async () => {
        await deps.evidence.appendAll(drafts.map(withWorker));
        return { appended: drafts.length };
      });
    },

    /** Delivers one notification; the notifier dedupes on notification.key, so retries post once. */
    async notify(notification: IncidentNotification): Promise<void> {
      return mappingErrors(() => deps.notifier.notify(notification));
    },

    /**
     * Delivers several notifications in order, one after the other (those an incident queued while the
     * one before them was sent). Deduped on each key like notify: a retry, or the workflow sending them
     * one by one after this failed, posts each once. A notification refused for good (no retry can fix
     * it: an unknown user, a revoked token) stops the delivery there and is answered, not thrown: the
     * workflow records it as undelivered and sends the ones after it itself, and the ones before it
     * are not sent again.
     */
    async notifyInOrder(notifications: IncidentNotification[]): Promise<NotificationsInOrder> {
      return mappingErrors(async () => {
        for (const notification of notifications) {
          try {
            await deps.notifier.notify(notification);
          } catch (error) {
            if (!(error instanceof TourniquetError) || error.retryable) throw error;
            return { refused: { key: notification.key, type: error.code, message: error.message } };
          }
        }
        return {};
      });
    },

    /**
     * Tells the operators' fallback channel of a notification the notifier could not deliver;
     * answers the channel used. Without a configured channel: the log at error level.
     */
    async tellFallbackChannel(notice: UndeliverableNotice): Promise<{ channel: string }> {
      return mappingErrors(async () => {
        if (deps.fallback) return deps.fallback.tell(notice);
        deps.logger.error(
          { incidentId: notice.incidentId, key: notice.key, to: notice.to },
          `undeliverable notification: ${notice.text}`,
        );
        return { channel: 'log' };
      });
    },

    /** Destroys a sealed value; destroying twice is harmless. */
    async destroySealedValue(handle: string): Promise<void> {
      return mappingErrors(() => deps.vault.destroy(handle));
    },

    /** Builds, signs and archives the closure bundle. Idempotent per incident. */
    async sealClosureBundle(incidentId: string): Promise<{ bundleHash: string } | undefined> {
      return mappingErrors(async () => deps.sealClosureBundle?.(incidentId));
    },
  };
}

/** What notifyInOrder answers: the notification refused for good, if one was (those after it were not sent). */
export interface NotificationsInOrder {
  refused?: { key: string; type: string; message: string };
}

function noSource(plan: IncidentPlan): RoleSourceRecord {
  return {
    source: 'pagerduty',
    team: plan.secret.ownerTeam,
    request: 'not sent',
    at: new Date().toISOString(),
    outcome: 'unreachable',
    error: 'no live on-call source is configured',
    fallback: 'catalog backup approvers',
  };
}

function capTimers(plan: IncidentPlan, capMs: number): IncidentPlan {
  const cap = (ms: number) => Math.min(ms, capMs);
  const policy = plan.policy;
  return {
    ...plan,
    policy: {
      ...policy,
      decisionTimeoutMs: cap(policy.decisionTimeoutMs),
      backupTimeoutMs: cap(policy.backupTimeoutMs),
      handoffReminderMs: Math.min(policy.handoffReminderMs, Math.ceil(capMs / 2)),
      handoffTimeoutMs: cap(policy.handoffTimeoutMs),
      ...(policy.deathProofTimeoutMs ? { deathProofTimeoutMs: cap(policy.deathProofTimeoutMs) } : {}),
    },
  };
}

/**
 * Offers only what the provider can do. A policy action it cannot do (auto-contain or fallback
 * `rotate` on a token provider that cannot issue tokens) becomes `revoke`, with a finding saying so,
 * instead of failing at containment time.
 */
function limitToProvider(plan: IncidentPlan, choices: ContainmentAction[]): void {
  plan.choices = choices;
  const provider = plan.secret.provider;
  const auto = plan.policy.autoContain;
  if (auto && !choices.includes(auto.action) && choices.includes('revoke')) {
    plan.findings.push(`provider "${provider}" cannot ${auto.action}: the auto-contain rule revokes instead`);
    plan.policy.autoContain = { ...auto, action: 'revoke' };
  }
  const fallback = plan.policy.fallback;
  if (fallback !== 'wait' && !choices.includes(fallback) && choices.includes('revoke')) {
    plan.findings.push(`provider "${provider}" cannot ${fallback}: the policy fallback revokes instead`);
    plan.policy.fallback = 'revoke';
  }
}
