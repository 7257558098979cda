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

/** At the start of every run: older runs (without the marker) keep deciding each patch where it is used. */
export function decidePatchesBeforePlanning(): void {
  if (!patched('patches-before-planning')) return;
  for (const id of PATCHES_AFTER_PLANNING) patched(id);
}
