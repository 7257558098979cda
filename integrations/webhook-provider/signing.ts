import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature Tourniquet puts on webhook requests (provider and dependent webhooks) and
 * requires on their answers:
 *
 *   Tourniquet-Timestamp: <unix seconds>
 *   Tourniquet-Signature: v1=<hex HMAC-SHA256(key, "<timestamp>.<raw body>")>
 *
 * Receivers recompute the HMAC over the exact bytes received, compare in constant time, and
 * refuse timestamps more than 5 minutes away. Answers carry the same two headers over the answer
 * body, signed with the same shared key.
 */
export const TIMESTAMP_HEADER = 'tourniquet-timestamp';
export const SIGNATURE_HEADER = 'tourniquet-signature';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function sign(key: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function signedHeaders(key: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1_000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: sign(key, timestamp, body) };
}

/** Why a signature is not acceptable, or undefined when it is. */
export function signatureProblem(
  key: string,
  timestampHeader: string | null | undefined,
  signatureHeader: string | null | undefined,
  body: string,
  now = Date.now(),
): string | undefined {
  if (!timestampHeader || !signatureHeader) return `missing ${TIMESTAMP_HEADER} or ${SIGNATURE_HEADER} header`;
  const timestamp = Number(timestampHeader);
  if (!Number.isInteger(timestamp)) return `${TIMESTAMP_HEADER} is not unix seconds`;
  if (Math.abs(now / 1_000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS)
    return `${TIMESTAMP_HEADER} is more than 5 minutes away`;
  const expected = Buffer.from(sign(key, timestamp, body));
  const given = Buffer.from(signatureHeader);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'signature does not match';
  return undefined;
}
