import { startTemporalCluster } from '../test/support/temporal-cluster';
import { startTemporalDevServer } from '../test/support/temporal-dev-server';

/** Where a bench runs: TARGET=cluster (scripts/temporal-cluster.sh, on the given PostgreSQL) or a dev server. */
export const TARGET = process.env.TARGET === 'cluster' ? 'cluster' : 'dev server';

export async function startTemporalTarget(postgresUrl: string): Promise<{ address: string; stop(): Promise<void> }> {
  if (TARGET === 'cluster') {
    const cluster = await startTemporalCluster({ postgresUrl });
    return { address: cluster.address, stop: () => cluster.stop() };
  }
  const dev = await startTemporalDevServer();
  return {
    address: dev.address,
    stop: async () => {
      process.kill(dev.pid, 'SIGTERM');
    },
  };
}
