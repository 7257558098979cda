import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_CATALOG } from '../../support/app';
import { createTestDatabase } from '../../support/environment';
import {
  freePort,
  portOpen,
  processAlive,
  signalGroup,
  spawnService,
  waitUntilGone,
  type Service,
} from '../../support/processes';

const MAIN = join(__dirname, '../../../workers/main.ts');

/**
 * `npm start` runs the Temporal dev server as its child. A product SIGKILLed alone (the OOM killer, `kill
 * -9 <pid>`) leaves that server running on DATA_DIR's file and ports; the next start on the same DATA_DIR
 * must stop it and start its own, and a start while that product still lives must refuse.
 */
describe('npm start after a product was killed without stopping its dev server', () => {
  const started: Service[] = [];
  afterAll(async () => {
    for (const service of started) {
      // The group is the product and its dev server; the server a killed product left has left that group's
      // leader behind but not the group.
      if (service.child.pid) signalGroup(service.child.pid, 'SIGKILL');
      if (service.child.pid) await waitUntilGone(service.child.pid, 10_000, 'product');
    }
  });

  it('stops the server the killed product left and starts its own; refuses while a product lives', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tourniquet-left-dev-'));
    const devPort = await freePort();
    const env = {
      ...process.env,
      DATA_DIR: dataDir,
      TEMPORAL_DEV_PORT: String(devPort),
      TEMPORAL_UI_PORT: String(await freePort()),
      HTTP_PORT: String(await freePort()),
      DATABASE_URL: await createTestDatabase('left'),
      CATALOG_PATH: TEST_CATALOG,
      FINGERPRINT_KEY: randomBytes(32).toString('hex'),
      VAULT_KEY: randomBytes(32).toString('hex'),
    };
    const start = async () => {
      const product = spawnService(process.execPath, ['--import', 'tsx', MAIN], { env, what: 'product' });
      started.push(product);
      await ready(env.HTTP_PORT, product);
      const record = JSON.parse(readFileSync(join(dataDir, 'temporal-dev-server.json'), 'utf8')) as {
        productPid: number;
        serverPid: number;
      };
      expect(record.productPid).toBe(product.child.pid);
      return { product, serverPid: record.serverPid };
    };

    const first = await start();
    process.kill(first.product.child.pid!, 'SIGKILL'); // the product alone, not its group
    await waitUntilGone(first.product.child.pid!, 10_000, 'killed product');
    // What it left: its dev server, alive and on its port.
    expect(processAlive(first.serverPid)).toBe(true);
    expect(await portOpen(devPort)).toBe(true);

    const second = await start();
    expect(processAlive(first.serverPid)).toBe(false);
    expect(second.serverPid).not.toBe(first.serverPid);
    expect(processAlive(second.serverPid)).toBe(true);

    // A third start on the same DATA_DIR while the second runs.
    const third = spawnService(process.execPath, ['--import', 'tsx', MAIN], { env, what: 'third product' });
    started.push(third);
    const code = await new Promise<number | null>((resolve) =>
      third.child.once('exit', (exitCode) => resolve(exitCode)),
    );
    expect(code).toBe(1);
    expect(third.output()).toContain(
      `is in use by another Tourniquet (pid ${second.product.child.pid}), whose Temporal dev server (pid ${second.serverPid})`,
    );
    expect(processAlive(second.serverPid)).toBe(true);

    // SIGTERM: the product stops, and its dev server with it.
    process.kill(second.product.child.pid!, 'SIGTERM');
    await waitUntilGone(second.product.child.pid!, 30_000, 'stopped product');
    await waitUntilGone(second.serverPid, 15_000, 'its dev server');
  });
});

async function ready(port: string, product: Service): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (product.child.exitCode !== null) throw new Error(`the product exited: ${product.output()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((wake) => setTimeout(wake, 200));
  }
  throw new Error(`the product was not ready in 90 s: ${product.output()}`);
}
