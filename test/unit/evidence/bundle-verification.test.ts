import type { EvidenceRecord } from '../../../domain/evidence';
import type { Database } from '../../../integrations/database/database';
import { generateEvidenceSigner } from '../../../integrations/evidence/bundle-signing';
import {
  buildClosureBundle,
  signClosureBundle,
  type SignedClosureBundle,
} from '../../../integrations/evidence/closure-bundle';
import { evidenceRecordHash } from '../../../integrations/evidence/record-hash';
import { SqlEvidenceStore } from '../../../integrations/evidence/sql-evidence-store';
import { recordDraft, verifyClosureBundle } from '../../../integrations/evidence/verify-bundle';
import { openEvidenceTestDatabase } from '../../support/evidence-database';
import { recordClosedIncident } from '../../support/evidence-fixtures';

const signer = generateEvidenceSigner('unit-key');
let database: Database;
let records: EvidenceRecord[];
let signed: SignedClosureBundle;

beforeAll(async () => {
  ({ database } = await openEvidenceTestDatabase());
  records = await recordClosedIncident(new SqlEvidenceStore(database), {
    incidentId: 'leak-0123456789abcdef01234567-aa11bb22',
  });
  signed = signClosureBundle(buildClosureBundle(records, '2025-03-02T00:00:00.000Z'), signer);
}, 60_000);

afterAll(async () => {
  await database.close();
});

/** A deep copy to tamper with, as an attacker holding the JSON file would. */
const copy = (): SignedClosureBundle => JSON.parse(JSON.stringify(signed)) as SignedClosureBundle;

/** Re-links every hash from `from` on, as an attacker without the signing key could. */
function rehashFrom(bundle: SignedClosureBundle, from: number): void {
  const chain = bundle.bundle.records;
  for (let index = from; index < chain.length; index += 1) {
    const record = chain[index]!;
    record.prevHash = index === 0 ? '0'.repeat(64) : chain[index - 1]!.hash;
    record.hash = evidenceRecordHash(record.prevHash, recordDraft(record));
  }
}

describe('closure bundle verification with only the public key', () => {
  it('accepts a bundle sealed from records written by the real evidence store', () => {
    const result = verifyClosureBundle(JSON.stringify(signed), signer.publicKeyPem);
    expect(result).toMatchObject({
      ok: true,
      signatureValid: true,
      brokenRecord: null,
      recordCount: records.length,
      problems: [],
    });
  });

  it('names the edited record, its kind and why it breaks', () => {
    const tampered = copy();
    tampered.bundle.records[6]!.details = { choice: 'false-positive' };
    const result = verifyClosureBundle(tampered, signer.publicKeyPem);
    expect(result.ok).toBe(false);
    expect(result.brokenRecord).toMatchObject({ seq: 6, index: 6, kind: records[6]!.kind });
    expect(result.problems[0]).toMatch(/record seq 6 .* was edited after it was written/);
    expect(result.signatureValid).toBe(false);
  });

  it('reports where a record was removed from the middle of the chain', () => {
    const tampered = copy();
    tampered.bundle.records.splice(4, 1);
    expect(verifyClosureBundle(tampered, signer.publicKeyPem).brokenRecord).toMatchObject({ index: 4, seq: 5 });
  });

  it('reports records that were swapped', () => {
    const tampered = copy();
    const [a, b] = [tampered.bundle.records[2]!, tampered.bundle.records[3]!];
    tampered.bundle.records[2] = b;
    tampered.bundle.records[3] = a;
    expect(verifyClosureBundle(tampered, signer.publicKeyPem).brokenRecord).toMatchObject({ index: 2, seq: 3 });
  });

  it('still refuses an edited chain re-hashed without the signing key', () => {
    const tampered = copy();
    tampered.bundle.records[8]!.actor = { type: 'person', id: 'mallory' };
    rehashFrom(tampered, 8);
    tampered.bundle.chain.lastHash = tampered.bundle.records.at(-1)!.hash;
    const result = verifyClosureBundle(tampered, signer.publicKeyPem);
    expect(result.brokenRecord).toBeNull();
    expect(result.signatureValid).toBe(false);
    expect(result.problems).toEqual(['the signature does not match the bundle: its content was changed after sealing']);
  });

  it('notices records dropped from the end of the chain', () => {
    const tampered = copy();
    tampered.bundle.records.pop();
    expect(verifyClosureBundle(tampered, signer.publicKeyPem).problems[0]).toMatch(/removed from or added to its end/);
  });

  it('refuses an edited summary even though every record is intact', () => {
    const tampered = copy();
    tampered.bundle.incident.outcome = 'false-positive';
    const result = verifyClosureBundle(tampered, signer.publicKeyPem);
    expect(result).toMatchObject({ ok: false, brokenRecord: null, signatureValid: false });
  });

  it('tells a wrong public key apart from tampering', () => {
    const other = generateEvidenceSigner('other');
    const result = verifyClosureBundle(signed, other.publicKeyPem);
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/signed by key "unit-key".*use the public key published for "unit-key"/);
  });

  it('names the malformed field of a bundle that is not one', () => {
    const result = verifyClosureBundle(
      { format: 'tourniquet.closure-bundle/1', bundle: {}, signer: {}, signature: 'x' },
      signer.publicKeyPem,
    );
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/bundle\.records/);
    expect(result.problems.join('\n')).toMatch(/signature: an Ed25519 signature as 128 lowercase hex/);
  });

  it('detects 1,000 random single-byte mutations of the serialized bundle, every one', () => {
    const bytes = Buffer.from(JSON.stringify(signed), 'utf8');
    const random = mulberry32(20250301);
    const undetected: string[] = [];
    for (let trial = 0; trial < 1000; trial += 1) {
      const position = Math.floor(random() * bytes.length);
      const mutated = Buffer.from(bytes);
      // XOR with 1..255 guarantees the byte really changes.
      mutated[position] = bytes[position]! ^ (1 + Math.floor(random() * 255));
      const result = verifyClosureBundle(new Uint8Array(mutated), signer.publicKeyPem);
      if (result.ok) undetected.push(`byte ${position}: ${bytes[position]} -> ${mutated[position]}`);
    }
    expect(undetected).toEqual([]);
  });
});

/** Small seeded PRNG so the 1,000 mutations are the same on every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
