import type { Client } from '@temporalio/client';
import { workflowIdOfIncident } from '../../domain/ids';
import type { TestApp } from './app';
import { api, eventually } from './http';

/** Opens an incident over the API as `as` and returns its id. */
export async function openIncident(app: TestApp, body: Record<string, unknown>, as = 'carol'): Promise<string> {
  const response = await api(app.baseUrl, 'POST', '/api/incidents', { as, body });
  if (response.status !== 202) throw new Error(`open failed: ${response.status} ${response.text}`);
  return response.body.incidentId as string;
}

/** Waits until the incident reaches `phase` and returns its status. */
export async function waitForPhase(app: TestApp, id: string, phase: string, timeoutMs = 60_000): Promise<any> {
  const response = await eventually(
    () => api(app.baseUrl, 'GET', `/api/incidents/${id}`, { as: 'erin' }),
    (r) => r.body?.phase === phase,
    timeoutMs,
    `phase ${phase}`,
  );
  return response.body;
}

/** The incident's evidence records once `kind` is among them. */
export async function waitForEvidence(
  app: TestApp,
  id: string,
  kind: string,
  timeoutMs = 30_000,
): Promise<Array<{ kind: string; [key: string]: any }>> {
  const response = await eventually(
    () => api(app.baseUrl, 'GET', `/api/incidents/${id}/timeline`, { as: 'erin' }),
    (r) => r.body?.evidence?.some((e: { kind: string }) => e.kind === kind),
    timeoutMs,
    `evidence ${kind}`,
  );
  return response.body.evidence;
}

/**
 * Waits until no activity of the incident's run is pending and the run has taken in every answer (no
 * workflow task pending): a decision then finds nothing in flight, and its revocation may run as a
 * local activity. An answer the run has not yet taken in still counts as in flight to the workflow.
 */
export async function waitForNoPendingActivity(client: Client, id: string, timeoutMs = 30_000): Promise<void> {
  const handle = client.workflow.getHandle(workflowIdOfIncident(id));
  await eventually(
    async () => (await handle.describe()).raw,
    (raw) => (raw.pendingActivities ?? []).length === 0 && !raw.pendingWorkflowTask,
    timeoutMs,
    'no pending activity or workflow task',
  );
}

export function decide(app: TestApp, id: string, as: string, choice: string, reason?: string) {
  return api(app.baseUrl, 'POST', `/api/incidents/${id}/decision`, { as, body: { choice, reason } });
}

export function verify(app: TestApp, id: string, as: string, note = 'checked: old credential refused') {
  return api(app.baseUrl, 'POST', `/api/incidents/${id}/verification`, { as, body: { note } });
}

/**
 * Terminates incidents a test leaves open, so listings of the shared namespace (GET /api/incidents
 * reads every running incident) never show them to later test files. Already ended is fine.
 */
export async function terminateIncidents(client: Client, incidentIds: Iterable<string>): Promise<void> {
  await Promise.all(
    [...incidentIds].map((id) =>
      client.workflow
        .getHandle(workflowIdOfIncident(id))
        .terminate('test over')
        .catch(() => undefined),
    ),
  );
}
