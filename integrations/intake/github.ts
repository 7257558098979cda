import { z } from 'zod';
import type { GithubAlertRef, OpenIncidentCommand } from '../../domain/open-incident';
import type { GithubAlert, GithubAlertLocation } from '../github-alerts/schemas';
import { awsKeyIdsIn, badRequest, header, isoOr, parseJson, parseWith, requireSha256Signature } from './common';

/**
 * GitHub secret scanning webhooks (`secret_scanning_alert`, `secret_scanning_alert_location`).
 * GitHub signs the raw body: `X-Hub-Signature-256: sha256=HMAC(secret, body)`. The payload carries
 * neither the secret nor where it sits, so the webhook only names the alert; an activity fetches it
 * (see activities/github-alert-intake.ts) and the value goes from there to IncidentService.open.
 */

const RepositorySchema = z.object({
  full_name: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected "owner/name"'),
  html_url: z.string().optional(),
  private: z.boolean().optional(),
});

const WebhookAlertSchema = z.object({
  number: z.number().int().positive(),
  secret_type: z.string().min(1),
  secret_type_display_name: z.string().optional(),
  created_at: z.string().min(1),
  html_url: z.string().optional(),
  validity: z.string().nullish(),
  publicly_leaked: z.boolean().nullish(),
});

const LocationSchema = z.object({ type: z.string().min(1), details: z.record(z.string(), z.unknown()) });

export const GithubSecretScanningEventSchema = z.object({
  action: z.string().min(1),
  alert: WebhookAlertSchema,
  repository: RepositorySchema,
  location: LocationSchema.optional(),
});
export type GithubSecretScanningEvent = z.infer<typeof GithubSecretScanningEventSchema>;

const ALERT_ACTIONS = new Set(['created', 'reopened', 'publicly_leaked', 'validated', 'resolved']);
const DELIVERY_ID = /^[0-9a-zA-Z-]{8,64}$/;

export type GithubDecision = { kind: 'ignore'; reason: string } | { kind: 'fetch'; ref: GithubAlertRef };

export function verifyGithubSignature(
  raw: Buffer,
  headers: Record<string, string | string[] | undefined>,
  secret: string,
): void {
  requireSha256Signature(header(headers, 'x-hub-signature-256'), 'X-Hub-Signature-256', secret, raw);
}

/** Reads a verified delivery: which alert to fetch, or why it is ignored. */
export function decideGithubDelivery(
  raw: Buffer,
  headers: Record<string, string | string[] | undefined>,
  now: Date,
): GithubDecision {
  const event = header(headers, 'x-github-event');
  if (!event) throw badRequest('missing X-GitHub-Event header');
  if (event !== 'secret_scanning_alert' && event !== 'secret_scanning_alert_location') {
    return { kind: 'ignore', reason: `event "${event}" is not a secret scanning event` };
  }
  const deliveryId = header(headers, 'x-github-delivery');
  if (!deliveryId || !DELIVERY_ID.test(deliveryId))
    throw badRequest('X-GitHub-Delivery header must be the delivery GUID');
  const payload = parseWith(GithubSecretScanningEventSchema, parseJson(raw), `${event} payload`);
  if (event === 'secret_scanning_alert' && !ALERT_ACTIONS.has(payload.action)) {
    return { kind: 'ignore', reason: `action "${payload.action}" does not change the leak` };
  }
  if (event === 'secret_scanning_alert_location' && payload.action !== 'created') {
    return { kind: 'ignore', reason: `location action "${payload.action}" is not handled` };
  }
  return { kind: 'fetch', ref: refOf(event, deliveryId, payload, now) };
}

function refOf(
  event: GithubAlertRef['event'],
  deliveryId: string,
  payload: GithubSecretScanningEvent,
  now: Date,
): GithubAlertRef {
  const [owner, repo] = payload.repository.full_name.split('/') as [string, string];
  if (event === 'secret_scanning_alert_location' && !payload.location)
    throw badRequest('location: required for location events');
  return {
    deliveryId,
    event,
    action: payload.action,
    owner,
    repo,
    alertNumber: payload.alert.number,
    receivedAt: now.toISOString(),
    location: payload.location ? describeLocation(payload.repository.full_name, payload.location) : undefined,
    repositoryPublic: payload.repository.private === false,
    publiclyLeaked: payload.alert.publicly_leaked === true || payload.action === 'publicly_leaked',
    resolved: payload.action === 'resolved',
  };
}

/** A link to where the secret sits, built from location details (paths and ids only, never content). */
export function describeLocation(
  fullName: string,
  location: { type: string; details: Record<string, unknown> },
): string {
  const details = location.details;
  if (typeof details.path === 'string' && typeof details.commit_sha === 'string') {
    const line = typeof details.start_line === 'number' ? `#L${details.start_line}` : '';
    return `https://github.com/${fullName}/blob/${details.commit_sha}/${details.path}${line}`;
  }
  const url = Object.entries(details).find(([key, value]) => key.endsWith('_url') && typeof value === 'string');
  return url ? String(url[1]) : `${location.type} in ${fullName}`;
}

/**
 * The command for IncidentService.open once the alert was fetched. `leakedValue` is the only field
 * that carries the secret; IncidentService fingerprints and seals it.
 */
export function githubAlertCommand(
  ref: GithubAlertRef,
  alert: GithubAlert,
  locations: GithubAlertLocation[],
): OpenIncidentCommand {
  const fullName = `${ref.owner}/${ref.repo}`;
  const first = locations[0];
  const location = ref.location ?? (first ? describeLocation(fullName, first) : alert.html_url);
  return {
    leakedValue: alert.secret ?? undefined,
    identifiers: [`github:${alert.secret_type}:${fullName}`, ...awsKeyIdsIn(alert.secret ?? '')],
    description: alert.secret_type_display_name ?? alert.secret_type,
    providerHint: alert.secret_type,
    sighting: {
      source: 'github',
      sourceRef: `${fullName}#${alert.number}@${ref.deliveryId}`,
      detectedAt: isoOr(alert.created_at, new Date(ref.receivedAt)),
      receivedAt: ref.receivedAt,
      location,
      verifiedActive: alert.validity === 'active' ? true : alert.validity === 'inactive' ? false : undefined,
      publiclyExposed: ref.publiclyLeaked || ref.repositoryPublic || alert.publicly_leaked === true,
      resolvedAtSource: ref.resolved || alert.state === 'resolved',
      notes: alert.resolution ? `resolved at GitHub as ${alert.resolution}` : undefined,
      reportedBy: 'github',
      campaign: `github:${ref.owner}`,
      sourceAlert: { provider: 'github', repository: fullName, number: alert.number },
    },
  };
}
