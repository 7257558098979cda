import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { GENESIS_HASH, type EvidenceDraft } from '../../domain/evidence';
import { parsePublicKey, publicKeySha256, verifySignature } from './bundle-signing';
import { BUNDLE_FORMAT, signedPayload } from './closure-bundle';
import { evidenceRecordHash } from './record-hash';

/**
 * Offline verification of a closure bundle with nothing but the signer's public key: every
 * record's hash chain, then the signature over the whole bundle. Says exactly which record breaks.
 */

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase sha256 hex string (64 characters)');

// Records stay loose: the hash covers every field, so an unknown or renamed field breaks the hash
// and is reported as that record's break rather than as a schema error.
const RecordSchema = z.looseObject({
  incidentId: z.string().min(1),
  seq: z.number().int().min(0),
  prevHash: hex64,
  hash: hex64,
  recordedAt: z.string(),
});

const EnvelopeSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT, { message: `this verifier reads "${BUNDLE_FORMAT}" bundles` }),
  bundle: z.looseObject({
    incidentId: z.string().min(1),
    records: z.array(RecordSchema).min(1, 'a bundle holds at least one record'),
    chain: z.looseObject({ recordCount: z.number().int(), lastHash: hex64 }),
  }),
  signer: z.strictObject({ algorithm: z.literal('Ed25519'), keyId: z.string().min(1), publicKeySha256: hex64 }),
  signature: z.string().regex(/^[0-9a-f]{128}$/, 'an Ed25519 signature as 128 lowercase hex characters'),
});

export interface BrokenRecord {
  /** Position in the bundle's `records` array (0-based). */
  index: number;
  seq: number;
  kind: string | null;
  reason: string;
}

export interface BundleVerification {
  ok: boolean;
  incidentId: string | null;
  recordCount: number;
  /** The first record that breaks the chain; later records cannot be trusted either. */
  brokenRecord: BrokenRecord | null;
  signatureValid: boolean;
  keyId: string | null;
  /** Every problem found, in words an auditor can act on; empty when ok. */
  problems: string[];
}

/** Verifies a bundle given as file bytes, JSON text, or already-parsed JSON. */
export function verifyClosureBundle(input: unknown, publicKey: KeyObject | string): BundleVerification {
  const key = typeof publicKey === 'string' ? parsePublicKey(publicKey, 'the public key') : publicKey;
  const parsed = parseInput(input);
  if ('problem' in parsed) return failure([parsed.problem]);
  const envelope = EnvelopeSchema.safeParse(parsed.value);
  if (!envelope.success) {
    const problems = envelope.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    return failure([
      ...problems,
      'the bundle is malformed: download it again from GET /audit/api/incidents/<id>/bundle',
    ]);
  }
  const { bundle, signer, signature } = envelope.data;
  const problems: string[] = [];
  const brokenRecord = verifyRecordChain(bundle.records, bundle.incidentId);
  if (brokenRecord) problems.push(describeBreak(brokenRecord));
  else problems.push(...chainEndProblems(bundle.records, bundle.chain));

  const keySha = publicKeySha256(key);
  let signatureValid = false;
  if (keySha !== signer.publicKeySha256) {
    problems.push(
      `the bundle was signed by key "${signer.keyId}" (public key sha256 ${signer.publicKeySha256}), ` +
        `but the key given has sha256 ${keySha}: use the public key published for "${signer.keyId}"`,
    );
  } else {
    // Verify over the parsed JSON as received, not zod's output, so nothing is dropped before checking.
    signatureValid = verifySignature(
      key,
      signedPayload(parsed.value as { format: string; bundle: unknown; signer: unknown }),
      signature,
    );
    if (!signatureValid)
      problems.push('the signature does not match the bundle: its content was changed after sealing');
  }
  return {
    ok: problems.length === 0,
    incidentId: bundle.incidentId,
    recordCount: bundle.records.length,
    brokenRecord,
    signatureValid,
    keyId: signer.keyId,
    problems,
  };
}

/** Checks seq order, incident, and each record's link and hash; returns the first break, or null. */
export function verifyRecordChain(records: ReadonlyArray<object>, incidentId: string): BrokenRecord | null {
  let previousHash = GENESIS_HASH;
  for (const [index, entry] of records.entries()) {
    const record = entry as Record<string, unknown>;
    const seq = typeof record.seq === 'number' ? record.seq : -1;
    const kind = typeof record.kind === 'string' ? record.kind : null;
    const broken = (reason: string): BrokenRecord => ({ index, seq, kind, reason });
    if (seq !== index)
      return broken(`has seq ${seq} where seq ${index} belongs: a record was removed, added or reordered`);
    if (record.incidentId !== incidentId)
      return broken(`belongs to incident ${String(record.incidentId)}, not ${incidentId}`);
    if (record.prevHash !== previousHash)
      return broken("its prevHash is not the previous record's hash: the chain was cut or spliced here");
    if (evidenceRecordHash(previousHash, recordDraft(record)) !== record.hash) {
      return broken('its content does not match its hash: the record was edited after it was written');
    }
    previousHash = String(record.hash);
  }
  return null;
}

/** The part of a stored record its hash covers: everything but the chain fields the store adds. */
export function recordDraft(record: object): EvidenceDraft {
  const draft: Record<string, unknown> = { ...record };
  delete draft.prevHash;
  delete draft.hash;
  delete draft.recordedAt;
  return draft as unknown as EvidenceDraft;
}

export function describeBreak(broken: BrokenRecord): string {
  return `record seq ${broken.seq}${broken.kind ? ` (${broken.kind})` : ''} at position ${broken.index} breaks the chain: ${broken.reason}`;
}

function chainEndProblems(
  records: ReadonlyArray<{ hash: string }>,
  chain: { recordCount: number; lastHash: string },
): string[] {
  const last = records[records.length - 1];
  if (records.length === chain.recordCount && last?.hash === chain.lastHash) return [];
  return [
    `the chain holds ${records.length} records ending in ${last?.hash ?? 'nothing'}, but was sealed with ${chain.recordCount} ending in ${chain.lastHash}: records were removed from or added to its end`,
  ];
}

function parseInput(input: unknown): { value: unknown } | { problem: string } {
  let text: string;
  if (input instanceof Uint8Array) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return { problem: 'the bundle is not valid UTF-8: the file was corrupted or changed' };
    }
  } else if (typeof input === 'string') {
    text = input;
  } else {
    return { value: input };
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { problem: `the bundle is not valid JSON (${(error as Error).message}): the file was corrupted or changed` };
  }
}

function failure(problems: string[]): BundleVerification {
  return {
    ok: false,
    incidentId: null,
    recordCount: 0,
    brokenRecord: null,
    signatureValid: false,
    keyId: null,
    problems,
  };
}
