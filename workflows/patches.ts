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
type PatchBeforePlanning =
  'settled-handoff-answers' | 'bounded-roll-over' | 'bounded-history' | 'local-planning' | 'revocation-local-first';

/**
 * Patches since the second baseline ('baseline-2026-12-05'), in effect for runs of the current one.
 * 'local-call-alone': a local activity runs only when no activity of the run is in flight, with
 * background work held until it answers (IncidentState.beginLocalCall).
 */
type PatchSinceSecondBaseline = 'local-call-alone';

/**
 * Patches since the third baseline ('baseline-2026-12-06'), in effect for runs of the current one.
 * 'notifications-together': notifications queued while the one before them is being sent go out
 * together, in order, as one activity (IncidentState.notify).
 */
type PatchSinceThirdBaseline = 'notifications-together';

/** Every patch of the incident workflow as of 2026-12-07 (see BASELINE_PATCH). */
export type BaselinePatch =
  (typeof PATCHES_AFTER_PLANNING)[number] | PatchBeforePlanning | PatchSinceSecondBaseline | PatchSinceThirdBaseline;

/**
 * Every patch above as one. A run started since records this marker alone: one marker and one
 * search-attribute upsert (the SDK upserts TemporalChangeVersion with the whole list at each patch)
 * in its first workflow task, instead of one of each per patch: visibility writes a storm pays for,
 * and commands the provider call waited behind. Each patch is in effect for such a run. Older runs
 * replay as they ran (see FIRST_BASELINE_PATCH). A patch added after this baseline is not covered by
 * it: check it with patched(), decide it before planning, and fold it into the next baseline.
 */
export const BASELINE_PATCH = 'baseline-2026-12-07';

/** The third baseline (runs started before 'notifications-together'): every patch but that one. */
export const THIRD_BASELINE_PATCH = 'baseline-2026-12-06';

/** The second baseline (runs started before 'local-call-alone'): every patch but it and the third's. */
export const SECOND_BASELINE_PATCH = 'baseline-2026-12-05';

/**
 * The first baseline (runs started on 2026-12-04): every patch but 'revocation-local-first', which
 * such a run decided with its own marker at its start. Runs started before it decided each patch
 * where it is used; in a run without a baseline that reached live execution, hasPatch could record
 * this marker later, where a patch was first checked, and such a run goes on checking it there.
 */
export const FIRST_BASELINE_PATCH = 'baseline-2026-12-04';

/** Patches since the baseline, each decided with patched() at the start of a run, before planning. */
export const PATCHES_SINCE_BASELINE = [] as const;

/** Which baseline this run has: decided once, by decideBaseline, before anything checks a patch. */
let baseline: 'current' | 'third' | 'second' | 'first' | 'none' = 'none';

/**
 * The first thing every run of the incident workflow does. A new run records BASELINE_PATCH; a run
 * replaying from before it finds its own baseline or none. Decided once, so a run without the new
 * baseline never records it later, where some patch is first checked.
 */
export function decideBaseline(): void {
  baseline = patched(BASELINE_PATCH)
    ? 'current'
    : patched(THIRD_BASELINE_PATCH)
      ? 'third'
      : patched(SECOND_BASELINE_PATCH)
        ? 'second'
        : patched(FIRST_BASELINE_PATCH)
          ? 'first'
          : 'none';
}

/** Whether `id` is in effect: for every run started since its baseline, else as the run decided it. */
export function hasPatch(id: BaselinePatch): boolean {
  if (baseline === 'current') return true;
  // Older runs never had the patches of later baselines, wherever they are checked.
  if (id === 'notifications-together') return false;
  if (baseline === 'third') return true;
  if (id === 'local-call-alone') return false;
  if (baseline === 'second') return true;
  if (baseline === 'first') return id === 'revocation-local-first' ? patched(id) : true;
  // As every run without a baseline has checked its patches since the first baseline.
  return patched(FIRST_BASELINE_PATCH) || patched(id);
}

/** At the start of every run: older runs (without a baseline) keep deciding each patch where it is used. */
export function decidePatchesBeforePlanning(): void {
  if (baseline !== 'none') return;
  if (patched(FIRST_BASELINE_PATCH)) return;
  if (!patched('patches-before-planning')) return;
  for (const id of PATCHES_AFTER_PLANNING) patched(id);
}
