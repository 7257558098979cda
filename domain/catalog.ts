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
});
export type Person = z.infer<typeof PersonSchema>;

export const TeamSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1),
  slackChannelId: z.string().optional(),
  decisionMakers: z.array(idSchema).default([]),
  backupApprovers: z.array(idSchema).default([]),
  verifiers: z.array(idSchema).default([]),
  /** People who carry out containment by hand (issuing/platform teams, `manual` provider). */
  executors: z.array(idSchema).default([]),
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
  /** Require an executor of the issuing team to confirm even automated containment. */
  requireIssuerApproval: z.boolean().default(false),
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
