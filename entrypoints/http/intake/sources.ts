import type { AlertSource } from '../../../domain/incident';
import { decideAwsHealth, verifyAwsHealthSecret } from '../../../integrations/intake/aws-health';
import { decideCanarytoken } from '../../../integrations/intake/canarytokens';
import { verifyTourniquetSignature, type IntakeDecision } from '../../../integrations/intake/common';
import { decideGeneric } from '../../../integrations/intake/generic';
import { decideGitguardian, verifyGitguardianSignature } from '../../../integrations/intake/gitguardian';
import { decideTrufflehog, parseTrufflehogFindings } from '../../../integrations/intake/trufflehog';
import type { IntakeConfig, IntakeSecretSetting } from './intake-config';

type Headers = Record<string, string | string[] | undefined>;

/** One synchronous webhook source: how it authenticates and how its payload maps to alerts. */
export interface SourceSpec {
  source: AlertSource;
  /** The setting that holds its secret; the source is off while it is unset. */
  secretSetting: IntakeSecretSetting;
  verify(raw: Buffer, headers: Headers, secret: string, config: IntakeConfig, now: Date): void;
  decide(raw: Buffer, secret: string, now: Date): IntakeDecision;
}

/** A source that signs its requests the Tourniquet way (HMAC of timestamp and body; docs/intake.md). */
function tourniquetSigned(
  source: AlertSource,
  secretSetting: IntakeSecretSetting,
  decide: SourceSpec['decide'],
): SourceSpec {
  return {
    source,
    secretSetting,
    verify: (raw, headers, secret, config, now) =>
      verifyTourniquetSignature(raw, headers, secret, config.INTAKE_TIMESTAMP_TOLERANCE_SECONDS, now),
    decide,
  };
}

export const SOURCES: Record<'gitguardian' | 'trufflehog' | 'aws-health' | 'generic', SourceSpec> = {
  gitguardian: {
    source: 'gitguardian',
    secretSetting: 'GITGUARDIAN_SIGNATURE_TOKEN',
    verify: (raw, headers, secret, config, now) =>
      verifyGitguardianSignature(raw, headers, secret, config.INTAKE_TIMESTAMP_TOLERANCE_SECONDS, now),
    decide: (raw, _secret, now) => decideGitguardian(raw, now),
  },
  // The HMAC secret doubles as the key of the finding's dedup hash: keyed, and already ours.
  trufflehog: tourniquetSigned('trufflehog', 'TRUFFLEHOG_HMAC_SECRET', (raw, secret, now) =>
    decideTrufflehog(parseTrufflehogFindings(raw), secret, now),
  ),
  'aws-health': {
    source: 'aws-health',
    secretSetting: 'AWS_HEALTH_SHARED_SECRET',
    verify: (_raw, headers, secret) => verifyAwsHealthSecret(headers, secret),
    decide: (raw, _secret, now) => decideAwsHealth(raw, now),
  },
  generic: tourniquetSigned('generic', 'GENERIC_WEBHOOK_SECRET', (raw, _secret, now) => decideGeneric(raw, now)),
};

/**
 * Thinkst Canarytokens: unsigned JSON, authenticated by the secret path the router checks before
 * this spec runs (POST /webhooks/canarytokens/<CANARYTOKENS_PATH_SECRET>).
 */
export const CANARYTOKENS: SourceSpec = {
  source: 'canarytokens',
  secretSetting: 'CANARYTOKENS_PATH_SECRET',
  verify: () => undefined,
  decide: (raw, _secret, now) => decideCanarytoken(raw, now),
};
