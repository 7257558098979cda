import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../support/app';

/**
 * DATA_DIR keeps the dev server's Temporal file, the embedded database and generated keys, and the dev
 * server writes its file readable by everyone: the product closes the directory to other users on start.
 */
describe('DATA_DIR on start', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  it('is made its owner’s alone when it was open to others', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tourniquet-data-'));
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'temporal.db'), '', { mode: 0o644 });
    app = await startTestApp({ DATA_DIR: dataDir });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  it('is created its owner’s alone when it did not exist', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'tourniquet-data-')), 'state', 'data');
    app = await startTestApp({ DATA_DIR: dataDir });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });
});
