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

export { LISTING_MEMO_KEY, OPENING_MEMO_KEY } from './memo-keys';

/**
 * What the client knows when it starts an incident's run (memo `opening`), before the run's first
 * workflow task publishes its listing: a run with it and no listing yet is still planning, and lists
 * as such without a query (during a storm, thousands of runs wait for their first task).
 */
export const IncidentOpeningSchema = z.object({
  secretId: z.string().nullable(),
  /** The id the run was started with (IncidentInput.incidentId); absent in runs opened before it existed. */
  incidentId: z.string().optional(),
});
export type IncidentOpening = z.infer<typeof IncidentOpeningSchema>;

/** The listing of a run that has not published its own yet: planning, nobody asked. */
export function planningListing(incidentId: string, opening: IncidentOpening, openedAt: string): IncidentListing {
  return {
    incidentId,
    secretId: opening.secretId,
    phase: 'planning',
    ownerTeam: null,
    tier: null,
    waitingOn: null,
    waitingOnRole: null,
    openedAt,
    containedAt: null,
  };
}
