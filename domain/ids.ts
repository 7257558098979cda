/** Workflow ids are business keys: one incident workflow per credential identity. */
export function incidentWorkflowId(credentialFingerprint: string): string {
  return `leak-${credentialFingerprint.slice(0, 24)}`;
}

/**
 * The id an incident is known by: its workflow id plus the first 8 hex digits of `hex`, because a
 * credential leaked again after its incident closed opens a new run under the same workflow id.
 * `hex` is random for incidents opened since 2026-12-05 (minted with the report, or by the closing
 * run for the next incident); before, it was the run id, whose first digits are a timestamp's.
 */
export function incidentIdOf(workflowId: string, hex: string): string {
  return `${workflowId}-${hex.replace(/-/g, '').slice(0, 8)}`;
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
