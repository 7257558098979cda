import { z } from 'zod';
import { TierSchema } from '../../domain/catalog';

/** Input of POST /api/incidents. The leaked value is optional and is sealed, never echoed. */
export const OpenIncidentBodySchema = z
  .strictObject({
    secretId: z.string().min(1).optional(),
    identifiers: z.array(z.string().min(1).max(512)).max(20).optional(),
    leakedValue: z.string().min(1).max(16_384).optional(),
    description: z.string().max(2_000).optional(),
    providerHint: z.string().max(200).optional(),
    location: z.string().max(2_000).optional(),
    verifiedActive: z.boolean().optional(),
    publiclyExposed: z.boolean().optional(),
    severity: TierSchema.optional(),
    notes: z.string().max(4_000).optional(),
    detectedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((body) => body.secretId || body.identifiers?.length || body.leakedValue || body.description, {
    message: 'say which credential leaked: give secretId, identifiers, leakedValue or description',
  });

export const DecisionBodySchema = z.strictObject({
  choice: z.enum(['revoke', 'rotate', 'false-positive']),
  reason: z.string().max(2_000).optional(),
});

export const NoteBodySchema = z.strictObject({
  note: z.string().trim().min(1, 'a note is required').max(4_000),
  reference: z.string().max(500).optional(),
});

export const AcknowledgementBodySchema = z.strictObject({ note: z.string().max(4_000).optional() });

/** Idempotency-Key header: a retried request with the same key counts once. */
export const IdempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{8,128}$/, 'Idempotency-Key must be 8-128 characters of [A-Za-z0-9._:-]')
  .optional();
