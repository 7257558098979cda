import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { processAlive, waitForPortClosed } from './processes';

const run = promisify(execFile);
const SCRIPT = join(__dirname, '../../scripts/temporal-cluster.sh');

export type ClusterService = 'frontend' | 'history' | 'matching' | 'worker';

/** A real multi-service Temporal cluster on PostgreSQL, run by scripts/temporal-cluster.sh. */
export interface TemporalCluster {
  address: string;
  dir: string;
  /** The PID of a service's server process (it leads its own process group). */
  pid(service: ClusterService): number;
  port(service: ClusterService): number;
  /** SIGKILL to the service, then proof: resolves once its PID is gone and its gRPC port refuses connections. */
  kill(service: ClusterService): Promise<void>;
  start(service: ClusterService): Promise<void>;
  stop(): Promise<void>;
}

async function script(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  try {
    const { stdout } = await run('bash', [SCRIPT, ...args], { env, timeout: timeoutMs, maxBuffer: 16 << 20 });
    return stdout;
  } catch (error) {
    const failure = error as Error & { stderr?: string };
    throw new Error(`temporal-cluster.sh ${args[0]} failed: ${failure.message}\n${failure.stderr ?? ''}`);
  }
}

/**
 * Builds (once, cached in .tools/bin) and starts the four services. `postgresUrl` is a superuser URL of a
 * PostgreSQL to hold the `temporal` and `temporal_visibility` databases (named after `databasePrefix`);
 * without it the script starts its own PostgreSQL.
 */
export async function startTemporalCluster(
  options: { postgresUrl?: string; databasePrefix?: string; namespace?: string } = {},
): Promise<TemporalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tourniquet-cluster-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_PG_URL: options.postgresUrl ?? '',
    TEMPORAL_DB_PREFIX: options.databasePrefix ?? 'temporal',
    TEMPORAL_NAMESPACE: options.namespace ?? 'default',
  };
  await script(['build'], env, 15 * 60_000);
  try {
    await script(['up', dir], env, 5 * 60_000);
  } catch (error) {
    await script(['down', dir], env, 60_000).catch(() => undefined);
    throw error;
  }
  const settings = Object.fromEntries(
    readFileSync(join(dir, 'cluster.env'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  const pid = (service: string) => Number(readFileSync(join(dir, 'pids', service), 'utf8').trim());
  const port = (service: ClusterService) => Number(settings[`${service}_port`]);
  return {
    address: settings.TEMPORAL_ADDRESS!,
    dir,
    pid,
    port,
    async kill(service) {
      const target = pid(service);
      try {
        process.kill(-target, 'SIGKILL');
      } catch {
        process.kill(target, 'SIGKILL');
      }
      const deadline = Date.now() + 10_000;
      while (processAlive(target)) {
        if (Date.now() > deadline) throw new Error(`temporal ${service} (pid ${target}) survived SIGKILL`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await waitForPortClosed(port(service), 10_000, `temporal ${service}`);
    },
    async start(service) {
      await script(['start-service', dir, service], env, 2 * 60_000);
    },
    async stop() {
      if (existsSync(join(dir, 'cluster.env')) || existsSync(join(dir, 'pids')))
        await script(['down', dir], env, 60_000);
    },
  };
}
