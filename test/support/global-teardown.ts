import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestEnvironment } from './environment';
import { killLeftovers, leftoverProcesses } from './leftovers';
import { PG_BIN } from './postgres-cluster';
import { replayEveryHistory } from './replay-everything';
import { stopGroup } from './processes';
import { removeRunScratch } from './scratch';

/**
 * Stops the shared services, removes the run's temporary files, then fails the run when any other process the tests started is
 * still alive (after killing it): a test that leaves a worker, moto or a browser behind is a defect.
 */
export default async function globalTeardown(): Promise<void> {
  const file = process.env.TOURNIQUET_TEST_ENV;
  if (!file) return;
  const environment = JSON.parse(readFileSync(file, 'utf8')) as TestEnvironment;
  // Every run the suite produced, replayed with the workflow code: a nondeterminism that needs a
  // particular timing (a loaded machine, a race with a local activity) shows here, not in production.
  const failuresDir = join(__dirname, '../../.data/replay-failures');
  const replay = await replayEveryHistory(environment.temporalAddress, environment.workflowBundlePath, failuresDir)
    .then((result) => ({ ...result, error: undefined }))
    .catch((error: Error) => ({ replayed: 0, failures: [], error }));
  console.log(`replayed ${replay.replayed} workflow histories of this run: ${replay.failures.length} failed`);
  await stopGroup(environment.temporalPid, 'Temporal dev server').catch(() => undefined);
  const pgCtl = `${PG_BIN}/pg_ctl`;
  const args = ['stop', '-D', environment.postgresDataDir, '-m', 'immediate'];
  try {
    if (process.getuid?.() === 0)
      execFileSync('runuser', ['-u', 'postgres', '--', pgCtl, ...args], { stdio: 'ignore' });
    else execFileSync(pgCtl, args, { stdio: 'ignore' });
  } catch {
    // already stopped
  }
  if (environment.postgresPid) await stopGroup(environment.postgresPid, 'PostgreSQL').catch(() => undefined);
  const leftovers = leftoverProcesses(file);
  await killLeftovers(leftovers);
  rmSync(dirname(file), { recursive: true, force: true });
  removeRunScratch(environment.scratchDir);
  if (replay.error) throw new Error(`could not replay the run's histories: ${replay.error.message}`);
  if (replay.failures.length > 0) {
    throw new Error(
      `${replay.failures.length} workflow history(ies) of this run do not replay (saved in ${failuresDir}):\n` +
        replay.failures.map((f) => `  ${f.workflowId} ${f.runId}: ${f.error.slice(0, 500)}`).join('\n'),
    );
  }
  if (leftovers.length > 0) {
    throw new Error(
      `${leftovers.length} process(es) started by the tests outlived them (now killed):\n` +
        leftovers.map(({ pid, cmdline }) => `  ${pid} ${cmdline.slice(0, 300)}`).join('\n'),
    );
  }
}
