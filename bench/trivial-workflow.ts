import {
  condition,
  defineSignal,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertMemo,
} from '@temporalio/workflow';

/** The baseline of the intake storm bench: a workflow that does nothing, started bare. */
export async function benchNoop(): Promise<void> {
  return undefined;
}

/** The activities of `benchIncidentShape`: each returns at once. */
export interface ShapeActivities {
  step(name: string): Promise<void>;
}

export const sightingSignal = defineSignal<[number]>('sighting');

const activities = proxyActivities<ShapeActivities>({ startToCloseTimeout: '1 minute' });
const local = proxyLocalActivities<ShapeActivities>({ startToCloseTimeout: '1 minute' });
/** The same activities never dispatched eagerly: the product's evidence and notifications until session 11. */
const lazy = proxyActivities<ShapeActivities>({ startToCloseTimeout: '1 minute', allowEagerDispatch: false });

/**
 * The drain's baseline: bare Temporal doing what a storm incident asks of the server until it is
 * planned and asked (the shape of its history, bench/intake-storm.ts prints it), with activities that
 * do nothing. Signal-with-start; a local activity (planning) and a memo; an activity (blast radius), a
 * memo, an hour's timer (escalation), an activity (evidence) and one (the opening message and the
 * decision request, together); a second evidence batch once they answered; then it waits, open, as an
 * incident waits for its decision. Sightings are counted, as signals. `background`: the blast radius,
 * evidence and notifications as activities dispatched eagerly when they can be (the product's shape),
 * the same with the two notifications one after the other (`separate`: the product until session 12),
 * as activities never dispatched eagerly with separate notifications (`lazy`: the product until session
 * 11), or as local activities (what the server would be spared: bench/incident-shape.ts; the product
 * does not, see BENCHMARKS.md, session 8).
 */
export async function benchIncidentShape(
  background: 'activities' | 'local' | 'combined' | 'lazy' | 'separate' | 'ride' = 'activities',
): Promise<void> {
  const remote = background === 'local' ? local : background === 'lazy' ? lazy : activities;
  let sightings = 0;
  setHandler(sightingSignal, () => void (sightings += 1));
  if (background === 'combined') return combinedShape(() => sightings);
  await local.step('plan');
  upsertMemo({ phase: 'planning' });
  const radius = remote.step('blast-radius');
  upsertMemo({ phase: 'awaiting-decision', sightings });
  const escalation = sleep('1 hour');
  const evidence = background === 'ride' ? Promise.resolve() : remote.step('evidence');
  await remote.step(background === 'ride' ? 'evidence+notify' : 'notify');
  if (background === 'separate' || background === 'lazy') await remote.step('notify');
  await Promise.all([radius, evidence]);
  await remote.step('evidence');
  upsertMemo({ phase: 'asked', sightings });
  await Promise.race([escalation, condition(() => false)]);
}

/**
 * The same incident with its opening background work in one activity (blast radius, the first
 * evidence batch and the first notification), and the second notification with its evidence in
 * another: what batching the background work would spare the server (bench/incident-shape.ts).
 */
async function combinedShape(sightings: () => number): Promise<void> {
  await local.step('plan');
  upsertMemo({ phase: 'planning' });
  upsertMemo({ phase: 'awaiting-decision', sightings: sightings() });
  const escalation = sleep('1 hour');
  await activities.step('opening');
  await activities.step('notify+evidence');
  upsertMemo({ phase: 'asked', sightings: sightings() });
  await Promise.race([escalation, condition(() => false)]);
}
