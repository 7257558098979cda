import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { configurationError, invalidInput } from '../../domain/errors';

/** File name of the generated key inside DATA_DIR, when EVIDENCE_SIGNING_KEY is not set. */
export const SIGNING_KEY_FILE = 'evidence-signing-key.pem';

/** What verifiers need to know about a signer; carried inside every signed bundle. */
export interface SignerIdentity {
  algorithm: 'Ed25519';
  keyId: string;
  /** sha256 (hex) of the public key's SPKI DER: lets a verifier tell "wrong key" from "tampered". */
  publicKeySha256: string;
}

/** Signs closure bundles. The private key never leaves this object. */
export interface EvidenceSigner {
  readonly identity: SignerIdentity;
  readonly publicKeyPem: string;
  /** Ed25519 signature of the UTF-8 payload, lowercase hex (hex has one spelling per byte string). */
  sign(payload: string): string;
}

export interface SignerOptions {
  /** EVIDENCE_SIGNING_KEY: PKCS8 PEM, or base64 of the PKCS8 DER. */
  signingKey?: string;
  keyId: string;
  /** DATA_DIR: where a key is generated once when none is configured. */
  dataDir: string;
}

/**
 * The signer from configuration, or from DATA_DIR/evidence-signing-key.pem, generating that file
 * (mode 0600) on first use. Several workers may start at once: the file is created exclusively,
 * and a loser of that race reads the winner's key instead of writing its own.
 */
export async function loadEvidenceSigner(options: SignerOptions): Promise<EvidenceSigner> {
  const privateKey = options.signingKey
    ? parsePrivateKey(options.signingKey, 'EVIDENCE_SIGNING_KEY')
    : await readOrCreateKeyFile(path.join(options.dataDir, SIGNING_KEY_FILE));
  return signerFromKey(privateKey, options.keyId);
}

/** A signer over an in-memory key: tests and benchmarks. */
export function generateEvidenceSigner(keyId = 'test-key'): EvidenceSigner {
  return signerFromKey(generateKeyPairSync('ed25519').privateKey, keyId);
}

function signerFromKey(privateKey: KeyObject, keyId: string): EvidenceSigner {
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    identity: { algorithm: 'Ed25519', keyId, publicKeySha256: publicKeySha256(publicKey) },
    publicKeyPem,
    sign: (payload) => sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('hex'),
  };
}

/** Parses a PEM (or base64 SPKI DER) public key; the error names where it came from. */
export function parsePublicKey(text: string, source: string): KeyObject {
  try {
    return readEd25519(text, 'spki');
  } catch (error) {
    throw invalidInput(
      `${source} is not an Ed25519 public key (${(error as Error).message}): pass the PEM from GET /audit/api/public-key`,
    );
  }
}

export function publicKeySha256(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** Checks an Ed25519 signature; a malformed signature is simply invalid, never an exception. */
export function verifySignature(publicKey: KeyObject, payload: string, signatureHex: string): boolean {
  if (!/^[0-9a-f]{128}$/.test(signatureHex)) return false;
  return verify(null, Buffer.from(payload, 'utf8'), publicKey, Buffer.from(signatureHex, 'hex'));
}

function parsePrivateKey(text: string, source: string): KeyObject {
  try {
    return readEd25519(text, 'pkcs8');
  } catch (error) {
    // Never echo the key material itself: only where it came from and what to do.
    throw configurationError(
      `${source} is not an Ed25519 private key (${(error as Error).message}); ` +
        'generate one with `openssl genpkey -algorithm ed25519` and pass the PEM',
    );
  }
}

async function readOrCreateKeyFile(file: string): Promise<KeyObject> {
  await mkdir(path.dirname(file), { recursive: true });
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(pem);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return parsePrivateKey(await readKeyFile(file), file);
}

/** A racing writer may have created the file but not filled it yet: wait briefly for content. */
async function readKeyFile(file: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const text = await readFile(file, 'utf8');
    if (text.includes('-----END')) return text;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return readFile(file, 'utf8');
}

/** An Ed25519 key from PEM or base64 DER (`spki`: public, `pkcs8`: private); else an error saying what it is. */
function readEd25519(text: string, type: 'spki' | 'pkcs8'): KeyObject {
  const pem = text.includes('-----BEGIN');
  const key = Buffer.from(text.trim(), 'base64');
  const read =
    type === 'spki'
      ? createPublicKey(pem ? text : { key, format: 'der', type })
      : createPrivateKey(pem ? text : { key, format: 'der', type });
  if (read.asymmetricKeyType !== 'ed25519') throw new Error(`it is a ${read.asymmetricKeyType ?? 'unknown'} key`);
  return read;
}
