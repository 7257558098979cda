import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  loadEvidenceSigner,
  parsePublicKey,
  SIGNING_KEY_FILE,
  verifySignature,
} from '../../../integrations/evidence/bundle-signing';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'evidence-key-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('the evidence signing key', () => {
  it('is generated once into DATA_DIR with mode 0600 and reused by every later start', async () => {
    const [first, second] = await Promise.all([
      loadEvidenceSigner({ keyId: 'k1', dataDir }),
      loadEvidenceSigner({ keyId: 'k1', dataDir }),
    ]);
    const third = await loadEvidenceSigner({ keyId: 'k1', dataDir });
    expect(second.publicKeyPem).toBe(first.publicKeyPem);
    expect(third.publicKeyPem).toBe(first.publicKeyPem);
    expect((await stat(path.join(dataDir, SIGNING_KEY_FILE))).mode & 0o777).toBe(0o600);
  });

  it('comes from EVIDENCE_SIGNING_KEY when set, as PEM or base64 DER', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const der = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    const expected = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    for (const signingKey of [pem, der]) {
      const signer = await loadEvidenceSigner({ signingKey, keyId: 'configured', dataDir });
      expect(signer.publicKeyPem).toBe(expected);
      expect(verifySignature(parsePublicKey(signer.publicKeyPem, 'test'), 'payload', signer.sign('payload'))).toBe(
        true,
      );
    }
    await expect(readFile(path.join(dataDir, SIGNING_KEY_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a key that is not Ed25519, naming the setting and never echoing the key', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const attempt = loadEvidenceSigner({ signingKey: rsa, keyId: 'k', dataDir });
    await expect(attempt).rejects.toThrow(/EVIDENCE_SIGNING_KEY is not an Ed25519 private key \(it is a rsa key\)/);
    await expect(attempt).rejects.not.toThrow(/BEGIN/);
  });

  it('treats a signature in another spelling as invalid rather than equivalent', async () => {
    const signer = await loadEvidenceSigner({ keyId: 'k', dataDir });
    const key = parsePublicKey(signer.publicKeyPem, 'test');
    const signature = signer.sign('payload');
    expect(verifySignature(key, 'payload', signature.toUpperCase())).toBe(false);
    expect(verifySignature(key, 'payload!', signature)).toBe(false);
  });
});
