import { z } from 'zod';
import { nullishText } from '../shared/parse';
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
  ...nullishText('validity', 'status', 'resolved_at', 'gitguardian_url'),
});

const OccurrenceSchema = z.object({
  id: z.number().int().nonnegative(),
  ...nullishText('date', 'url', 'filepath'),
  source: z.object(nullishText('url', 'full_name', 'name', 'visibility')).nullish(),
});

/**
 * GitGuardian honeytokens share the custom webhook and its signature. `honeytoken_triggered` carries the
 * honeytoken (its id, name, type, triggered_at), `new_honeytoken_event` one recorded use of it (its id and
 * honeytoken_id; the IP address and user agent when GitGuardian sends them). Neither carries the key.
 */
const HoneytokenSchema = z.object({
  id: z.string().min(1),
  ...nullishText('name', 'type', 'status', 'triggered_at', 'gitguardian_url'),
});

const HoneytokenEventSchema = z.object({
  id: z.string().min(1),
  honeytoken_id: z.string().min(1),
  ip_address: z.string().max(100).nullish(),
  user_agent: z.string().max(1_000).nullish(),
  action: z.string().max(200).nullish(),
  timestamp: z.string().nullish(),
});

export const GitguardianEventSchema = z.object({
  source: z.string().optional(),
  timestamp: z.string().min(1),
  action: z.string().min(1),
  incident: IncidentSchema.optional(),
  occurrence: OccurrenceSchema.nullish(),
  honeytoken: HoneytokenSchema.optional(),
  honeytoken_event: HoneytokenEventSchema.optional(),
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
  if (event.action === 'honeytoken_triggered' || event.action === 'new_honeytoken_event') {
    return decideHoneytoken(event, now);
  }
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

/**
 * A GitGuardian honeytoken was used: somebody holds a key nobody legitimate has. It opens as verified
 * active and publicly exposed, flagged `honeytokenTripped`, so the policy's auto-contain rules apply; the
 * catalog matcher `gitguardian:honeytoken:<id>` names the credential behind the decoy. The trigger and
 * each later use join the same open incident as sightings.
 */
function decideHoneytoken(event: GitguardianEvent, now: Date): IntakeDecision {
  const trigger = event.action === 'honeytoken_triggered';
  const honeytoken = trigger
    ? parseWith(HoneytokenSchema, event.honeytoken, 'GitGuardian honeytoken_triggered: honeytoken')
    : undefined;
  const use = trigger
    ? undefined
    : parseWith(HoneytokenEventSchema, event.honeytoken_event, 'GitGuardian new_honeytoken_event: honeytoken_event');
  const honeytokenId = honeytoken?.id ?? use!.honeytoken_id;
  const ref = `gitguardian-honeytoken-${honeytokenId}/${event.action}/${use?.id ?? event.timestamp}`;
  const from = [use?.ip_address && `from ${use.ip_address}`, use?.action && `calling ${use.action}`].filter(Boolean);
  return {
    kind: 'open',
    alerts: [
      {
        deliveryKey: ref,
        command: {
          identifiers: [`gitguardian:honeytoken:${honeytokenId}`],
          description: `GitGuardian honeytoken ${trigger ? 'triggered' : 'used'}: ${honeytoken?.name ?? honeytokenId}`,
          providerHint: honeytoken?.type === 'AWS' ? 'aws-iam' : (honeytoken?.type ?? undefined),
          sighting: {
            source: 'gitguardian',
            sourceRef: ref,
            detectedAt: isoOr(honeytoken?.triggered_at ?? use?.timestamp ?? event.timestamp, now),
            receivedAt: now.toISOString(),
            location: honeytoken?.gitguardian_url ?? undefined,
            verifiedActive: true,
            publiclyExposed: true,
            honeytokenTripped: true,
            notes: `honeytoken tripped${from.length ? ` ${from.join(' ')}` : ''}`,
            reportedBy: 'gitguardian',
          },
        },
      },
    ],
  };
}
