import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../workers/config';
import { resolveKeys } from '../../../workers/embedded-keys';

const FIXTURE = join(__dirname, '../../fixtures/resolve-keys.ts');

/**
 * Without FINGERPRINT_KEY and VAULT_KEY the quick start keeps generated keys in DATA_DIR/keys.json. Those
 * keys are what every stored fingerprint and sealed value depends on: a damaged file stops the start with
 * an error naming it, without quoting it, and is never replaced.
 */
describe('the generated keys file', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'tourniquet-keys-'));

  it('is generated once, its owner’s alone, and read back the same', () => {
    const dir = dataDir();
    const first = resolveKeys(parseConfig({ DATA_DIR: dir }));
    expect(statSync(join(dir, 'keys.json')).mode & 0o777).toBe(0o600);
    expect(resolveKeys(parseConfig({ DATA_DIR: dir }))).toEqual(first);
  });

  it.each([
    ['cut short', (text: string) => text.slice(0, 40)],
    [
      'with a vault key that is not 64 hex characters',
      (text: string) => text.replace(/"vaultKey":"[0-9a-f]{8}/, '"vaultKey":"zzzzzzzz'),
    ],
  ])('refuses a file %s, naming it and not quoting it, and leaves it as it was', (_, damage) => {
    const dir = dataDir();
    resolveKeys(parseConfig({ DATA_DIR: dir }));
    const file = join(dir, 'keys.json');
    const damaged = damage(readFileSync(file, 'utf8'));
    writeFileSync(file, damaged);
    let message = '';
    try {
      resolveKeys(parseConfig({ DATA_DIR: dir }));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`${file} `);
    expect(message).toContain('set FINGERPRINT_KEY and VAULT_KEY');
    for (const value of damaged.match(/[0-9a-f]{16,}/g) ?? []) expect(message).not.toContain(value.slice(0, 16));
    expect(readFileSync(file, 'utf8')).toBe(damaged);
  });

  // A race: without the exclusive link, five rounds of six processes found different keys in 3 of 4 runs here.
  it('is the same for processes that start at once on one DATA_DIR, and left whole', async () => {
    for (let round = 0; round < 5; round += 1) {
      const dir = dataDir();
      const at = String(Date.now() + 2_500); // every process loaded and waiting, then all at the same moment
      const hashes = await Promise.all(
        Array.from(
          { length: 6 },
          () =>
            new Promise<string>((resolve, reject) => {
              const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dir, at], {
                stdio: ['ignore', 'pipe', 'inherit'],
              });
              let out = '';
              child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
              child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
            }),
        ),
      );
      expect(new Set(hashes).size).toBe(1);
      expect(readdirSync(dir)).toEqual(['keys.json']);
    }
  }, 60_000);
});
