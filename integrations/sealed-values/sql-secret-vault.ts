import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { configurationError } from '../../domain/errors';
import type { Database } from '../database/database';
import type { SecretVault } from '../ports';

interface SealedRow {
  ciphertext: Buffer | Uint8Array | null;
  nonce: Buffer | Uint8Array | null;
  auth_tag: Buffer | Uint8Array | null;
}

/**
 * Leaked and replacement values sealed with AES-256-GCM in the product database, outside Temporal.
 * The handle is opaque and carries nothing of the value. Destroying overwrites the ciphertext with
 * NULL and keeps the row, so the evidence can show when the value was destroyed.
 */
export class SqlSecretVault implements SecretVault {
  private readonly key: Buffer;

  constructor(
    private readonly database: Database,
    keyHex: string,
  ) {
    if (!/^[0-9a-f]{64}$/i.test(keyHex)) throw configurationError('VAULT_KEY must be 64 hex characters (32 bytes)');
    this.key = Buffer.from(keyHex, 'hex');
  }

  /**
   * Seals under a caller-chosen handle. Sealing a live handle again keeps the first value (a retry);
   * sealing a destroyed handle seals the value again: the same value reported again after its
   * incident closed (a re-leak) gets a live sealed copy, and a re-issued replacement is kept.
   */
  async sealAs(handle: string, value: string, purpose: 'leaked' | 'replacement'): Promise<void> {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(handle));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    await this.database.query(
      `INSERT INTO sealed_values (handle, purpose, ciphertext, nonce, auth_tag) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (handle) DO UPDATE SET purpose = EXCLUDED.purpose, ciphertext = EXCLUDED.ciphertext,
         nonce = EXCLUDED.nonce, auth_tag = EXCLUDED.auth_tag, destroyed_at = NULL
       WHERE sealed_values.destroyed_at IS NOT NULL`,
      [handle, purpose, ciphertext, nonce, cipher.getAuthTag()],
    );
  }

  async open(handle: string): Promise<string | undefined> {
    const result = await this.database.query<SealedRow>(
      'SELECT ciphertext, nonce, auth_tag FROM sealed_values WHERE handle = $1 AND destroyed_at IS NULL',
      [handle],
    );
    const row = result.rows[0];
    if (!row?.ciphertext || !row.nonce || !row.auth_tag) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(row.nonce));
    decipher.setAAD(Buffer.from(handle));
    decipher.setAuthTag(Buffer.from(row.auth_tag));
    return Buffer.concat([decipher.update(Buffer.from(row.ciphertext)), decipher.final()]).toString('utf8');
  }

  async destroy(handle: string): Promise<void> {
    await this.database.query(
      `UPDATE sealed_values SET ciphertext = NULL, nonce = NULL, auth_tag = NULL, destroyed_at = COALESCE(destroyed_at, now())
       WHERE handle = $1`,
      [handle],
    );
  }
}
