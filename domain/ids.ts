/** Workflow ids are business keys: one incident workflow per credential identity. */
export function incidentWorkflowId(credentialFingerprint: string): string {
  return `leak-${credentialFingerprint.slice(0, 24)}`;
}

/**
 * The id an incident is known by: its workflow id plus the start of its run id, because a
 * credential leaked again after its incident closed opens a new run under the same workflow id.
 */
export function incidentIdOf(workflowId: string, runId: string): string {
  return `${workflowId}-${runId.replace(/-/g, '').slice(0, 8)}`;
}

/** A new incident id for a run of `workflowId`: 8 hex digits from `randomHex` (at least 8 long, random). */
export function mintedIncidentId(workflowId: string, randomHex: string): string {
  return `${workflowId}-${randomHex.replace(/-/g, '').slice(0, 8)}`;
}

/** A drill's workflow id: drills never share a workflow with the credential's real incidents. */
export function drillWorkflowId(drillId: string): string {
  return `drill-${drillId.slice(0, 24)}`;
}

/** The workflow id inside an incident id (or the workflow id itself). */
export function workflowIdOfIncident(incidentOrWorkflowId: string): string {
  const match = /^((?:leak|drill)-[0-9a-f]{24})(?:-[0-9a-f]{8})?$/.exec(incidentOrWorkflowId);
  return match?.[1] ?? incidentOrWorkflowId;
}

/** Whether typed text has the shape of an incident or workflow id (checked before any look-up). */
export function looksLikeIncidentId(text: string): boolean {
  return /^(?:leak|drill)-[A-Za-z0-9_-]{1,64}$/.test(text);
}
