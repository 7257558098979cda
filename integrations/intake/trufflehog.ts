import { z } from 'zod';
import type { IntakeAlert, IntakeDecision } from './common';
import { awsKeyIdsIn, badRequest, hmacSha256Hex, parseWith } from './common';

/**
 * TruffleHog findings (`trufflehog ... --json`), one JSON object per line, posted by a CI step with
 * the Tourniquet signed format (see common.ts). `Raw`/`RawV2` hold the leaked value: it goes to
 * IncidentService.open as `leakedValue` and nowhere else. Canary findings (`ExtraData.is_canary`)
 * are recorded, never contained.
 */

export const TrufflehogFindingSchema = z.object({
  SourceMetadata: z.object({ Data: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  SourceName: z.string().optional(),
  DetectorName: z.string().min(1),
  Verified: z.boolean(),
  Raw: z.string().min(1),
  RawV2: z.string().optional(),
  ExtraData: z.record(z.string(), z.unknown()).nullish(),
});
export type TrufflehogFinding = z.infer<typeof TrufflehogFindingSchema>;

export const MAX_FINDINGS_PER_REQUEST = 500;

/** Splits the JSON-lines body; the 400 names the line that is wrong (never its content). */
export function parseTrufflehogFindings(raw: Buffer): TrufflehogFinding[] {
  const lines = raw
    .toString('utf8')
    .split('\n')
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line.length > 0);
  if (lines.length === 0) throw badRequest('body holds no findings: send one TruffleHog JSON object per line');
  if (lines.length > MAX_FINDINGS_PER_REQUEST)
    throw badRequest(`at most ${MAX_FINDINGS_PER_REQUEST} findings per request`);
  return lines.map(({ line, number }) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw badRequest(`line ${number} is not valid JSON`);
    }
    return parseWith(TrufflehogFindingSchema, value, `finding on line ${number}`);
  });
}

/**
 * `dedupKey` is a keyed hash (HMAC with the intake's secret) so two different secrets found at the
 * same place stay two alerts, without the value or a bare hash of it reaching the delivery table.
 */
export function decideTrufflehog(findings: TrufflehogFinding[], dedupKey: string, now: Date): IntakeDecision {
  return { kind: 'open', alerts: findings.map((finding) => alertOf(finding, dedupKey, now)) };
}

function alertOf(finding: TrufflehogFinding, dedupKey: string, now: Date): IntakeAlert {
  const value = finding.RawV2 || finding.Raw;
  const where = whereOf(finding);
  const ref = `${finding.DetectorName}:${where.key}:${hmacSha256Hex(dedupKey, value).slice(0, 16)}`;
  return {
    deliveryKey: ref,
    command: {
      leakedValue: value,
      identifiers: awsKeyIdsIn(finding.Raw),
      description: `${finding.DetectorName} credential found by TruffleHog`,
      providerHint: finding.DetectorName.toLowerCase(),
      sighting: {
        source: 'trufflehog',
        sourceRef: ref,
        detectedAt: now.toISOString(),
        receivedAt: now.toISOString(),
        location: where.link,
        verifiedActive: finding.Verified,
        publiclyExposed: where.public,
        canary: isCanary(finding) || undefined,
        reportedBy: 'trufflehog',
        campaign: `trufflehog:${where.repository ?? finding.SourceName ?? 'scan'}`,
      },
    },
  };
}

function isCanary(finding: TrufflehogFinding): boolean {
  const flag = finding.ExtraData?.is_canary;
  return flag === true || flag === 'true';
}

/** Where the finding sits, from whichever source block TruffleHog filled (Git, Github, Filesystem...). */
function whereOf(finding: TrufflehogFinding): { key: string; link: string; repository?: string; public?: boolean } {
  const [kind, data] = Object.entries(finding.SourceMetadata.Data)[0] ?? ['unknown', {}];
  const text = (field: string) => (typeof data[field] === 'string' ? data[field] : undefined);
  const repository = text('repository');
  const file = text('file') ?? text('path') ?? '';
  const line = typeof data.line === 'number' ? data.line : undefined;
  const key = [kind, repository ?? '', text('commit') ?? '', file, line ?? ''].join('|');
  const link =
    text('link') ??
    `${repository ?? kind}${text('commit') ? `@${text('commit')}` : ''}${file ? `:${file}` : ''}${line ? `:${line}` : ''}`;
  // TruffleHog's Visibility enum: 0 = public.
  const visibility = data.visibility;
  return { key, link, repository, public: visibility === 0 || visibility === 'public' ? true : undefined };
}
