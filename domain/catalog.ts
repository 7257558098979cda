import { z } from 'zod';
import { parseDurationMs } from './duration';

/**
 * The ownership catalog: who owns each credential, who decides, who verifies, and which policy
 * scales our authority with the credential's blast radius. Loaded from YAML and parsed once at
 * start-up; every error names the path inside the file.
 */

const idSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'use lowercase letters, digits, ".", "_" or "-" (max 64)');

const durationSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration: write e.g. "30s", "10m", "2h"` });
    return z.NEVER;
  }
  return ms;
});

export const TIERS = ['low', 'medium', 'high', 'critical'] as const;
export const TierSchema = z.enum(TIERS);
export type Tier = z.infer<typeof TierSchema>;

export const ContainmentActionSchema = z.enum(['revoke', 'rotate']);
export type ContainmentAction = z.infer<typeof ContainmentActionSchema>;

export const PersonSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1),
  slackUserId: z
    .string()
    .regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id looks like U0123ABCD')
    .optional(),
  /** sha256 (hex) of the person's API bearer token; the token itself never sits in the catalog. */
  apiTokenSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'the sha256 of the token, 64 hex characters')
    .optional(),
  /** How on-call tools and service catalogs (PagerDuty, Opsgenie, Backstage) name this person. */
  email: z.email('an email address, as PagerDuty, Opsgenie or Backstage know the person').optional(),
});
export type Person = z.infer<typeof PersonSchema>;

/**
 * Who is on call for a team right now, read from the team's on-call tool at planning and again at
 * each escalation. Level 1 decides (primary first), level 2 backs up; the YAML lists are the fallback.
 */
export const OnCallSourceSchema = z.discriminatedUnion('source', [
  z
    .strictObject({
      source: z.literal('pagerduty'),
      escalationPolicyIds: z.array(z.string().min(1)).default([]),
      scheduleIds: z.array(z.string().min(1)).default([]),
    })
    .refine((value) => value.escalationPolicyIds.length + value.scheduleIds.length > 0, {
      message: 'name at least one PagerDuty escalationPolicyIds or scheduleIds entry',
    }),
  z.strictObject({
    source: z.literal('opsgenie'),
    /** Its on-call participants decide. */
    scheduleId: z.string().min(1),
    /** Its on-call participants back them up. */
    backupScheduleId: z.string().min(1).optional(),
  }),
]);
export type OnCallSource = z.infer<typeof OnCallSourceSchema>;

export const TeamSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1),
  slackChannelId: z.string().optional(),
  decisionMakers: z.array(idSchema).default([]),
  backupApprovers: z.array(idSchema).default([]),
  verifiers: z.array(idSchema).default([]),
  /** People who carry out containment by hand (issuing/platform teams, `manual` provider). */
  executors: z.array(idSchema).default([]),
  /** Live on-call: who decides and backs up now. The lists above stay as the fallback. */
  onCall: OnCallSourceSchema.optional(),
  /** The Backstage group entity this team is, e.g. `group:default/payments`. */
  backstageGroup: z
    .string()
    .regex(/^group:[^/]+\/.+$/, 'a Backstage group ref, e.g. group:default/payments')
    .optional(),
});
export type Team = z.infer<typeof TeamSchema>;

export const DependentSchema = z.strictObject({
  id: idSchema,
  description: z.string().optional(),
  ownerTeam: idSchema,
  /** Which controller disables it: `webhook`, `kubernetes`, `lambda`, `ecs`, or `manual`. */
  controller: z.string().min(1),
  target: z.record(z.string(), z.unknown()).default({}),
  /**
   * `before-revoke`: the dependent fails closed when its credential dies, so we stop it cleanly first.
   * `after-revoke`: it is stopped once the credential is contained.
   */
  disable: z.enum(['before-revoke', 'after-revoke']).default('after-revoke'),
  /**
   * How the workload shows in provider logs, so the exposure report recognises it instead of proposing
   * it as a candidate. Every list given must match: source IPs (exact), user agents (substring),
   * PostgreSQL application names (exact).
   */
  seenAs: z
    .strictObject({
      sourceIps: z.array(z.string().min(1)).min(1).optional(),
      userAgents: z.array(z.string().min(1)).min(1).optional(),
      applicationNames: z.array(z.string().min(1)).min(1).optional(),
    })
    .refine((seen) => seen.sourceIps || seen.userAgents || seen.applicationNames, {
      message: 'give sourceIps, userAgents or applicationNames',
    })
    .optional(),
});
export type Dependent = z.infer<typeof DependentSchema>;

export const SecretSchema = z.strictObject({
  id: idSchema,
  description: z.string().optional(),
  provider: z.string().min(1),
  /** Provider-specific address of the credential (role name, key id...), never its value. */
  locator: z.record(z.string(), z.unknown()).default({}),
  /** Strings that identify this credential in alerts (an AWS key id, a database role, a token type). */
  matchers: z.array(z.string().min(1)).default([]),
  ownerTeam: idSchema,
  issuingTeam: idSchema.optional(),
  tier: TierSchema,
  policy: idSchema.optional(),
  /**
   * The Backstage entity that uses this credential (`component:default/billing-api`): its
   * `spec.owner` names the owner team, in place of `ownerTeam` when Backstage answers.
   */
  backstageEntity: z
    .string()
    .regex(/^(component|resource|system):[^/]+\/.+$/, 'a Backstage entity ref, e.g. component:default/billing-api')
    .optional(),
  /** Where a rotated credential is delivered (kind + address), e.g. an AWS Secrets Manager secret. */
  delivery: z.record(z.string(), z.unknown()).optional(),
  dependents: z.array(DependentSchema).default([]),
});
export type Secret = z.infer<typeof SecretSchema>;

export const AutoContainRuleSchema = z.strictObject({
  minTier: TierSchema.default('low'),
  verifiedActive: z.boolean().optional(),
  publiclyExposed: z.boolean().optional(),
  action: ContainmentActionSchema.default('revoke'),
});
export type AutoContainRule = z.infer<typeof AutoContainRuleSchema>;

export const PolicySchema = z.strictObject({
  id: idSchema,
  version: z.number().int().positive(),
  description: z.string().optional(),
  autoContain: z.array(AutoContainRuleSchema).default([]),
  decisionTimeout: durationSchema.default(600_000),
  backupTimeout: durationSchema.default(600_000),
  /** What happens when neither the primary nor the backup answers: an action, or keep waiting. */
  fallback: z.enum(['revoke', 'rotate', 'wait']).default('wait'),
  approvalsRequired: z
    .strictObject({
      low: z.number().int().min(1).max(5).default(1),
      medium: z.number().int().min(1).max(5).default(1),
      high: z.number().int().min(1).max(5).default(1),
      critical: z.number().int().min(1).max(5).default(2),
    })
    .default({ low: 1, medium: 1, high: 1, critical: 2 }),
  /** Human handoffs (manual containment, dependent acknowledgement, verification). */
  handoffReminder: durationSchema.default(300_000),
  handoffTimeout: durationSchema.default(1_800_000),
  /**
   * Reminders per handoff: each waits twice as long as the one before (handoffReminder, ×2, ×4…);
   * after the last one the handoff is escalated once more and waits without reminding.
   */
  handoffReminders: z.number().int().min(0).max(20).default(5),
  /**
   * How long proof of death may keep asking the provider (eventual consistency) before a person is
   * asked to decide again, told what the provider still answers.
   */
  deathProofTimeout: durationSchema.default(600_000),
  /** Failed containments before the escalation contacts must decide (no more policy fallback). */
  containmentAttempts: z.number().int().min(1).max(10).default(3),
  /** History events after which a waiting incident continues as a new run (Temporal's limit is 51,200). */
  continueAsNewAfterEvents: z.number().int().min(500).max(40_000).default(4_000),
  /** Require an executor of the issuing team to confirm even automated containment. */
  requireIssuerApproval: z.boolean().default(false),
  /** The approvals a tier requires must come from that many different teams (N of M across teams). */
  approvalsFromDistinctTeams: z.boolean().default(false),
  /** A tripped honeytoken under this policy is also scored as an exercise of the owning team (drill report). */
  exerciseOnHoneytokenTrip: z.boolean().default(false),
});
export type Policy = z.infer<typeof PolicySchema>;

export const AuditorSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1),
  apiTokenSha256: z.string().regex(/^[0-9a-f]{64}$/, 'the sha256 of the token, 64 hex characters'),
});
export type Auditor = z.infer<typeof AuditorSchema>;

export const CatalogSchema = z.strictObject({
  version: z.literal(1),
  /** The team that owns whatever the catalog does not know, and takes separation-of-duties escalations. */
  defaultOwnerTeam: idSchema,
  defaultPolicy: idSchema,
  people: z.array(PersonSchema).min(1),
  teams: z.array(TeamSchema).min(1),
  policies: z.array(PolicySchema).min(1),
  secrets: z.array(SecretSchema).default([]),
  auditors: z.array(AuditorSchema).default([]),
});
export type Catalog = z.infer<typeof CatalogSchema>;
