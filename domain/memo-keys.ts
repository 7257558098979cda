/**
 * The memo keys of an incident's workflow run. Their own zod-free module: workflow code imports them,
 * and everything a workflow imports is instantiated again for every workflow the worker holds (the SDK's
 * per-workflow module cache), so a schema library in that graph costs megabytes per open incident.
 */

/** The listing the workflow keeps (domain/incident-listing.ts: IncidentListing). */
export const LISTING_MEMO_KEY = 'listing';

/** What the client knows when it starts a run (domain/incident-listing.ts: IncidentOpening). */
export const OPENING_MEMO_KEY = 'opening';
