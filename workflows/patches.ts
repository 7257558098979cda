import { patched } from '@temporalio/workflow';

/**
 * Patches the workflow code checks after the planning local activity. A run decides them all in its
 * first workflow task, before planning (patch 'patches-before-planning'), so their markers come
 * before the planning marker. Decided lazily, a run whose planning answered after the first task had
 * been sent wrote them in the second task, while a replay runs that code in the first one, before
 * it knows of those markers: "Non-deprecated patch marker encountered for change person-delegators"
 * (a query of a closed incident, or a worker recovering it). Add every new patch here.
 */
export const PATCHES_AFTER_PLANNING = [
  'person-delegators',
  'ordered-notifications',
  'visibility-listing',
  'exposure-report',
  'card-progress',
  'sealed-per-report',
  'notification-failed',
  'truthful-compensation',
  'close-source-alerts',
  'on-call-at-escalation',
  'truthful-escalation-phase',
  'verifier-catalog-recheck',
  'fresh-update-answers',
  'identified-by-later-report',
  'provider-call-first',
  'exposure-wait-phase',
  'provider-call-first-on-decision',
  'catalog-recheck-while-silent',
  'outage-to-fallback',
] as const;

/** Patches checked before planning (or outside that list), each where it is used. */
type PatchBeforePlanning = 'settled-handoff-answers' | 'bounded-roll-over' | 'bounded-history' | 'local-planning';

/** Every patch of the incident workflow as of 2026-12-04 (see BASELINE_PATCH). */
export type BaselinePatch = (typeof PATCHES_AFTER_PLANNING)[number] | PatchBeforePlanning;

/**
 * Every patch above as one. A run started since records this marker alone: one marker and one
 * search-attribute upsert (the SDK upserts TemporalChangeVersion with the whole list at each patch)
 * in its first workflow task, instead of 25 of each, which the provider call waited behind. Each
 * patch is in effect for such a run. Older runs replay as they ran: without the baseline marker,
 * each patch is decided where it was before. A patch added after this baseline is not covered by
 * it: check it with patched(), and decide it before planning below.
 */
export const BASELINE_PATCH = 'baseline-2026-12-04';

/**
 * Patches since the baseline, each decided with patched() at the start of a run, before planning
 * (workflows/leaked-secret-incident.ts):
 *  - 'revocation-local-first': the revocation's first attempt runs as a local activity.
 */
export const PATCHES_SINCE_BASELINE = ['revocation-local-first'] as const;

/** Whether `id` is in effect: for every run started since the baseline, else as the run decided it. */
export function hasPatch(id: BaselinePatch): boolean {
  return patched(BASELINE_PATCH) || patched(id);
}

/** At the start of every run: older runs (without the marker) keep deciding each patch where it is used. */
export function decidePatchesBeforePlanning(): void {
  if (patched(BASELINE_PATCH)) return;
  if (!patched('patches-before-planning')) return;
  for (const id of PATCHES_AFTER_PLANNING) patched(id);
}
