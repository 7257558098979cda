import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../workers/config';
import { resolveKeys } from '../../../workers/embedded-keys';

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
});
