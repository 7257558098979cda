import { z } from 'zod';
import { DECISION_CHOICES } from '../../../domain/incident';

/**
 * The contract between what we render (buttons, modals) and what the Slack handlers parse back.
 * Button values and modal metadata are small JSON objects validated with zod: they carry an
 * incident id and a choice, never a secret, and never anything the handler trusts without the
 * workflow's own validator (the caller's identity comes from Slack's signed payload, not from here).
 */

export const ACTION_IDS = {
  decide: 'tq_decide',
  confirmClosed: 'tq_confirm_closed',
  ackDependent: 'tq_ack_dependent',
  confirmManual: 'tq_confirm_manual',
} as const;

export const VIEW_IDS = {
  open: 'tq_open_incident',
  falsePositiveReason: 'tq_false_positive_reason',
  verifyNote: 'tq_verify_note',
  manualNote: 'tq_manual_note',
} as const;

/** Incident ids as the service mints them (`leak-<24 hex>-<8 hex>`), or a bare workflow id. */
const incidentIdSchema = z
  .string()
  .regex(/^leak-[0-9a-f]{24}(?:-[0-9a-f]{8})?$/, 'an incident id looks like leak-<hex>');

export const DecideValueSchema = z.strictObject({ i: incidentIdSchema, c: z.enum(DECISION_CHOICES) });
export type DecideValue = z.infer<typeof DecideValueSchema>;

export const IncidentValueSchema = z.strictObject({ i: incidentIdSchema });
export type IncidentValue = z.infer<typeof IncidentValueSchema>;

export const DependentValueSchema = z.strictObject({ i: incidentIdSchema, d: z.string().min(1).max(64) });
export type DependentValue = z.infer<typeof DependentValueSchema>;

/**
 * What a follow-up modal remembers of the click that opened it: the incident, and the click's
 * response_url so the outcome lands as an ephemeral reply next to the button the person pressed.
 */
export const ModalMetadataSchema = z.strictObject({
  i: incidentIdSchema,
  r: z.string().url().optional(),
});
export type ModalMetadata = z.infer<typeof ModalMetadataSchema>;

/** Serialises a value for a button; Slack caps button values at 2000 characters. */
export function encodeValue(value: DecideValue | IncidentValue | DependentValue | ModalMetadata): string {
  const text = JSON.stringify(value);
  if (text.length > 2000) throw new Error('Slack button value over 2000 characters');
  return text;
}

/** Parses a button value or modal metadata; undefined when it is not ours or is malformed. */
export function decodeValue<T>(schema: z.ZodType<T>, raw: string | undefined): T | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
