import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
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
  if (!existsSync(path)) createKeysFile(config.DATA_DIR, path);
  const stored = readKeysFile(path);
  return {
    fingerprintKey: config.FINGERPRINT_KEY ?? stored.fingerprintKey,
    vaultKey: config.VAULT_KEY ?? stored.vaultKey,
  };
}

/**
 * Writes new keys whole, then links them into place: the file is there complete or not at all (a crash
 * mid-write leaves no half file), and of several processes starting at once on one DATA_DIR, the first
 * link wins and every other reads the winner's keys instead of writing its own over them.
 */
function createKeysFile(dataDir: string, path: string): void {
  mkdirSync(dataDir, { recursive: true });
  const generated = { fingerprintKey: randomBytes(32).toString('hex'), vaultKey: randomBytes(32).toString('hex') };
  const draft = `${path}.${process.pid}.new`;
  const handle = openSync(draft, 'w', 0o600);
  try {
    writeFileSync(handle, JSON.stringify(generated));
    fsyncSync(handle);
  } finally {
    closeSync(handle);
  }
  try {
    linkSync(draft, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

/**
 * The keys file as the product wrote it. A damaged one is an error naming the file, never replaced:
 * new keys would make every stored fingerprint unmatchable and every sealed value unreadable.
 */
function readKeysFile(path: string): z.infer<typeof KeysFileSchema> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // Not the parser's message: it quotes the text, and the text is the keys.
    throw new Error(`${path} is not JSON; ${KEEP_IT}`);
  }
  const result = KeysFileSchema.safeParse(parsed);
  if (!result.success) {
    const fields = result.error.issues.map((issue) => issue.path.join('.') || '(the file)').join(', ');
    throw new Error(`${path} does not hold the keys Tourniquet generated (wrong: ${fields}); ${KEEP_IT}`);
  }
  return result.data;
}

const KEEP_IT =
  'restore it from a backup, or set FINGERPRINT_KEY and VAULT_KEY. A new file would make the stored fingerprints ' +
  'unmatchable and the sealed values unreadable, so the product does not write one over it.';
