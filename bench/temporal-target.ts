import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startTemporalCluster } from '../test/support/temporal-cluster';
import { startTemporalDevServer } from '../test/support/temporal-dev-server';
import { waitUntilGone } from '../test/support/processes';
import { DEV_SERVER_SQLITE_PRAGMAS } from '../workers/dev-temporal';

/** Where a bench runs: TARGET=cluster (scripts/temporal-cluster.sh, on the given PostgreSQL) or a dev server. */
export const TARGET = process.env.TARGET === 'cluster' ? 'cluster' : 'dev server';

/**
 * The dev server's database: `product` (the default: a SQLite file with the pragmas `npm start` gives
 * it, workers/dev-temporal.ts), `memory` (what the benches used before session 10), or
 * `file:pragma=value,…` (a SQLite file with other pragmas; `file` alone: SQLite's defaults).
 */
export const DATABASE = process.env.DATABASE ?? 'product';

export function devServerDatabase(): { file: string; pragmas: readonly string[] } | undefined {
  if (DATABASE === 'memory') return undefined;
  const [kind, pragmas] = DATABASE.split(':');
  if (DATABASE !== 'product' && kind !== 'file')
    throw new Error(`DATABASE must be product, memory or file[:pragma=value,...], not ${DATABASE}`);
  const file = join(mkdtempSync(join(tmpdir(), 'bench-temporal-')), 'temporal.db');
  if (DATABASE === 'product') return { file, pragmas: DEV_SERVER_SQLITE_PRAGMAS };
  return { file, pragmas: pragmas ? pragmas.split(',') : [] };
}

/** The target as the figures name it: the cluster, or the dev server with its database. */
export const TARGET_NAME =
  TARGET === 'cluster'
    ? 'cluster'
    : `dev server (${DATABASE === 'product' ? `SQLite file, ${DEV_SERVER_SQLITE_PRAGMAS.join(', ')}, as npm start runs it` : DATABASE === 'memory' ? 'SQLite in memory' : DATABASE})`;

export async function startTemporalTarget(
  postgresUrl: string,
): Promise<{ address: string; pids(): number[]; stop(): Promise<void> }> {
  if (TARGET === 'cluster') {
    const cluster = await startTemporalCluster({ postgresUrl });
    const services = ['frontend', 'history', 'matching', 'worker'] as const;
    return { address: cluster.address, pids: () => services.map((s) => cluster.pid(s)), stop: () => cluster.stop() };
  }
  const database = devServerDatabase();
  const dev = await startTemporalDevServer(undefined, database);
  return {
    address: dev.address,
    pids: () => [dev.pid],
    stop: () => stopDevServer(dev.pid, database),
  };
}

/** Stops a bench's dev server and, once it is gone, removes its SQLite file (hundreds of MB after a storm). */
export async function stopDevServer(pid: number, database: { file: string } | undefined): Promise<void> {
  process.kill(pid, 'SIGTERM');
  await waitUntilGone(pid, 30_000, 'Temporal dev server');
  if (database) rmSync(dirname(database.file), { recursive: true, force: true });
}
