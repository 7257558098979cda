import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../../workers/dev-temporal';
import { freePort, spawnService, waitForPort } from './processes';

/**
 * Starts `temporal server start-dev` (in memory, headless) on `port` (a free one by default); the
 * CLI comes from scripts/temporal-cli.sh.
 */
export async function startTemporalDevServer(port?: number): Promise<{ address: string; pid: number }> {
  const cli = execFileSync('bash', [join(__dirname, '../../scripts/temporal-cli.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .toString()
    .trim();
  port ??= await freePort();
  const server = spawnService(cli, [
    'server',
    'start-dev',
    '--headless',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--log-level',
    'error',
    '--namespace',
    'default',
    ...DEV_SERVER_DYNAMIC_CONFIG.flatMap((setting) => ['--dynamic-config-value', setting]),
  ]);
  try {
    await waitForPort(port, 60_000, 'Temporal dev server');
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${server.output()}`);
  }
  server.child.unref();
  return { address: `127.0.0.1:${port}`, pid: server.child.pid! };
}
