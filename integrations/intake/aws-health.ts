import { z } from 'zod';
import type { IntakeAlert, IntakeDecision } from './common';
import { constantTimeEqual, header, isoOr, parseJson, parseWith, unauthorized } from './common';

/**
 * AWS Health risk events (EventBridge shape) delivered by an EventBridge API destination whose
 * connection adds a shared-secret header (API key authorisation). AWS reports the access key id,
 * never the secret key, in `detail.affectedEntities[].entityValue`. AWS Health delivers at least
 * once: `communicationId` + account names one notification across its copies and pages.
 */

export const AWS_HEALTH_SECRET_HEADER = 'X-Tourniquet-Secret';

const AffectedEntitySchema = z.object({ entityValue: z.string().min(1) });

export const AwsHealthEventSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.literal('aws.health', { message: 'only aws.health events are accepted here' }),
  account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
  time: z.string().min(1),
  detail: z.object({
    eventArn: z.string().min(1),
    eventTypeCode: z.string().min(1),
    communicationId: z.string().min(1).optional(),
    startTime: z.string().optional(),
    affectedAccount: z
      .string()
      .regex(/^\d{12}$/, 'a 12-digit AWS account id')
      .optional(),
    affectedEntities: z.array(AffectedEntitySchema).default([]),
  }),
});
export type AwsHealthEvent = z.infer<typeof AwsHealthEventSchema>;

/** Exposure codes AWS Health uses for credentials; `EXPOSED` means AWS found the key in public. */
const HANDLED: Record<string, { publiclyExposed?: boolean }> = {
  AWS_RISK_CREDENTIALS_EXPOSED: { publiclyExposed: true },
  AWS_RISK_CREDENTIALS_EXPOSURE_SUSPECTED: {},
  AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED: {},
};

export function verifyAwsHealthSecret(headers: Record<string, string | string[] | undefined>, secret: string): void {
  const given = header(headers, AWS_HEALTH_SECRET_HEADER);
  if (!given) throw unauthorized(`missing ${AWS_HEALTH_SECRET_HEADER} header`);
  if (!constantTimeEqual(given, secret)) throw unauthorized(`${AWS_HEALTH_SECRET_HEADER} is wrong`);
}

export function decideAwsHealth(raw: Buffer, now: Date): IntakeDecision {
  const event = parseWith(AwsHealthEventSchema, parseJson(raw), 'AWS Health event');
  const handling = HANDLED[event.detail.eventTypeCode];
  if (!handling)
    return { kind: 'ignore', reason: `eventTypeCode "${event.detail.eventTypeCode}" is not a credential exposure` };
  const account = event.detail.affectedAccount ?? event.account;
  const notification = `${event.detail.communicationId ?? event.detail.eventArn}:${account}`;
  // An exposure event without an entity still names a leak: it opens on the unknown-owner path.
  const entities =
    event.detail.affectedEntities.length > 0 ? event.detail.affectedEntities.map((e) => e.entityValue) : [undefined];
  return {
    kind: 'open',
    alerts: entities.map((entity) => alertOf(event, account, notification, entity, handling, now)),
  };
}

function alertOf(
  event: AwsHealthEvent,
  account: string,
  notification: string,
  entity: string | undefined,
  handling: { publiclyExposed?: boolean },
  now: Date,
): IntakeAlert {
  const ref = entity ? `${notification}:${entity}` : notification;
  return {
    deliveryKey: ref,
    command: {
      identifiers: entity ? [entity] : [`aws-health:${account}:${event.detail.eventArn}`],
      description: `AWS access key reported by AWS Health (${event.detail.eventTypeCode}) in account ${account}`,
      providerHint: 'aws-iam',
      sighting: {
        source: 'aws-health',
        sourceRef: ref,
        detectedAt: isoOr(event.detail.startTime ?? event.time, now),
        receivedAt: now.toISOString(),
        location: event.detail.eventArn,
        publiclyExposed: handling.publiclyExposed,
        reportedBy: 'aws-health',
        campaign: `aws-health:${account}`,
      },
    },
  };
}
