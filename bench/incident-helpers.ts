import { randomBytes } from 'node:crypto';
import type { Client as TemporalClient } from '@temporalio/client';
import { Client } from 'pg';
import type { IncidentStatus } from '../domain/incident';
import { LISTING_MEMO_KEY, type IncidentListing } from '../domain/incident-listing';

/** What the incident benchmarks share: a fresh leaked password, API calls as a test person, polling a status. */

export async function resetRole(url: string, role = 'payments_app'): Promise<string> {
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DO $$ BEGIN CREATE ROLE ${role}; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
  await admin.query(`ALTER ROLE ${role} LOGIN PASSWORD '${password}'`);
  await admin.end();
  return password;
}

export async function post(
  baseUrl: string,
  path: string,
  as: string,
  body: unknown,
): Promise<{ incidentId: string; workflowId: string }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer token-${as}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { incidentId: string; workflowId: string };
}

/** One status read (a workflow query). */
export async function status(baseUrl: string, id: string): Promise<IncidentStatus> {
  const response = await fetch(`${baseUrl}/api/incidents/${id}`, { headers: { authorization: 'Bearer token-erin' } });
  if (!response.ok) throw new Error(`status of ${id}: ${response.status} ${await response.text()}`);
  return (await response.json()) as IncidentStatus;
}

/**
 * Waits until the incident's listing (the memo its workflow publishes to visibility) satisfies `done`,
 * asking the Temporal server only: unlike a status read, which is a workflow query answered by the
 * product's worker between the workflow's own tasks, this adds no work to the process being measured.
 */
export async function awaitListing(
  client: TemporalClient,
  workflowId: string,
  done: (listing: IncidentListing) => boolean,
) {
  return every5ms(
    workflowId,
    async () => {
      const { memo } = await client.workflow.getHandle(workflowId).describe();
      const listing = memo?.[LISTING_MEMO_KEY] as IncidentListing | undefined;
      return { value: listing && done(listing) ? listing : undefined, last: JSON.stringify(listing ?? null) };
    },
    60_000,
  );
}

/** Waits until the incident's status (a workflow query through the API) satisfies `done`. */
export async function pollUntil(
  baseUrl: string,
  id: string,
  done: (s: IncidentStatus) => boolean,
  timeoutMs = 60_000,
): Promise<IncidentStatus> {
  const read = async () => {
    const response = await fetch(`${baseUrl}/api/incidents/${id}`, { headers: { authorization: 'Bearer token-erin' } });
    const text = await response.text();
    const status = response.ok ? (JSON.parse(text) as IncidentStatus) : undefined;
    return { value: status && done(status) ? status : undefined, last: text.slice(0, 1_000) };
  };
  return every5ms(`incident ${id}`, read, timeoutMs);
}

/** Reads every 5 ms until `read` has a value; past the timeout, fails with what it last saw. */
async function every5ms<T>(
  what: string,
  read: () => Promise<{ value?: T; last: string }>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { value, last } = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} stuck: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
