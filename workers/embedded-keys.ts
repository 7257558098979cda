import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Config } from './config';

const KeysFileSchema = z.object({ fingerprintKey: z.string().min(32), vaultKey: z.string().regex(/^[0-9a-f]{64}$/) });

/**
 * The fingerprint and vault keys. Configured keys win; otherwise the quick start generates them once
 * into DATA_DIR/keys.json (mode 0600) so fingerprints stay stable and sealed values stay readable
 * across restarts. Production sets FINGERPRINT_KEY and VAULT_KEY from a secret manager.
 */
export function resolveKeys(config: Config): { fingerprintKey: string; vaultKey: string } {
  if (config.FINGERPRINT_KEY && config.VAULT_KEY)
    return { fingerprintKey: config.FINGERPRINT_KEY, vaultKey: config.VAULT_KEY };
  const path = join(config.DATA_DIR, 'keys.json');
  if (!existsSync(path)) {
    mkdirSync(config.DATA_DIR, { recursive: true });
    const generated = { fingerprintKey: randomBytes(32).toString('hex'), vaultKey: randomBytes(32).toString('hex') };
    writeFileSync(path, JSON.stringify(generated), { mode: 0o600 });
  }
  const stored = KeysFileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  return {
    fingerprintKey: config.FINGERPRINT_KEY ?? stored.fingerprintKey,
    vaultKey: config.VAULT_KEY ?? stored.vaultKey,
  };
}
