import { createHmac } from 'node:crypto';

/**
 * Keyed fingerprints (HMAC-SHA256), never bare hashes: a bare hash of a short or structured secret
 * can be brute-forced, an HMAC cannot without the key. The leaked value goes no further than here.
 */
export class Fingerprinter {
  constructor(private readonly key: string) {
    if (key.length < 32) throw new Error('FINGERPRINT_KEY must be at least 32 characters');
  }

  /** Fingerprint of a leaked value. */
  ofValue(value: string): string {
    return this.hmac(`value\n${value}`);
  }

  /** Fingerprint of a credential's identity: a catalog id, a locator, or a value fingerprint. */
  ofIdentity(kind: string, id: string): string {
    return this.hmac(`identity\n${kind}\n${id}`);
  }

  private hmac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('hex');
  }
}
