import { z } from 'zod';
import type { IntakeDecision } from './common';
import { header, isoOr, parseJson, parseWith, requireFreshTimestamp, requireSha256Signature } from './common';

/**
 * GitGuardian custom webhooks (event-based). GitGuardian signs the raw body with
 * HMAC-SHA256 keyed by `<Timestamp header><signature token>` and sends `Gitguardian-Signature:
 * sha256=<hex>`; a Timestamp outside the window is a replay. The payload carries no secret value:
 * GitGuardian's own incident id names the credential, so only a catalog matcher
 * (`gitguardian:incident:<id>`) can join it to reports from other sources.
 */

const DetectorSchema = z.object({ name: z.string().min(1), display_name: z.string().optional() });

const IncidentSchema = z.object({
  id: z.number().int().nonnegative(),
  date: z.string().min(1),
  detector: DetectorSchema,
  secret_revoked: z.boolean().nullish(),
  validity: z.string().nullish(),
  status: z.string().nullish(),
  resolved_at: z.string().nullish(),
  gitguardian_url: z.string().nullish(),
});

const OccurrenceSchema = z.object({
  id: z.number().int().nonnegative(),
  date: z.string().nullish(),
  url: z.string().nullish(),
  filepath: z.string().nullish(),
  source: z
    .object({
      url: z.string().nullish(),
      full_name: z.string().nullish(),
      name: z.string().nullish(),
      visibility: z.string().nullish(),
    })
    .nullish(),
});

export const GitguardianEventSchema = z.object({
  source: z.string().optional(),
  timestamp: z.string().min(1),
  action: z.string().min(1),
  incident: IncidentSchema.optional(),
  occurrence: OccurrenceSchema.nullish(),
});
export type GitguardianEvent = z.infer<typeof GitguardianEventSchema>;

/** Events that report a (possibly new) exposure, or that the source resolved it. */
const HANDLED = new Set([
  'incident_triggered',
  'incident_regression',
  'incident_reopened',
  'new_occurrence',
  'incident_validity_changed',
  'incident_resolved',
]);

export function verifyGitguardianSignature(
  raw: Buffer,
  headers: Record<string, string | string[] | undefined>,
  token: string,
  toleranceSeconds: number,
  now: Date,
): void {
  const timestamp = header(headers, 'timestamp');
  requireFreshTimestamp(timestamp, 'Timestamp', toleranceSeconds, now);
  requireSha256Signature(
    header(headers, 'gitguardian-signature'),
    'Gitguardian-Signature',
    `${timestamp}${token}`,
    raw,
  );
}

export function decideGitguardian(raw: Buffer, now: Date): IntakeDecision {
  const event = parseWith(GitguardianEventSchema, parseJson(raw), 'GitGuardian event');
  if (!HANDLED.has(event.action))
    return { kind: 'ignore', reason: `action "${event.action}" does not change the leak` };
  const incident = parseWith(IncidentSchema, event.incident, `GitGuardian ${event.action}: incident`);
  const occurrence = event.occurrence ?? undefined;
  const ref = `gitguardian-incident-${incident.id}/${event.action}/${occurrence?.id ?? event.timestamp}`;
  const repository = occurrence?.source?.full_name ?? occurrence?.source?.name ?? undefined;
  return {
    kind: 'open',
    alerts: [
      {
        deliveryKey: ref,
        command: {
          identifiers: [`gitguardian:incident:${incident.id}`],
          description: incident.detector.display_name ?? incident.detector.name,
          providerHint: incident.detector.name,
          sighting: {
            source: 'gitguardian',
            sourceRef: ref,
            detectedAt: isoOr(occurrence?.date ?? incident.date, now),
            receivedAt: now.toISOString(),
            location: occurrence?.url ?? incident.gitguardian_url ?? undefined,
            verifiedActive: incident.validity === 'valid' ? true : incident.validity === 'invalid' ? false : undefined,
            publiclyExposed: occurrence?.source?.visibility === 'public' ? true : undefined,
            resolvedAtSource: event.action === 'incident_resolved' ? true : undefined,
            notes:
              event.action === 'incident_resolved' && incident.secret_revoked ? 'revoked at the source' : undefined,
            reportedBy: 'gitguardian',
            campaign: `gitguardian:${repository ?? incident.detector.name}`,
          },
        },
      },
    ],
  };
}
