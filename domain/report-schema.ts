import { z } from 'zod';

/**
 * The fields a credential report carries, with one set of limits, shared by every door that takes
 * a free-form report: the HTTP API (`POST /api/incidents`) and the generic signed webhook
 * (`integrations/intake/generic.ts`). Each door adds its own fields around these.
 */
export const ReportFields = {
  /** Catalog secret id, when the reporter knows it. */
  secretId: z.string().min(1).max(200).optional(),
  /** Strings that name the credential: AWS key id, database role, `github:<type>:<repo>`... */
  identifiers: z.array(z.string().min(1).max(512)).max(20).optional(),
  description: z.string().max(2_000).optional(),
  providerHint: z.string().max(200).optional(),
  location: z.string().max(2_000).optional(),
  verifiedActive: z.boolean().optional(),
  publiclyExposed: z.boolean().optional(),
};

/** The leaked value itself: fingerprinted and sealed on arrival, never stored in clear or echoed. */
export const LeakedValueSchema = z.string().min(1).max(16_384);

/** When the leak was detected: an ISO-8601 date-time with a zone (`Z` or an offset). */
export const DetectedAtSchema = z.iso.datetime({
  offset: true,
  error: 'an ISO-8601 time with a zone, e.g. 2026-01-02T03:04:05Z',
});
