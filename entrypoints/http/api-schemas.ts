import { z } from 'zod';
import { DependentSchema } from '../../domain/catalog';
import { DetectedAtSchema, LeakedValueSchema, ReportFields } from '../../domain/report-schema';

/** Input of POST /api/incidents. The leaked value is optional and is sealed, never echoed. */
export const OpenIncidentBodySchema = z
  .strictObject({
    ...ReportFields,
    leakedValue: LeakedValueSchema.optional(),
    notes: z.string().max(4_000).optional(),
    detectedAt: DetectedAtSchema.optional(),
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

export const VerifierAssignmentBodySchema = z.strictObject({
  verifier: z.string().min(1, 'name the catalog person id who is to verify'),
  reason: z.string().trim().min(1, 'say why this person can verify').max(2_000),
});

/**
 * Input of POST /api/incidents/:id/candidates/confirmation: which candidate of the exposure report
 * (its key) is a real dependent, and how to stop it (a catalog dependent entry without `disable`).
 */
export const CandidateConfirmationBodySchema = z.strictObject({
  candidate: z.string().trim().min(1, 'name the candidate by its key in the exposure report').max(1_000),
  dependent: DependentSchema.omit({ disable: true }),
});

export const AcknowledgementBodySchema = z.strictObject({ note: z.string().max(4_000).optional() });

/** Idempotency-Key header: a retried request with the same key counts once. */
export const IdempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{8,128}$/, 'Idempotency-Key must be 8-128 characters of [A-Za-z0-9._:-]')
  .optional();
