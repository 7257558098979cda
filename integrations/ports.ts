import type { Catalog, ContainmentAction, Dependent, Person } from '../domain/catalog';
import type { BlastRadius, ExposureReport, SessionSeen } from '../domain/exposure';
import type { EvidenceDraft, EvidenceRecord, ProviderAnswer } from '../domain/evidence';
import type { DeliveryRecord, GithubAlertRef, OpenIncidentCommand, OpenIncidentResult } from '../domain/open-incident';
import type {
  IncidentInput,
  IncidentPlan,
  IncidentSummary,
  PersonRef,
  RoleSourceRecord,
  RotationEffects,
  SecretSnapshot,
} from '../domain/incident';

/**
 * Small capability interfaces. Activities call exactly one port each; every adapter lives in its own
 * folder under integrations/. All methods may be retried by Temporal, so each must be idempotent.
 */

/** Who owns what, from the ownership catalog. */
export interface OwnershipDirectory {
  readonly catalog: Catalog;
  planIncident(input: IncidentInput): IncidentPlan;
  personByApiToken(token: string): Person | undefined;
  personBySlackUser(slackUserId: string): Person | undefined;
  /** Finds the catalog secret an alert identifier names (AWS key id, role, token type...). */
  findSecret(identifiers: string[]): string | null;
}

/** Who an on-call tool says is on call now, by escalation level (1 decides, 2 backs up), people by email. */
export interface OnCallAnswer {
  /** What was asked (method, path and query; never a token), for evidence. */
  request: string;
  levels: Array<{ level: number; emails: string[] }>;
}

/** An on-call tool (PagerDuty, Opsgenie). Read-only, so safe to retry. */
export interface OnCallDirectory<Query> {
  readonly source: 'pagerduty' | 'opsgenie';
  onCall(query: Query): Promise<OnCallAnswer>;
}

/** The owner of a software-catalog entity (Backstage) and the owner group's members. */
export interface ServiceOwner {
  entityRef: string;
  ownerGroup: string;
  memberEmails: string[];
  /** The PagerDuty plugin's `pagerduty.com/service-id` annotation, linking the entity to its on-call. */
  pagerDutyServiceId?: string;
  request: string;
}

/** A software catalog (Backstage). Read-only. */
export interface ServiceCatalog {
  ownerOf(entityRef: string): Promise<ServiceOwner>;
}

/** Finds a chat user by email (Slack `users.lookupByEmail`) for people the catalog does not list. */
export interface PeopleByEmail {
  byEmail(email: string): Promise<PersonRef | undefined>;
}

/**
 * Roles from the systems teams already use (on-call tools, service catalogs) on top of the YAML
 * catalog. A source that is down never blocks an incident: the catalog's roles stand, and the
 * plan says so (roleSourceGap + a finding). Each look-up is recorded in `plan.roleSources`.
 */
export interface LiveRoles {
  /** At planning: owner team from the service catalog, decision makers and backups from on-call. */
  refine(plan: IncidentPlan, input: IncidentInput): Promise<IncidentPlan>;
  /** At escalation: who backs up right now (the schedule may have rotated since planning). */
  backupsNow(plan: IncidentPlan): Promise<{ backups: PersonRef[]; record: RoleSourceRecord }>;
}

/** Finds drill incidents (and honeytoken exercises) of a team in the evidence, newest first. */
export interface DrillLog {
  drillIncidents(team: string, limit: number): Promise<string[]>;
}

/** Append-only, hash-chained evidence. Appending the same (incidentId, seq) twice stores it once. */
export interface EvidenceStore {
  append(draft: EvidenceDraft): Promise<EvidenceRecord>;
  /** Appends several records in order, each as `append` would; one incident's in one transaction. */
  appendAll(drafts: EvidenceDraft[]): Promise<EvidenceRecord[]>;
  list(incidentId: string): Promise<EvidenceRecord[]>;
  close(): Promise<void>;
}

/**
 * Leaked values that proof of death needs, encrypted at rest outside Temporal. Only an opaque
 * handle crosses into workflows. `destroy` is idempotent.
 */
/** The credential identity incidents are keyed by: a keyed fingerprint, and the catalog id when known. */
export interface CredentialIdentity {
  credentialFingerprint: string;
  secretId: string | null;
}

/** Which credential each leaked value belongs to, by keyed fingerprint of the value (never the value). */
export interface CredentialIdentities {
  /**
   * Records `identity` for the value unless the value already has one, and answers the value's
   * identity: the first report of a value decides which incident every later report of it joins,
   * whichever source sent it. A catalog id learned later is kept for the value's next incidents.
   */
  claim(valueFingerprint: string, identity: CredentialIdentity): Promise<CredentialIdentity>;
}

export interface SecretVault {
  /**
   * Seals under a caller-chosen handle; sealing a live handle again keeps the first value, sealing a
   * destroyed one seals the new value (a re-leak after closure must be usable again).
   */
  sealAs(handle: string, value: string, purpose: 'leaked' | 'replacement'): Promise<void>;
  open(handle: string): Promise<string | undefined>;
  destroy(handle: string): Promise<void>;
}

/** What a provider adapter is told about the credential it must contain. */
export interface CredentialTarget {
  incidentId: string;
  secret: SecretSnapshot;
  /**
   * `contain`: kill the leaked credential (no replacement is coming).
   * `retire-after-rotation`: a replacement was issued and delivered; kill only the old credential
   * and leave the replacement working (e.g. DeleteAccessKey of the old key only).
   */
  purpose: 'contain' | 'retire-after-rotation';
  /** Reads the sealed leaked value, when one was reported; undefined otherwise. */
  readLeakedValue(): Promise<string | undefined>;
}

export interface DeathProof {
  dead: boolean;
  /** Each check that was made and what it showed, e.g. "login with old password: 28P01". */
  checks: string[];
}

/** Kills the leaked credential at its provider (after a rotation: only the old one). */
export interface Revocation {
  revoke(target: CredentialTarget): Promise<ProviderAnswer>;
}

/** Issues a replacement credential, and undoes that when a later containment step fails. */
export interface Rotation {
  /** Issues a replacement; returns the new value for the caller to seal and deliver. */
  issueReplacement(target: CredentialTarget): Promise<{ answer: ProviderAnswer; newValue: string }>;
  /** Compensation: undoes issueReplacement when a later step fails. */
  revokeReplacement(target: CredentialTarget, newValue: string): Promise<ProviderAnswer>;
}

/** Ends sessions derived from the credential (database sessions, STS sessions). */
export interface SessionTermination {
  /** null when no derived session exists for this credential. */
  endDerivedSessions(target: CredentialTarget): Promise<ProviderAnswer | null>;
}

/** Checks at the provider that the old credential no longer works. */
export interface DeathCheck {
  proveDead(target: CredentialTarget): Promise<DeathProof>;
}

/**
 * Reaches the provider with the admin credentials a catalog locator names and changes nothing
 * (`tourniquet doctor`). Read-only, so safe to run at any time and any number of times.
 */
export interface AccessCheck {
  /** Locators with the same scope use the same credentials: each scope is checked once. */
  accessScope(locator: Record<string, unknown>): string;
  /** Resolves with what was reached (never a credential); throws naming what failed and the setting. */
  checkAccess(locator: Record<string, unknown>): Promise<string>;
}

/**
 * Contains one kind of credential at its provider. A provider implements only the capabilities it
 * really has (a token API that cannot issue tokens has no Rotation); the plan offers only the
 * choices they allow (`containmentChoices`), and an activity asked for a missing one fails with
 * INVALID_INPUT naming the provider and what it can do.
 */
export interface CredentialProvider extends Partial<Revocation & Rotation & SessionTermination & DeathCheck> {
  readonly kind: string;
  /** `manual`-style providers: a person acts in a vendor console and confirms with a note. */
  readonly requiresHuman: boolean;
  /**
   * What a rotation really does to the leaked credential and what undoing it leaves behind, so
   * a failed containment can say the state it reached. Unset for providers that cannot rotate.
   */
  readonly rotationEffects?: RotationEffects;
  /** Throws with a message naming the field when the catalog locator does not fit this provider. */
  validateLocator(locator: Record<string, unknown>): void;
}

/** A provider with every automated capability (AWS IAM keys, PostgreSQL roles, a team's webhook). */
export type FullCredentialProvider = CredentialProvider & Revocation & Rotation & SessionTermination & DeathCheck;

export type ProviderCapability = 'revoke' | 'rotate' | 'end-sessions' | 'prove-death';

export function canRevoke(provider: CredentialProvider): provider is CredentialProvider & Revocation {
  return typeof provider.revoke === 'function';
}
export function canRotate(provider: CredentialProvider): provider is CredentialProvider & Rotation {
  return typeof provider.issueReplacement === 'function' && typeof provider.revokeReplacement === 'function';
}
export function canEndSessions(provider: CredentialProvider): provider is CredentialProvider & SessionTermination {
  return typeof provider.endDerivedSessions === 'function';
}
export function canProveDeath(provider: CredentialProvider): provider is CredentialProvider & DeathCheck {
  return typeof provider.proveDead === 'function';
}

/** The capabilities a provider really has, in containment order. */
export function capabilitiesOf(provider: CredentialProvider): ProviderCapability[] {
  const all: Array<[ProviderCapability, boolean]> = [
    ['revoke', canRevoke(provider)],
    ['rotate', canRotate(provider)],
    ['end-sessions', canEndSessions(provider)],
    ['prove-death', canProveDeath(provider)],
  ];
  return all.filter(([, has]) => has).map(([capability]) => capability);
}

/**
 * The containment choices a person or policy may pick for this provider: `rotate` needs Rotation
 * and Revocation (the old credential is killed after the new one is delivered), `revoke` needs
 * Revocation. A provider a person works by hand (`requiresHuman`) can do both.
 */
export function containmentChoices(provider: CredentialProvider): ContainmentAction[] {
  if (provider.requiresHuman) return ['revoke', 'rotate'];
  const choices: ContainmentAction[] = [];
  if (canRevoke(provider)) choices.push('revoke');
  if (canRevoke(provider) && canRotate(provider)) choices.push('rotate');
  return choices;
}

/**
 * Closes the alert a secret scanning source raised, once the credential is revoked (GitHub secret
 * scanning: resolution `revoked`). Idempotent: an alert already resolved answers `alreadyDone`.
 */
export interface SourceAlertResolver {
  /** `repository` is `owner/name`; `comment` links the evidence (the provider may truncate it). */
  resolveAlertAsRevoked(repository: string, alertNumber: number, comment: string): Promise<ProviderAnswer>;
}

/** Delivers a rotated credential to where its workloads read it. */
export interface ReplacementDelivery {
  readonly kind: string;
  deliver(incidentId: string, delivery: Record<string, unknown>, newValue: string): Promise<ProviderAnswer>;
  /**
   * Compensation: puts the delivery target back on the value it held before `deliver`, when it still
   * holds this replacement. Idempotent: a target that no longer holds it answers `alreadyDone`.
   */
  withdraw(incidentId: string, delivery: Record<string, unknown>, newValue: string): Promise<ProviderAnswer>;
}

/** Disables and re-enables a workload that depends on a credential. */
export interface DependentController {
  readonly kind: string;
  disable(incidentId: string, dependent: Dependent): Promise<ProviderAnswer>;
  enable(incidentId: string, dependent: Dependent): Promise<ProviderAnswer>;
}

export const NOTIFICATION_KINDS = [
  'incident-opened',
  /** The incident moved (an approval, containment started, an acknowledgement): the card is updated, nobody is messaged. */
  'progress',
  'decision-requested',
  'escalated',
  'reminder',
  'manual-containment-requested',
  'dependent-ack-requested',
  'contained',
  'verification-requested',
  'needs-attention',
  'closed',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface IncidentNotification {
  /** Unique per notification within an incident: the idempotency key of the delivery. */
  key: string;
  kind: NotificationKind;
  incidentId: string;
  /** The people who must act on this notification (DM targets). */
  to: PersonRef[];
  text: string;
  /** The incident as it stands, to render the status card: no timeline, the last few actions. */
  status: IncidentSummary;
}

/** Tells people what the incident needs. Failing to notify must never block containment. */
export interface Notifier {
  notify(notification: IncidentNotification): Promise<void>;
}

/** A notification no retry could deliver, told to the operators' fallback channel. No secret values: ids and texts only. */
export interface UndeliverableNotice {
  incidentId: string;
  /** The undeliverable notification's key (idempotency key of this notice too). */
  key: string;
  kind: NotificationKind;
  /** Ids of the people it could not reach ([] = the status card). */
  to: string[];
  /** Why it failed, as the notifier said. */
  reason: string;
  text: string;
}

/**
 * The way people are told when the notifier (Slack) cannot reach them: an operators' webhook
 * (NOTIFICATION_FALLBACK_URL, bridged to email, PagerDuty or Opsgenie). Without one, the activity
 * logs at error level. Answers which channel it used.
 */
export interface FallbackChannel {
  tell(notice: UndeliverableNotice): Promise<{ channel: string }>;
}

/**
 * The application's one door into incident workflows (application/incident-service.ts): opens an
 * incident or adds the sighting to the open one. Activities that open incidents call this port.
 */
export interface IncidentOpener {
  open(command: OpenIncidentCommand): Promise<OpenIncidentResult>;
}

/** Fetches a GitHub secret scanning alert (and its first locations) and turns it into a command. */
export interface GithubAlertReader {
  commandFor(ref: GithubAlertRef): Promise<OpenIncidentCommand>;
}

/** Remembers accepted webhook deliveries so a redelivery is dropped. */
export interface DeliveryRecorder {
  record(entry: DeliveryRecord): Promise<void>;
}

/** Finds the adapter for a provider, delivery or dependent-controller kind named in the catalog. */
export interface ProviderLookup {
  has(kind: string): boolean;
  provider(kind: string): CredentialProvider;
  delivery(kind: string): ReplacementDelivery;
  controller(kind: string): DependentController;
}

/** What an exposure look-up is told: ids, catalog data and times, never a secret value. */
export interface ExposureQuery {
  incidentId: string;
  secret: SecretSnapshot;
  leakedAt: string;
  containedAt: string;
  /** Sessions containment ended (PostgreSQL backends), as the provider saw them at that moment. */
  sessionsAtContainment?: SessionSeen[];
  /** Reads the sealed leaked value, for sources searched by a hash of it (GitHub audit log). */
  readLeakedValue(): Promise<string | undefined>;
}

/**
 * Reads a provider's own logs for what a credential did (CloudTrail, GitHub audit log,
 * pg_stat_activity). Read-only, so safe to retry; a report never carries the leaked value.
 */
export interface ExposureSource {
  /** The catalog provider kind this source reports on (`aws-iam-access-key`, `github-token`, `postgres`). */
  readonly kind: string;
  report(query: ExposureQuery): Promise<ExposureReport>;
  /** What the credential may do and when it was last used, for the decision request. */
  blastRadius?(secret: SecretSnapshot): Promise<BlastRadius>;
}
