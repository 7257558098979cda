import { GENESIS_HASH, type EvidenceDraft } from '../../domain/evidence';
import { evidenceRecordHash } from '../../integrations/evidence/record-hash';
import { withAdmin } from './environment';
import { api } from './http';

/**
 * Reads an incident's evidence straight from the product database and checks it: seqs 0..n-1
 * without gap or duplicate, each record hashed onto the one before. Returns the kinds in seq order.
 */
export async function verifiedEvidenceChain(productDbUrl: string, incidentId: string): Promise<string[]> {
  const rows = await withAdmin(
    productDbUrl,
    async (admin) =>
      (
        await admin.query<{ seq: number; kind: string; record: EvidenceDraft; prev_hash: string; hash: string }>(
          'SELECT seq, kind, record, prev_hash, hash FROM evidence_records WHERE incident_id = $1 ORDER BY seq',
          [incidentId],
        )
      ).rows,
  );
  expect(rows.map((row) => row.seq)).toEqual(rows.map((_, index) => index));
  let previous = GENESIS_HASH;
  for (const row of rows) {
    expect(row.prev_hash).toBe(previous);
    expect(evidenceRecordHash(row.prev_hash, row.record)).toBe(row.hash);
    previous = row.hash;
  }
  return rows.map((row) => row.kind);
}

/** How many evidence records the incident's sealed closure bundle covers (undefined: none sealed). */
export async function closureBundleRecordCount(productDbUrl: string, incidentId: string): Promise<number | undefined> {
  return withAdmin(productDbUrl, async (admin) => {
    const bundles = await admin.query<{ record_count: number }>(
      'SELECT record_count FROM closure_bundles WHERE incident_id = $1',
      [incidentId],
    );
    return bundles.rows[0]?.record_count;
  });
}

/** Polls `check` until it returns true; fails with its last other answer (what is still pending). */
export async function waitUntil(what: string, timeoutMs: number, check: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result === true) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; still: ${JSON.stringify(result)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function waitForPhase(baseUrl: string, id: string, phases: string[], timeoutMs: number): Promise<void> {
  await waitUntil(`${id} in ${phases.join('/')}`, timeoutMs, async () => {
    const status = await api(baseUrl, 'GET', `/api/incidents/${id}`, { as: 'alice' });
    return phases.includes(status.body?.phase) || status.body?.phase;
  });
}

/**
 * Answers what the incident waits for (verification, dependent acknowledgements) until it is closed,
 * then waits for its closure bundle in the product database. The phase reads "closed" before the
 * last evidence (incident.closed, a batch still being appended) reaches the store; the bundle is
 * sealed only after every record is flushed, so the evidence is final once it exists.
 */
export async function driveToClosed(baseUrl: string, id: string, productDbUrl: string): Promise<void> {
  const answered = new Set<string>();
  let lastRefusal: unknown;
  await waitUntil(`${id} closed`, 180_000, async () => {
    const status = (await api(baseUrl, 'GET', `/api/incidents/${id}`, { as: 'alice' })).body;
    if (status?.phase === 'needs-attention') throw new Error(`${id} needs attention: ${JSON.stringify(status)}`);
    if (status?.phase === 'awaiting-verification' && !answered.has('verification')) {
      const verified = await api(baseUrl, 'POST', `/api/incidents/${id}/verification`, {
        as: 'carol',
        body: { note: 'crash test: provider state checked' },
      });
      if (verified.status < 300) answered.add('verification');
      else lastRefusal = { verification: verified.status, body: verified.body };
    }
    if (status?.phase === 'awaiting-acknowledgement') {
      for (const dependent of status.dependents ?? []) {
        if (answered.has(dependent.id) || dependent.acknowledgedBy) continue;
        const acked = await api(baseUrl, 'POST', `/api/incidents/${id}/dependents/${dependent.id}/acknowledgement`, {
          as: 'alice',
          body: { note: 'stopped, seen in our dashboard' },
        });
        if (acked.status < 300) answered.add(dependent.id);
        else lastRefusal = { acknowledgement: acked.status, body: acked.body };
      }
    }
    return status?.phase === 'closed' || { phase: status?.phase, answered: [...answered], lastRefusal };
  });
  await waitUntil(`${id} closure bundle sealed`, 120_000, async () =>
    (await closureBundleRecordCount(productDbUrl, id)) !== undefined ? true : 'not yet',
  );
}
