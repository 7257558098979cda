import type {
  EvidenceActor,
  EvidenceDelegator,
  EvidenceDraft,
  EvidencePolicyRef,
  ProviderAnswer,
} from '../domain/evidence';
import type { IncidentCarry, ResumePoint } from '../domain/incident-carry';
import type { DependentCandidate, ExposureStatus, SessionSeen } from '../domain/exposure';
import type {
  Approval,
  CandidateConfirmation,
  DecisionChoice,
  DependentState,
  IncidentInput,
  IncidentPlan,
  IncidentStatus,
  IncidentSummary,
  Outcome,
  PersonRef,
  Phase,
  ReportedValue,
  Sighting,
  SourceAlertRef,
  TimelineEntry,
} from '../domain/incident';
import { DECISION_CHOICES } from '../domain/incident';
import type { IncidentNotification, NotificationKind } from '../integrations/ports';
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  condition,
  log,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { IncidentListing } from '../domain/incident-listing';
import { LISTING_MEMO_KEY } from '../domain/memo-keys';
import { bookkeeping, messaging, messagingTogether, noActivityInFlight } from './activity-stubs';
import { hasPatch } from './patches';

/** Who acted and on whose behalf, for one evidence record. */
export interface Attribution {
  actor: EvidenceActor;
  delegatedBy: EvidenceDelegator;
  policyInputs?: Record<string, unknown>;
}

export const WORKER: EvidenceActor = { type: 'worker', id: '' };

/** Defaults for plans made before these policy fields existed. */
export const BOUNDS = { handoffReminders: 5, containmentAttempts: 3, continueAsNewAfterEvents: 4_000 } as const;
/** How many of the most recent actions a status card and an update result carry. */
const SUMMARY_ACTIONS = 10;
/** How long notifications, evidence appends and the blast radius wait at most for a containment's provider call. */
const HOLD_FOR_PROVIDER_CALL_MS = 2_000;
/** Evidence records appended by one activity: a burst of sightings is a few activities, not one each. */
const EVIDENCE_BATCH = 100;
/** Notifications sent by one activity (patch 'notifications-together'): each carries the status card, ~2 kB. */
const NOTIFICATIONS_TOGETHER = 10;

/** The role people are waited on in, by phase (the listing's waitingOnRole). */
const WAITING_ROLE: Partial<Record<Phase, string>> = {
  'awaiting-decision': 'decision-makers',
  'escalated-to-backup': 'backup-approvers',
  'escalated-to-escalation-contacts': 'escalation-contacts',
  'needs-attention': 'decision-makers',
  'awaiting-manual-containment': 'executors',
  'awaiting-verification': 'verifier',
  'awaiting-acknowledgement': 'dependent-owners',
};

/** A candidate a person confirmed, and what became of its workload. */
export interface ConfirmedCandidate extends CandidateConfirmation {
  seen: DependentCandidate;
  state: 'confirmed' | 'disabled' | 'enabled-again' | 'failed';
}

/**
 * The incident's in-memory state: what the status query answers, the ordered evidence chain and
 * the outgoing notifications. Deterministic: time is workflow time, ordering is call order.
 */
export class IncidentState {
  phase: Phase = 'planning';
  plan: IncidentPlan | undefined;
  approvals: Approval[] = [];
  allowedApprovers = new Set<string>();
  allowedExecutors = new Set<string>();
  allowedVerifiers = new Set<string>();
  /** Per dependent id: who may acknowledge its shutdown. */
  allowedAckers: Record<string, Set<string>> = {};
  decision: IncidentStatus['decision'] = null;
  dependents: DependentState[] = [];
  verifier: PersonRef | undefined;
  /** True while no catalog person may verify and the escalation contacts are asked to name one. */
  verifierWanted = false;
  verification: IncidentStatus['verification'] = null;
  manualConfirmation: { by: string; note: string; reference?: string } | undefined;
  waitingOn: IncidentStatus['waitingOn'] = null;
  outcome: Outcome | null = null;
  /** The state a failed containment left the credential in, told to the people asked to decide again. */
  lastFailure: string | undefined;
  closedAt: string | undefined;
  openedAt = now();
  /**
   * Bounded history (patch 'bounded-history'): evidence appended in batches, reminders that back
   * off and stop, a bounded decide → contain loop, continue-as-new when the history grows long.
   * False while replaying incidents that started before it.
   */
  bounded = false;
  /**
   * Patch 'settled-handoff-answers', decided when the run starts (never inside an update handler):
   * a verification or acknowledgement is answered once the main flow has acted on it.
   */
  settledAnswers = false;
  /**
   * Patch 'identified-by-later-report', decided when the run starts: a report naming the catalog
   * secret of an incident opened without one re-plans it before anyone decides.
   */
  identifiesLater = false;
  /**
   * Patch 'revocation-local-first', decided when the run starts (before planning, see patches.ts):
   * the revocation's first attempt runs as a local activity.
   */
  revocationLocalFirst = false;
  /**
   * Patch 'local-call-alone', decided when the run starts: a local activity runs alone (beginLocalCall).
   */
  localCallAlone = false;
  /**
   * Patch 'notifications-together', decided when the run starts: notifications queued while the one
   * before them is being sent go out together (notify).
   */
  notificationsTogether = false;
  /** The catalog secret a later report named, until the main flow re-plans for it. */
  pendingIdentity: string | undefined;
  /** Whether the handoff the main flow waits on now is done (undefined while it waits on none). */
  awaitedHandoff: (() => boolean) | undefined;
  /** Handoffs (verification, acknowledgements, manual containment) the main flow has seen answered. */
  handoffsSettled = 0;
  /** Failed containments so far. */
  containmentAttempts = 0;
  /** Runs used so far by this incident (continue-as-new keeps the incident, starts a new run). */
  runs = 1;
  /** The exposure report's short form (workflows/exposure-phase.ts). */
  exposure: ExposureStatus | undefined;
  /** The role's sessions that containment ended, as the provider saw them (PostgreSQL), for the exposure report. */
  sessionsAtContainment: SessionSeen[] | undefined;
  /** The latest exposure report's dependent candidates, and those a person confirmed. */
  exposureCandidates: DependentCandidate[] = [];
  readonly confirmedCandidates: ConfirmedCandidate[] = [];
  readonly timeline: TimelineEntry[] = [];
  readonly actions: TimelineEntry[] = [];
  /** Teams of people who joined by delegation (the plan knows the teams of its own role people). */
  readonly teamsOf: Record<string, string[]> = {};
  /** People a pending decision was delegated to, with who delegated it. */
  readonly delegates: Array<PersonRef & { delegatedBy: string }> = [];
  /** People who decided or executed: none of them may verify. */
  readonly conflicted = new Set<string>();
  /** Reports that arrived after closure: the next incident of this credential. */
  readonly lateReports: Array<{ sighting: Sighting; value?: ReportedValue }> = [];
  /** Scanning alerts of this incident's sightings, closed as revoked once it is contained. */
  readonly sourceAlerts: SourceAlertRef[] = [];
  private readonly sightingKeys = new Set<string>();
  private evidenceSeq = 0;
  private evidenceChain: Promise<unknown> = Promise.resolve();
  private readonly unsentEvidence: EvidenceDraft[] = [];
  private sendingEvidence = false;
  /**
   * Settling before continue-as-new: only full evidence batches go out; the rest of the queue and
   * the sealed copies still to destroy are left to the next run (patch 'bounded-roll-over').
   */
  private settling = false;
  private readonly copiesToDestroy: string[] = [];
  private notificationSeq = 0;
  private listedAs: string | undefined;
  private readonly pendingNotifications: Promise<unknown>[] = [];
  private readonly pendingCleanups: Promise<unknown>[] = [];
  /** The last notification sent: the next one goes out after it, so people read them in order. */
  private notificationChain: Promise<unknown> = Promise.resolve();
  /** Notifications waiting in the chain to go out together (patch 'notifications-together'). */
  private waitingBatch: IncidentNotification[] | undefined;
  /** Set while background work waits for the provider call (holdBackgroundWork); resolved when it may start. */
  private backgroundHeld: Promise<void> | undefined;
  private releaseHeld: (() => void) | undefined;
  /** Set while a local activity runs alone (beginLocalCall): a hold's time limit does not end the hold. */
  private localCallRunning = false;
  /** Whether the current hold has a time limit (a local call's alone has none). */
  private holdLimited = false;
  /** The hold's time limit ended while a local activity ran alone: its end releases the hold. */
  private limitPassedDuringCall = false;

  constructor(
    readonly input: IncidentInput,
    readonly incidentId: string,
    readonly workflowId: string,
  ) {
    this.sightingKeys.add(sightingKey(input.firstSighting));
    this.noteSourceAlert(input.firstSighting);
  }

  /** Remembers the sighting's scanning alert once, however many deliveries report it. */
  noteSourceAlert(sighting: Sighting): void {
    const alert = sighting.sourceAlert;
    if (!alert) return;
    const same = (known: SourceAlertRef) =>
      known.provider === alert.provider && known.repository === alert.repository && known.number === alert.number;
    if (!this.sourceAlerts.some(same))
      this.sourceAlerts.push({ provider: alert.provider, repository: alert.repository, number: alert.number });
  }

  /** Adds a sighting unless the same source already reported it under the same reference. */
  addSighting(sighting: Sighting): boolean {
    const key = sightingKey(sighting);
    if (this.sightingKeys.has(key)) return false;
    this.sightingKeys.add(key);
    return true;
  }

  get sightingCount(): number {
    return this.sightingKeys.size;
  }

  get nextEvidenceSeq(): number {
    return this.evidenceSeq;
  }

  get nextNotificationSeq(): number {
    return this.notificationSeq;
  }

  carriedSightingKeys(): string[] {
    return [...this.sightingKeys];
  }

  /** A continued run goes on with the previous run's sightings and evidence and notification numbers. */
  continueFrom(sightingKeys: string[], evidenceSeq: number, notificationSeq: number): void {
    this.sightingKeys.clear();
    sightingKeys.forEach((key) => this.sightingKeys.add(key));
    this.evidenceSeq = evidenceSeq;
    this.notificationSeq = notificationSeq;
  }

  /**
   * Appends an evidence record and a timeline entry. Appends are chained so records reach the
   * store in seq order even when a signal handler records while the main flow does too.
   */
  record(
    kind: string,
    summary: string,
    attribution: Attribution,
    details: Record<string, unknown> = {},
    providerAnswer?: ProviderAnswer,
  ): void {
    const at = this.timeOf(providerAnswer);
    this.timeline.push({ at, kind, summary });
    const draft = {
      incidentId: this.incidentId,
      seq: this.evidenceSeq++,
      kind,
      at,
      actor: attribution.actor,
      delegatedBy: attribution.delegatedBy,
      policy: this.policyRef(attribution.policyInputs),
      details: { summary, ...details },
      providerAnswer,
    };
    // workflow.log goes out through a sink (never during replay) with workflowId and runId attached.
    log.info('evidence recorded', { incidentId: this.incidentId, kind, seq: draft.seq });
    if (!this.bounded) {
      this.evidenceChain = this.evidenceChain.then(() => bookkeeping.appendEvidence(draft));
      return;
    }
    this.unsentEvidence.push(draft);
    this.startSendingEvidence();
  }

  private startSendingEvidence(): void {
    if (this.backgroundHeld || this.sendingEvidence || this.unsentEvidence.length < this.smallestBatch()) return;
    this.sendingEvidence = true;
    this.evidenceChain = this.evidenceChain.then(() => this.sendEvidence());
  }

  /** Appends what is queued, in seq order, a batch per activity, until the queue is empty (settling: until less than a batch is left). */
  private async sendEvidence(): Promise<void> {
    // A hold (holdBackgroundWork) stops the loop between batches; the release starts it again.
    while (!this.backgroundHeld && this.unsentEvidence.length >= this.smallestBatch()) {
      await bookkeeping.appendEvidenceBatch(this.unsentEvidence.splice(0, EVIDENCE_BATCH));
    }
    this.sendingEvidence = false;
  }

  private smallestBatch(): number {
    return this.settling ? EVIDENCE_BATCH : 1;
  }

  /** Records a provider action both as evidence and in the status card's action list. */
  recordAction(
    kind: string,
    summary: string,
    attribution: Attribution,
    details: Record<string, unknown>,
    answer?: ProviderAnswer,
  ): void {
    this.actions.push({ at: this.timeOf(answer), kind, summary });
    this.record(kind, summary, attribution, details, answer);
  }

  /**
   * When a step happened: the provider's answer time when there is one (patch 'revocation-local-first'),
   * else the workflow's clock. A local activity runs inside a workflow task, whose clock does not move
   * with it: on that clock a revocation would read as done before the provider answered.
   */
  private timeOf(answer: ProviderAnswer | undefined): string {
    return this.revocationLocalFirst && answer?.at ? answer.at : now();
  }

  /** Sends a notification in the background: a Slack outage delays it but never blocks the incident. */
  notify(kind: NotificationKind, to: PersonRef[], message: string): void {
    // Drill messages are real (real people must answer them) and say plainly that they are a drill.
    const text = this.input.drill ? `[DRILL] ${message}` : message;
    const notification = {
      key: `${this.incidentId}:${this.notificationSeq++}`,
      kind,
      incidentId: this.incidentId,
      to,
      text,
      status: this.summary(),
    };
    const send = () => this.sendOne(notification);
    // Behind a patch: older runs sent every notification at once, so they could arrive out of order.
    if (this.notificationsTogether) this.queueNotification(notification);
    else if (!hasPatch('ordered-notifications')) this.pendingNotifications.push(send());
    else {
      this.notificationChain = this.notificationChain.then(send);
      this.pendingNotifications.push(this.notificationChain);
    }
    this.publishListing();
  }

  private sendOne(notification: IncidentNotification): Promise<void> {
    return messaging.notify(notification).catch((error: unknown) => this.undelivered(notification, error));
  }

  /**
   * Queues a notification behind the one being sent (patch 'notifications-together'). Those queued
   * before the chain reaches them go out together, in order, as one activity: an incident that says it
   * opened and asks for a decision in the same workflow task sends both with one activity, where the
   * second waited for the first's answer and a workflow task of its own.
   */
  private queueNotification(notification: IncidentNotification): void {
    if (!this.waitingBatch) {
      const batch: IncidentNotification[] = [];
      this.waitingBatch = batch;
      this.notificationChain = this.notificationChain.then(() => this.sendTogether(batch));
      this.pendingNotifications.push(this.notificationChain);
    }
    this.waitingBatch.push(notification);
  }

  /** Sends a batch the chain reached, NOTIFICATIONS_TOGETHER per activity, in order. */
  private async sendTogether(batch: IncidentNotification[]): Promise<void> {
    if (this.waitingBatch === batch) this.waitingBatch = undefined;
    for (let from = 0; from < batch.length; from += NOTIFICATIONS_TOGETHER)
      await this.sendInOrder(batch.slice(from, from + NOTIFICATIONS_TOGETHER));
  }

  private async sendInOrder(batch: IncidentNotification[]): Promise<void> {
    if (batch.length === 1) return this.sendOne(batch[0]!);
    let rest: IncidentNotification[];
    try {
      const { refused } = await messagingTogether.notifyInOrder(batch);
      if (!refused) return;
      // Refused for good: undelivered as it would have been alone; those before it were delivered.
      const at = batch.findIndex((notification) => notification.key === refused.key);
      if (at < 0) rest = batch;
      else {
        this.undelivered(
          batch[at]!,
          ApplicationFailure.create({ type: refused.type, message: refused.message, nonRetryable: true }),
        );
        rest = batch.slice(at + 1);
      }
    } catch {
      // Still failing after its attempts (Slack down or slow): one by one, each with its retries and
      // fallbacks. The notifier dedupes on the key: what the batch delivered is not delivered twice.
      rest = batch;
    }
    for (const notification of rest) await this.sendOne(notification);
  }

  /**
   * Keeps the incident's listing in its memo, which visibility returns with every list: lists and
   * dashboards read it instead of querying (and replaying) each workflow. Refreshed whenever the
   * status card is (every notification), only when it changed. Behind a patch: older runs replay without it.
   */
  publishListing(): void {
    if (!hasPatch('visibility-listing')) return;
    const listing = this.listing();
    const json = JSON.stringify(listing);
    if (json === this.listedAs) return;
    this.listedAs = json;
    upsertMemo({ [LISTING_MEMO_KEY]: listing });
  }

  listing(): IncidentListing {
    const contained = this.actions.find(
      (action) => action.kind === 'credential.revoked' || action.kind === 'manual-containment.confirmed',
    );
    return {
      incidentId: this.incidentId,
      secretId: this.plan?.secret.id ?? this.input.secretId ?? null,
      phase: this.phase,
      ownerTeam: this.plan?.secret.ownerTeam ?? null,
      tier: this.plan?.secret.tier ?? null,
      waitingOn: this.waitingOn,
      waitingOnRole: this.waitingOn ? (WAITING_ROLE[this.phase] ?? null) : null,
      openedAt: this.openedAt,
      containedAt: contained?.at ?? null,
    };
  }

  /**
   * A notification its bounded retries could not deliver is never dropped silently: it is recorded
   * as evidence (`notification.failed`, with the reason) and told another way — to the escalation
   * contacts it was not meant for, or, when they cannot be reached either (or there are none), to
   * the operators' fallback channel. When the retries ended on an outage of the messaging service
   * itself (5xx, timeouts, rate limits), the fallback channel is told at once (patch
   * 'outage-to-fallback'; `outage: true` in the record). Each step happens once: a fallback that
   * fails is recorded and ends there. Behind a patch: older runs dropped the failure silently.
   */
  private undelivered(notification: IncidentNotification, error: unknown, escalation = false): void {
    if (!hasPatch('notification-failed')) return;
    const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    const people = notification.to.map((person) => person.id);
    // Slack itself did not answer (5xx, timeouts, rate limits, all retries used): a message to someone
    // else in Slack would wait out the same outage, so the operators' fallback channel is told at once.
    const outage = isOutage(cause) && hasPatch('outage-to-fallback');
    const others =
      escalation || outage
        ? []
        : (this.plan?.escalationContacts ?? []).filter((contact) => !people.includes(contact.id));
    const tellOthers = people.length > 0 && others.length > 0;
    this.record(
      'notification.failed',
      `could not deliver ${notification.kind} to ${people.join(', ') || 'the status card'}: ${reason}`,
      this.policyActor(),
      {
        kind: notification.kind,
        to: people,
        reason,
        escalatedTo: tellOthers ? others.map((person) => person.id) : [],
        fallback: !tellOthers && people.length > 0,
        ...(outage ? { outage: true } : {}),
      },
    );
    // A card refresh that failed is retried by the next one; people who were not reached are told.
    if (people.length === 0) return;
    if (tellOthers) {
      const retry = {
        ...notification,
        key: `${notification.key}:undelivered`,
        kind: 'needs-attention' as const,
        to: others,
        text: `Tourniquet could not reach ${people.join(', ')} (${reason}) about ${this.plan?.secret.id ?? 'an incident'}: "${notification.text}" Please reach them another way.`,
      };
      this.pendingNotifications.push(
        messaging.notify(retry).catch((failure: unknown) => this.undelivered(retry, failure, true)),
      );
      return;
    }
    const notice = {
      incidentId: this.incidentId,
      key: notification.key,
      kind: notification.kind,
      to: people,
      reason,
      text: `Could not reach ${people.join(', ')} (${reason}): ${notification.text}`,
    };
    this.pendingNotifications.push(
      messaging.tellFallbackChannel(notice).then(
        ({ channel }) =>
          this.record(
            'notification.rerouted',
            `told the operators (${channel}) that ${people.join(', ')} could not be reached`,
            this.policyActor(),
            { kind: notification.kind, to: people, channel },
          ),
        (failure: unknown) => {
          const why = failure instanceof ActivityFailure && failure.cause ? failure.cause : failure;
          this.record(
            'notification.failed',
            `could not tell the fallback channel either: ${why instanceof Error ? why.message : String(why)}`,
            this.policyActor(),
            {
              kind: notification.kind,
              to: people,
              reason: why instanceof Error ? why.message : String(why),
              channel: 'fallback',
            },
          );
        },
      ),
    );
  }

  private policyActor(): Attribution {
    return { actor: WORKER, delegatedBy: { type: 'policy', id: this.plan?.policy.id ?? 'catalog-default' } };
  }

  /**
   * Refreshes the status card without messaging anyone. Behind a patch: incidents started before
   * it existed replay without these notifications.
   */
  progress(text: string): void {
    if (hasPatch('card-progress')) this.notify('progress', [], text);
  }

  /**
   * Destroys, in the background, the sealed copy a later report of an open incident brought: the
   * incident contains with its own copy, and a copy nobody uses must not outlive it.
   */
  discardSealedCopy(handle: string): void {
    // Held with the rest of the background work (patch 'local-call-alone'), or left to the next run.
    if (this.settling || (this.localCallAlone && this.backgroundHeld)) {
      this.copiesToDestroy.push(handle);
      return;
    }
    this.pendingCleanups.push(
      bookkeeping
        .destroySealedValue(handle)
        .catch(() =>
          this.record(
            'sealed-value.destroy-failed',
            'a sealed copy of a later report could not be destroyed',
            { actor: WORKER, delegatedBy: { type: 'policy', id: this.plan?.policy.id ?? 'catalog-default' } },
            { handle },
          ),
        ),
    );
  }

  /**
   * An incident the policy contains at once (patch 'provider-call-first'): evidence appends,
   * notifications and the blast radius wait until the provider call has answered, at most `atMostMs`.
   * Started beside it, they ran on the same worker's event loop and the revocation took 49 ms where
   * the bare call takes 13 ms; their workflow tasks also kept the revocation's result waiting.
   * Everything is still recorded in the workflow's state at once: only its delivery waits.
   */
  holdBackgroundWork(atMostMs = HOLD_FOR_PROVIDER_CALL_MS): void {
    if (this.backgroundHeld) {
      // A local call's hold (patch 'local-call-alone') has no time limit: the provider call's hold gives it one.
      if (this.localCallAlone && !this.holdLimited) this.limitHold(atMostMs);
      return;
    }
    this.hold();
    this.limitHold(atMostMs);
  }

  private hold(): void {
    // Notifications queued from now on wait for the hold's end, not with a batch the chain reaches before it.
    this.waitingBatch = undefined;
    this.backgroundHeld = new Promise((resolve) => (this.releaseHeld = resolve));
    this.notificationChain = this.notificationChain.then(() => this.backgroundHeld);
  }

  /** Releases the hold after `atMostMs` (holdLimitPassed). */
  private limitHold(atMostMs: number): void {
    this.holdLimited = true;
    void condition(() => this.backgroundHeld === undefined, atMostMs).then(() => this.holdLimitPassed());
  }

  /**
   * The hold's time limit passed: the hold ends now, unless a local activity runs alone; then that
   * call's end releases it (endLocalCall).
   */
  holdLimitPassed(): void {
    if (this.localCallRunning) this.limitPassedDuringCall = true;
    else this.releaseBackgroundWork();
  }

  /**
   * Before a local activity (patch 'local-call-alone'): whether it may run now, alone. When a query
   * is answered while a local activity runs, the SDK may report the workflow task with the local
   * activity's result and resume the workflow with that result only in the next task, after what
   * that task brought (an activity's answer, a timer, a signal). A replay resumes it at once, inside
   * the first task. Had those others scheduled anything, the replay would meet the commands in
   * another order: "Activity type of scheduled event 'appendEvidenceBatch' does not match activity
   * type of activity command 'endDerivedSessions'" (test/replay/unreplayable). So a local activity
   * runs only when no activity of the run is in flight (else the caller runs it as an activity,
   * whose answer history orders), with background work held (evidence, notifications, the blast
   * radius, sealed copies to destroy) until the caller releases it: signals and timers that arrive
   * beside its answer schedule nothing, and updates are refused meanwhile (handlers.ts).
   */
  beginLocalCall(): boolean {
    if (!this.localCallAlone) return true;
    if (!noActivityInFlight()) return false;
    if (!this.backgroundHeld) this.hold();
    this.localCallRunning = true;
    return true;
  }

  /** Whether a local activity runs alone now (beginLocalCall): updates are refused meanwhile. */
  get localCallInProgress(): boolean {
    return this.localCallRunning;
  }

  /**
   * The local activity answered (or failed): what it held waits for releaseBackgroundWork, unless
   * the hold's time limit passed meanwhile (a slow provider, whose fallback activity may retry for
   * minutes): then it is released now.
   */
  endLocalCall(): void {
    this.localCallRunning = false;
    if (this.limitPassedDuringCall) this.releaseBackgroundWork();
  }

  /** The provider call answered (or failed, or took too long): what was held starts now, in order. */
  releaseBackgroundWork(): void {
    if (!this.backgroundHeld) return;
    this.releaseHeld!();
    this.backgroundHeld = undefined;
    this.releaseHeld = undefined;
    this.holdLimited = false;
    this.limitPassedDuringCall = false;
    this.startSendingEvidence();
    if (this.localCallAlone && !this.settling)
      this.copiesToDestroy.splice(0).forEach((handle) => this.discardSealedCopy(handle));
  }

  /** Resolves once background work may start. */
  backgroundAllowed(): Promise<void> {
    return this.backgroundHeld ?? Promise.resolve();
  }

  get holdingBackground(): boolean {
    return this.backgroundHeld !== undefined;
  }

  /** Waits until every evidence record, notification and clean-up sent so far has been delivered. */
  async flush(): Promise<void> {
    this.releaseBackgroundWork();
    await this.evidenceChain;
    await Promise.all(this.pendingNotifications);
    await Promise.all(this.pendingCleanups);
    if (!hasPatch('notification-failed')) return;
    // A failed notification records evidence and tells someone else: wait for those too.
    let settled = -1;
    // In flight, not merely queued: while settling, less than a batch stays queued for the next run, and
    // waiting on it here spun forever on resolved promises (a busy loop that overflowed the worker
    // thread's async-hooks stack). Outside settling a single queued record is already in flight.
    while (settled !== this.pendingNotifications.length + this.pendingCleanups.length || this.evidenceInFlight) {
      settled = this.pendingNotifications.length + this.pendingCleanups.length;
      await Promise.all(this.pendingNotifications);
      await Promise.all(this.pendingCleanups);
      await this.evidenceChain;
    }
  }

  /**
   * Before continue-as-new (patch 'bounded-roll-over'): waits for what is in flight (evidence
   * batches, notifications, clean-ups) and starts nothing new but full evidence batches. What is
   * left (less than a batch of evidence, sealed copies to destroy) goes to the next run with
   * `carryOf`, so sightings that keep arriving cannot keep this run, and its history, growing.
   */
  async settleForRollOver(): Promise<void> {
    this.settling = true;
    for (;;) {
      const notifications = this.pendingNotifications.length;
      const cleanups = this.pendingCleanups.length;
      await this.flush();
      const quiet = notifications === this.pendingNotifications.length && cleanups === this.pendingCleanups.length;
      if (quiet && !this.sendingEvidence) return;
    }
  }

  /** What settling left for the next run: evidence records not yet appended, sealed copies not yet destroyed. */
  leftForNextRun(): { evidence: EvidenceDraft[]; sealedCopies: string[] } {
    return { evidence: [...this.unsentEvidence], sealedCopies: [...this.copiesToDestroy] };
  }

  /** A continued run first appends and destroys what the previous run left (in seq order, before its own records). */
  takeOverFromPreviousRun(evidence: EvidenceDraft[], sealedCopies: string[]): void {
    this.unsentEvidence.unshift(...evidence);
    this.startSendingEvidence();
    sealedCopies.forEach((handle) => this.discardSealedCopy(handle));
  }

  /** True while evidence is being appended or will be without anything else happening (a full batch queued). */
  private get evidenceInFlight(): boolean {
    return this.sendingEvidence || this.unsentEvidence.length >= this.smallestBatch();
  }

  /** True while evidence is queued or being appended (a handler may record during a flush). */
  get evidencePending(): boolean {
    return this.unsentEvidence.length > 0 || this.sendingEvidence;
  }

  /** The history is long: Temporal suggests a new run, or the policy's event count is reached. */
  rollOverDue(): boolean {
    if (!this.bounded) return false;
    const info = workflowInfo();
    const limit = this.plan?.policy.continueAsNewAfterEvents ?? BOUNDS.continueAsNewAfterEvents;
    return info.continueAsNewSuggested || info.historyLength >= limit;
  }

  waitFor(people: PersonRef[], what: string, untilMs?: number): void {
    this.waitingOn = {
      people: people.map((person) => person.id),
      for: what,
      until: untilMs ? new Date(Date.now() + untilMs).toISOString() : undefined,
    };
  }

  /** A person the plan names in any role. */
  person(id: string): PersonRef | undefined {
    const plan = this.plan;
    if (!plan) return undefined;
    return [
      ...this.delegates,
      plan.primary,
      ...plan.decisionMakers,
      ...plan.backupApprovers,
      ...plan.verifierCandidates,
      ...plan.executors,
      ...plan.escalationContacts,
    ].find((candidate) => candidate.id === id);
  }

  /** People who may name a verifier when no candidate may verify: the escalation contacts, else the decision makers. */
  verifierAssigners(): PersonRef[] {
    const plan = this.plan!;
    return plan.escalationContacts.length > 0 ? plan.escalationContacts : plan.decisionMakers;
  }

  tally(): { choice: DecisionChoice; by: string[] } | undefined {
    const required = this.plan?.policy.approvalsRequired ?? 1;
    for (const choice of ['revoke', 'rotate', 'false-positive'] as const) {
      const by = this.approvals.filter((approval) => approval.choice === choice).map((approval) => approval.by);
      if (new Set(by).size < required) continue;
      if (this.plan?.policy.approvalsFromDistinctTeams && this.teamsCovered(by) < required) continue;
      return { choice, by };
    }
    return undefined;
  }

  /**
   * How many different teams these approvers can stand for, each person for one of their teams:
   * the largest matching of approvers to distinct teams (a person in two teams may count for either).
   */
  teamsCovered(approvers: string[]): number {
    const teamsOf = (id: string) => this.teamsOf[id] ?? this.plan?.teamsOf?.[id] ?? [`person:${id}`];
    const holder: Record<string, string> = {};
    const assign = (id: string, seen: Set<string>): boolean => {
      for (const team of teamsOf(id)) {
        if (seen.has(team)) continue;
        seen.add(team);
        const current = holder[team];
        if (current === undefined || assign(current, seen)) {
          holder[team] = id;
          return true;
        }
      }
      return false;
    };
    return [...new Set(approvers)].filter((id) => assign(id, new Set())).length;
  }

  policyRef(inputs?: Record<string, unknown>): EvidencePolicyRef {
    const policy = this.plan?.policy;
    const base = {
      tier: this.plan?.secret.tier,
      secretId: this.plan?.secret.id,
      ownershipGap: this.plan?.ownershipGap,
      ...(this.input.drill ? { drill: true } : {}),
    };
    return { id: policy?.id ?? 'catalog-default', version: policy?.version ?? 0, inputs: { ...base, ...inputs } };
  }

  /** The status without its timeline and with the last few actions: notifications and update results. */
  summary(): IncidentSummary {
    return { ...this.view(), actions: this.actions.slice(-SUMMARY_ACTIONS) };
  }

  status(): IncidentStatus {
    return { ...this.view(), timeline: [...this.timeline] };
  }

  private view(): IncidentSummary {
    const plan = this.plan;
    return {
      incidentId: this.incidentId,
      workflowId: this.workflowId,
      phase: this.phase,
      // Before planning nothing is known yet: null, never a default that reads like a fact.
      secretId: plan?.secret.id ?? this.input.secretId ?? null,
      provider: plan?.secret.provider ?? null,
      tier: plan?.secret.tier ?? null,
      ownershipGap: plan?.ownershipGap ?? this.input.secretId === null,
      roles: { primary: plan?.primary, backup: plan?.backupApprovers[0], verifier: this.verifier },
      waitingOn: this.waitingOn,
      approvals: [...this.approvals],
      decision: this.decision,
      choices: plan?.choices ? [...plan.choices, 'false-positive'] : plan ? [...DECISION_CHOICES] : undefined,
      actions: [...this.actions],
      dependents: this.dependents.map((dependent) => ({ ...dependent })),
      sightings: this.sightingCount,
      verification: this.verification,
      outcome: this.outcome,
      openedAt: this.openedAt,
      closedAt: this.closedAt,
      evidenceCount: this.evidenceSeq,
      actionCount: this.actions.length,
      ...(this.input.drill ? { drill: this.input.drill } : {}),
      ...(this.exposure ? { exposure: { ...this.exposure } } : {}),
    };
  }
}

/**
 * What the next run needs to go on where this one waits (continue-as-new). Sighting entries stay
 * out of the carried timeline: they are in the evidence store, and carrying them would grow every run.
 */
export function carryOf(state: IncidentState, resume: ResumePoint): IncidentCarry {
  const set = (ids: Set<string>) => [...ids];
  return {
    incidentId: state.incidentId,
    openedAt: state.openedAt,
    plan: state.plan!,
    phase: state.phase,
    approvals: state.approvals,
    decision: state.decision,
    dependents: state.dependents,
    verifier: state.verifier,
    verification: state.verification,
    manualConfirmation: state.manualConfirmation,
    waitingOn: state.waitingOn,
    allowed: {
      approvers: set(state.allowedApprovers),
      executors: set(state.allowedExecutors),
      verifiers: set(state.allowedVerifiers),
      ackers: Object.fromEntries(Object.entries(state.allowedAckers).map(([id, people]) => [id, set(people)])),
    },
    teamsOf: state.teamsOf,
    delegates: state.delegates,
    conflicted: set(state.conflicted),
    sourceAlerts: state.sourceAlerts,
    sightingKeys: state.carriedSightingKeys(),
    evidenceSeq: state.nextEvidenceSeq,
    notificationSeq: state.nextNotificationSeq,
    containmentAttempts: state.containmentAttempts,
    lastFailure: state.lastFailure,
    exposure: state.exposure,
    actions: state.actions,
    timeline: state.timeline.filter((entry) => !entry.kind.startsWith('sighting.')),
    ...carriedWork(state),
    runs: state.runs + 1,
    resume,
  };
}

/** Evidence and clean-ups the run settled without (only when there are any: older carries have none). */
function carriedWork(state: IncidentState): Pick<IncidentCarry, 'unsentEvidence' | 'sealedCopiesToDestroy'> {
  const { evidence, sealedCopies } = state.leftForNextRun();
  return {
    ...(evidence.length > 0 ? { unsentEvidence: evidence } : {}),
    ...(sealedCopies.length > 0 ? { sealedCopiesToDestroy: sealedCopies } : {}),
  };
}

/** Rebuilds the incident's state in a new run from what the previous run carried. */
export function restoreState(state: IncidentState, carry: IncidentCarry): void {
  Object.assign(state, {
    openedAt: carry.openedAt,
    plan: carry.plan,
    phase: carry.phase,
    approvals: carry.approvals,
    decision: carry.decision,
    dependents: carry.dependents,
    verifier: carry.verifier,
    verification: carry.verification,
    manualConfirmation: carry.manualConfirmation,
    waitingOn: carry.waitingOn,
    allowedApprovers: new Set(carry.allowed.approvers),
    allowedExecutors: new Set(carry.allowed.executors),
    allowedVerifiers: new Set(carry.allowed.verifiers),
    allowedAckers: Object.fromEntries(
      Object.entries(carry.allowed.ackers).map(([id, people]) => [id, new Set(people)]),
    ),
    containmentAttempts: carry.containmentAttempts,
    lastFailure: carry.lastFailure,
    exposure: carry.exposure,
    runs: carry.runs,
    bounded: true,
  });
  Object.assign(state.teamsOf, carry.teamsOf);
  state.delegates.push(...carry.delegates);
  carry.conflicted.forEach((id) => state.conflicted.add(id));
  state.sourceAlerts.splice(0, state.sourceAlerts.length, ...carry.sourceAlerts);
  state.actions.push(...carry.actions);
  state.timeline.push(...carry.timeline);
  state.continueFrom(carry.sightingKeys, carry.evidenceSeq, carry.notificationSeq);
  state.takeOverFromPreviousRun(carry.unsentEvidence ?? [], carry.sealedCopiesToDestroy ?? []);
}

/** Waits for `fn`, at most `timeoutMs` when given; true when `fn` became true. */
/** Failures that say the messaging service is down or overloaded, not that this message is wrong. */
const OUTAGE_TYPES = new Set(['PROVIDER_UNAVAILABLE', 'RATE_LIMITED']);

function isOutage(cause: unknown): boolean {
  if (cause instanceof TimeoutFailure) return true;
  return cause instanceof ApplicationFailure && OUTAGE_TYPES.has(cause.type ?? '');
}

export async function waitUntil(fn: () => boolean, timeoutMs: number | undefined): Promise<boolean> {
  if (timeoutMs === undefined) {
    await condition(fn);
    return true;
  }
  return condition(fn, timeoutMs);
}

export function now(): string {
  return new Date(Date.now()).toISOString();
}

function sightingKey(sighting: Sighting): string {
  return `${sighting.source}\n${sighting.sourceRef}`;
}
