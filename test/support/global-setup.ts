import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startPostgresCluster } from './postgres-cluster';
import { createRunScratch, removeDeadRuns } from './scratch';
import { startTemporalDevServer } from './temporal-dev-server';
import type { TestEnvironment } from './environment';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../workers/telemetry';

/**
 * Starts the real services every test shares — a Temporal dev server and a PostgreSQL cluster —
 * and bundles the workflow code once, so each test file only starts its own worker.
 */
export default async function globalSetup(): Promise<void> {
  const runs = join(__dirname, '../../.data/test');
  removeDeadRuns(runs, /^run-(\d+)$/); // left by runs killed before their teardown
  const dir = join(runs, `run-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'environment.json');
  // Set before anything starts: every process the run spawns inherits it, which is how the global
  // teardown recognises a leftover of this run (test/support/leftovers.ts).
  process.env.TOURNIQUET_TEST_ENV = file;
  const scratchDir = createRunScratch();
  process.env.TMPDIR = scratchDir;
  const [temporal, postgres, bundle] = await Promise.all([
    startTemporalDevServer(),
    startPostgresCluster(),
    bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows/index.ts'),
      workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
      logger: quietLogger(),
    }),
  ]);
  const workflowBundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);
  const environment: TestEnvironment = {
    temporalAddress: temporal.address,
    temporalPid: temporal.pid,
    databaseUrl: postgres.url,
    postgresDataDir: postgres.dataDir,
    postgresPid: postgres.pid,
    workflowBundlePath,
    scratchDir,
  };
  writeFileSync(file, JSON.stringify(environment, null, 2));
}

function quietLogger() {
  const noop = () => undefined;
  return {
    log: noop,
    trace: noop,
    debug: noop,
    info: noop,
    warn: noop,
    error: (message: string) => console.error(message),
  };
}
