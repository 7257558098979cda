import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { IncidentStatus } from '../domain/incident';

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

export async function post(baseUrl: string, path: string, as: string, body: unknown): Promise<{ incidentId: string }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer token-${as}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { incidentId: string };
}

export async function pollUntil(
  baseUrl: string,
  id: string,
  done: (s: IncidentStatus) => boolean,
  timeoutMs = 60_000,
): Promise<IncidentStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${baseUrl}/api/incidents/${id}`, { headers: { authorization: 'Bearer token-erin' } });
    const text = await response.text();
    if (response.ok && done(JSON.parse(text) as IncidentStatus)) return JSON.parse(text) as IncidentStatus;
    if (Date.now() > deadline) throw new Error(`incident ${id} stuck: ${text.slice(0, 1_000)}`);
    // 5 ms: the latency bench times milestones with this poll.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
