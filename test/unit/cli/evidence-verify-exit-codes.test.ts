import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runEvidenceCommand } from '../../../entrypoints/cli/evidence';

/** docs/auditors.md: exit 0 verified, 1 not verified, 2 unreadable input or wrong usage. */
describe('tourniquet evidence verify exit codes', () => {
  let dir: string;
  let keyFile: string;
  const output: string[] = [];
  const io = { out: (line: string) => output.push(line), err: (line: string) => output.push(line), env: {} };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'verify-exit-'));
    keyFile = path.join(dir, 'key.pem');
    const { publicKey } = generateKeyPairSync('ed25519');
    await writeFile(keyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  });
  beforeEach(() => {
    output.length = 0;
  });

  it('exits 2 and names the file when the bundle is not JSON (an HTML error page saved as bundle.json)', async () => {
    const file = path.join(dir, 'bundle.json');
    await writeFile(file, '<html><body>502 Bad Gateway</body></html>');
    expect(await runEvidenceCommand(['verify', file, '--public-key', keyFile], io)).toBe(2);
    expect(output.join('\n')).toContain(`cannot read the bundle file ${file}: it is not UTF-8 JSON`);
  });

  it('exits 2 when the bundle is not UTF-8', async () => {
    const file = path.join(dir, 'binary.json');
    await writeFile(file, Buffer.from([0xff, 0xfe, 0x00, 0x7b]));
    expect(await runEvidenceCommand(['verify', file, '--public-key', keyFile], io)).toBe(2);
  });

  it('exits 2 when the bundle file does not exist', async () => {
    expect(await runEvidenceCommand(['verify', path.join(dir, 'missing.json'), '--public-key', keyFile], io)).toBe(2);
    expect(output.join('\n')).toContain('ENOENT');
  });

  it('exits 1, not 2, for JSON that is read but does not verify', async () => {
    const file = path.join(dir, 'error-body.json');
    await writeFile(file, JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no incident' } }));
    expect(await runEvidenceCommand(['verify', file, '--public-key', keyFile], io)).toBe(1);
    expect(output.join('\n')).toContain('NOT VERIFIED');
  });
});
