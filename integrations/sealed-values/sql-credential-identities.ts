import type { Database } from '../database/database';
import type { CredentialIdentities, CredentialIdentity } from '../ports';

/** Credential identities of leaked values in the product database, keyed by the value's keyed fingerprint. */
export class SqlCredentialIdentities implements CredentialIdentities {
  constructor(private readonly database: Database) {}

  async claim(valueFingerprint: string, identity: CredentialIdentity): Promise<CredentialIdentity> {
    // One statement, so two reports of a new value arriving together agree on the first identity.
    const result = await this.database.query<{ credential_fingerprint: string; secret_id: string | null }>(
      `INSERT INTO credential_identities (value_fingerprint, credential_fingerprint, secret_id) VALUES ($1, $2, $3)
       ON CONFLICT (value_fingerprint) DO UPDATE
         SET secret_id = COALESCE(credential_identities.secret_id, EXCLUDED.secret_id)
       RETURNING credential_fingerprint, secret_id`,
      [valueFingerprint, identity.credentialFingerprint, identity.secretId],
    );
    const row = result.rows[0]!;
    return { credentialFingerprint: row.credential_fingerprint, secretId: row.secret_id };
  }
}
