import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../../workers/dev-temporal';
import { freePort, spawnService, waitForPort } from './processes';

/**
 * Starts `temporal server start-dev` (headless) on `port` (a free one by default); the CLI comes from
 * scripts/temporal-cli.sh. In memory unless `database` names a SQLite file, with the `pragmas` given
 * ("journal_mode=WAL"; the product's own dev server passes DEV_SERVER_SQLITE_PRAGMAS).
 */
export async function startTemporalDevServer(
  port?: number,
  database?: { file: string; pragmas: readonly string[] },
): Promise<{ address: string; pid: number }> {
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
    ...(database
      ? ['--db-filename', database.file, ...database.pragmas.flatMap((pragma) => ['--sqlite-pragma', pragma])]
      : []),
  ]);
  try {
    await waitForPort(port, 60_000, 'Temporal dev server');
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${server.output()}`);
  }
  server.child.unref();
  return { address: `127.0.0.1:${port}`, pid: server.child.pid! };
}
