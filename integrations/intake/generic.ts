import { z } from 'zod';
import { DetectedAtSchema, LeakedValueSchema, ReportFields } from '../../domain/report-schema';
import type { IntakeDecision } from './common';
import { isoOr, parseJson, parseWith } from './common';

/**
 * The generic signed alert for detectors without a dedicated endpoint. Signed with the Tourniquet
 * format (see common.ts and docs/intake.md). Strict: an unknown field is refused by name, so a typo
 * such as "secret" instead of "value" cannot slip through and be ignored.
 */
export const GenericAlertSchema = z
  .strictObject({
    /** The sender's unique id for this alert; a resend with the same id is a no-op. */
    id: z.string().min(1).max(200),
    detectedAt: DetectedAtSchema,
    /** secretId, identifiers, description, providerHint, location, verifiedActive, publiclyExposed. */
    ...ReportFields,
    /** The leaked value itself, when the sender has it: fingerprinted and sealed, never stored in clear. */
    value: LeakedValueSchema.optional(),
    canary: z.boolean().optional(),
    /** The sender reports the credential revoked or resolved on its side. */
    resolved: z.boolean().optional(),
    campaign: z.string().max(200).optional(),
    reportedBy: z.string().min(1).max(100).optional(),
  })
  .refine((alert) => alert.secretId || alert.identifiers?.length || alert.value, {
    message: 'give at least one of secretId, identifiers or value so the credential can be identified',
    path: ['identifiers'],
  });
export type GenericAlert = z.infer<typeof GenericAlertSchema>;

export function decideGeneric(raw: Buffer, now: Date): IntakeDecision {
  const alert = parseWith(GenericAlertSchema, parseJson(raw), 'generic alert');
  return {
    kind: 'open',
    alerts: [
      {
        deliveryKey: alert.id,
        command: {
          secretId: alert.secretId,
          identifiers: alert.identifiers,
          leakedValue: alert.value,
          description: alert.description,
          providerHint: alert.providerHint,
          sighting: {
            source: 'generic',
            sourceRef: alert.id,
            detectedAt: isoOr(alert.detectedAt, now),
            receivedAt: now.toISOString(),
            location: alert.location,
            verifiedActive: alert.verifiedActive,
            publiclyExposed: alert.publiclyExposed,
            canary: alert.canary,
            resolvedAtSource: alert.resolved,
            reportedBy: alert.reportedBy ?? 'generic',
            campaign: alert.campaign ? `generic:${alert.campaign}` : undefined,
          },
        },
      },
    ],
  };
}
