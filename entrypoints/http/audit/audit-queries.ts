import { z } from 'zod';
import type { ClosureListFilters } from '../../../integrations/evidence/bundle-archive';

/**
 * The auditor API's inputs, parsed with zod. Blank form fields count as absent, so the portal's
 * filter form and the JSON API share one schema. Error messages name the parameter and the fix.
 */
const OUTCOMES = ['contained', 'rotated', 'false-positive', 'canary', 'resolved-at-source'] as const;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

const blankIsAbsent = (value: unknown) => (value === '' ? undefined : value);

const instant = (name: string) =>
  z.preprocess(
    blankIsAbsent,
    z
      .string({ message: `${name}: give one date, e.g. ${name}=2025-03-01` })
      .refine(
        (value) => Number.isFinite(Date.parse(value)),
        `${name}: write a date (2025-03-01) or an ISO instant (2025-03-01T10:00:00Z)`,
      )
      .optional(),
  );

const text = (name: string, example: string) =>
  z.preprocess(
    blankIsAbsent,
    z
      .string({ message: `${name}: give one value, e.g. ${name}=${example}` })
      .max(128, `${name}: at most 128 characters`)
      .optional(),
  );

export const ListQuerySchema = z.strictObject(
  {
    closedFrom: instant('closedFrom'),
    closedTo: instant('closedTo'),
    ownerTeam: text('ownerTeam', 'payments'),
    provider: text('provider', 'aws-iam'),
    outcome: z.preprocess(
      blankIsAbsent,
      z.enum(OUTCOMES, { message: `outcome: use one of ${OUTCOMES.join(', ')}` }).optional(),
    ),
    limit: z.preprocess(
      blankIsAbsent,
      z.coerce
        .number({ message: 'limit: a whole number from 1 to 200' })
        .int('limit: a whole number from 1 to 200')
        .min(1, 'limit: at least 1')
        .max(200, 'limit: at most 200')
        .default(50),
    ),
    offset: z.preprocess(
      blankIsAbsent,
      z.coerce
        .number({ message: 'offset: a whole number, 0 or more' })
        .int('offset: a whole number, 0 or more')
        .min(0, 'offset: 0 or more')
        .default(0),
    ),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown parameter ${issue.keys.join(', ')}: use closedFrom, closedTo, ownerTeam, provider, outcome, limit, offset`
        : undefined,
  },
);

export const IncidentIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9._-]{1,128}$/,
    'incident id: letters, digits, ".", "_" or "-", as listed by GET /audit/api/incidents',
  );

export type ParsedQuery = { ok: true; filters: ClosureListFilters } | { ok: false; problems: string[] };

/**
 * List filters from a query string. A date-only `closedTo` includes that whole day, which is what
 * "closed between 1 and 31 March" means to a person.
 */
export function parseListQuery(query: unknown): ParsedQuery {
  const result = ListQuerySchema.safeParse(query ?? {});
  if (!result.success) return { ok: false, problems: result.error.issues.map((issue) => issue.message) };
  const { closedFrom, closedTo, ...rest } = result.data;
  return {
    ok: true,
    filters: {
      ...rest,
      closedFrom: closedFrom ? new Date(closedFrom).toISOString() : undefined,
      closedTo: closedTo ? endOf(closedTo) : undefined,
    },
  };
}

function endOf(value: string): string {
  const date = new Date(value);
  if (DATE_ONLY.test(value)) date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString();
}
