import type { Database } from '../../../integrations/database/database';
import { SqlEvidenceStore } from '../../../integrations/evidence/sql-evidence-store';
import { verifyRecordChain } from '../../../integrations/evidence/verify-bundle';
import type { EvidenceDraft, EvidenceRecord } from '../../../domain/evidence';
import { openEvidenceTestDatabase } from '../../support/evidence-database';
import { closedIncidentDrafts } from '../../support/evidence-fixtures';

/**
 * An evidence batch (what `appendEvidenceBatch` writes) is appended in one transaction, and each of
 * its records is taken as it would be alone: stored ones answered or refused, a gap waited for,
 * the chain unbroken. Against PostgreSQL, reading back what the database holds.
 */
let database: Database;
let transactions = 0;
let store: SqlEvidenceStore;
const inserted: EvidenceRecord[] = [];
let next = 0;
const incident = () => `leak-${(next += 1).toString(16).padStart(24, '0')}-0000beef`;
const draftsOf = (incidentId: string) => closedIncidentDrafts({ incidentId });
const altered = (draft: EvidenceDraft): EvidenceDraft => ({ ...draft, details: { ...draft.details, edited: true } });

beforeAll(async () => {
  ({ database } = await openEvidenceTestDatabase());
  // Counts the transactions the store opens; everything else goes to the database unchanged.
  const counted: Database = {
    query: (sql, params) => database.query(sql, params),
    transaction: (work) => ((transactions += 1), database.transaction(work)),
    close: () => database.close(),
  };
  store = new SqlEvidenceStore(counted, (record) => inserted.push(record));
}, 60_000);

afterAll(async () => {
  await database.close();
});

beforeEach(() => {
  transactions = 0;
  inserted.length = 0;
});

describe('appending a batch of evidence records', () => {
  it('stores the whole batch in one transaction, chained as records appended one by one', async () => {
    const id = incident();
    const drafts = draftsOf(id).slice(0, 6);
    const records = await store.appendAll(drafts);
    expect(transactions).toBe(1);
    expect(records.map((record) => record.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    const stored = await store.list(id);
    expect(stored).toEqual(records);
    expect(verifyRecordChain(stored, id)).toBeNull();
    expect(inserted.map((record) => record.seq)).toEqual([0, 1, 2, 3, 4, 5]);

    // The same records appended one by one, under another incident, chain the same way.
    const other = incident();
    for (const draft of draftsOf(other).slice(0, 6)) await store.append(draft);
    expect(transactions).toBe(7);
    expect(verifyRecordChain(await store.list(other), other)).toBeNull();
  });

  it('answers a retried batch with the stored records and inserts nothing', async () => {
    const id = incident();
    const drafts = draftsOf(id).slice(0, 4);
    const first = await store.appendAll(drafts);
    inserted.length = 0;
    expect(await store.appendAll(drafts)).toEqual(first);
    expect(inserted).toEqual([]);
    expect(await store.list(id)).toEqual(first);
  });

  it('inserts only the records of a batch that are not stored yet', async () => {
    const id = incident();
    const drafts = draftsOf(id);
    await store.appendAll(drafts.slice(0, 3));
    inserted.length = 0;
    const records = await store.appendAll(drafts.slice(1, 6));
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(inserted.map((record) => record.seq)).toEqual([3, 4, 5]);
    const stored = await store.list(id);
    expect(stored.map((record) => record.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(verifyRecordChain(stored, id)).toBeNull();
  });

  it('refuses a record that differs from the stored one, and keeps the records before it', async () => {
    const id = incident();
    const drafts = draftsOf(id);
    await store.appendAll(drafts.slice(0, 2));
    await expect(store.appendAll([altered(drafts[1]!), drafts[2]!])).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await store.list(id)).map((record) => record.seq)).toEqual([0, 1]);

    // The same seq twice in one batch with different content: the records before it are committed.
    await expect(store.appendAll([drafts[2]!, drafts[3]!, altered(drafts[3]!), drafts[4]!])).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const stored = await store.list(id);
    expect(stored.map((record) => record.seq)).toEqual([0, 1, 2, 3]);
    expect(stored[3]!.details).toEqual(drafts[3]!.details);
    expect(verifyRecordChain(stored, id)).toBeNull();
  });

  it('waits, with a retryable error, for a record that has not arrived, keeping the ones before the gap', async () => {
    const id = incident();
    const drafts = draftsOf(id);
    const early = store.appendAll([drafts[1]!, drafts[2]!]);
    await expect(early).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true });
    expect(await store.list(id)).toEqual([]);

    await expect(store.appendAll([drafts[0]!, drafts[2]!])).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect((await store.list(id)).map((record) => record.seq)).toEqual([0]);
    // Once the missing record comes, the retried batch completes the chain.
    await store.appendAll([drafts[1]!, drafts[2]!]);
    const stored = await store.list(id);
    expect(stored.map((record) => record.seq)).toEqual([0, 1, 2]);
    expect(verifyRecordChain(stored, id)).toBeNull();
  });

  it('appends the records of two incidents in one call, each in its own chain', async () => {
    const [a, b] = [incident(), incident()];
    const records = await store.appendAll([...draftsOf(a).slice(0, 2), ...draftsOf(b).slice(0, 3)]);
    expect(records.map((record) => `${record.incidentId === a ? 'a' : 'b'}${record.seq}`)).toEqual([
      'a0',
      'a1',
      'b0',
      'b1',
      'b2',
    ]);
    expect(transactions).toBe(2);
    expect(verifyRecordChain(await store.list(a), a)).toBeNull();
    expect(verifyRecordChain(await store.list(b), b)).toBeNull();
  });
});
