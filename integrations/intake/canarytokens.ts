import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { IntakeDecision } from './common';
import { awsKeyIdsIn, constantTimeEqual, isoOr, parseJson, parseWith, unauthorized } from './common';

/**
 * Thinkst Canarytokens alerts. Canarytokens posts its alert as unsigned JSON (the generic webhook
 * of its `TokenAlertDetails`: token, token_type, memo, channel, src_ip, time, manage_url,
 * additional_data), so the only proof of origin is a secret path: the webhook URL ends with
 * CANARYTOKENS_PATH_SECRET, compared in constant time. A trip means somebody USED a credential
 * nobody legitimate holds: it opens as verified active and publicly exposed, so the policy's
 * auto-contain rules apply, and is flagged `honeytokenTripped`.
 */
export const CanarytokenAlertSchema = z.object({
  token: z.string().min(1, 'the canarytoken id'),
  token_type: z.string().min(1).optional(),
  memo: z.string().max(2_000).optional(),
  channel: z.string().max(100).optional(),
  src_ip: z.string().max(100).optional(),
  time: z.string().max(100).optional(),
  manage_url: z.string().max(2_000).optional(),
  additional_data: z.record(z.string(), z.unknown()).optional(),
});

export const MIN_PATH_SECRET_LENGTH = 24;

export function verifyCanarytokensPath(given: string, secret: string): void {
  if (secret.length < MIN_PATH_SECRET_LENGTH) {
    throw unauthorized(`CANARYTOKENS_PATH_SECRET is too short (< ${MIN_PATH_SECRET_LENGTH} characters): refusing`);
  }
  if (!constantTimeEqual(given, secret)) throw unauthorized('unknown Canarytokens webhook path');
}

export function decideCanarytoken(raw: Buffer, now: Date): IntakeDecision {
  const alert = parseWith(CanarytokenAlertSchema, parseJson(raw), 'Canarytokens alert');
  // The AWS-key canary's log data may name the key id it fired for; a key id grants nothing.
  const keyIds = awsKeyIdsIn(JSON.stringify(alert.additional_data ?? {}));
  const trip = createHash('sha256')
    .update(`${alert.token}\n${alert.time ?? ''}\n${alert.src_ip ?? ''}\n${alert.channel ?? ''}`)
    .digest('hex')
    .slice(0, 32);
  const from = [alert.src_ip && `from ${alert.src_ip}`, alert.channel && `over ${alert.channel}`].filter(Boolean);
  return {
    kind: 'open',
    alerts: [
      {
        deliveryKey: trip,
        command: {
          identifiers: [alert.token, ...keyIds],
          description: `Canarytoken tripped (${alert.token_type ?? 'unknown type'}): ${alert.memo ?? 'no memo'}`,
          providerHint: alert.token_type === 'aws_keys' ? 'aws-iam' : alert.token_type,
          sighting: {
            source: 'canarytokens',
            sourceRef: trip,
            detectedAt: isoOr(alert.time, now),
            receivedAt: now.toISOString(),
            location: alert.manage_url,
            verifiedActive: true,
            publiclyExposed: true,
            honeytokenTripped: true,
            notes: `honeytoken tripped${from.length ? ` ${from.join(' ')}` : ''}`,
            reportedBy: 'canarytokens',
          },
        },
      },
    ],
  };
}
