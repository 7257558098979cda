import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

/** Baselines of bench/latency-floor.ts: what bare Temporal costs on the same server in the same run. */
interface FloorActivities {
  revokeRole(role: string): Promise<number>;
}

const remote = proxyActivities<FloorActivities>({ startToCloseTimeout: '20 seconds' });
const local = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '20 seconds' });

/** Start → result of a workflow that does nothing. */
export async function floorEmpty(): Promise<void> {
  return undefined;
}

/** One activity doing the raw provider call; returns when the role was revoked (epoch ms). */
export async function floorOneActivity(role: string): Promise<number> {
  return remote.revokeRole(role);
}

/** The same call as a local activity. */
export async function floorLocalActivity(role: string): Promise<number> {
  return local.revokeRole(role);
}
