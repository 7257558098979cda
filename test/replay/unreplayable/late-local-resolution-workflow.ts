import {
  condition,
  defineQuery,
  defineSignal,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';

/** Activities of the reproduction: each waits `ms`, then answers. */
export interface PauseActivities {
  background(ms: number): Promise<void>;
  afterBackground(): Promise<void>;
  revoke(ms: number): Promise<void>;
  afterRevoke(): Promise<void>;
}

export const goSignal = defineSignal('go');
/** A query that takes a while to answer, as a status query on a busy worker does. */
export const slowQuery = defineQuery<number>('slow');

const activities = proxyActivities<PauseActivities>({ startToCloseTimeout: '1 minute' });
const local = proxyLocalActivities<PauseActivities>({ startToCloseTimeout: '1 minute' });

/**
 * The shape of the unreplayable incident: background work in flight (an evidence batch) while the
 * revocation runs as a local activity, and something scheduled on each answer. `alone`: the
 * revocation runs as a local activity only when no activity is in flight (patch 'local-call-alone').
 */
export async function lateLocalResolution(alone: boolean): Promise<void> {
  let go = false;
  let inFlight = 1;
  setHandler(goSignal, () => void (go = true));
  setHandler(slowQuery, () => {
    let sum = 0;
    for (let i = 0; i < 300_000_000; i += 1) sum += i % 7;
    return sum;
  });
  const background = activities.background(350).then(() => {
    inFlight -= 1;
    return activities.afterBackground();
  });
  // Keeps the first workflow task open while the client signals and queries: the query then comes with the next task.
  await local.background(300);
  await condition(() => go);
  if (alone && inFlight > 0) await activities.revoke(150);
  else await local.revoke(150);
  await activities.afterRevoke();
  await background;
}
