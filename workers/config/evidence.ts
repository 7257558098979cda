import { z } from 'zod';
import { secretSetting } from './parse-helpers';

/** Closure evidence settings (issue: closure evidence). */
export const evidenceConfigShape = {
  EVIDENCE_SIGNING_KEY: secretSetting().describe(
    'Ed25519 private key, PKCS8 PEM or base64 DER (secret); unset = generated in DATA_DIR',
  ),
  EVIDENCE_KEY_ID: z.string().default('tourniquet-evidence-1'),
};
