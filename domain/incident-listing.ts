import { z } from 'zod';
import { TierSchema } from './catalog';
import { PHASES } from './incident';

/**
 * What a list of open incidents shows of each one. The workflow keeps it in its memo (`listing`),
 * so a list is one visibility call, never one workflow query (and replay) per incident.
 */
export const IncidentListingSchema = z.object({
  incidentId: z.string(),
  secretId: z.string().nullable(),
  phase: z.enum(PHASES),
  ownerTeam: z.string().nullable(),
  tier: TierSchema.nullable(),
  waitingOn: z.object({ people: z.array(z.string()), for: z.string(), until: z.string().optional() }).nullable(),
  /** The role the incident waits on (decision makers, backup approvers, executors, verifier), when it waits. */
  waitingOnRole: z.string().nullable(),
  openedAt: z.string(),
  containedAt: z.string().nullable(),
});
export type IncidentListing = z.infer<typeof IncidentListingSchema>;

/** The memo key the listing lives under. */
export const LISTING_MEMO_KEY = 'listing';
