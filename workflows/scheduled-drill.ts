import { ParentClosePolicy, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import { drillWorkflowId } from '../domain/ids';
import type { IncidentInput } from '../domain/incident';
import type { leakedSecretIncident } from './leaked-secret-incident';

/** What a drill schedule starts each time it fires. */
export interface ScheduledDrillArgs {
  team: string;
  secretId: string;
  /** Who created the schedule: the drill is started on their behalf. */
  requestedBy: string;
}

/**
 * Started by a Temporal Schedule (`drill-schedule-<team>-<secret>`): opens one drill incident as a
 * child that outlives it, with a fresh drill id drawn from the workflow's deterministic random
 * source, and returns its workflow id. Nothing else: the drill runs as any on-demand drill does.
 */
export async function scheduledDrill(args: ScheduledDrillArgs): Promise<string> {
  const drillId = uuid4().replace(/-/g, '').slice(0, 24);
  const at = new Date(Date.now()).toISOString();
  const input: IncidentInput = {
    // A drill names no real credential: its identity is the drill itself.
    credentialFingerprint: `drill-${drillId}`,
    secretId: args.secretId,
    firstSighting: {
      source: 'drill',
      sourceRef: drillId,
      detectedAt: at,
      receivedAt: at,
      reportedBy: args.requestedBy,
      notes: `scheduled drill of team ${args.team} (${workflowInfo().workflowId})`,
    },
    drill: { drillId, team: args.team, requestedBy: args.requestedBy, trigger: 'scheduled' },
  };
  const child = await startChild<typeof leakedSecretIncident>('leakedSecretIncident', {
    workflowId: drillWorkflowId(drillId),
    args: [input],
    parentClosePolicy: ParentClosePolicy.ABANDON,
  });
  return child.workflowId;
}
