import { startTemporalCluster } from '../test/support/temporal-cluster';
import { startTemporalDevServer } from '../test/support/temporal-dev-server';

/** Where a bench runs: TARGET=cluster (scripts/temporal-cluster.sh, on the given PostgreSQL) or a dev server. */
export const TARGET = process.env.TARGET === 'cluster' ? 'cluster' : 'dev server';

export async function startTemporalTarget(
  postgresUrl: string,
): Promise<{ address: string; pids(): number[]; stop(): Promise<void> }> {
  if (TARGET === 'cluster') {
    const cluster = await startTemporalCluster({ postgresUrl });
    const services = ['frontend', 'history', 'matching', 'worker'] as const;
    return { address: cluster.address, pids: () => services.map((s) => cluster.pid(s)), stop: () => cluster.stop() };
  }
  const dev = await startTemporalDevServer();
  return {
    address: dev.address,
    pids: () => [dev.pid],
    stop: async () => {
      process.kill(dev.pid, 'SIGTERM');
    },
  };
}
