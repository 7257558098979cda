import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { testEnvironment } from './environment';
import { processAlive, spawnService, type Service } from './processes';

/** The product running in its own process (test/support/worker-process.ts), so a test can SIGKILL it. */
export interface ProductProcess {
  pid: number;
  baseUrl: string;
  service: Service;
  /** Everything the process printed on stdout so far (pino JSON lines after READY). */
  stdout(): string;
  /**
   * SIGKILL to the process that runs the worker (it leads its own group, so nothing it started
   * survives either), then proves it: resolves only once the pid no longer exists.
   */
  kill(): Promise<void>;
}

/**
 * Starts the product as ONE process: `node --import tsx worker-process.ts`, so the pid we hold is
 * the process that polls Temporal and runs activities (not a launcher with the worker as its child).
 * Resolves once it prints READY with its HTTP base URL.
 */
export async function startProductProcess(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<ProductProcess> {
  const service = spawnService(process.execPath, ['--import', 'tsx', join(__dirname, 'worker-process.ts')], {
    env,
    what: 'product worker process',
  });
  const { child } = service;
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      void service.kill();
      reject(new Error(`worker did not start within ${timeoutMs} ms: ${service.output()}`));
    }, timeoutMs);
    child.stdout?.on('data', () => {
      const match = /READY (\S+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code ?? signal}: ${service.output()}`));
    });
  });
  const pid = child.pid!;
  return {
    pid,
    baseUrl,
    service,
    stdout: () => stdout,
    async kill() {
      await service.kill();
      if (processAlive(pid)) throw new Error(`worker pid ${pid} survived SIGKILL`);
    },
  };
}

/**
 * The environment of a product process for a crash test: its own task queue (so the process is the
 * only worker polling it), fresh keys, an ephemeral HTTP port, the run's workflow bundle.
 */
export function productEnv(settings: {
  temporalAddress?: string;
  databaseUrl: string;
  catalogPath: string;
  dataDir: string;
  extra?: Record<string, string>;
}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: settings.temporalAddress ?? testEnvironment().temporalAddress,
    TEMPORAL_TASK_QUEUE: `crash-${randomBytes(6).toString('hex')}`,
    WORKFLOW_BUNDLE_PATH: testEnvironment().workflowBundlePath,
    DATABASE_URL: settings.databaseUrl,
    CATALOG_PATH: settings.catalogPath,
    HTTP_PORT: '0',
    DATA_DIR: settings.dataDir,
    FINGERPRINT_KEY: randomBytes(32).toString('hex'),
    VAULT_KEY: randomBytes(32).toString('hex'),
    ...settings.extra,
  };
}
