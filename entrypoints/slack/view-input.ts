import { z } from 'zod';
import { TIERS } from '../../domain/catalog';
import type { OpenIncidentCommand } from '../../domain/open-incident';

/**
 * Parsing of modal submissions into what the incident service takes. Slack sends each input as
 * `state.values[blockId].value`; we flatten that and let zod check it, so a forged or stale
 * submission is refused with the field it got wrong.
 */

type StateValues = Record<
  string,
  Record<
    string,
    { value?: string | null; selected_option?: { value: string } | null; selected_options?: Array<{ value: string }> }
  >
>;

/** The single element of each input block, reduced to its value (string, option, or options). */
export function flattenState(values: StateValues): Record<string, string | string[] | undefined> {
  const flat: Record<string, string | string[] | undefined> = {};
  for (const [blockId, elements] of Object.entries(values)) {
    const element = elements['value'];
    if (!element) continue;
    if (element.selected_options) flat[blockId] = element.selected_options.map((o) => o.value);
    else if (element.selected_option !== undefined) flat[blockId] = element.selected_option?.value ?? undefined;
    else flat[blockId] = element.value?.trim() || undefined;
  }
  return flat;
}

const optionalText = z.string().max(2000).optional();

export const OpenSubmissionSchema = z
  .object({
    secret: z.string().max(64).optional(),
    identifiers: optionalText,
    description: optionalText,
    location: z.string({ message: 'say where it leaked' }).min(1, 'say where it leaked').max(2000),
    severity: z.enum(TIERS).default('high'),
    flags: z.array(z.enum(['publiclyExposed', 'verifiedActive'])).default([]),
    notes: optionalText,
  })
  .refine((s) => s.secret || s.identifiers || s.description, {
    message: 'pick a credential, or give identifiers or a description',
    path: ['description'],
  });
export type OpenSubmission = z.infer<typeof OpenSubmissionSchema>;

/** Field errors in the shape Slack's `response_action: errors` wants (keyed by block id). */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) errors[String(issue.path[0] ?? 'description')] ??= issue.message;
  return errors;
}

export function openCommandOf(
  submission: OpenSubmission,
  viewId: string,
  personId: string,
  now: Date,
  slackUserId?: string,
): OpenIncidentCommand {
  const identifiers = submission.identifiers?.split(/[\s,]+/).filter(Boolean);
  const notes = [`severity (reporter): ${submission.severity}`, submission.notes].filter(Boolean).join('\n');
  return {
    secretId: submission.secret,
    identifiers: identifiers && identifiers.length > 0 ? identifiers : undefined,
    description: submission.description,
    sighting: {
      source: 'slack',
      // The view id is stable across Slack's redeliveries of one submission: one sighting.
      sourceRef: `slack-view-${viewId}`,
      detectedAt: now.toISOString(),
      receivedAt: now.toISOString(),
      location: submission.location,
      publiclyExposed: submission.flags.includes('publiclyExposed') || undefined,
      verifiedActive: submission.flags.includes('verifiedActive') || undefined,
      notes,
      reportedBy: personId,
      reporter: { id: personId, slackUserId },
    },
  };
}

export const NoteSubmissionSchema = z.object({
  note: z.string({ message: 'write a note' }).min(1, 'write a note').max(2000),
  reference: optionalText,
});

export const ReasonSubmissionSchema = z.object({
  reason: z.string({ message: 'give a reason' }).min(1, 'give a reason').max(2000),
});
