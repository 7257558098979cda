import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import type { OpenIncidentCommand } from '../../domain/open-incident';

/**
 * Pieces every webhook source shares: HMAC checks over the raw body, timestamp windows, zod parsing
 * with errors that name the field, and the shape each source maps its payload into.
 * GitHub's `X-Hub-Signature-256` check is the HMAC-SHA256 below, done with node:crypto.
 */

/** Why a request was refused, with the HTTP status the router answers. */
export class IntakeRejection extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'IntakeRejection';
  }
}

export const unauthorized = (message: string) => new IntakeRejection(401, message);
export const badRequest = (message: string) => new IntakeRejection(400, message);

/** One report ready for IncidentService.open, with the key that makes its redelivery a no-op. */
export interface IntakeAlert {
  /** Unique per report within its source (delivery id, communicationId + account...). */
  deliveryKey: string;
  command: OpenIncidentCommand;
}

/** What a source's payload asks of us. */
export type IntakeDecision = { kind: 'ignore'; reason: string } | { kind: 'open'; alerts: IntakeAlert[] };

export function hmacSha256Hex(key: string | Buffer, ...parts: Array<string | Buffer>): string {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest('hex');
}

/**
 * Constant-time comparison of two strings of any length: both sides are hashed first, so neither
 * the content nor the length of the expected value leaks through timing.
 */
export function constantTimeEqual(actual: string, expected: string): boolean {
  const a = createHash('sha256').update(actual).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Reads one header as a single string (express gives arrays for repeated headers). */
export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Verifies `sha256=<hex>` against HMAC(key, parts...). Throws 401 naming the header on mismatch. */
export function requireSha256Signature(
  signatureHeader: string | undefined,
  headerName: string,
  key: string,
  ...parts: Array<string | Buffer>
): void {
  if (!signatureHeader) throw unauthorized(`missing ${headerName} header`);
  if (!signatureHeader.startsWith('sha256=')) throw unauthorized(`${headerName} must look like sha256=<hex>`);
  const expected = `sha256=${hmacSha256Hex(key, ...parts)}`;
  if (!constantTimeEqual(signatureHeader.toLowerCase(), expected))
    throw unauthorized(`${headerName} does not match the body`);
}

/**
 * Accepts a Unix timestamp (seconds) within `toleranceSeconds` of now; an old timestamp means a
 * captured request is being replayed. Returns the parsed time.
 */
export function requireFreshTimestamp(
  value: string | undefined,
  headerName: string,
  toleranceSeconds: number,
  now: Date,
): Date {
  if (!value) throw unauthorized(`missing ${headerName} header`);
  if (!/^\d{9,11}(\.\d+)?$/.test(value.trim())) throw unauthorized(`${headerName} must be Unix seconds`);
  const sentAt = Number(value) * 1000;
  if (Math.abs(now.getTime() - sentAt) > toleranceSeconds * 1000) {
    throw unauthorized(`${headerName} is outside the ${toleranceSeconds}s window: stale or replayed request`);
  }
  return new Date(sentAt);
}

/** JSON.parse that answers 400 instead of throwing a SyntaxError. */
export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('body is not valid JSON');
  }
}

/** Parses with zod; the 400 names each wrong field by its path. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
  throw badRequest(`invalid ${what}: ${problems.join('; ')}`);
}

/** ISO string of a time the source gave, or of `fallback` when it gave none or an unreadable one. */
export function isoOr(value: string | null | undefined, fallback: Date): string {
  const parsed = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(parsed) ? fallback.toISOString() : new Date(parsed).toISOString();
}

const AWS_KEY_ID = /\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b/g;

/**
 * AWS access key ids found in a text. A key id names a credential without granting anything, so it
 * is safe to use as a catalog identifier (the secret half never is).
 */
export function awsKeyIdsIn(text: string): string[] {
  return [...new Set([...text.matchAll(AWS_KEY_ID)].map((match) => match[1] as string))];
}

export const TOURNIQUET_TIMESTAMP_HEADER = 'X-Tourniquet-Timestamp';
export const TOURNIQUET_SIGNATURE_HEADER = 'X-Tourniquet-Signature';

/**
 * The signed format of the TruffleHog CI step and the generic intake:
 * `X-Tourniquet-Timestamp: <unix seconds>` and
 * `X-Tourniquet-Signature: sha256=hex(HMAC-SHA256(secret, "<timestamp>.<raw body>"))`.
 * Signing the timestamp with the body makes a captured request useless after the window.
 */
export function verifyTourniquetSignature(
  raw: Buffer,
  headers: Record<string, string | string[] | undefined>,
  secret: string,
  toleranceSeconds: number,
  now: Date,
): void {
  const timestamp = header(headers, TOURNIQUET_TIMESTAMP_HEADER);
  requireFreshTimestamp(timestamp, TOURNIQUET_TIMESTAMP_HEADER, toleranceSeconds, now);
  requireSha256Signature(
    header(headers, TOURNIQUET_SIGNATURE_HEADER),
    TOURNIQUET_SIGNATURE_HEADER,
    secret,
    `${timestamp}.`,
    raw,
  );
}

/** Produces the two headers of the signed format (used by tests, the bench and the docs' example). */
export function signTourniquetRequest(
  body: string | Buffer,
  secret: string,
  now: Date = new Date(),
): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    [TOURNIQUET_TIMESTAMP_HEADER]: timestamp,
    [TOURNIQUET_SIGNATURE_HEADER]: `sha256=${hmacSha256Hex(secret, `${timestamp}.`, body)}`,
  };
}
