import { createContainmentActivities } from './containment';
import type { ActivityDeps } from './deps';
import { createExposureActivities } from './exposure';
import { createBookkeepingActivities } from './incident-bookkeeping';
import { createSourceAlertActivities } from './source-alerts';

export type { ActivityDeps } from './deps';

/** Every activity of the incident workflow, bound to the worker's ports. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createBookkeepingActivities(deps),
    ...createContainmentActivities(deps),
    ...createSourceAlertActivities(deps),
    ...createExposureActivities(deps),
  };
}

export type IncidentActivities = ReturnType<typeof createActivities>;
